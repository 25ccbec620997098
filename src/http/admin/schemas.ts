/**
 * The admin API's JSON schemas (SPEC §10): Fastify validates requests and
 * serialises answers with them, and @fastify/swagger turns the same objects
 * into openapi.json. Field names are the CLI's `--json` names. Every object a
 * client sends is closed (`additionalProperties: false`): an unknown field is
 * a 400 problem, not silently dropped.
 */
import { AUDIT_ACTIONS, TARGET_TYPES } from '../../core/audit.js';
import { APP_REGISTRATIONS } from '../../core/model.js';
import { ACCESS_TOKEN_FORMATS, GRANT_TYPES, RESPONSE_TYPES, SIGNING_ALGS, SUBJECT_TYPES, TOKEN_ENDPOINT_AUTH_METHODS } from '../../core/model.js';

const str = (description: string, extra: object = {}) => ({ type: 'string', description, ...extra }) as const;
const bool = (description: string) => ({ type: 'boolean', description }) as const;
const time = (description: string) => ({ type: 'string', format: 'date-time', description }) as const;
const strings = (description: string, items: object = { type: 'string' }, extra: object = {}) => ({ type: 'array', items, description, ...extra }) as const;

export const problem = {
  type: 'object',
  description: 'RFC 9457 problem details',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: str('a URI naming the kind of problem'),
    title: str('the kind of problem, the same for every occurrence'),
    status: { type: 'integer', description: 'the HTTP status' },
    detail: str('what exactly was wrong with this request'),
    errors: {
      type: 'array',
      description: 'validation problems: one per field at fault',
      items: {
        type: 'object',
        required: ['field', 'message'],
        properties: { field: str('the field (a query parameter, path parameter or body member; `a[0]` for an array member)'), message: str('what is wrong with it') },
        additionalProperties: false,
      },
    },
    request_id: str('the id of this request in the server log'),
  },
  additionalProperties: false,
} as const;

/** SPEC §8: JWT client authentication settings (RFC 7591 §2), read and written with the same shapes. */
const jwkSet = {
  type: ['object', 'null'],
  description: 'public keys for private_key_jwt, a JWK Set (RFC 7517 §5); never with jwks_uri',
  required: ['keys'],
  properties: { keys: { type: 'array', items: { type: 'object', additionalProperties: true }, minItems: 1, maxItems: 20 } },
  additionalProperties: true,
} as const;
const clientAuthFields = {
  token_endpoint_auth_method: {
    type: ['string', 'null'],
    enum: [...TOKEN_ENDPOINT_AUTH_METHODS, null],
    description: 'the only client authentication accepted (SPEC §8); null: any the app has material for',
  },
  jwks: jwkSet,
  jwks_uri: { type: ['string', 'null'], maxLength: 2000, description: 'https URL of its JWK Set for private_key_jwt; never with jwks' },
} as const;

export const app = {
  type: 'object',
  required: [
    'client_id', 'name', 'root_domain', 'redirect_uris', 'grant_types', 'response_types', 'scopes', 'public', 'resource_server', 'admin', 'disabled', 'owner_uid',
    'subject_type', 'id_token_signed_response_alg', 'post_logout_redirect_uris', 'backchannel_logout_uri', 'created_at',
    'token_endpoint_auth_method', 'jwks', 'jwks_uri', 'require_pushed_authorization_requests',
    'resources', 'access_token_format',
    'require_dpop',
    'refresh_grace',
    'registration',
  ],
  properties: {
    client_id: str('the API Key'),
    name: str('the app name'),
    root_domain: str('the registrable domain its redirect URIs belong to'),
    redirect_uris: strings('exact redirect URIs (stricter than the root-domain rule when present)'),
    grant_types: strings('enabled grant types', { type: 'string', enum: GRANT_TYPES }),
    response_types: strings('enabled response types', { type: 'string', enum: RESPONSE_TYPES }),
    scopes: strings('scopes the app may request'),
    public: bool('a public app has no Secret Key'),
    resource_server: bool('may introspect any token'),
    admin: bool('made with `clients create --admin`: may get gatehouse:admin by client credentials'),
    disabled: bool('a disabled app gets no token'),
    owner_uid: { type: ['string', 'null'], description: 'the developer account that owns it in the console' },
    subject_type: { type: 'string', enum: SUBJECT_TYPES, description: 'the `sub` of its id_tokens: the uid (public) or its getInfo openid (pairwise)' },
    id_token_signed_response_alg: { type: 'string', enum: SIGNING_ALGS, description: 'the algorithm its id_tokens are signed with' },
    post_logout_redirect_uris: strings('where RP-initiated logout may send the browser (exact)'),
    backchannel_logout_uri: { type: ['string', 'null'], description: 'where logout tokens are POSTed (Back-Channel Logout 1.0)' },
    resources: strings('the resources it may ask for (RFC 8707); empty: any'),
    access_token_format: { type: 'string', enum: ACCESS_TOKEN_FORMATS, description: 'opaque, or jwt (RFC 9068 signed access tokens)' },
    require_dpop: bool('made with `clients create --require-dpop`: every token request must carry a DPoP proof (RFC 9449)'),
    refresh_grace: { type: 'integer', description: 'seconds in which a used refresh token answers the same pair again (0: strict single use)' },
    created_at: time('when it was registered'),
    ...clientAuthFields,
    require_pushed_authorization_requests: bool('authorize requests must come through PAR (RFC 9126)'),
    // SPEC §9: read only.
    registration: { type: ['string', 'null'], enum: [...APP_REGISTRATIONS, null], description: 'dynamic: the app registered itself (RFC 7591); null: an operator or developer made it' },
  },
  additionalProperties: false,
} as const;

