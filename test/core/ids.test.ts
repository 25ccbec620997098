import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextId } from '../../src/core/ids.js';

describe('nextId', () => {
  it('strictly increases, even within one millisecond and when the clock steps back', () => {
    const now = Date.now();
    const times = [now, now, now, now - 5_000, now + 1, now + 1, now - 1];
    let previous = 0;
    for (let round = 0; round < 1_000; round += 1) {
      for (const time of times) {
        const id = nextId(time);
        assert.ok(id > previous, `${id} should exceed ${previous}`);
        previous = id;
      }
    }
  });
  it('stays a safe integer below 2^53, today and in 2090', () => {
    for (const time of [Date.now(), Date.UTC(2090, 0, 1)]) {
      const id = nextId(time);
      assert.ok(Number.isSafeInteger(id) && id > 0 && id < 2 ** 53, String(id));
    }
  });
});
