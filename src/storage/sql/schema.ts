/**
 * The tables as Kysely sees them. Times are milliseconds since the epoch
 * (BIGINT); ids are time-ordered integers below 2^53 (core/ids.ts); booleans
 * are 0/1 integers so that SQLite and PostgreSQL share every query.
 */
import type { Generated } from 'kysely';

export interface SettingsTable {
  name: string;
  value: string;
}

export interface ScopesTable {
  name: string;
  description: string;
}

export interface UsersTable {
  uid: string;
  username: string;
  password_hash: string;
  created_at: number;
  /** Added by 2026-11-24-05-user-email. */
  email: string | null;
  /** Added by 2026-12-01-10-openid-connect. */
  name: string | null;
  email_verified: Generated<number>;
  updated_at: number | null;
  /** Added by 2026-12-01-20-admin-api (0/1). */
  disabled: Generated<number>;
}

export interface ClientsTable {
  client_id: string;
  secret_hash: string | null;
  name: string;
  root_domain: string;
  /** JSON array of exact redirect URIs. */
  redirect_uris: string;
  /** Space-separated lists. */
  grant_types: string;
  response_types: string;
  scopes: string;
  is_public: number;
  is_resource_server: number;
  disabled: number;
  owner_uid: string | null;
  created_at: number;
  updated_at: number;
  /** OpenID Connect settings, added by 2026-12-01-10-openid-connect. */
  subject_type: Generated<string>;
  id_token_alg: Generated<string>;
  /** JSON array of exact post-logout redirect URIs. */
  post_logout_redirect_uris: Generated<string>;
  backchannel_logout_uri: string | null;
  /** Added by 2026-12-01-20-admin-api (0/1). */
  is_admin: Generated<number>;
  /** Added by 2026-12-01-31-dpop (0/1). */
  require_dpop: Generated<number>;
  /** JWT client authentication, added by 2026-12-01-32-client-jwt-auth; jwks is JSON, sealed_secret a sealed Secret Key. */
  token_endpoint_auth_method: string | null;
  jwks: string | null;
  jwks_uri: string | null;
  sealed_secret: string | null;
  /** Added by 2026-12-01-33-par (0/1). */
  require_par: Generated<number>;
  /** Added by 2026-12-01-34-resources-jwt-access-tokens: JSON array (RFC 8707 allow-list); `opaque` or `jwt` (RFC 9068). */
  resources: Generated<string>;
  access_token_format: Generated<string>;
  /** Added by 2026-12-01-40-registration (SPEC §9): NULL for apps an operator or developer made. */
  registration: string | null;
  registration_token_hash: string | null;
  /** JSON object of RFC 7591 members kept as registered. */
  registration_metadata: string | null;
  last_used_at: number | null;
  /** Added by 2026-12-01-35-refresh-grace (seconds). */
  refresh_grace: Generated<number>;
}

export interface ConsentsTable {
  uid: string;
  client_id: string;
  scope: string;
  updated_at: number;
}

export interface AuthorizationCodesTable {
  id: number;
  secret_hash: string;
  client_id: string;
  uid: string;
  redirect_uri: string;
  scope: string;
  code_challenge: string | null;
  code_challenge_method: string | null;
  family_id: number;
  created_at: number;
  expires_at: number;
  consumed_at: number | null;
  /** Added by 2026-11-24-code-replay. */
  replayed_at: number | null;
  /** JSON SignInContext of an OpenID Connect request; added by 2026-12-01-10-openid-connect. */
  sign_in: string | null;
  /** Space-separated RFC 8707 resources; added by 2026-12-01-34-resources-jwt-access-tokens. */
  resources: string | null;
}

export interface TokensTable {
  id: number;
  kind: string;
  secret_hash: string;
  client_id: string;
  uid: string | null;
  scope: string;
  family_id: number | null;
  created_at: number;
  expires_at: number;
  revoked_at: Generated<number | null>;
  consumed_at: Generated<number | null>;
  /** RFC 9449 cnf.jkt of a DPoP-bound token; added by 2026-12-01-31-dpop. */
  jkt: Generated<string | null>;
  /** Space-separated RFC 8707 resources (the token's aud); null: the client_id. Added by 2026-12-01-34. */
  audience: string | null;
}

