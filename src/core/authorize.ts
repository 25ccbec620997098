/**
 * The authorization endpoint's checks (RFC 6749 §4.1.1, §4.2.1, SPEC §4),
 * in order. Until the app and its redirect_uri are trusted, a failure is shown
 * on a page and never redirected (RFC 6749 §4.1.2.1, RFC 9700 §4.11: no open
 * redirector); after that, it goes back to the app with `state`.
 */
import { OAuthError, oauthError } from './errors.js';
import { issueTokens, type IssueDeps } from './issue.js';
import { RESPONSE_TYPES, type App, type Lifetimes, type ResponseTypeName } from './model.js';
import type { AppStore, CodeStore, TokenStore } from './ports.js';
import { flag, single, type Params } from './params.js';
import { parseChallenge, type ChallengeMethod } from './pkce.js';
import { parseMaxAge, parsePrompt, type PromptValue } from './prompt.js';
import { buildRedirect, checkReferer, checkRedirectUri, OOB, type RedirectPolicy } from './redirect.js';
import { requestedResources } from './resources.js';
import { formatScope, resolveScope } from './scopes.js';
import { formatToken, hashSecret, mintSecret } from './tokens.js';

/** Where an authorization response goes (OAuth 2.0 Multiple Response Types §2.1, Form Post Response Mode). */
export const RESPONSE_MODES = ['query', 'fragment', 'form_post'] as const;
export type ResponseMode = (typeof RESPONSE_MODES)[number];

export interface AuthorizeRequest {
  app: App;
  responseType: ResponseTypeName;
  /** Where the response (and any later error, e.g. access_denied) goes. */
  responseMode: ResponseMode;
  /** Checked against the app; `oob` for the copy-the-code page. */
  redirectUri: string;
  scope: string[];
  state: string | undefined;
  display: string | undefined;
  forceLogin: boolean;
  confirmLogin: boolean;
  pkce: { challenge: string; method: ChallengeMethod } | undefined;
  /** OIDC Core §3.1.2.1; required for id_token and `id_token token`. */
  nonce: string | undefined;
  prompt: ReadonlySet<PromptValue>;
  maxAge: number | undefined;
  /** The raw id_token_hint; verified against the signed-in user by the caller (hintMatches). */
  idTokenHint: string | undefined;
  /** RFC 8707 §2: the resources the tokens are for (kept with the code; the implicit token's aud). */
  resources: string[];
}

/** Where a failed authorize request's error goes: a page (no redirect) or back to the app. */
export class AuthorizeFailure extends Error {
  constructor(
    readonly error: OAuthError,
    readonly redirect?: { redirectUri: string; mode: ResponseMode; state: string | undefined },
  ) {
    super(error.message);
    this.name = 'AuthorizeFailure';
  }
}

export interface AuthorizeDeps {
  apps: Pick<AppStore, 'findApp'>;
  knownScopes(): Promise<ReadonlySet<string>>;
  redirectPolicy: RedirectPolicy;
  /** The server's own origin: its pages post back to the endpoint with it as Referer. */
  ownOrigin: string;
}

function onPage<T>(check: () => T, clientId?: string): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof OAuthError) {
      error.clientId ??= clientId;
      throw new AuthorizeFailure(error);
    }
    throw error;
  }
}

/** Response types that put a token in the response: never in a query (OIDC Multiple Response Types §5). */
function returnsTokens(responseType: string): boolean {
  return responseType.split(' ').some((part) => part === 'token' || part === 'id_token');
}

/** Multiple Response Types §2.1: query for code, fragment for every type that returns a token. */
export function defaultResponseMode(responseType: unknown): ResponseMode {
  return typeof responseType === 'string' && returnsTokens(responseType) ? 'fragment' : 'query';
}

/** SPEC §2 Referer rule: every response type that issues an access token in the browser. */
function issuesBrowserAccessToken(responseType: unknown): boolean {
  return responseType === 'token' || responseType === 'id_token token';
}

// The checks once the app and redirect_uri are trusted, in order; each throws an OAuthError.

