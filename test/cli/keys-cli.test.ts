/** SPEC §7 Keys: `gatehouse keys list|rotate|retire`, run as an operator runs them. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '../../src/cli.ts');
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const KID = /^[A-Za-z0-9_-]{43}$/;
const SECRET = 'an operator secret of at least 32 chars';

describe('gatehouse keys', () => {
  let dir: string;
  let database: string;
  const outputs: string[] = [];

  async function gatehouse(args: string[], env: Record<string, string> = {}): Promise<{ stdout: string; stderr: string; code: number }> {
    let result: { stdout: string; stderr: string; code: number };
    try {
      const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', CLI, ...args], {
        env: { ...process.env, GATEHOUSE_DATABASE_URL: database, GATEHOUSE_KEYS_SECRET: SECRET, ...env },
      });
      result = { stdout, stderr, code: 0 };
    } catch (error) {
      const failed = error as { stdout: string; stderr: string; code: number };
      result = { stdout: failed.stdout, stderr: failed.stderr, code: failed.code };
    }
    outputs.push(result.stdout, result.stderr);
    return result;
  }
  const list = async () => {
    const result = await gatehouse(['keys', 'list', '--json']);
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout) as Array<{ kid: string; alg: string; state: string; created_at: string }>;
  };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-keys-cli-'));
    database = `sqlite:${join(dir, 'gatehouse.db')}`;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('three processes listing a fresh database at once agree on one current key per algorithm', async () => {
    const lists = await Promise.all([list(), list(), list()]);
    for (const keys of lists) {
      assert.deepEqual(keys.map((key) => [key.alg, key.state]), [['RS256', 'current'], ['PS256', 'current'], ['ES256', 'current'], ['EdDSA', 'current']]);
      assert.deepEqual(keys, lists[0]);
      for (const key of keys) {
        assert.deepEqual(Object.keys(key), ['kid', 'alg', 'state', 'created_at']);
        assert.match(key.kid, KID);
        assert.match(key.created_at, ISO);
      }
    }
  });

  let oldEs256: string;
  let newEs256: string;
  test('rotate --alg ES256 --activate-now makes a current ES256 key; the old one is previous', async () => {
    oldEs256 = (await list()).find((key) => key.alg === 'ES256')!.kid;
    const result = await gatehouse(['keys', 'rotate', '--alg', 'ES256', '--activate-now', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const made = JSON.parse(result.stdout) as Array<Record<string, string>>;
    assert.equal(made.length, 1);
    const [key] = made as [Record<string, string>];
    newEs256 = key['kid']!;
    assert.deepEqual(made, [{ kid: newEs256, alg: 'ES256', state: 'current', created_at: key['created_at'], activates_at: key['created_at'] }]);
    assert.match(key['created_at']!, ISO);
    const after = await list();
    assert.deepEqual(after.filter((key) => key.alg === 'ES256').map((key) => [key.kid, key.state]), [[oldEs256, 'previous'], [newEs256, 'current']]);
  });

  test('rotate without --activate-now makes a next key; the text output says when it becomes current', async () => {
    const result = await gatehouse(['keys', 'rotate', '--alg', 'EdDSA']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^new EdDSA key [A-Za-z0-9_-]{43}: next, current from \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\n$/);
    assert.deepEqual((await list()).filter((key) => key.alg === 'EdDSA').map((key) => key.state), ['current', 'next']);
  });

  test('each rotated-in key left one key.rotate event (actor cli, target the kid), newest first', async () => {
    const result = await gatehouse(['audit', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const events = JSON.parse(result.stdout) as Array<{ action: string; actor: { type: string }; target: { type: string; id: string }; address: string | null }>;
    const rotations = events.filter((event) => event.action === 'key.rotate');
    const eddsa = (await list()).find((key) => key.alg === 'EdDSA' && key.state === 'next')!.kid;
    assert.deepEqual(rotations.map((event) => [event.actor.type, event.target.type, event.target.id, event.address]), [
      ['cli', 'key', eddsa, null],
      ['cli', 'key', newEs256, null],
    ]);
  });

  test('retire refuses the current key with a message and exit code 1, and retires the previous one', async () => {
    // Kids are RFC 7638 thumbprints (base64url): one in 64 starts with "-", which commander reads as an
    // option unless it follows "--" (as the command's help says); the test once drew one.
    const refused = await gatehouse(['keys', 'retire', '--', newEs256]);
    assert.equal(refused.code, 1);
    assert.equal(
      refused.stderr,
      `gatehouse: signing key ${newEs256} is the current ES256 key and cannot be retired: it signs now: rotate first (\`gatehouse keys rotate --alg ES256\`) and retire it once it is previous\n`,
    );
    const retired = await gatehouse(['keys', 'retire', '--', oldEs256]);
    assert.equal(retired.code, 0, retired.stderr);
    assert.equal(retired.stdout, `ES256 key ${oldEs256} retired: no longer published\n`);
    assert.deepEqual((await list()).filter((key) => key.alg === 'ES256').map((key) => [key.kid, key.state]), [[newEs256, 'current']]);
    // The refused retirement left no event; the done one left one key.retire.
    const events = JSON.parse((await gatehouse(['audit', '--json'])).stdout) as Array<{ action: string; actor: { type: string }; target: { id: string } }>;
    assert.deepEqual(events.filter((event) => event.action === 'key.retire').map((event) => [event.actor.type, event.target.id]), [['cli', oldEs256]]);
  });

  test('refuses an unknown --alg, a short secret and a wrong secret with one line and exit code 1, no stack', async () => {
    const badAlg = await gatehouse(['keys', 'rotate', '--alg', 'HS256']);
    assert.deepEqual([badAlg.code, badAlg.stderr], [1, 'gatehouse: --alg must be one of RS256, PS256, ES256, EdDSA, got "HS256"\n']);
    const short = await gatehouse(['keys', 'list'], { GATEHOUSE_KEYS_SECRET: 'too short' });
    assert.deepEqual([short.code, short.stderr], [1, 'gatehouse: GATEHOUSE_KEYS_SECRET must be at least 32 characters long, got 9\n']);
    const wrong = await gatehouse(['serve', '--port', '0'], { GATEHOUSE_KEYS_SECRET: 'w'.repeat(32), GATEHOUSE_LOG_LEVEL: 'silent' });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /^gatehouse: GATEHOUSE_KEYS_SECRET does not decrypt signing key [A-Za-z0-9_-]{43}: it is not the secret the signing keys were stored with\n$/);
  });

  test('no output of any command held a private key member', () => {
    assert.ok(outputs.length > 10);
    for (const text of outputs) for (const member of ['"d"', '"p"', '"q"']) assert.ok(!text.includes(member), `${member} in ${text}`);
  });
});
