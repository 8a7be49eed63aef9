// The GraphQL documents the tests send; values always travel as variables.

export const USER_FIELDS = `id username firstName lastName dateJoined daysCount isActive isStaff isSuperuser email lastLogin`;

export const REGISTER = `mutation Register($input: RegisterInput!) {
  register(input: $input) { token expiresAt user { ${USER_FIELDS} } }
}`;

export const LOGIN = `mutation Login($input: LoginInput!) {
  login(input: $input) { token expiresAt user { ${USER_FIELDS} } }
}`;

export const LOGOUT = `mutation { logout }`;
export const LOGOUT_ALL = `mutation { logoutAll }`;
export const ME = `query { me { ${USER_FIELDS} } }`;
export const USER = `query User($id: ID!) { user(id: $id) { ${USER_FIELDS} } }`;
export const USERS = `query Users($first: Int, $after: String, $search: String) {
  users(first: $first, after: $after, search: $search) {
    totalCount
    nodes { id username email lastLogin }
    pageInfo { hasNextPage endCursor }
  }
}`;
