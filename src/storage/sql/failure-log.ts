/**
 * The console's "recent failures" in the database: they survive a restart and
 * every instance sees every instance's failures. Writes happen after the
 * response (a failed request never waits on its own bookkeeping), one at a
 * time and in order; reads wait for this instance's pending writes, so a
 * developer who reloads the console right after a failure sees it.
 *
 * Bounded: only apps that exist are recorded (a client_id is attacker-chosen),
 * and each insert prunes the app's rows beyond the newest PER_APP.
 */
import type { Kysely } from 'kysely';
import type { AppStore } from '../../core/ports.js';
import type { FailureLog, FailureRecord } from '../../core/failures.js';
import type { Database } from './schema.js';

export const PER_APP = 50;
/** Failures waiting to be written, at most. */
const MAX_QUEUED = 1000;

interface RecentFailuresTable {
  id: import('kysely').Generated<number>;
  client_id: string;
  endpoint: string;
  code: string;
  description: string;
  detail: string | null;
  at: number;
  request_id: string;
}

type Tables = Database & { recent_failures: RecentFailuresTable };

export class SqlFailureLog implements FailureLog {
  private readonly db: Kysely<Tables>;
  /** Writes go one at a time, in order: a flood of failures takes one connection, not the pool. */
  private tail: Promise<void> = Promise.resolve();
  private queued = 0;

  constructor(
    db: Kysely<Database>,
    private readonly apps: Pick<AppStore, 'findApp'>,
    private readonly onError: (error: unknown) => void = () => {},
  ) {
    this.db = db.withTables<{ recent_failures: RecentFailuresTable }>();
  }

  record(failure: FailureRecord): void {
    // Diagnostics, not an audit log: under a flood, drop rather than queue without bound.
    if (this.queued >= MAX_QUEUED) return;
    this.queued++;
    this.tail = this.tail
      .then(() => this.write(failure))
      .catch(this.onError)
      .finally(() => {
        this.queued--;
      });
  }

  private async write(failure: FailureRecord): Promise<void> {
    if ((await this.apps.findApp(failure.clientId)) === undefined) return;
    await this.db
      .insertInto('recent_failures')
      .values({
        client_id: failure.clientId,
        endpoint: failure.endpoint,
        code: failure.code,
        description: failure.description.slice(0, 1000),
        detail: failure.detail === undefined ? null : failure.detail.slice(0, 2000),
        at: failure.at,
        request_id: failure.requestId,
      })
      .execute();
    // Keep the newest PER_APP of this app: the row at offset PER_APP and every older one go.
    const boundary = await this.db
      .selectFrom('recent_failures')
      .select('id')
      .where('client_id', '=', failure.clientId)
      .orderBy('id', 'desc')
      .limit(1)
      .offset(PER_APP)
      .executeTakeFirst();
    if (boundary !== undefined) {
      await this.db.deleteFrom('recent_failures').where('client_id', '=', failure.clientId).where('id', '<=', boundary.id).execute();
    }
  }

  async flush(): Promise<void> {
    await this.tail;
  }

  async recent(clientId: string): Promise<FailureRecord[]> {
    await this.flush();
    const rows = await this.db
      .selectFrom('recent_failures')
      .selectAll()
      .where('client_id', '=', clientId)
      .orderBy('id', 'desc')
      .limit(PER_APP)
      .execute();
    return rows.map((row) => ({
      clientId: row.client_id,
      endpoint: row.endpoint,
      code: row.code,
      description: row.description,
      detail: row.detail ?? undefined,
      at: Number(row.at),
      requestId: row.request_id,
    }));
  }
}