/** `response_mode`: one of RESPONSE_MODES, and never `query` for tokens. */
function checkResponseMode(params: Params): ResponseMode | undefined {
  const mode = single(params, 'response_mode');
  if (mode === undefined) return undefined;
  if (!(RESPONSE_MODES as readonly string[]).includes(mode)) {
    throw oauthError('invalid_request', `response_mode ${JSON.stringify(mode.slice(0, 40))} is not supported; use query, fragment or form_post`);
  }
  return mode as ResponseMode;
}

function checkResponseType(params: Params, app: App): ResponseTypeName {
  const responseType = single(params, 'response_type');
  if (responseType === undefined) throw oauthError('invalid_request', 'missing required parameter response_type');
  if (!(RESPONSE_TYPES as readonly string[]).includes(responseType)) {
    throw oauthError('unsupported_response_type', `response_type ${responseType} is not supported; use code, token, id_token or "id_token token"`);
  }
  const known = responseType as ResponseTypeName;
  if (!app.responseTypes.includes(known)) throw oauthError('unsupported_response_type', `this app has disabled response_type ${responseType}`);
  return known;
}

function checkModeFitsType(mode: ResponseMode | undefined, responseType: ResponseTypeName): void {
  if (mode === 'query' && returnsTokens(responseType)) {
    throw oauthError('invalid_request', `response_mode=query is not allowed for response_type ${responseType}: tokens never go in a query`);
  }
}

function checkPkce(params: Params, app: App, responseType: ResponseTypeName): AuthorizeRequest['pkce'] {
  const pkce = parseChallenge(single(params, 'code_challenge'), single(params, 'code_challenge_method'));
  if (responseType === 'code' && pkce === undefined && app.secretHash === null) {
    throw oauthError('invalid_request', 'code_challenge is required: public apps must use PKCE (RFC 7636)');
  }
  // A public app that registered itself (SPEC §9, the MCP authorization profile): S256 only, never plain
  // (RFC 9700 §2.1.1). Apps an operator made keep plain, as Baidu clients use it.
  if (pkce !== undefined && pkce.method !== 'S256' && app.secretHash === null && app.registration) {
    throw oauthError('invalid_request', 'code_challenge_method must be S256 for a self-registered public app');
  }
  return pkce;
}

/** OIDC Core §3.2.2.1: the implicit id_token flows need `openid` and a nonce. */
function checkOpenIdImplicit(responseType: ResponseTypeName, scope: readonly string[], nonce: string | undefined): void {
  if (responseType !== 'id_token' && responseType !== 'id_token token') return;
  if (!scope.includes('openid')) throw oauthError('invalid_request', `response_type ${responseType} requires the openid scope`);
  if (nonce === undefined) throw oauthError('invalid_request', `missing required parameter nonce: response_type ${responseType} requires it (OpenID Connect Core §3.2.2.1)`);
}

/**
 * `pushed`: the parameters came from a pushed request (RFC 9126), not from
 * the front channel; an app made with --require-par accepts only those.
 */
