/**
 * The authorization endpoint's checks (RFC 6749 §4.1.1, §4.2.1, SPEC §4),
 * in order. Until the app and its redirect_uri are trusted, a failure is shown
 * on a page and never redirected (RFC 6749 §4.1.2.1, RFC 9700 §4.11: no open
 * redirector); after that, it goes back to the app with `state`.
 */
import { OAuthError, oauthError } from './errors.js';
import { issueTokens } from './issue.js';
import type { App, Lifetimes } from './model.js';
import type { AppStore, CodeStore, TokenStore } from './ports.js';
import { flag, single, type Params } from './params.js';
import { parseChallenge, type ChallengeMethod } from './pkce.js';
import { buildRedirect, checkReferer, checkRedirectUri, OOB, type RedirectPolicy } from './redirect.js';
import { formatScope, resolveScope } from './scopes.js';
import { formatToken, hashSecret, mintSecret } from './tokens.js';

export type ResponseMode = 'query' | 'fragment';

export interface AuthorizeRequest {
  app: App;
  responseType: 'code' | 'token';
  /** Checked against the app; `oob` for the copy-the-code page. */
  redirectUri: string;
  scope: string[];
  state: string | undefined;
  display: string | undefined;
  forceLogin: boolean;
  confirmLogin: boolean;
  pkce: { challenge: string; method: ChallengeMethod } | undefined;
  /** OIDC Core §3.1.2.1: echoed in the id_token. */
  nonce?: string;
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

export async function validateAuthorizeRequest(deps: AuthorizeDeps, params: Params, referer: string | undefined): Promise<AuthorizeRequest> {
  // 1. Who is asking: failures here are shown on a page.
  const clientId = onPage(() => single(params, 'client_id'));
  if (clientId === undefined) throw new AuthorizeFailure(oauthError('invalid_request', 'missing required parameter client_id'));
  const app = await deps.apps.findApp(clientId);
  if (app === undefined) throw new AuthorizeFailure(oauthError('invalid_client', `unknown client_id ${clientId}`));
  if (app.disabled) {
    const error = oauthError('invalid_client', 'this app is disabled');
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

  // The response type decides where errors go (RFC 6749 §4.2.2.1: fragment for token).
  const rawResponseType = params['response_type'];
  const mode: ResponseMode = rawResponseType === 'token' ? 'fragment' : 'query';
  if (rawResponseType === 'token') onPage(() => checkReferer(referer, app, deps.ownOrigin), clientId);

  // 2. The app and redirect_uri are trusted: errors now go back to the app.
  const rawState = params['state'];
  const state = typeof rawState === 'string' && rawState !== '' ? rawState : undefined;
  const back = (error: unknown): never => {
    if (error instanceof OAuthError) {
      error.clientId ??= clientId;
      throw new AuthorizeFailure(error, { redirectUri, mode, state });
    }
    throw error;
  };
  try {
    single(params, 'state');
    const responseType = single(params, 'response_type');
    if (responseType === undefined) throw oauthError('invalid_request', 'missing required parameter response_type');
    if (responseType !== 'code' && responseType !== 'token') {
      throw oauthError('unsupported_response_type', `response_type ${responseType} is not supported; use code or token`);
    }
    if (!app.responseTypes.includes(responseType)) {
      throw oauthError('unsupported_response_type', `this app has disabled response_type ${responseType}`);
    }
    const scope = resolveScope(single(params, 'scope'), app, await deps.knownScopes());
    const pkce = parseChallenge(single(params, 'code_challenge'), single(params, 'code_challenge_method'));
    if (responseType === 'code' && pkce === undefined && app.secretHash === null) {
      throw oauthError('invalid_request', 'code_challenge is required: public apps must use PKCE (RFC 7636)');
    }
    return {
      app,
      responseType,
      redirectUri,
      scope,
      state,
      display: single(params, 'display'),
      forceLogin: flag(params, 'force_login'),
      confirmLogin: flag(params, 'confirm_login'),
      pkce,
      nonce: single(params, 'nonce'),
    };
  } catch (error) {
    return back(error);
  }
}

export interface CompleteDeps {
  codes: Pick<CodeStore, 'saveCode'>;
  tokens: Pick<TokenStore, 'issueTokens'>;
  lifetimes: Lifetimes;
  issuer: string;
  now: number;
}

/** Where `oob` lands (SPEC §1): a page that shows the code for a person to copy. */
export function loginSuccessUrl(issuer: string): string {
  return `${issuer}/oauth/2.0/login_success`;
}

function target(redirectUri: string, issuer: string): string {
  return redirectUri === OOB ? loginSuccessUrl(issuer) : redirectUri;
}

/** The approved request's answer: a code (query) or tokens (fragment), as the redirect URL. */
export async function completeAuthorization(
  deps: CompleteDeps,
  request: AuthorizeRequest,
  uid: string,
  /** The sign-in session that approved: kept with the code when the scope has openid (SPEC §7). */
  session?: { authTime: number; sid: string },
): Promise<string> {
  const base = target(request.redirectUri, deps.issuer);
  if (request.responseType === 'code') {
    const secret = mintSecret();
    const id = await deps.codes.saveCode({
      secretHash: hashSecret(secret),
      clientId: request.app.clientId,
      uid,
      redirectUri: request.redirectUri,
      scope: request.scope,
      codeChallenge: request.pkce?.challenge ?? null,
      codeChallengeMethod: request.pkce?.method ?? null,
      createdAt: deps.now,
      expiresAt: deps.now + deps.lifetimes.authorizationCode * 1000,
      signIn:
        session !== undefined && request.scope.includes('openid')
          ? { ...(request.nonce !== undefined ? { nonce: request.nonce } : {}), authTime: session.authTime, sid: session.sid }
          : null,
    });
    return buildRedirect(base, { code: formatToken(id, secret), state: request.state }, 'query');
  }
  const response = await issueTokens(
    { tokens: deps.tokens, lifetimes: deps.lifetimes, now: deps.now },
    { app: request.app, uid, scope: request.scope, familyId: null, withRefresh: false },
  );
  return buildRedirect(
    base,
    {
      access_token: response.access_token,
      token_type: response.token_type,
      expires_in: String(response.expires_in),
      scope: formatScope(request.scope),
      state: request.state,
    },
    'fragment',
  );
}

/** The redirect that carries an error back to a trusted app (RFC 6749 §4.1.2.1, §4.2.2.1). */
export function errorRedirect(failure: AuthorizeFailure, issuer: string, errorUri: string): string | undefined {
  if (failure.redirect === undefined) return undefined;
  const { redirectUri, mode, state } = failure.redirect;
  return buildRedirect(
    target(redirectUri, issuer),
    { error: failure.error.code, error_description: failure.error.description, error_uri: errorUri, state },
    mode,
  );
}
