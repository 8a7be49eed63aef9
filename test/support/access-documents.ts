// GraphQL documents for groups and permissions (issue 13); values always travel as variables.

export const GROUP_FIELDS = `id name permissions { codename name }`;
export const ACCESS_USER_FIELDS = `id username isStaff isSuperuser email lastLogin groups { ${GROUP_FIELDS} } permissions`;

export const PERMISSIONS = `query { permissions { codename name } }`;
export const GROUPS = `query { groups { ${GROUP_FIELDS} } }`;
export const ME_ACCESS = `query { me { ${ACCESS_USER_FIELDS} } }`;
export const USER_ACCESS = `query User($id: ID!) { user(id: $id) { ${ACCESS_USER_FIELDS} } }`;
export const USERS_ACCESS = `query Users($search: String) { users(first: 100, search: $search) { nodes { ${ACCESS_USER_FIELDS} } } }`;

export const CREATE_PERMISSION = `mutation CreatePermission($codename: String!, $name: String!) {
  createPermission(codename: $codename, name: $name) { codename name }
}`;
export const CREATE_GROUP = `mutation CreateGroup($input: GroupInput!) { createGroup(input: $input) { ${GROUP_FIELDS} } }`;
export const UPDATE_GROUP = `mutation UpdateGroup($id: ID!, $input: GroupInput!) {
  updateGroup(id: $id, input: $input) { ${GROUP_FIELDS} }
}`;
export const DELETE_GROUP = `mutation DeleteGroup($id: ID!) { deleteGroup(id: $id) }`;
export const SET_USER_ACCESS = `mutation SetUserAccess($input: UserAccessInput!) {
  setUserAccess(input: $input) { ${ACCESS_USER_FIELDS} }
}`;
