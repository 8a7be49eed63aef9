import { NetworkStatus } from '@apollo/client';
import { useQuery } from '@apollo/client/react';
import { errorMessageOf } from '../errors';
import { graphql } from '../gql';

export const PAGE_SIZE = 5;

// Cursor paging: pass pageInfo.endCursor back as `after`. The cache's `users` field policy,
// relayStylePagination (src/apollo.ts), appends each page's edges to the list already shown.
// It works on `edges`, so `nodes` (which it would not merge) is not asked for.
const UsersQuery = graphql(`
  query Users($first: Int!, $after: String) {
    users(first: $first, after: $after) {
      edges {
        cursor
        node {
          id
          username
        }
      }
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
      totalCount
    }
  }
`);

export function UsersPage() {
  const { data, error, networkStatus, fetchMore, refetch } = useQuery(UsersQuery, {
    variables: { first: PAGE_SIZE },
    notifyOnNetworkStatusChange: true,
  });
  if (!data) return error ? <p className="error">{errorMessageOf(error)}</p> : <p>Loading…</p>;

  const { edges, pageInfo, totalCount } = data.users;
  const loadingMore = networkStatus === NetworkStatus.fetchMore;
  return (
    <section aria-labelledby="users-title">
      <h2 id="users-title">Users</h2>
      <p data-testid="users-count">
        Showing {edges.length} of {totalCount}
      </p>
      <ol className="users">
        {edges.map(({ node: user }) => (
          <li key={user.id} data-testid="user-row">
            {user.username}
          </li>
        ))}
      </ol>
      {error && <p className="error">{errorMessageOf(error)}</p>}
      <div className="actions">
        {pageInfo.hasNextPage && (
          <button
            type="button"
            disabled={loadingMore}
            onClick={() => void fetchMore({ variables: { after: pageInfo.endCursor } })}
          >
            {loadingMore ? 'Loading…' : 'Load more'}
          </button>
        )}
        <button type="button" className="secondary" onClick={() => void refetch()}>
          Refresh
        </button>
      </div>
    </section>
  );
}
