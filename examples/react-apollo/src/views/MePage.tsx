import { useQuery } from '@apollo/client/react';
import { errorMessageOf } from '../errors';
import { graphql } from '../gql';
import { ResendVerificationButton } from './ResendVerificationButton';

const MeQuery = graphql(`
  query Me {
    me {
      id
      username
      email
      emailVerified
      firstName
      lastName
      isStaff
      dateJoined
      lastLogin
    }
  }
`);

export function MePage() {
  const { data, loading, error } = useQuery(MeQuery);
  if (loading && !data) return <p>Loading…</p>;
  if (error) return <p className="error">{errorMessageOf(error)}</p>;
  if (!data) return null;
  const { me } = data;
  return (
    <section aria-labelledby="me-title" data-testid="me">
      <h2 id="me-title">Signed in as {me.username}</h2>
      <dl>
        <dt>Email</dt>
        <dd>
          {me.email ?? '—'}{' '}
          <span className="tag" data-testid="email-status">
            {me.emailVerified ? 'confirmed' : 'not confirmed'}
          </span>
        </dd>
        <dt>Name</dt>
        <dd>{[me.firstName, me.lastName].filter(Boolean).join(' ') || '—'}</dd>
        <dt>Staff</dt>
        <dd>{me.isStaff ? 'yes' : 'no'}</dd>
        <dt>Joined</dt>
        <dd>{new Date(me.dateJoined).toLocaleString()}</dd>
        <dt>Last login</dt>
        <dd>{me.lastLogin ? new Date(me.lastLogin).toLocaleString() : '—'}</dd>
      </dl>
      {me.emailVerified === false && <ResendVerificationButton />}
    </section>
  );
}
