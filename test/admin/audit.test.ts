/**
 * The audit trail through the API on a real server, SQLite and PostgreSQL:
 * concurrent creates and updates leave exactly one event per change, and no
 * event ever holds a secret or a password.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { withPostgres } from '../storage/pg-suite.js';
import { createTestSchema, type TestSchema } from '../storage/pg-schema.js';
import { adminFixture, type AdminFixture } from './helpers.js';

function auditSuite(name: string, databaseUrl: () => string | undefined) {
  describe(`admin API audit trail on ${name}`, () => {
    let f: AdminFixture;
    before(async () => {
      const url = databaseUrl();
      f = await adminFixture(url === undefined ? {} : { databaseUrl: url });
    });
    after(() => f.close());

    it('writes exactly one event per change under 20 concurrent creates and 20 concurrent updates', async () => {
      const base = await f.call('POST', '/admin/v1/apps', { name: 'Shared', root_domain: 'shared.com' });
      const shared = base.json.client_id as string;
      const answers = await Promise.all([
        ...Array.from({ length: 20 }, (_, i) => f.call('POST', '/admin/v1/apps', { name: `Concurrent ${i}`, root_domain: 'partner.com' })),
        ...Array.from({ length: 20 }, (_, i) => f.call('PATCH', `/admin/v1/apps/${shared}`, { name: `Shared ${i}` })),
      ]);
      assert.deepEqual(answers.map((answer) => answer.status), [...Array(20).fill(201), ...Array(20).fill(200)]);
      const created = new Set(answers.slice(0, 20).map((answer) => answer.json.client_id as string));
      const events: any[] = [];
      let cursor: string | null = null;
      do {
        const page = await f.call('GET', `/admin/v1/audit?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
        assert.equal(page.status, 200);
        events.push(...page.json.items);
        cursor = page.json.next_cursor;
      } while (cursor !== null);
      const ids = events.map((event) => Number(event.id));
      assert.deepEqual(ids, [...ids].sort((a, b) => b - a), 'newest first, no repeats across pages');
      assert.equal(new Set(ids).size, ids.length);
      const creates = events.filter((event) => event.action === 'app.create' && created.has(event.target.id));
      assert.equal(creates.length, 20);
      assert.equal(new Set(creates.map((event) => event.target.id)).size, 20);
      assert.equal(events.filter((event) => event.action === 'app.update' && event.target.id === shared).length, 20);
      assert.equal(new Set(events.filter((event) => event.target.id === shared).map((event) => event.request_id)).size, 21, 'each change its own request');
    });

    it('never writes a secret or a password into an event', async () => {
      const password = 'a password nobody guesses 7';
      const created = await f.call('POST', '/admin/v1/apps', { name: 'Secretive', root_domain: 'partner.com' });
      const rotated = await f.call('POST', `/admin/v1/apps/${created.json.client_id}/rotate-secret`);
      const user = await f.call('POST', '/admin/v1/users', { username: `secretive-${name}`, password });
      await f.call('PATCH', `/admin/v1/users/${user.json.uid}`, { password: `${password} again` });
      const all = JSON.stringify((await f.server.instance.services.stores.audit.listEvents({ limit: 10_000 })));
      for (const secret of [created.json.client_secret, rotated.json.client_secret, password, f.admin.clientSecret, f.token]) {
        assert.equal(typeof secret, 'string');
        assert.ok(!all.includes(secret), 'no secret in the audit trail');
      }
      // …nor the secret's hash, the password's hash, or the token's secret half.
      const stored = await f.server.instance.services.stores.users.findUserByUid(user.json.uid);
      assert.ok(!all.includes(stored!.passwordHash));
      assert.ok(!all.includes(f.token.split('.')[1]!));
    });
  });
}

auditSuite('SQLite', () => undefined);

withPostgres('admin API audit trail on PostgreSQL', (base) => {
  let schema: TestSchema | undefined;
  before(async () => {
    schema = await createTestSchema(base);
  });
  after(async () => {
    await schema?.drop();
  });
  auditSuite('PostgreSQL', () => schema!.url);
});