export async function validateAuthorizeRequest(deps: AuthorizeDeps, params: Params, referer: string | undefined, options: { pushed?: boolean } = {}): Promise<AuthorizeRequest> {
  // 1. Who is asking: failures here are shown on a page.
  const clientId = onPage(() => single(params, 'client_id'));
  if (clientId === undefined) throw new AuthorizeFailure(oauthError('invalid_request', 'missing required parameter client_id'));
  // A metadata-document client_id whose document cannot be used throws invalid_client saying why (SPEC §9): a page.
  const app = await deps.apps.findApp(clientId).catch((error: unknown) => onPage(() => {
    throw error;
  }, clientId));
  if (app === undefined) throw new AuthorizeFailure(oauthError('invalid_client', `unknown client_id ${clientId}`));
  if (app.disabled) {
    const error = oauthError('invalid_client', 'this app is disabled');
    error.clientId = clientId;
    throw new AuthorizeFailure(error);
  }
  // SPEC §8 / RFC 9126 §5: such an app's front-channel parameters are not trusted, so this is shown on a page.
  if (app.requirePar && options.pushed !== true) {
    const error = oauthError('invalid_request', 'this app must push its authorization requests (PAR, RFC 9126): send client_id and a request_uri from /oauth/2.0/par');
    error.clientId = clientId;
    throw new AuthorizeFailure(error);
  }
  const rawRedirect = onPage(() => single(params, 'redirect_uri'), clientId);
  if (rawRedirect === undefined) {
    const error = oauthError('invalid_request', 'missing required parameter redirect_uri');
    error.clientId = clientId;
    throw new AuthorizeFailure(error);
  }
  const redirectUri = onPage(() => checkRedirectUri(rawRedirect, app, deps.redirectPolicy), clientId);

  const rawResponseType = params['response_type'];
  if (issuesBrowserAccessToken(rawResponseType)) onPage(() => checkReferer(referer, app, deps.ownOrigin), clientId);

  // 2. The app and redirect_uri are trusted: errors now go back to the app, in the
  // response type's default mode (RFC 6749 §4.2.2.1, OIDC Core §3.2.2.6) until a
  // valid response_mode names another.
  const rawState = params['state'];
  const state = typeof rawState === 'string' && rawState !== '' ? rawState : undefined;
  let mode = defaultResponseMode(rawResponseType);
  const back = (error: unknown): never => {
    if (error instanceof OAuthError) {
      error.clientId ??= clientId;
      throw new AuthorizeFailure(error, { redirectUri, mode, state });
    }
    throw error;
  };
  try {
    single(params, 'state');
    const askedMode = checkResponseMode(params);
    // A valid response_mode carries every later error, unless it would put tokens in a query.
    if (askedMode !== undefined && !(askedMode === 'query' && mode === 'fragment')) mode = askedMode;
    const responseType = checkResponseType(params, app);
    checkModeFitsType(askedMode, responseType);
    const scope = resolveScope(single(params, 'scope'), app, await deps.knownScopes());
    // RFC 8707 §2: invalid_target goes back to the app like any error after this point.
    const resources = requestedResources(params, app);
    const pkce = checkPkce(params, app, responseType);
    const nonce = single(params, 'nonce');
    checkOpenIdImplicit(responseType, scope, nonce);
    const confirmLogin = flag(params, 'confirm_login');
    const prompt = parsePrompt(single(params, 'prompt'), confirmLogin);
    return {
      app,
      responseType,
      responseMode: mode,
      redirectUri,
      scope,
      state,
      display: single(params, 'display'),
      forceLogin: flag(params, 'force_login'),
      confirmLogin,
      pkce,
      nonce,
      prompt,
      maxAge: parseMaxAge(single(params, 'max_age')),
      idTokenHint: single(params, 'id_token_hint'),
      resources,
    };
  } catch (error) {
    return back(error);
  }
}

/** What the id_token of an implicit OpenID Connect response is made from (SPEC §7 "ID tokens"). */
export interface IdTokenInput {
  app: App;
  uid: string;
  scope: string[];
  nonce: string | undefined;
  /** ms */
  authTime: number;
  sid: string;
  /** The access token issued beside it (`id_token token`): the id_token carries its at_hash. */
  accessToken: string | undefined;
}

export interface CompleteDeps {
  codes: Pick<CodeStore, 'saveCode'>;
  tokens: Pick<TokenStore, 'issueTokens'>;
  lifetimes: Lifetimes;
  issuer: string;
  now: number;
  /** Signs an id_token (response types id_token and `id_token token`). */
  idToken?: (input: IdTokenInput) => Promise<string>;
  /** Signs the implicit access token of an app with JWT access tokens (RFC 9068). */
  jwt?: IssueDeps['jwt'];
}

/** The person the request completes for: who, and the sign-in session behind it (OIDC `auth_time`, `sid`). */
export interface SignedInPerson {
  uid: string;
  /** ms */
  authTime: number;
  sid: string;
}

/**
 * An authorization response or error on its way to the app: where, how, and
 * its parameters in order. `iss` is always among them (RFC 9207 §2).
 */
export interface AuthorizationResponse {
  /** The redirect_uri, or the login_success page for `oob`. */
  target: string;
  mode: ResponseMode;
  params: Record<string, string | undefined>;
}

