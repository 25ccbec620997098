/**
 * Every write of one event-loop turn on the SQLite handle, in one transaction
 * (PERFORMANCE-NOTES.md: a commit per request, not the write itself, is what
 * costs). Token inserts, and the single-use consumptions of codes and refresh
 * tokens, queue here; each caller's promise settles once the transaction that
 * carried its write has committed, so nothing is answered before it is durable.
 *
 * A write that fails (a constraint) fails alone: SQLite undoes only that
 * statement and the transaction goes on, so one caller's error never undoes
 * another's write; a write of several statements must be atomic itself (a
 * better-sqlite3 transaction function nested here runs as a SAVEPOINT). When SQLite rolls the whole transaction back (disk full,
 * I/O error) or the COMMIT fails, every caller of the turn gets the error.
 */
import type BetterSqlite3 from 'better-sqlite3';

interface Pending {
  op: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class SqliteTurnWriter {
  private queue: Pending[] = [];
  private scheduled = false;
  private readonly runAll: (queue: Pending[]) => Array<{ ok: true; value: unknown } | { ok: false; error: unknown }>;

  constructor(raw: BetterSqlite3.Database) {
    // BEGIN IMMEDIATE … COMMIT: takes the write lock up front (other processes share the file).
    this.runAll = raw.transaction((queue: Pending[]) =>
      queue.map(({ op }) => {
        try {
          return { ok: true as const, value: op() };
        } catch (error) {
          // SQLITE_FULL, IOERR, BUSY… may roll the whole transaction back:
          // then nothing of this turn is written, and every caller gets that error.
          if (!raw.inTransaction) throw error;
          return { ok: false as const, error };
        }
      }),
    ).immediate;
  }

  /** Runs `op` in this turn's transaction; resolves with its result after the commit. */
  write<R>(op: () => R): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ op, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits what is queued now (a revocation first makes every earlier write visible). */
  flush(): void {
    this.scheduled = false;
    if (this.queue.length === 0) return;
    const queue = this.queue;
    this.queue = [];
    let results: ReturnType<typeof this.runAll>;
    try {
      results = this.runAll(queue);
    } catch (error) {
      for (const pending of queue) pending.reject(error);
      return;
    }
    results.forEach((result, index) => {
      const pending = queue[index]!;
      if (result.ok) pending.resolve(result.value);
      else pending.reject(result.error);
    });
  }
}
