import { useQuery } from '@apollo/client/react';
import { errorMessageOf } from '../errors';
import { graphql } from '../gql';

const MeQuery = graphql(`
  query Me {
    me {
      id
      username
      email
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
        <dd>{me.email ?? '—'}</dd>
        <dt>Name</dt>
        <dd>{[me.firstName, me.lastName].filter(Boolean).join(' ') || '—'}</dd>
        <dt>Staff</dt>
        <dd>{me.isStaff ? 'yes' : 'no'}</dd>
        <dt>Joined</dt>
        <dd>{new Date(me.dateJoined).toLocaleString()}</dd>
        <dt>Last login</dt>
        <dd>{me.lastLogin ? new Date(me.lastLogin).toLocaleString() : '—'}</dd>
      </dl>
    </section>
  );
}