/** Where `oob` lands (SPEC §1): a page that shows the code for a person to copy. */
export function loginSuccessUrl(issuer: string): string {
  return `${issuer}/oauth/2.0/login_success`;
}

function target(redirectUri: string, issuer: string): string {
  return redirectUri === OOB ? loginSuccessUrl(issuer) : redirectUri;
}

/** The Location of a query or fragment response (form_post has none: it is a page). */
export function responseLocation(response: AuthorizationResponse): string {
  return buildRedirect(response.target, response.params, response.mode === 'query' ? 'query' : 'fragment');
}

async function issueCode(deps: CompleteDeps, request: AuthorizeRequest, person: SignedInPerson): Promise<string> {
  const secret = mintSecret();
  const id = await deps.codes.saveCode({
    secretHash: hashSecret(secret),
    clientId: request.app.clientId,
    uid: person.uid,
    redirectUri: request.redirectUri,
    scope: request.scope,
    codeChallenge: request.pkce?.challenge ?? null,
    codeChallengeMethod: request.pkce?.method ?? null,
    createdAt: deps.now,
    expiresAt: deps.now + deps.lifetimes.authorizationCode * 1000,
    // What the id_tokens of this code will say (the token endpoint reads it).
    signIn: request.scope.includes('openid') ? { ...(request.nonce !== undefined ? { nonce: request.nonce } : {}), authTime: person.authTime, sid: person.sid } : null,
    ...(request.resources.length > 0 ? { resources: request.resources } : {}),
  });
  return formatToken(id, secret);
}

/** The approved request's answer: a code, tokens, an id_token, or both (OIDC Core §3.2.2.5). */
export async function completeAuthorization(deps: CompleteDeps, request: AuthorizeRequest, person: SignedInPerson): Promise<AuthorizationResponse> {
  const base = { target: target(request.redirectUri, deps.issuer), mode: request.responseMode };
  if (request.responseType === 'code') {
    return { ...base, params: { code: await issueCode(deps, request, person), state: request.state, iss: deps.issuer } };
  }
  const params: Record<string, string | undefined> = {};
  let accessToken: string | undefined;
  if (request.responseType === 'token' || request.responseType === 'id_token token') {
    const response = await issueTokens(
      { tokens: deps.tokens, lifetimes: deps.lifetimes, now: deps.now, ...(deps.jwt ? { jwt: deps.jwt } : {}) },
      { app: request.app, uid: person.uid, scope: request.scope, familyId: null, withRefresh: false, audience: request.resources },
    );
    accessToken = response.access_token;
    Object.assign(params, {
      access_token: response.access_token,
      token_type: response.token_type,
      expires_in: String(response.expires_in),
      scope: formatScope(request.scope),
    });
  }
  if (request.responseType === 'id_token' || request.responseType === 'id_token token') {
    if (deps.idToken === undefined) throw new Error('completeAuthorization: an id_token response type needs deps.idToken');
    params['id_token'] = await deps.idToken({
      app: request.app,
      uid: person.uid,
      scope: request.scope,
      nonce: request.nonce,
      authTime: person.authTime,
      sid: person.sid,
      accessToken,
    });
  }
  return { ...base, params: { ...params, state: request.state, iss: deps.issuer } };
}

/** The error sent back to a trusted app (RFC 6749 §4.1.2.1, §4.2.2.1; RFC 9207 `iss`), or undefined for a page. */
export function errorResponse(failure: AuthorizeFailure, issuer: string, errorUri: string): AuthorizationResponse | undefined {
  if (failure.redirect === undefined) return undefined;
  const { redirectUri, mode, state } = failure.redirect;
  return {
    target: target(redirectUri, issuer),
    mode,
    params: { error: failure.error.code, error_description: failure.error.description, error_uri: errorUri, state, iss: issuer },
  };
}

/** The redirect that carries an error back to a trusted app, for the query and fragment modes. */
export function errorRedirect(failure: AuthorizeFailure, issuer: string, errorUri: string): string | undefined {
  const response = errorResponse(failure, issuer, errorUri);
  return response && responseLocation(response);
}
