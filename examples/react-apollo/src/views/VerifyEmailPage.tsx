import { useMutation } from '@apollo/client/react';
import { useEffect } from 'react';
import { errorMessageOf, fieldErrorsOf } from '../errors';
import { graphql } from '../gql';
import { forgetLinkToken, linkToken } from '../link';
import { useToken } from '../token';
import { ResendVerificationButton } from './ResendVerificationButton';

const VerifyEmailMutation = graphql(`
  mutation VerifyEmail($token: String!) {
    verifyEmail(token: $token)
  }
`);

/** #/verify-email, opened from the confirmation mail's link: confirms the address on load. */
export function VerifyEmailPage() {
  const signedIn = Boolean(useToken());
  const [verify, { called, loading, data, error }] = useMutation(VerifyEmailMutation, {
    // The cached `me` (if any) still says "not confirmed": drop it, the Me page asks again.
    update(cache, { data: result }) {
      if (result?.verifyEmail) cache.evict({ fieldName: 'me' });
    },
  });
  // Once per page load, on load (a scanner that only fetches the link's page runs no script). The
  // token is forgotten as it is taken, so a second run of this effect (React's StrictMode runs
  // effects twice in development) or a later visit to this page finds none.
  useEffect(() => {
    const token = linkToken('verify-email');
    if (!token) return;
    forgetLinkToken();
    verify({ variables: { token } }).catch(() => {
      // Shown from `error` below.
    });
  }, [verify]);

  const tokenProblem = fieldErrorsOf(error).token;
  const message = errorMessageOf(error);
  return (
    <section aria-labelledby="verify-title" data-testid="verify-email">
      <h2 id="verify-title">Confirm your email address</h2>
      {!called && <p>Open the link from the confirmation mail to confirm your address.</p>}
      {loading && <p>Confirming…</p>}
      {data?.verifyEmail && (
        <p className="notice" role="status" data-testid="verify-result">
          Your email address is confirmed. Thank you.
        </p>
      )}
      {tokenProblem && (
        // Unknown, used or expired, or mailed to an address the account no longer has.
        <p className="error" role="alert" data-testid="verify-result">
          {tokenProblem.join(' ')}
        </p>
      )}
      {message && (
        <p className="error" role="alert">
          {message}
        </p>
      )}
      {!data?.verifyEmail &&
        (signedIn ? (
          <ResendVerificationButton />
        ) : (
          <p>
            To get a new link, <a href="#/login">log in</a> and use “Resend the confirmation email” on the Me page.
          </p>
        ))}
      {signedIn && (
        <p>
          <a href="#/me">Back to my account</a>
        </p>
      )}
    </section>
  );
}
