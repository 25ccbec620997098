/**
 * The console's "recent failures": the last failed requests of each app, with
 * the private detail (never a secret) that tells its developer what went wrong.
 * This one keeps them in memory, a bounded ring per app (tests, apps built
 * without a database); servers use the SQL one (storage/sql/failure-log.ts).
 */
export interface FailureRecord {
  clientId: string;
  endpoint: string;
  code: string;
  description: string;
  detail: string | undefined;
  at: number;
  requestId: string;
}

export interface FailureLog {
  record(failure: FailureRecord): void;
  recent(clientId: string): Promise<FailureRecord[]>;
  /** Waits for writes still in flight (before the database closes). */
  flush?(): Promise<void>;
}

const PER_APP = 50;
const MAX_APPS = 10_000;

export class MemoryFailureLog implements FailureLog {
  private readonly byApp = new Map<string, FailureRecord[]>();

  record(failure: FailureRecord): void {
    let list = this.byApp.get(failure.clientId);
    if (list === undefined) {
      // Unknown client_ids are attacker-controlled: bound the number of keys.
      if (this.byApp.size >= MAX_APPS) this.byApp.delete(this.byApp.keys().next().value!);
      list = [];
      this.byApp.set(failure.clientId, list);
    }
    list.push(failure);
    if (list.length > PER_APP) list.shift();
  }

  async recent(clientId: string): Promise<FailureRecord[]> {
    return [...(this.byApp.get(clientId) ?? [])].reverse();
  }
}
