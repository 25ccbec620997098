/**
 * Groups the items added during one event-loop turn and hands them to one
 * flush (PERFORMANCE-NOTES.md: one transaction per turn doubles durable
 * token throughput). Each caller's promise settles with its own result once
 * the flush that carried its item has finished.
 */
export class TurnBatcher<T, R> {
  private items: T[] = [];
  private waiters: { resolve: (value: R) => void; reject: (error: unknown) => void }[] = [];
  private scheduled = false;
  /** Settles when every flush started so far has finished. */
  private inFlight: Promise<void> = Promise.resolve();

  constructor(private readonly flushAll: (items: T[]) => Promise<R[]> | R[]) {}

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.items.push(item);
      this.waiters.push({ resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  /**
   * Flushes now what is waiting and resolves once every flush started so far
   * has finished: a later write (a revocation) awaits it to be ordered after
   * every insert added before it. A synchronous `flushAll` (SQLite) has
   * written its rows before this returns.
   */
  flush(): Promise<void> {
    this.scheduled = false;
    if (this.items.length === 0) return this.inFlight;
    const items = this.items;
    const waiters = this.waiters;
    this.items = [];
    this.waiters = [];
    const run = (async () => {
      try {
        const results = await this.flushAll(items);
        waiters.forEach((waiter, index) => waiter.resolve(results[index]!));
      } catch (error) {
        for (const waiter of waiters) waiter.reject(error);
      }
    })();
    this.inFlight = Promise.all([this.inFlight, run]).then(() => undefined);
    return this.inFlight;
  }
}
