/**
 * The better-sqlite3 handle as Kysely's SQLite dialect sees it, with each
 * statement prepared once. Kysely's driver calls `prepare(sql)` for every
 * query it runs; better-sqlite3's prepare (SQLite's sqlite3_prepare_v3: parse,
 * plan, allocate) was 11 % of a mixed server profile (docs/performance.md) for
 * queries whose text never changes — Kysely compiles values to parameters, so
 * one query shape is one SQL string. Statements are kept per SQL text, the
 * oldest dropped past `max` (IN-lists of varying length make new texts).
 * A statement still being iterated (`busy`) is not shared: that query gets a
 * fresh one. SQLite re-prepares a kept statement itself after a schema change.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

export function preparingOnce(raw: BetterSqlite3.Database, max = 512): SqliteDatabase {
  const kept = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => raw.close(),
    prepare(sql: string): SqliteStatement {
      const statement = kept.get(sql);
      if (statement !== undefined && !statement.busy) return statement;
      const fresh = raw.prepare(sql);
      if (statement === undefined) {
        if (kept.size >= max) kept.delete(kept.keys().next().value!);
        kept.set(sql, fresh);
      }
      return fresh;
    },
  };
}
