import { useMutation } from '@apollo/client/react';
import { useState, type FormEvent } from 'react';
import { signIn } from '../apollo';
import { errorCodeOf, errorMessageOf, fieldErrorsOf } from '../errors';
import { graphql } from '../gql';
import { Field } from './Field';

const LoginMutation = graphql(`
  mutation Login($input: LoginInput!) {
    login(input: $input) {
      token
      expiresAt
      user {
        id
        username
      }
    }
  }
`);

export function LoginPage() {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [login, { loading, error }] = useMutation(LoginMutation);
  const fields = fieldErrorsOf(error);
  const { code, reason } = errorCodeOf(error);
  const message = errorMessageOf(error);

  async function submit(event: FormEvent) {
    event.preventDefault();
    try {
      const { data } = await login({ variables: { input: { username, password } } });
      if (data) await signIn(data.login.token);
    } catch {
      // Shown from `error` below.
    }
  }

  return (
    <form onSubmit={submit} noValidate aria-labelledby="login-title">
      <h2 id="login-title">Log in</h2>
      <Field
        name="login-username"
        label="Username or email"
        autoComplete="username"
        value={username}
        onChange={(event) => setUsername(event.target.value)}
        errors={fields.username}
      />
      <Field
        name="login-password"
        label="Password"
        type="password"
        autoComplete="current-password"
        value={password}
        onChange={(event) => setPassword(event.target.value)}
        errors={fields.password}
      />
      {message && (
        // UNAUTHENTICATED with reason INVALID_CREDENTIALS: wrong password, unknown or inactive
        // user (deliberately the same). TOO_MANY_REQUESTS: the message says how long to wait.
        <p className="error" role="alert" data-code={code} data-reason={reason}>
          {message}
        </p>
      )}
      <button type="submit" disabled={loading}>
        {loading ? 'Logging in…' : 'Log in'}
      </button>
      <p>
        <a href="#/reset-password">Forgot your password?</a>
      </p>
    </form>
  );
}
