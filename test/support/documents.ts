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

export const SESSIONS = `query { sessions { id createdAt expiresAt lastUsedAt userAgent current } }`;
export const REVOKE_SESSION = `mutation Revoke($id: ID!) { revokeSession(id: $id) }`;
export const CHANGE_PASSWORD = `mutation Change($input: ChangePasswordInput!) { changePassword(input: $input) }`;
export const UPDATE_PROFILE = `mutation Update($input: UpdateProfileInput!) { updateProfile(input: $input) { ${USER_FIELDS} } }`;
export const DELETE_ACCOUNT = `mutation Delete($password: String!) { deleteAccount(password: $password) }`;
export const SET_USER_ACTIVE = `mutation SetActive($id: ID!, $active: Boolean!) { setUserActive(id: $id, active: $active) { ${USER_FIELDS} } }`;
export const DELETE_USER = `mutation DeleteUser($id: ID!) { deleteUser(id: $id) }`;

export const REQUEST_PASSWORD_RESET = `mutation Forgot($email: String!) { requestPasswordReset(email: $email) }`;
export const RESET_PASSWORD = `mutation Reset($input: ResetPasswordInput!) { resetPassword(input: $input) }`;
export const VERIFY_EMAIL = `mutation Verify($token: String!) { verifyEmail(token: $token) }`;
export const RESEND_VERIFICATION = `mutation { resendVerificationEmail }`;
export const ME_VERIFIED = `query { me { id email emailVerified } }`;
