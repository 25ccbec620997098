/**
 * `gatehouse migrate` is safe while other instances start or migrate: two
 * runs at once on a fresh database both succeed and apply each migration
 * once (PostgreSQL: Kysely's advisory lock; SQLite: BEGIN IMMEDIATE), and
 * installations in two schemas of one PostgreSQL database keep their
 * migration bookkeeping apart.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { openDatabase, type OpenedDatabase } from '../../src/storage/sql/connect.js';
import { migrateToLatest } from '../../src/storage/sql/migrate.js';
import { migrations } from '../../src/storage/sql/migrations/index.js';
import { createTestSchema, tablesIn } from './pg-schema.js';
import { withPostgres } from './pg-suite.js';

const names = Object.keys(migrations);
const CLI = join(import.meta.dirname, '../../src/cli.ts');

async function appliedMigrations(database: OpenedDatabase): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(database.db);
  return rows.map((row) => row.name);
}

describe('SQLite: two `gatehouse migrate` processes at once on a fresh file', () => {
  it('both succeed and every migration is applied once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-migrate-race-'));
    try {
      const url = `sqlite:${join(dir, 'race.db')}`;
      const run = () => promisify(execFile)(process.execPath, ['--import', 'tsx', CLI, 'migrate', '--database', url]);
      const results = await Promise.all([run(), run()]);
      for (const { stdout } of results) assert.match(stdout, /migrations applied/);
      const database = await openDatabase(url, { migrate: false });
      try {
        assert.deepEqual(await appliedMigrations(database), names);
      } finally {
        await database.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

withPostgres('PostgreSQL: concurrent migrations', (base) => {
  describe('PostgreSQL: concurrent migrations', () => {
    it('two instances migrating one fresh schema at once: one applies everything, the other waits and finds nothing to do', async () => {
      const schema = await createTestSchema(base);
      const [a, b] = [await openDatabase(schema.url, { migrate: false }), await openDatabase(schema.url, { migrate: false })];
      try {
        const results = await Promise.all([migrateToLatest(a.db), migrateToLatest(b.db)]);
        const applied = results.map((result) => (result.results ?? []).map((r) => `${r.migrationName}:${r.status}`));
        assert.deepEqual(applied.flat().sort(), names.map((name) => `${name}:Success`).sort());
        assert.ok(applied.some((list) => list.length === 0), JSON.stringify(applied));
        assert.deepEqual(await appliedMigrations(a), names);
      } finally {
        await a.close();
        await b.close();
        await schema.drop();
      }
    });

    it('a second schema in the same database gets its own tables and bookkeeping', async () => {
      const [first, second] = [await createTestSchema(base), await createTestSchema(base)];
      try {
        for (const schema of [first, second]) {
          const database = await openDatabase(schema.url);
          try {
            assert.deepEqual(await appliedMigrations(database), names);
          } finally {
            await database.close();
          }
        }
        for (const schema of [first, second]) {
          const tables = await tablesIn(base, schema.name);
          for (const table of ['kysely_migration', 'tokens', 'device_codes']) assert.ok(tables.includes(table), `${table} in ${schema.name}`);
        }
      } finally {
        await first.drop();
        await second.drop();
      }
    });
  });
});
