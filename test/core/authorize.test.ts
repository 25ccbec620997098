import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lookupToken } from '../../src/core/access-token.js';
import { AuthorizeFailure, completeAuthorization, errorRedirect, responseLocation, validateAuthorizeRequest, type AuthorizeRequest } from '../../src/core/authorize.js';
import type { ErrorCode } from '../../src/core/errors.js';
import type { Params } from '../../src/core/params.js';
import { exchangeToken } from '../../src/core/token-endpoint.js';
import { credentials, LIFETIMES, makeApp, tokenDeps } from '../helpers/fixtures.js';

const ISSUER = 'https://auth.gatehouse.test';
const ERROR_URI = `${ISSUER}/errors`;
const REDIRECT = 'https://app.example.com/cb';

async function setup(overrides: Parameters<typeof makeApp>[0] = {}) {
  const deps = tokenDeps();
  const client = makeApp(overrides);
  const disabled = makeApp({ disabled: true });
  await deps.stores.apps.createApp(client.app);
  await deps.stores.apps.createApp(disabled.app);
  const authorizeDeps = { apps: deps.stores.apps, knownScopes: deps.knownScopes, redirectPolicy: { allowHttp: false }, ownOrigin: ISSUER };
  const validate = (params: Params, referer?: string) =>
    validateAuthorizeRequest(authorizeDeps, { client_id: client.app.clientId, redirect_uri: REDIRECT, response_type: 'code', ...params }, referer);
  const complete = async (request: AuthorizeRequest, uid = 'u-1') =>
    responseLocation(
      await completeAuthorization({ codes: deps.stores.codes, tokens: deps.stores.tokens, lifetimes: LIFETIMES, issuer: ISSUER, now: deps.clock.now() }, request, {
        uid,
        authTime: deps.clock.now() - 5000,
        sid: 'sid-1',
      }),
    );
  return { deps, client, disabled, validate, complete };
}

/** Runs `promise`, which must fail with an AuthorizeFailure of `code` naming `mentions`. */
async function failure(promise: Promise<unknown>, code: ErrorCode, mentions: RegExp): Promise<AuthorizeFailure> {
  const error = await promise.then(
    () => assert.fail(`expected ${code}`),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof AuthorizeFailure, String(error));
  assert.equal(error.error.code, code, error.error.description);
  assert.match(error.error.description, mentions);
  return error;
}

describe('validateAuthorizeRequest: failures shown on a page, never redirected', () => {
  it('shows invalid_request for a missing client_id', async () => {
    const { validate } = await setup();
    const error = await failure(validate({ client_id: undefined }), 'invalid_request', /client_id/);
    assert.equal(error.redirect, undefined);
  });
  it('shows invalid_request for a repeated client_id', async () => {
    const { client, validate } = await setup();
    const error = await failure(validate({ client_id: [client.app.clientId, client.app.clientId] }), 'invalid_request', /client_id is repeated/);
    assert.equal(error.redirect, undefined);
  });
  it('shows invalid_client for an unknown client_id', async () => {
    const { validate } = await setup();
    assert.equal((await failure(validate({ client_id: 'nobody' }), 'invalid_client', /unknown client_id nobody/)).redirect, undefined);
  });
  it('shows invalid_client for a disabled app', async () => {
    const { disabled, validate } = await setup();
    assert.equal((await failure(validate({ client_id: disabled.app.clientId }), 'invalid_client', /disabled/)).redirect, undefined);
  });
  it('shows invalid_request for a missing redirect_uri', async () => {
    const { validate } = await setup();
    assert.equal((await failure(validate({ redirect_uri: undefined }), 'invalid_request', /redirect_uri/)).redirect, undefined);
  });
  it('shows invalid_request for a malformed redirect_uri (fragment, relative, javascript:)', async () => {
    const { validate } = await setup();
    for (const uri of [`${REDIRECT}#x`, '/cb', 'javascript:alert(1)']) {
      assert.equal((await failure(validate({ redirect_uri: uri }), 'invalid_request', /redirect_uri/)).redirect, undefined);
    }
  });
  it('shows redirect_uri_mismatch for a redirect_uri outside the root domain, even with a bad response_type and a state', async () => {
    const { validate } = await setup();
    const error = await failure(validate({ redirect_uri: 'https://evil.com/cb', response_type: 'bogus', state: 's' }), 'redirect_uri_mismatch', /redirect_uri host evil\.com/);
    assert.equal(error.redirect, undefined);
    assert.equal(errorRedirect(error, ISSUER, ERROR_URI), undefined);
  });
  it('shows redirect_uri_mismatch for a redirect_uri missing from the exact list', async () => {
    const { validate } = await setup({ redirectUris: [REDIRECT] });
    assert.equal((await failure(validate({ redirect_uri: 'https://www.example.com/cb' }), 'redirect_uri_mismatch', /redirect_uri/)).redirect, undefined);
  });
  it('shows invalid_referer for an implicit request with a foreign Referer', async () => {
    const { validate } = await setup();
    const error = await failure(validate({ response_type: 'token' }, 'https://evil.com/page'), 'invalid_referer', /Referer host evil\.com/);
    assert.equal(error.redirect, undefined);
  });
});