/** Device authorizations (RFC 8628); `status` is pending, approved or denied. */
export interface DeviceCodesTable {
  id: number;
  secret_hash: string;
  user_code_hash: string;
  client_id: string;
  scope: string;
  status: string;
  uid: string | null;
  poll_interval: number;
  last_poll_at: number | null;
  created_at: number;
  expires_at: number;
  consumed_at: number | null;
  /** JSON SignInContext of the approving session; added by 2026-12-01-11-sign-ins. */
  sign_in: string | null;
  /** Space-separated RFC 8707 resources; added by 2026-12-01-34-resources-jwt-access-tokens. */
  resources: string | null;
}

/** The OpenID sign-in of a token family (2026-12-01-11-sign-ins): a refreshed id_token keeps it. */
export interface SignInsTable {
  family_id: number;
  sign_in: string;
  created_at: number;
}

/** Signing keys (SPEC §7), added by 2026-12-01-00-signing-keys; JWKs are JSON text. */
export interface SigningKeysTable {
  kid: string;
  alg: string;
  generation: number;
  public_jwk: string;
  private_jwk: string;
  encryption: string;
  created_at: number;
  activates_at: number;
  retired_at: number | null;
}

/** The audit trail (2026-12-01-20-admin-api); `id` is the insertion order. */
export interface AuditEventsTable {
  id: Generated<number>;
  at: number;
  actor_type: string;
  actor_id: string;
  action: string;
  target_type: string;
  target_id: string;
  address: string | null;
  request_id: string | null;
}

/** Which apps a sign-in session signed in to (SPEC §7 "Logout"), added by 2026-12-01-15-logout. */
export interface SessionAppsTable {
  sid: string;
  client_id: string;
  uid: string;
  created_at: number;
}

/** Single-use jti values (core/replays.ts). Added by 2026-12-01-30-replay-cache. */
export interface UsedJtisTable {
  key_hash: string;
  expires_at: number;
}

/** Back-channel logouts to deliver; `state` is pending, delivered or failed. Added by 2026-12-01-15-logout. */
export interface LogoutOutboxTable {
  id: number;
  client_id: string;
  uid: string;
  sid: string | null;
  state: string;
  attempts: number;
  next_attempt_at: number;
  created_at: number;
  finished_at: number | null;
  last_error: string | null;
  claim: string | null;
}

/** Initial access tokens (SPEC §9), added by 2026-12-01-40-registration. */
export interface RegistrationTokensTable {
  id: number;
  secret_hash: string;
  uses_left: number;
  expires_at: number;
  created_at: number;
}

/** Pushed authorization requests (RFC 9126), added by 2026-12-01-33-par. */
export interface PushedRequestsTable {
  id: number;
  secret_hash: string;
  client_id: string;
  /** JSON object of the authorize parameters. */
  params: string;
  created_at: number;
  expires_at: number;
  consumed_at: number | null;
}

/** The sealed answer to a refresh of a grace-window app, until the window ends (2026-12-01-35-refresh-grace). */
export interface RefreshAnswersTable {
  token_id: number;
  sealed: string;
  expires_at: number;
}

export interface Database {
  settings: SettingsTable;
  scopes: ScopesTable;
  users: UsersTable;
  clients: ClientsTable;
  consents: ConsentsTable;
  authorization_codes: AuthorizationCodesTable;
  tokens: TokensTable;
  device_codes: DeviceCodesTable;
  signing_keys: SigningKeysTable;
  audit_events: AuditEventsTable;
  sign_ins: SignInsTable;
  session_apps: SessionAppsTable;
  logout_outbox: LogoutOutboxTable;
  used_jtis: UsedJtisTable;
  registration_tokens: RegistrationTokensTable;
  pushed_requests: PushedRequestsTable;
  refresh_answers: RefreshAnswersTable;
}