export const appWithSecret = {
  ...app,
  required: [...app.required],
  properties: { ...app.properties, client_secret: str('the Secret Key: shown once, here; absent for public apps') },
} as const;

const appSettings = {
  name: str('the app name', { minLength: 1, maxLength: 100 }),
  root_domain: str('its root domain', { minLength: 1, maxLength: 253 }),
  redirect_uris: strings('exact redirect URIs', { type: 'string', minLength: 1, maxLength: 2000 }, { maxItems: 50 }),
  grant_types: strings('grant types (default all)', { type: 'string', enum: GRANT_TYPES }),
  response_types: strings('response types (default all)', { type: 'string', enum: RESPONSE_TYPES }),
  scopes: strings('scopes it may request (default basic)', { type: 'string', minLength: 1, maxLength: 100 }, { minItems: 1, maxItems: 100 }),
  resource_server: bool('may introspect any token'),
  subject_type: { type: 'string', enum: SUBJECT_TYPES, description: 'public (default) or pairwise' },
  id_token_signed_response_alg: { type: 'string', enum: SIGNING_ALGS, description: 'RS256 (default), PS256, ES256 or EdDSA' },
  post_logout_redirect_uris: strings('exact post-logout redirect URIs', { type: 'string', minLength: 1, maxLength: 2000 }, { maxItems: 50 }),
  backchannel_logout_uri: { type: ['string', 'null'], maxLength: 2000, description: 'https URL for logout tokens, or null for none' },
  ...clientAuthFields,
  require_pushed_authorization_requests: bool('authorize requests must come through PAR (RFC 9126, `--require-par`)'),
  resources: strings('resources it may ask for (RFC 8707): absolute URIs without fragment; empty: any', { type: 'string', minLength: 1, maxLength: 2000 }, { maxItems: 50 }),
  access_token_format: { type: 'string', enum: ACCESS_TOKEN_FORMATS, description: 'opaque (default) or jwt (RFC 9068)' },
  require_dpop: bool('every token request must carry a DPoP proof (RFC 9449; default false)'),
  refresh_grace: { type: 'integer', minimum: 0, maximum: 86400, description: 'seconds a used refresh token answers the same pair again (default 0)' },
} as const;

export const appCreate = {
  type: 'object',
  required: ['name', 'root_domain'],
  properties: { ...appSettings, public: bool('a public app (no Secret Key; PKCE required)') },
  additionalProperties: false,
} as const;

export const appPatch = {
  type: 'object',
  minProperties: 1,
  properties: { ...appSettings, disabled: bool('disable or enable the app') },
  additionalProperties: false,
} as const;

export const secret = {
  type: 'object',
  required: ['client_id', 'client_secret'],
  properties: { client_id: str('the API Key'), client_secret: str('the new Secret Key, shown once: the old one no longer works') },
  additionalProperties: false,
} as const;

export const failure = {
  type: 'object',
  required: ['at', 'endpoint', 'error', 'error_description', 'detail', 'request_id'],
  properties: {
    at: time('when the request failed'),
    endpoint: str('which endpoint (token, authorize, device, …)'),
    error: str('the error code answered'),
    error_description: str('the description answered'),
    detail: { type: ['string', 'null'], description: 'what the server logged about it (never a secret)' },
    request_id: str('the request id, as in the server log'),
  },
  additionalProperties: false,
} as const;

export const user = {
  type: 'object',
  required: ['uid', 'username', 'email', 'name', 'email_verified', 'disabled', 'created_at'],
  properties: {
    uid: str('the user id (getLoggedInUser `uid`, tokeninfo `userid`)'),
    username: str('the sign-in name'),
    email: { type: ['string', 'null'], description: 'the address apps granted `email` read' },
    name: { type: ['string', 'null'], description: 'the display name apps granted `profile` read' },
    email_verified: bool('the platform checked the address (the email_verified claim)'),
    disabled: bool('a disabled user cannot sign in and their tokens do not work'),
    created_at: time('when the account was made'),
  },
  additionalProperties: false,
} as const;

const username = str('the sign-in name: 1 to 64 letters, digits or _ . @ -', { minLength: 1, maxLength: 64 });
const password = str('write-only: stored as a scrypt hash, never answered', { minLength: 8, maxLength: 200, writeOnly: true });

