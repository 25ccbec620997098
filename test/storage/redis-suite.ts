import { test } from 'node:test';

export const REDIS_URL = process.env['GATEHOUSE_TEST_REDIS_URL'];
export const REDIS_SKIP_MESSAGE = 'skipping Redis suite: set GATEHOUSE_TEST_REDIS_URL (e.g. redis://127.0.0.1:6379)';

/**
 * Registers a Redis suite when GATEHOUSE_TEST_REDIS_URL is set; otherwise a
 * passing test named `label` that prints why it did not run (the twin of withPostgres).
 */
export function withRedis(label: string, register: (url: string) => void): void {
  if (REDIS_URL === undefined) {
    test(label, (t) => {
      t.diagnostic(REDIS_SKIP_MESSAGE);
      console.log(REDIS_SKIP_MESSAGE);
    });
    return;
  }
  register(REDIS_URL);
}
