/**
 * Every write of one event-loop turn on the SQLite handle, in one transaction
 * (PERFORMANCE-NOTES.md: a commit per request, not the write itself, is what
 * costs). The first write of a turn opens the transaction (BEGIN IMMEDIATE:
 * the write lock up front, other processes share the file); each write runs
 * at once inside it; the transaction commits at the end of the turn
 * (setImmediate).
 *
 * - `write(op)` settles once the commit that carried it is done: what is
 *   answered to a client (a token) is durable before the answer.
 * - `decide(op)` returns the write's result at once: for single-use
 *   consumption, whose result (won or lost) is final within the transaction,
 *   so that the tokens it allows are inserted in the same turn. Nothing is
 *   answered from it alone: the answer waits on the tokens' `write`, in the
 *   same or a later commit.
 *
 * A write that fails on a constraint fails alone (SQLite undoes only that
 * statement); a write of several statements must be atomic itself (a
 * better-sqlite3 transaction function called here runs as a SAVEPOINT). When
 * SQLite rolls the whole transaction back (disk full, I/O error) or the
 * COMMIT fails, every write of the turn fails with that error.
 */
import type BetterSqlite3 from 'better-sqlite3';

interface Waiter {
  value: unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class SqliteTurnWriter {
  private open = false;
  /** Set when SQLite rolled the turn's transaction back: every later write of the turn fails. */
  private failure: { error: unknown } | undefined;
  private waiters: Waiter[] = [];
  private readonly begin: BetterSqlite3.Statement;
  private readonly commit: BetterSqlite3.Statement;
  private readonly rollback: BetterSqlite3.Statement;

  constructor(private readonly raw: BetterSqlite3.Database) {
    this.begin = raw.prepare('BEGIN IMMEDIATE');
    this.commit = raw.prepare('COMMIT');
    this.rollback = raw.prepare('ROLLBACK');
  }

  /** Runs `op` in this turn's transaction; resolves with its result after the commit. */
  write<R>(op: () => R): Promise<R> {
    let value: R;
    try {
      value = this.run(op);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<R>((resolve, reject) => this.waiters.push({ value, resolve: resolve as (value: unknown) => void, reject }));
  }

  /** Runs `op` in this turn's transaction and returns its result now; it becomes durable with the turn's commit. */
  decide<R>(op: () => R): R {
    return this.run(op);
  }

  /** Commits the turn's transaction now (a revocation first makes every earlier write durable). */
  flush(): void {
    if (!this.open) return;
    this.open = false;
    const waiters = this.waiters;
    const failure = this.failure;
    this.waiters = [];
    this.failure = undefined;
    let error: unknown;
    if (failure !== undefined) error = failure.error;
    else {
      try {
        this.commit.run();
      } catch (commitError) {
        error = commitError;
        if (this.raw.inTransaction) this.rollback.run();
      }
    }
    for (const waiter of waiters) {
      if (error === undefined) waiter.resolve(waiter.value);
      else waiter.reject(error);
    }
  }

  private run<R>(op: () => R): R {
    if (!this.open) {
      this.begin.run(); // may throw SQLITE_BUSY after busy_timeout: the write fails, nothing is open
      this.open = true;
      setImmediate(() => this.flush());
    }
    if (this.failure !== undefined) throw this.failure.error;
    try {
      return op();
    } catch (error) {
      // SQLITE_FULL, IOERR… may roll the whole transaction back: the turn is lost.
      if (!this.raw.inTransaction) this.failure = { error };
      throw error;
    }
  }
}