describe('validateAuthorizeRequest: failures redirected to a trusted app with state', () => {
  it('sends invalid_request for a missing response_type back in the query', async () => {
    const { validate } = await setup();
    const error = await failure(validate({ response_type: undefined, state: 'xyz' }), 'invalid_request', /response_type/);
    assert.deepEqual(error.redirect, { redirectUri: REDIRECT, mode: 'query', state: 'xyz' });
  });
  it('sends unsupported_response_type for an unknown response_type, naming it', async () => {
    const { validate } = await setup();
    const error = await failure(validate({ response_type: 'code_and_more', state: 'xyz' }), 'unsupported_response_type', /response_type code_and_more/);
    assert.equal(error.redirect?.mode, 'query');
  });
  it('sends unsupported_response_type for a response type the app disabled, in the fragment for token', async () => {
    const { validate } = await setup({ responseTypes: ['code'] });
    const error = await failure(validate({ response_type: 'token', state: 'xyz' }), 'unsupported_response_type', /disabled response_type token/);
    assert.deepEqual(error.redirect, { redirectUri: REDIRECT, mode: 'fragment', state: 'xyz' });
  });
  it('sends invalid_scope for an unknown scope, naming it', async () => {
    const { validate } = await setup();
    const error = await failure(validate({ scope: 'basic photos', state: 'xyz' }), 'invalid_scope', /scope photos/);
    assert.equal(error.redirect?.state, 'xyz');
  });
  it('sends invalid_request to a public app that omits PKCE, naming code_challenge', async () => {
    const { validate } = await setup({ isPublic: true });
    const error = await failure(validate({ state: 'xyz' }), 'invalid_request', /code_challenge is required/);
    assert.equal(error.redirect?.mode, 'query');
  });
  it('sends invalid_request for an unsupported code_challenge_method', async () => {
    const { validate } = await setup();
    await failure(validate({ code_challenge: 'a'.repeat(43), code_challenge_method: 'MD5' }), 'invalid_request', /code_challenge_method/);
  });
});

describe('validateAuthorizeRequest: accepted requests', () => {
  it('returns the checked request', async () => {
    const { client, validate } = await setup();
    const request = await validate({ scope: 'basic,email', state: 'xyz', force_login: '1', code_challenge: 'a'.repeat(43), code_challenge_method: 'S256' });
    assert.equal(request.app.clientId, client.app.clientId);
    assert.equal(request.responseType, 'code');
    assert.equal(request.redirectUri, REDIRECT);
    assert.deepEqual(request.scope, ['basic', 'email']);
    assert.equal(request.state, 'xyz');
    assert.equal(request.forceLogin, true);
    assert.equal(request.confirmLogin, false);
    assert.deepEqual(request.pkce, { challenge: 'a'.repeat(43), method: 'S256' });
  });
  it("accepts the implicit grant with the server's own origin or the app's site as Referer", async () => {
    const { validate } = await setup();
    assert.equal((await validate({ response_type: 'token' }, `${ISSUER}/oauth/2.0/authorize`)).responseType, 'token');
    assert.equal((await validate({ response_type: 'token' }, 'https://www.example.com/')).responseType, 'token');
  });
});

