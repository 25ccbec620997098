/**
 * SPEC §7 through Python's authlib OIDC client (Debian package python3-authlib):
 * discovery, code flow with PKCE and a nonce, authlib's own id_token checks
 * (signature by the JWKS, iss, aud, exp, nonce, at_hash), userinfo. The person
 * signs in through this test's form client. No skipping: without python3 and
 * authlib this fails and says what to install.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createAccount } from '../../src/core/accounts.js';
import { authorize, Browser } from '../helpers/browserless-flow.js';
import { startServer, type TestServer, TEST_CONTEXT } from '../helpers/server.js';

const REDIRECT = 'https://app.example.com/cb';
const SCRIPT = fileURLToPath(new URL('./authlib_rp.py', import.meta.url));

/** The first python3 that imports authlib and requests (a pyenv shim may shadow Debian's /usr/bin/python3). */
function findPython(): string {
  for (const candidate of [process.env['GATEHOUSE_TEST_PYTHON'], 'python3', '/usr/bin/python3']) {
    if (candidate === undefined) continue;
    const probe = spawnSync(candidate, ['-c', 'import authlib, requests'], { encoding: 'utf8' });
    if (probe.status === 0) return candidate;
  }
  throw new Error('no python3 with authlib found: install the Debian package python3-authlib (apt-get install python3-authlib), or set GATEHOUSE_TEST_PYTHON to a python3 that has authlib and requests');
}

describe('authlib (Python) OIDC client against Gatehouse', () => {
  let server: TestServer;
  let python: string;
  before(async () => {
    python = findPython();
    server = await startServer();
  });
  after(() => server?.close());

  it('code flow with PKCE and a nonce: authlib validates the id_token against the JWKS and reads userinfo', async () => {
    const user = await createAccount(server.instance.services.stores, { username: `py_${process.pid}`, password: 'correct horse battery', email: 'guido@example.com', name: 'Guido', emailVerified: false }, TEST_CONTEXT());
    const app = await server.createApp({ redirectUris: [REDIRECT], scopes: ['basic', 'openid', 'profile', 'email'] });
    const child = spawn(python, [SCRIPT, server.url, app.clientId, app.clientSecret!, REDIRECT], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const next = async () => {
      const line = await lines.next();
      if (line.done) throw new Error(`authlib script ended early (${await exited}): ${stderr}`);
      return JSON.parse(line.value) as Record<string, any>;
    };
    try {
      const first = await next();
      assert.equal(first['error'], undefined, first['error']);
      const url = new URL(first['authorization_url']);
      assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
      assert.ok(url.searchParams.get('nonce'));
      const final = await authorize(new Browser(server.url), Object.fromEntries(url.searchParams), { username: user.username, password: 'correct horse battery' });
      assert.equal(final.status, 302);
      child.stdin.write(`${final.location}\n`);
      const result = await next();
      assert.equal(result['error'], undefined, `${result['error']}\n${stderr}`);
      assert.equal(result['claims']['iss'], server.url);
      assert.equal(result['claims']['sub'], user.uid);
      assert.equal(result['claims']['aud'], app.clientId);
      assert.equal(result['claims']['nonce'], url.searchParams.get('nonce'));
      assert.equal(typeof result['claims']['at_hash'], 'string');
      assert.equal(result['header']['alg'], 'RS256');
      assert.equal(typeof result['header']['kid'], 'string');
      assert.equal(result['userinfo']['sub'], user.uid);
      assert.equal(result['userinfo']['email'], 'guido@example.com');
      assert.equal(result['userinfo']['email_verified'], false);
      assert.equal(result['userinfo']['name'], 'Guido');
      assert.equal(await exited, 0);
    } finally {
      child.kill();
    }
  });
});
