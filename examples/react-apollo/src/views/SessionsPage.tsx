import { useMutation, useQuery } from '@apollo/client/react';
import { errorMessageOf } from '../errors';
import { graphql } from '../gql';

const SessionsQuery = graphql(`
  query Sessions {
    sessions {
      id
      current
      createdAt
      lastUsedAt
      expiresAt
      userAgent
    }
  }
`);

const RevokeSessionMutation = graphql(`
  mutation RevokeSession($id: ID!) {
    revokeSession(id: $id)
  }
`);

const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : '—');

export function SessionsPage() {
  // Sessions change behind our back (logins on other devices): ask the API on every visit.
  const { data, error } = useQuery(SessionsQuery, { fetchPolicy: 'cache-and-network' });
  const [revoke, revoking] = useMutation(RevokeSessionMutation);

  async function revokeOne(id: string) {
    try {
      await revoke({
        variables: { id },
        // Drop the Session object; the cached `sessions` list skips the dangling reference.
        update(cache, { data: result }) {
          if (!result?.revokeSession) return;
          cache.evict({ id: cache.identify({ __typename: 'Session', id }) });
          cache.gc();
        },
      });
    } catch {
      // Shown from revoking.error below.
    }
  }

  if (!data) return error ? <p className="error">{errorMessageOf(error)}</p> : <p>Loading…</p>;
  return (
    <section aria-labelledby="sessions-title">
      <h2 id="sessions-title">Sessions</h2>
      <table className="sessions">
        <thead>
          <tr>
            <th>Device</th>
            <th>Created</th>
            <th>Last used</th>
            <th>Expires</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {data.sessions.map((session) => (
            <tr key={session.id} data-testid="session-row" data-current={session.current || undefined}>
              <td>
                {session.userAgent ?? 'unknown'}
                {session.current && <strong className="tag">this browser</strong>}
              </td>
              <td>{when(session.createdAt)}</td>
              <td>{when(session.lastUsedAt)}</td>
              <td>{when(session.expiresAt)}</td>
              <td>
                {!session.current && (
                  <button type="button" disabled={revoking.loading} onClick={() => void revokeOne(session.id)}>
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {revoking.error && <p className="error">{errorMessageOf(revoking.error)}</p>}
    </section>
  );
}
