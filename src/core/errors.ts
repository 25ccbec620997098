/**
 * The one error table of Gatehouse (SPEC §4). Every failure the protocol can
 * report is an OAuthError whose `code` is a key of ERRORS; the status and the
 * default description come from here and nowhere else.
 *
 * `description` goes on the wire: it names what was wrong in *this* request and
 * never carries a secret. `detail` is private: it goes to the log (with the
 * request id) and to the developer console's "recent failures", never to the wire.
 */
export const ERRORS = {
  invalid_request: { status: 400, description: 'the request is missing a required parameter, has an unsupported parameter or value, or is malformed' },
  invalid_client: { status: 401, description: 'unknown client id' },
  invalid_grant: { status: 400, description: 'The provided authorization grant is revoked' },
  unauthorized_client: { status: 400, description: 'The client is not authorized to use this authorization grant type' },
  unsupported_grant_type: { status: 400, description: 'The authorization grant type is not supported' },
  invalid_scope: { status: 400, description: 'The requested scope exceeds the scope granted by the resource owner' },
  expired_token: { status: 400, description: 'refresh token has been used' },
  redirect_uri_mismatch: { status: 400, description: 'Invalid redirect uri' },
  unsupported_response_type: { status: 400, description: 'The response type is not supported' },
  unsupported_token_type: { status: 400, description: 'The authorization server does not support the revocation of the presented token type' },
  slow_down: { status: 400, description: 'The device is polling too frequently' },
  authorization_pending: { status: 400, description: 'User has not yet completed the authorization' },
  authorization_declined: { status: 400, description: 'User has declined the authorization' },
  access_denied: { status: 400, description: 'the resource owner denied the request' },
  invalid_referer: { status: 400, description: 'Invalid Referer' },
  invalid_token: { status: 401, description: 'the access token is invalid' },
  insufficient_scope: { status: 403, description: 'the access token does not carry the scope this call needs' },
  server_error: { status: 500, description: 'the server hit an unexpected condition' },
  temporarily_unavailable: { status: 503, description: 'the server is temporarily unable to handle the request' },
  // Part II (SPEC §11). OpenID Connect Core §3.1.2.6: prompt=none could not be satisfied (always sent back to the app).
  login_required: { status: 400, description: 'the user must sign in, and prompt=none forbids asking' },
  consent_required: { status: 400, description: 'the user must consent, and prompt=none forbids asking' },
  interaction_required: { status: 400, description: 'the request needs the user, and prompt=none forbids asking' },
  // RFC 9126 §2.2: a pushed request_uri unknown, used, expired or of another app.
  invalid_request_uri: { status: 400, description: 'the request_uri is unknown, used, expired or issued to another app' },
  // RFC 9449 §7.1, §8: 400 at the token endpoint, 401 with a DPoP challenge at resources.
  invalid_dpop_proof: { status: 400, description: 'the DPoP proof is missing or invalid' },
  use_dpop_nonce: { status: 400, description: 'the DPoP proof must carry the nonce the server gave' },
  // RFC 8707 §2: a resource that is malformed or not allowed for the app.
  invalid_target: { status: 400, description: 'the requested resource is invalid, unknown or not allowed' },
  // RFC 7591 §3.2.2: dynamic registration.
  invalid_redirect_uri: { status: 400, description: 'the value of one or more redirect_uris is invalid' },
  invalid_client_metadata: { status: 400, description: 'the value of one of the client metadata fields is invalid' },
} as const satisfies Record<string, { status: number; description: string }>;

export type ErrorCode = keyof typeof ERRORS;

export const ERROR_CODES = Object.keys(ERRORS) as ErrorCode[];

export function isErrorCode(value: string): value is ErrorCode {
  return Object.prototype.hasOwnProperty.call(ERRORS, value);
}

export class OAuthError extends Error {
  readonly code: ErrorCode;
  readonly description: string;
  /** Private: for the log and the app's developer, never the wire. */
  readonly detail: string | undefined;
  /** Seconds a client should wait (rate limits); becomes Retry-After. */
  retryAfter: number | undefined;
  /** Set on invalid_client when the client tried HTTP Basic (SPEC §4 → WWW-Authenticate). */
  triedBasic = false;
  /** The client the failing request was for, once known (recent failures in the console). */
  clientId: string | undefined;

  constructor(code: ErrorCode, description?: string, options: { detail?: string; cause?: unknown; retryAfter?: number } = {}) {
    super(description ?? ERRORS[code].description, { cause: options.cause });
    this.name = 'OAuthError';
    this.code = code;
    this.description = description ?? ERRORS[code].description;
    this.detail = options.detail;
    this.retryAfter = options.retryAfter;
  }

  get status(): number {
    return ERRORS[this.code].status;
  }

  toJSON(): { error: ErrorCode; error_description: string } {
    return { error: this.code, error_description: this.description };
  }
}

/** Shorthand used by the core's checks: `throw oauthError('invalid_request', 'missing client_id')`. */
export function oauthError(code: ErrorCode, description?: string, detail?: string): OAuthError {
  return new OAuthError(code, description, detail === undefined ? {} : { detail });
}
