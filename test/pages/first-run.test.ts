import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { hashSecret } from '../../src/core/tokens.js';
import { announceFirstRun } from '../../src/first-run-link.js';
import { createInstance } from '../../src/server.js';
import { Browser } from '../helpers/browserless-flow.js';
import { freePort, startServer, type TestServer } from '../helpers/server.js';
import { formFields, post } from './site.js';

const ACCOUNT = { username: 'operator', password: 'a long first password', password2: 'a long first password' };

describe('first run: the one-time setup link', () => {
  let server: TestServer;
  let link: string;
  let lines: string[];

  before(async () => {
    server = await startServer();
    lines = [];
    link = (await announceFirstRun(server.instance, server.url, (line) => lines.push(line)))!;
  });
  after(() => server.close());

  test('is printed when the database has no user, and only the token hash is stored in the shared settings', async () => {
    assert.match(link, new RegExp(`^${server.url}/setup\\?token=[A-Za-z0-9_-]{43}$`));
    assert.ok(lines.some((line) => line.includes(link)));
    const token = new URL(link).searchParams.get('token')!;
    const rows = await server.instance.database.db.selectFrom('settings').selectAll().execute();
    assert.ok(!rows.some((row) => row.value.includes(token)), 'the token itself is never stored');
    assert.equal(rows.find((row) => row.name === 'setup_token_hash')?.value, hashSecret(token));
  });

  test('a wrong token, or none, shows no form (404)', async () => {
    for (const path of ['/setup', '/setup?token=wrong', `/setup?token=${'A'.repeat(43)}`]) {
      const page = await new Browser(server.url).request(path);
      assert.equal(page.status, 404, path);
      assert.ok(!page.body.includes('name="password"'), path);
    }
  });

  test('another instance on the same database honours the link', async () => {
    const other = await createInstance(server.config);
    try {
      const response = await other.app.inject({ method: 'GET', url: new URL(link).pathname + new URL(link).search });
      assert.equal(response.statusCode, 200);
      assert.match(response.body, /name="password2"/);
    } finally {
      await other.close();
    }
  });

  test('without the CSRF token the form creates nothing (403)', async () => {
    const browser = new Browser(server.url);
    const form = await browser.request(new URL(link).pathname + new URL(link).search);
    const forged = await browser.request('/setup', { form: { ...formFields(form, '/setup'), ...ACCOUNT, csrf_token: 'forged' } });
    assert.equal(forged.status, 403);
    assert.equal(await server.instance.services.stores.users.countUsers(), 0);
  });

  test('a refused password keeps the link alive; the right form creates the first account, signs in, and kills the link', async () => {
    const browser = new Browser(server.url);
    const form = await browser.request(new URL(link).pathname + new URL(link).search);
    assert.equal(form.status, 200);
    const short = await post(browser, form, '/setup', { username: 'operator', password: 'short', password2: 'short' });
    assert.equal(short.status, 400);
    assert.match(short.body, /The password must be 8 to 200 characters/);
    const done = await post(browser, short, '/setup', ACCOUNT);
    assert.equal(done.status, 303);
    assert.equal(done.headers.get('location'), '/console');
    assert.equal(await server.instance.services.stores.users.countUsers(), 1);
    assert.equal((await browser.request('/console')).status, 200, 'signed in');
    const again = await new Browser(server.url).request(new URL(link).pathname + new URL(link).search);
    assert.equal(again.status, 404);
    assert.equal(await announceFirstRun(server.instance, server.url, () => {}), undefined, 'no link once a user exists');
  });
});

test('gatehouse serve prints the setup link on an empty database', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-serve-'));
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve', '--port', String(port), '--database', `sqlite:${join(dir, 'g.db')}`], {
    env: { ...process.env, GATEHOUSE_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const link = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`no setup link within 20 s: ${out}`)), 20_000);
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /(http:\/\/127\.0\.0\.1:\d+\/setup\?token=[A-Za-z0-9_-]{43})/.exec(out);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
    });
    const page = await fetch(link);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /name="username"/);
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }
});