export const userCreate = {
  type: 'object',
  required: ['username', 'password'],
  properties: {
    username,
    password,
    email: str('an email address', { maxLength: 254 }),
    name: str('the display name', { minLength: 1, maxLength: 200 }),
    email_verified: bool('the platform checked the address'),
  },
  additionalProperties: false,
} as const;

export const userPatch = {
  type: 'object',
  minProperties: 1,
  properties: {
    username,
    password: { ...password, description: 'write-only: resets the password and revokes every token of the user' },
    email: { type: ['string', 'null'], maxLength: 254, description: 'a new address, or null to remove it' },
    name: { type: ['string', 'null'], maxLength: 200, description: 'a new display name, or null to remove it' },
    email_verified: bool('the platform checked the address'),
    disabled: bool('true: no sign-in and every token of the user revoked'),
  },
  additionalProperties: false,
} as const;

export const scope = {
  type: 'object',
  required: ['name', 'description'],
  properties: { name: str('the scope name'), description: str('what it lets an app do, as a person reads it on the consent page') },
  additionalProperties: false,
} as const;

export const scopeCreate = {
  type: 'object',
  required: ['name'],
  properties: {
    name: str('printable ASCII without spaces, commas, quotes or backslashes', { minLength: 1, maxLength: 100 }),
    description: str('what it lets an app do', { maxLength: 500 }),
  },
  additionalProperties: false,
} as const;

export const revokeRequest = {
  type: 'object',
  minProperties: 1,
  properties: { uid: str('every token of this user', { minLength: 1 }), client_id: str('every token of this app', { minLength: 1 }) },
  additionalProperties: false,
} as const;

export const revokeResult = {
  type: 'object',
  required: ['revoked'],
  properties: { revoked: { type: 'integer', minimum: 0, description: 'how many live tokens were revoked' } },
  additionalProperties: false,
} as const;

const actorOrTarget = (types: readonly string[], what: string) =>
  ({
    type: 'object',
    required: ['type', 'id'],
    properties: { type: { type: 'string', enum: types, description: what }, id: str('its id') },
    additionalProperties: false,
  }) as const;

export const auditEvent = {
  type: 'object',
  required: ['id', 'at', 'actor', 'action', 'target', 'address', 'request_id'],
  properties: {
    id: str('the event id (grows with every event)'),
    at: time('when the change was committed'),
    actor: actorOrTarget(['user', 'app', 'cli'], 'a console user (uid), an admin app (client_id), or the CLI (the operating-system user)'),
    action: { type: 'string', enum: AUDIT_ACTIONS, description: 'what was done' },
    target: actorOrTarget(TARGET_TYPES, 'what it was done to (`grant`: id `UID/CLIENT_ID`)'),
    address: { type: ['string', 'null'], description: 'the client address of the request; null from the CLI' },
    request_id: { type: ['string', 'null'], description: 'the request id (the server log has it); one per CLI run' },
  },
  additionalProperties: false,
} as const;

export const signingKey = {
  type: 'object',
  required: ['kid', 'alg', 'state', 'created_at', 'activates_at'],
  properties: {
    kid: str('the key id (the JWS header kid; the JWKS entry)'),
    alg: { type: 'string', enum: SIGNING_ALGS, description: 'what it signs with' },
    state: { type: 'string', enum: ['next', 'current', 'previous'], description: 'next: published, not signing yet; current: signs; previous: still verifies what it signed' },
    created_at: time('when it was made'),
    activates_at: time('when it becomes (or became) current'),
  },
  additionalProperties: false,
} as const;

export const keyRotate = {
  type: 'object',
  properties: {
    alg: { type: 'string', enum: SIGNING_ALGS, description: 'the algorithm to rotate (default: every algorithm that has a current key)' },
    activate_now: bool('make the new key current at once instead of after GATEHOUSE_KEY_PROPAGATION_SECONDS (relying parties that cached the JWKS may then fail to verify until they refetch it)'),
  },
  additionalProperties: false,
} as const;

export const keyRotated = {
  type: 'object',
  required: ['keys'],
  properties: { keys: { type: 'array', items: signingKey, description: 'the new keys, one per algorithm rotated' } },
  additionalProperties: false,
} as const;

export function page(items: object, what: string) {
  return {
    type: 'object',
    required: ['items', 'next_cursor'],
    properties: {
      items: { type: 'array', items, description: what },
      next_cursor: { type: ['string', 'null'], description: 'pass as `cursor` for the next page; null on the last page' },
    },
    additionalProperties: false,
  } as const;
}

export const listQuery = {
  type: 'object',
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 200, default: 50, description: 'items per page (1 to 200)' },
    cursor: { type: 'string', minLength: 1, maxLength: 1000, description: 'next_cursor of the previous page, as it was' },
  },
  additionalProperties: false,
} as const;

export const clientIdParams = {
  type: 'object',
  required: ['client_id'],
  properties: { client_id: str('the API Key', { minLength: 1, maxLength: 200 }) },
  additionalProperties: false,
} as const;

export const uidParams = {
  type: 'object',
  required: ['uid'],
  properties: { uid: str('the user id', { minLength: 1, maxLength: 200 }) },
  additionalProperties: false,
} as const;
