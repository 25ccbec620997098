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

  /** Flushes now what is waiting (also used to order a later write after pending inserts). */
  async flush(): Promise<void> {
    this.scheduled = false;
    if (this.items.length === 0) return;
    const items = this.items;
    const waiters = this.waiters;
    this.items = [];
    this.waiters = [];
    try {
      const results = await this.flushAll(items);
      waiters.forEach((waiter, index) => waiter.resolve(results[index]!));
    } catch (error) {
      for (const waiter of waiters) waiter.reject(error);
    }
  }
}
