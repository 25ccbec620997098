/**
 * Credential leakage via logs (RFC 9700 §4.2 spirit, SPEC: never log a
 * secret, token, code or password): every flow the server offers runs once,
 * successes and failures, with the logger at `trace` writing to a sink; then
 * every line is searched for every secret the run created. Zero may be found.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { s256 } from '../../src/core/pkce.js';
import { mintSecret } from '../../src/core/tokens.js';
import { createLogger } from '../../src/server.js';
import { authorize, Browser, redirectParams } from '../helpers/browserless-flow.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { post, signedIn } from '../pages/site.js';
import { visitDevicePage, RFC_GRANT } from '../device/helpers.js';

const REDIRECT = 'https://app.example.com/cb';

describe('no secret in any log line, across every flow', () => {
  let server: TestServer;
  const lines: string[] = [];
  const secrets = new Set<string>();
  const keep = (...values: (string | undefined | null)[]) => {
    for (const value of values) if (value) secrets.add(value);
  };

  before(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...chunk.toString().split('\n').filter((line: string) => line !== ''));
        done();
      },
    });
    server = await startServer({ deps: { logger: createLogger({ logLevel: 'trace' }, sink) } });
  });
  after(() => server.close());

  const form = async (path: string, fields: Record<string, string>, headers: Record<string, string> = {}) => {
    const response = await fetch(`${server.url}${path}`, { method: 'POST', headers, body: new URLSearchParams(fields) });
    const text = await response.text();
    return { status: response.status, json: (text === '' ? {} : JSON.parse(text)) as Record<string, string> };
  };

  it('runs console, code + PKCE, refresh, implicit, device (both dialects), introspection, revocation and failures, and logs none of their secrets', async (t) => {
    // Console: sign in, register an app (Secret Key shown once), rotate it.
    const developer = await server.createUser(undefined, 'dev-Password-8841');
    keep(developer.password);
    const console_ = await signedIn(server.url, developer);
    const created = await post(console_, await console_.request('/console/apps/new'), '/console/apps', {
      name: 'Logged App', root_domain: 'example.com', redirect_uris: REDIRECT, grant_types: 'client_credentials', response_types: 'code', scopes: 'basic',
    });
    const consoleId = /id="client-id"[^>]*>([^<]*)</.exec(created.body)![1]!;
    const consoleSecret = /id="client-secret"[^>]*>([^<]*)</.exec(created.body)![1]!.trim();
    const page = await console_.request(`/console/apps/${consoleId}`);
    const rotated = await post(console_, page, `/console/apps/${consoleId}/rotate`, {});
    const rotatedSecret = /id="client-secret"[^>]*>([^<]*)</.exec(rotated.body)![1]!.trim();
    keep(consoleSecret, rotatedSecret);
    keep((await form('/oauth/2.0/token', { grant_type: 'client_credentials', client_id: consoleId, client_secret: rotatedSecret })).json['access_token']);
    assert.equal((await form('/oauth/2.0/token', { grant_type: 'client_credentials', client_id: consoleId, client_secret: consoleSecret })).status, 401);

    // Code flow with PKCE, refresh, introspection, user info, revocation, replays.
    const made = await server.createApp({ redirectUris: [REDIRECT], isResourceServer: false });
    const creds = { client_id: made.clientId, client_secret: made.clientSecret! };
    const basic = `Basic ${Buffer.from(`${made.clientId}:${made.clientSecret}`).toString('base64')}`;
    const person = await server.createUser(undefined, 'person-Secret-Pw-5521');
    keep(made.clientSecret, person.password);
    const verifier = mintSecret() + mintSecret();
    keep(verifier);
    const browser = new Browser(server.url);
    const wrongLogin = await browser.request(`/oauth/2.0/authorize?${new URLSearchParams({ response_type: 'code', client_id: made.clientId, redirect_uri: REDIRECT })}`);
    await browser.submit(wrongLogin, { username: person.username, password: 'wrong-Password-Typed-7730' });
    keep('wrong-Password-Typed-7730');
    const final = await authorize(browser, { response_type: 'code', client_id: made.clientId, redirect_uri: REDIRECT, code_challenge: s256(verifier), code_challenge_method: 'S256', state: 'st' }, person);
    const code = redirectParams(final.location!).get('code')!;
    keep(code);
    const pair = (await form('/oauth/2.0/token', { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier, ...creds })).json;
    keep(pair['access_token'], pair['refresh_token']);
    await form('/oauth/2.0/token', { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier, ...creds }); // replay
    const refreshed = (await form('/oauth/2.0/token', { grant_type: 'refresh_token', refresh_token: pair['refresh_token']!, ...creds })).json;
    keep(refreshed['access_token'], refreshed['refresh_token']);
    await form('/oauth/2.0/token', { grant_type: 'refresh_token', refresh_token: pair['refresh_token']!, ...creds }); // replay
    await form('/oauth/2.0/introspect', { token: refreshed['access_token']! }, { authorization: basic });
    await fetch(`${server.url}/rest/2.0/passport/users/getLoggedInUser`, { headers: { authorization: `Bearer ${refreshed['access_token']}` } });
    await fetch(`${server.url}/oauth/2.0/tokeninfo?access_token=${refreshed['access_token']}`);
    await form('/oauth/2.0/revoke', { token: refreshed['refresh_token']!, ...creds });
    await form('/oauth/2.0/token', { grant_type: 'client_credentials', client_id: made.clientId, client_secret: `${made.clientSecret}x` });
    keep(`${made.clientSecret}x`);

    // Implicit grant: the token travels in the fragment.
    const implicit = await authorize(browser, { response_type: 'token', client_id: made.clientId, redirect_uri: REDIRECT }, person);
    keep(redirectParams(implicit.location!, 'fragment').get('access_token'));

    // Device flow, both dialects, with a wrong user code first.
    for (const dialect of [{ grant: 'device_token', param: 'code' }, { grant: RFC_GRANT, param: 'device_code' }]) {
      const device = (await form('/oauth/2.0/device/code', { client_id: made.clientId, scope: 'basic' })).json;
      keep(device['device_code'], device['user_code'], device['user_code']!.replace('-', ''));
      await visitDevicePage(server.url, 'BCDF-GHJK', person);
      await visitDevicePage(server.url, device['user_code']!.toLowerCase(), person);
      const tokens = (await form('/oauth/2.0/token', { grant_type: dialect.grant, [dialect.param]: device['device_code']!, ...creds })).json;
      keep(tokens['access_token'], tokens['refresh_token']);
    }
    keep(...browser.jar.header().split(/;\s*/).map((pair) => pair.split('=')[1]));
    await new Promise((resolve) => setTimeout(resolve, 50));

    const all = lines.join('\n');
    // A token's id alone is not secret; its secret half is, so both forms are searched.
    const needles = [...secrets].flatMap((secret) => [secret, secret.split('.').pop()!]).filter((needle) => needle.length >= 8);
    const found = needles.filter((needle) => all.includes(needle) || all.includes(encodeURIComponent(needle)));
    t.diagnostic(`${lines.length} log lines searched for ${needles.length} secrets (passwords, Secret Keys, codes, verifier, access/refresh/device/user codes, cookies): ${found.length} found`);
    assert.ok(lines.length >= 30);
    assert.ok(secrets.size >= 20);
    assert.deepEqual(found.map((needle) => `${needle.slice(0, 6)}…`), []);
  });
});
