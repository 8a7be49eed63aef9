import { ApolloClient, ApolloLink, CombinedGraphQLErrors, HttpLink, InMemoryCache } from '@apollo/client';
import type { FieldPolicy, Reference } from '@apollo/client';
import { SetContextLink } from '@apollo/client/link/context';
import { ErrorLink } from '@apollo/client/link/error';
import { getToken, setToken } from './token';

export const API_URL = import.meta.env.VITE_API_URL || 'http://localhost:4000/graphql';

/** The cached shape of `users(...)`: nodes are references to normalized `User:<id>` objects. */
type CachedUserConnection = {
  __typename?: string;
  nodes: Reference[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount?: number;
};

// Cursor paging for `users(first, after, search)`.
//
// Today the API's UserConnection has `nodes` and `pageInfo { hasNextPage endCursor }` only, so
// Apollo's stock `relayStylePagination()` (which reads `edges { cursor node }` and
// `pageInfo { startCursor hasPreviousPage }`) cannot be used: it would drop or replace pages.
// This merge appends each page's `nodes` to the pages already cached for the same `search`.
//
// Once the API also returns `edges` and `pageInfo { startCursor hasPreviousPage }` (issue 16,
// item 4), replace this policy with:
//
//   import { relayStylePagination } from '@apollo/client/utilities';
//   users: relayStylePagination(['search']),
//
// and ask for `edges { cursor node { id username } }` plus the full pageInfo in UsersPage.
const usersField: FieldPolicy<CachedUserConnection> = {
  // One cached list per search term; `first` and `after` only select a page of it.
  keyArgs: ['search'],
  merge(existing, incoming, { args, readField }) {
    // No cursor: the first page (a first load or a refetch) starts the list again.
    if (!existing || !args?.after) return incoming;
    const seen = new Set(existing.nodes.map((node) => readField<string>('id', node)));
    const fresh = incoming.nodes.filter((node) => !seen.has(readField<string>('id', node)));
    return { ...incoming, nodes: [...existing.nodes, ...fresh] };
  },
};

export const cache = new InMemoryCache({
  typePolicies: {
    Query: { fields: { users: usersField } },
  },
});

// Adds `Authorization: Bearer <token>` when signed in. Apollo's client-awareness headers
// (apollographql-client-name/-version) are not set: the API's CORS preflight does not allow them.
const authLink = new SetContextLink((prevContext) => {
  const token = getToken();
  if (!token) return {};
  return { headers: { ...prevContext.headers, authorization: `Bearer ${token}` } };
});

// INVALID_TOKEN means the token this request carried is dead: expired, revoked from another
// device, or its account disabled. Forget it, which shows the login page. A failed login is
// UNAUTHENTICATED too, but with reason INVALID_CREDENTIALS, and keeps the user on the form.
const errorLink = new ErrorLink(({ error }) => {
  if (!CombinedGraphQLErrors.is(error)) return;
  if (error.errors.some((e) => e.extensions?.reason === 'INVALID_TOKEN')) void signOut();
});

export const client = new ApolloClient({
  link: ApolloLink.from([errorLink, authLink, new HttpLink({ uri: API_URL })]),
  cache,
});

/** Keep the new token and drop whatever the previous user had in the cache. */
export async function signIn(token: string): Promise<void> {
  await client.clearStore();
  setToken(token);
}

/** Forget the token first (the UI switches to the login page), then the cached data. */
export async function signOut(): Promise<void> {
  setToken(null);
  await client.clearStore();
}
