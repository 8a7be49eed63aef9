import { useMutation } from '@apollo/client/react';
import { useState, type FormEvent } from 'react';
import { signIn } from '../apollo';
import { errorMessageOf, fieldErrorsOf } from '../errors';
import { graphql } from '../gql';
import { Field } from './Field';

const RegisterMutation = graphql(`
  mutation Register($input: RegisterInput!) {
    register(input: $input) {
      token
      expiresAt
      user {
        id
        username
      }
    }
  }
`);

export function RegisterPage() {
  const [form, setForm] = useState({ username: '', email: '', password: '', passwordConfirm: '' });
  const [register, { loading, error }] = useMutation(RegisterMutation);
  const [notice, setNotice] = useState<string | null>(null);
  const fields = fieldErrorsOf(error);
  const message = errorMessageOf(error);

  const change = (name: keyof typeof form) => (event: { target: { value: string } }) =>
    setForm((previous) => ({ ...previous, [name]: event.target.value }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    setNotice(null);
    try {
      const { data } = await register({ variables: { input: form } });
      const token = data?.register.token;
      if (token) await signIn(token);
      // No session: the API runs with EMAIL_VERIFICATION=required, so login waits for the link.
      else setNotice(`Account created. Confirm your address with the link mailed to ${form.email}, then log in.`);
    } catch {
      // Shown from `error` above: field messages beside their inputs, anything else below.
    }
  }

  return (
    <form onSubmit={submit} noValidate aria-labelledby="register-title">
      <h2 id="register-title">Create an account</h2>
      <Field
        name="username"
        label="Username"
        autoComplete="username"
        value={form.username}
        onChange={change('username')}
        errors={fields.username}
      />
      <Field
        name="email"
        label="Email"
        type="email"
        autoComplete="email"
        value={form.email}
        onChange={change('email')}
        errors={fields.email}
      />
      <Field
        name="password"
        label="Password"
        type="password"
        autoComplete="new-password"
        value={form.password}
        onChange={change('password')}
        errors={fields.password}
      />
      <Field
        name="passwordConfirm"
        label="Password (again)"
        type="password"
        autoComplete="new-password"
        value={form.passwordConfirm}
        onChange={change('passwordConfirm')}
        errors={fields.passwordConfirm}
      />
      {fields.nonFieldErrors && <p className="error">{fields.nonFieldErrors.join(' ')}</p>}
      {message && (
        <p className="error" role="alert">
          {message}
        </p>
      )}
      {notice && <p className="notice">{notice}</p>}
      <button type="submit" disabled={loading}>
        {loading ? 'Creating…' : 'Create account'}
      </button>
    </form>
  );
}
