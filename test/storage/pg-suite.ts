import { test } from 'node:test';
import { PG_SKIP_MESSAGE, PG_URL } from './pg-schema.js';

/**
 * Registers a PostgreSQL suite when GATEHOUSE_TEST_DATABASE_URL is set;
 * otherwise a passing test named `label` that prints why it did not run.
 */
export function withPostgres(label: string, register: (base: string) => void): void {
  if (PG_URL === undefined) {
    test(label, (t) => {
      t.diagnostic(PG_SKIP_MESSAGE);
      console.log(PG_SKIP_MESSAGE);
    });
    return;
  }
  register(PG_URL);
}
