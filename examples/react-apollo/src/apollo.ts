import { ApolloClient, ApolloLink, CombinedGraphQLErrors, HttpLink, InMemoryCache } from '@apollo/client';
import { SetContextLink } from '@apollo/client/link/context';
import { ErrorLink } from '@apollo/client/link/error';
import { relayStylePagination } from '@apollo/client/utilities';
import { getToken, setToken } from './token';

export const API_URL = import.meta.env.VITE_API_URL || 'http://localhost:4000/graphql';

// Cursor paging for `users(first, after, search)`: Apollo's stock Relay-style policy. One cached
// list per `search` term (`first` and `after` only pick a page of it); each page's `edges` are
// appended after the edge whose cursor was passed as `after`, and a request without `after` (a
// first load or a refetch) starts the list again. The policy reads `edges { cursor node }` and
// `pageInfo`; fields it does not know (`totalCount`) are kept from the latest page.
export const cache = new InMemoryCache({
  typePolicies: {
    Query: { fields: { users: relayStylePagination(['search']) } },
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
