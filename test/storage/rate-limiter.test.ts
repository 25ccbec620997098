import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryRateLimiter } from '../../src/storage/memory/rate-limiter.js';
import { fakeClock } from '../helpers/fixtures.js';

function limiter() {
  const clock = fakeClock();
  return { clock, limiter: new MemoryRateLimiter(clock.now) };
}

describe('MemoryRateLimiter', () => {
  it('allows `limit` hits in a window and denies the next with the seconds left (SPEC §3: the 6th wrong user code in 10 minutes)', async () => {
    const { clock, limiter: rl } = limiter();
    for (let i = 0; i < 5; i += 1) assert.equal((await rl.hit('ip:1', 5, 600)).allowed, true);
    clock.advance(100);
    assert.deepEqual(await rl.hit('ip:1', 5, 600), { allowed: false, retryAfter: 500 });
  });
  it('opens a new window once the old one ends', async () => {
    const { clock, limiter: rl } = limiter();
    for (let i = 0; i < 6; i += 1) await rl.hit('ip:1', 5, 600);
    clock.advance(600);
    assert.equal((await rl.hit('ip:1', 5, 600)).allowed, true);
  });
  it('keeps keys apart', async () => {
    const { limiter: rl } = limiter();
    for (let i = 0; i < 6; i += 1) await rl.hit('ip:1', 5, 600);
    assert.equal((await rl.hit('ip:2', 5, 600)).allowed, true);
  });
  it('peeks at whether the next hit would pass without counting one', async () => {
    const { limiter: rl } = limiter();
    assert.equal((await rl.peek('ip:1', 2)).allowed, true);
    await rl.hit('ip:1', 2, 60);
    for (let i = 0; i < 3; i += 1) assert.equal((await rl.peek('ip:1', 2)).allowed, true);
    await rl.hit('ip:1', 2, 60);
    assert.deepEqual(await rl.peek('ip:1', 2), { allowed: false, retryAfter: 60 });
  });
  it('forgets a key on reset', async () => {
    const { limiter: rl } = limiter();
    for (let i = 0; i < 6; i += 1) await rl.hit('ip:1', 5, 600);
    await rl.reset('ip:1');
    assert.equal((await rl.hit('ip:1', 5, 600)).allowed, true);
  });
});
