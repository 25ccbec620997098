/**
 * The console's "recent failures" in the database: they survive a restart and
 * every instance sees every instance's failures. Writes happen after the
 * response (a failed request never waits on its own bookkeeping); reads wait
 * for this instance's pending writes, so a developer who reloads the console
 * right after a failure sees it.
 *
 * Bounded: only apps that exist are recorded (a client_id is attacker-chosen),
 * and each insert prunes the app's rows beyond the newest PER_APP.
 */
import type { Kysely } from 'kysely';
import type { AppStore } from '../../core/ports.js';
import type { FailureLog, FailureRecord } from '../../http/failure-log.js';
import type { Database } from './schema.js';

export const PER_APP = 50;

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
  private readonly pending = new Set<Promise<void>>();

  constructor(
    db: Kysely<Database>,
    private readonly apps: Pick<AppStore, 'findApp'>,
    private readonly onError: (error: unknown) => void = () => {},
  ) {
    this.db = db.withTables<{ recent_failures: RecentFailuresTable }>();
  }

  record(failure: FailureRecord): void {
    const write = this.write(failure).catch(this.onError);
    this.pending.add(write);
    void write.finally(() => this.pending.delete(write));
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
    await Promise.all([...this.pending]);
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
