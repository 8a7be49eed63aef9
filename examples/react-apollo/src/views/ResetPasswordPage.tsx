import { useMutation } from '@apollo/client/react';
import { useState, type FormEvent } from 'react';
import { signOut } from '../apollo';
import { errorMessageOf, fieldErrorsOf } from '../errors';
import { graphql } from '../gql';
import { forgetLinkToken, linkToken } from '../link';
import { getToken } from '../token';
import { Field } from './Field';

const RequestPasswordResetMutation = graphql(`
  mutation RequestPasswordReset($email: String!) {
    requestPasswordReset(email: $email)
  }
`);

const ResetPasswordMutation = graphql(`
  mutation ResetPassword($input: ResetPasswordInput!) {
    resetPassword(input: $input)
  }
`);

/**
 * #/reset-password. Opened from the mail's link (with a token): choose a new password. Opened
 * from the login page (without one): ask for that mail.
 */
export function ResetPasswordPage() {
  const [token, setToken] = useState(() => linkToken('reset-password'));
  if (token) return <NewPasswordForm token={token} onNewLink={() => setToken(null)} />;
  return <RequestResetForm />;
}

function RequestResetForm() {
  const [email, setEmail] = useState('');
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [request, { loading, error }] = useMutation(RequestPasswordResetMutation);
  const fields = fieldErrorsOf(error);
  const message = errorMessageOf(error);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSentTo(null);
    try {
      await request({ variables: { email } });
      setSentTo(email);
    } catch {
      // TOO_MANY_REQUESTS (per client) or SERVICE_UNAVAILABLE (no mail server): shown below.
    }
  }

  return (
    <form onSubmit={submit} noValidate aria-labelledby="reset-request-title">
      <h2 id="reset-request-title">Reset your password</h2>
      <p>Enter the email address of your account. We will mail it a link to choose a new password.</p>
      <Field
        name="reset-email"
        label="Email"
        type="email"
        autoComplete="email"
        value={email}
        onChange={(event) => setEmail(event.target.value)}
        errors={fields.email}
      />
      {message && (
        <p className="error" role="alert">
          {message}
        </p>
      )}
      {sentTo && (
        // The API answers true whether or not an account has this address: so does the page.
        <p className="notice" role="status" data-testid="reset-requested">
          If an account uses {sentTo}, a link to reset its password is on its way. It works once, for a limited time.
        </p>
      )}
      <button type="submit" disabled={loading || email.trim() === ''}>
        {loading ? 'Sending…' : 'Send me a link'}
      </button>
    </form>
  );
}

function NewPasswordForm({ token, onNewLink }: { token: string; onNewLink: () => void }) {
  const [password, setPassword] = useState('');
  const [passwordAgain, setPasswordAgain] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const [done, setDone] = useState(false);
  const [reset, { loading, error }] = useMutation(ResetPasswordMutation);
  const fields = fieldErrorsOf(error);
  const message = errorMessageOf(error);

  async function submit(event: FormEvent) {
    event.preventDefault();
    // Checked here only: the API takes the new password once.
    setMismatch(password !== passwordAgain);
    if (password !== passwordAgain) return;
    try {
      await reset({ variables: { input: { token, newPassword: password } } });
      forgetLinkToken();
      setDone(true);
      // Every session of the account was revoked, this browser's too if it was signed in to it.
      if (getToken()) await signOut();
    } catch {
      // fields.newPassword beside its input (the link stays usable); fields.token: see below.
    }
  }

  if (fields.token) {
    // Unknown, used or expired: this link is done for, whatever the password; a new one is the way on.
    return (
      <section aria-labelledby="reset-dead-title">
        <h2 id="reset-dead-title">This link no longer works</h2>
        <p className="error" role="alert" data-testid="token-error">
          {fields.token.join(' ')}
        </p>
        <button
          type="button"
          onClick={() => {
            forgetLinkToken();
            onNewLink();
          }}
        >
          Ask for a new link
        </button>
      </section>
    );
  }

  if (done) {
    return (
      <section aria-labelledby="reset-done-title" data-testid="reset-done">
        <h2 id="reset-done-title">Password changed</h2>
        <p className="notice">Your password was changed, and every session of the account was signed out.</p>
        <p>
          <a href="#/login">Log in with the new password</a>
        </p>
      </section>
    );
  }

  return (
    <form onSubmit={submit} noValidate aria-labelledby="reset-title">
      <h2 id="reset-title">Choose a new password</h2>
      <Field
        name="newPassword"
        label="New password"
        type="password"
        autoComplete="new-password"
        value={password}
        onChange={(event) => setPassword(event.target.value)}
        errors={fields.newPassword}
      />
      <Field
        name="newPasswordAgain"
        label="New password (again)"
        type="password"
        autoComplete="new-password"
        value={passwordAgain}
        onChange={(event) => setPasswordAgain(event.target.value)}
        errors={mismatch ? ['The two passwords differ.'] : undefined}
      />
      {message && (
        <p className="error" role="alert">
          {message}
        </p>
      )}
      <button type="submit" disabled={loading}>
        {loading ? 'Saving…' : 'Set the new password'}
      </button>
    </form>
  );
}
