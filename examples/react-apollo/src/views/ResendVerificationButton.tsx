import { useMutation } from '@apollo/client/react';
import { errorMessageOf } from '../errors';
import { graphql } from '../gql';

const ResendVerificationEmailMutation = graphql(`
  mutation ResendVerificationEmail {
    resendVerificationEmail
  }
`);

/** For a signed-in user whose address is not confirmed: mails a new confirmation link. */
export function ResendVerificationButton() {
  const [resend, { loading, data, error }] = useMutation(ResendVerificationEmailMutation, {
    // false: the address was confirmed meanwhile (elsewhere); `me` is out of date, ask again.
    refetchQueries: ({ data: result }) => (result?.resendVerificationEmail === false ? ['Me'] : []),
  });
  const message = errorMessageOf(error); // TOO_MANY_REQUESTS says how long to wait
  return (
    <div className="resend">
      <button type="button" className="secondary" disabled={loading} onClick={() => void resend().catch(() => {})}>
        {loading ? 'Sending…' : 'Resend the confirmation email'}
      </button>
      {data?.resendVerificationEmail === true && (
        <p className="notice" role="status" data-testid="resend-result">
          A new confirmation link is on its way to your address.
        </p>
      )}
      {data?.resendVerificationEmail === false && (
        <p className="notice" role="status" data-testid="resend-result">
          Your address is confirmed already.
        </p>
      )}
      {message && (
        <p className="error" role="alert">
          {message}
        </p>
      )}
    </div>
  );
}
