import type { GraphiQLProps } from 'graphiql';

// The tabs a first visit opens with (GraphiQL keeps the user's own tabs after that). Values go
// through variables, as a client should send them; the token from register or login goes into the
// Headers editor of the tabs that need a session.

type Tab = NonNullable<GraphiQLProps['defaultTabs']>[number];

const AUTHORIZATION = JSON.stringify({ Authorization: 'Token <paste the token from register or login>' }, null, 2);

function tab(query: string, variables?: object, needsSession = false): Tab {
  return {
    query: query.trim() + '\n',
    variables: variables ? JSON.stringify(variables, null, 2) : undefined,
    headers: needsSession ? AUTHORIZATION : undefined,
  };
}

export const exampleTabs: Tab[] = [
  tab(
    `
# Creates an account and signs it in. Copy "token" into
# the Headers editor of the tabs that need a session.
mutation Register($input: RegisterInput!) {
  register(input: $input) {
    token
    expiresAt
    user { id username email }
  }
}`,
    { input: { username: 'ada', email: 'ada@example.com', password: 'Analytical-Engine-1843' } },
  ),
  tab(
    `
# "username" also accepts the email address.
mutation Login($input: LoginInput!) {
  login(input: $input) {
    token
    expiresAt
    user { id username lastLogin }
  }
}`,
    { input: { username: 'ada', password: 'Analytical-Engine-1843' } },
  ),
  tab(
    `
query Me {
  me {
    id
    username
    email
    firstName
    lastName
    dateJoined
    lastLogin
  }
}`,
    undefined,
    true,
  ),
  tab(
    `
query Users($first: Int, $after: String, $search: String) {
  users(first: $first, after: $after, search: $search) {
    totalCount
    nodes { id username }
    pageInfo { hasNextPage endCursor }
  }
}`,
    { first: 10, search: 'a' },
    true,
  ),
  tab(
    `
query Sessions {
  sessions {
    id
    current
    createdAt
    lastUsedAt
    expiresAt
    userAgent
  }
}`,
    undefined,
    true,
  ),
  tab(
    `
# Revokes the token in the Headers editor.
mutation Logout {
  logout
}`,
    undefined,
    true,
  ),
];