describe('errorRedirect', () => {
  it('puts error, error_description, error_uri and state in the query for code', async () => {
    const { validate } = await setup();
    const error = await failure(validate({ scope: 'photos', state: '<script>x</script>' }), 'invalid_scope', /scope photos/);
    const url = new URL(errorRedirect(error, ISSUER, ERROR_URI)!);
    assert.equal(`${url.origin}${url.pathname}`, REDIRECT);
    assert.equal(url.searchParams.get('error'), 'invalid_scope');
    assert.match(url.searchParams.get('error_description')!, /scope photos/);
    assert.equal(url.searchParams.get('error_uri'), ERROR_URI);
    assert.equal(url.searchParams.get('state'), '<script>x</script>');
    assert.ok(!url.href.includes('<script>'));
  });
  it('puts them in the fragment for token', async () => {
    const { validate } = await setup();
    const error = await failure(validate({ response_type: 'token', scope: 'photos', state: 's1' }), 'invalid_scope', /scope photos/);
    const url = new URL(errorRedirect(error, ISSUER, ERROR_URI)!);
    assert.equal(url.search, '');
    const fragment = new URLSearchParams(url.hash.slice(1));
    assert.equal(fragment.get('error'), 'invalid_scope');
    assert.equal(fragment.get('state'), 's1');
  });
  it('lands oob errors on the login_success page', async () => {
    const { validate } = await setup();
    const error = await failure(validate({ redirect_uri: 'oob', scope: 'photos' }), 'invalid_scope', /scope photos/);
    assert.match(errorRedirect(error, ISSUER, ERROR_URI)!, /^https:\/\/auth\.gatehouse\.test\/oauth\/2\.0\/login_success\?error=invalid_scope&/);
  });
});

describe('completeAuthorization', () => {
  it('redirects with a code and state in the query, and the code redeems once at the token endpoint', async () => {
    const { deps, client, validate, complete } = await setup();
    const request = await validate({ state: 'st', scope: 'email' });
    const url = new URL(await complete(request, 'u-7'));
    assert.equal(`${url.origin}${url.pathname}`, REDIRECT);
    assert.equal(url.searchParams.get('state'), 'st');
    const code = url.searchParams.get('code')!;
    const params = { ...credentials(client), grant_type: 'authorization_code', code, redirect_uri: REDIRECT };
    const response = await exchangeToken(deps, { authorization: undefined, params });
    assert.equal(response.scope, 'email');
    const access = await lookupToken(deps.stores.tokens, response.access_token, deps.clock.now());
    assert.ok(access.status === 'active' && access.token.uid === 'u-7');
  });
  it('redirects with tokens and state in the fragment for token, and no refresh token', async () => {
    const { deps, validate, complete } = await setup();
    const url = new URL(await complete(await validate({ response_type: 'token', state: 'st' })));
    assert.equal(url.search, '');
    const fragment = new URLSearchParams(url.hash.slice(1));
    assert.deepEqual([...fragment.keys()].sort(), ['access_token', 'expires_in', 'iss', 'scope', 'state', 'token_type']);
    assert.equal(fragment.get('token_type'), 'Bearer');
    assert.equal(fragment.get('expires_in'), String(LIFETIMES.accessToken));
    assert.equal(fragment.get('scope'), 'basic');
    assert.equal(fragment.get('state'), 'st');
    assert.equal((await lookupToken(deps.stores.tokens, fragment.get('access_token')!, deps.clock.now())).status, 'active');
  });
  it('sends an oob code to the login_success page, without state when none was sent', async () => {
    const { validate, complete } = await setup();
    const url = new URL(await complete(await validate({ redirect_uri: 'oob' })));
    assert.equal(`${url.origin}${url.pathname}`, `${ISSUER}/oauth/2.0/login_success`);
    assert.ok(url.searchParams.get('code'));
    assert.equal(url.searchParams.has('state'), false);
  });
});
