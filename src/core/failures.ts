/**
 * The console's "recent failures" (and the admin API's): the last failed
 * requests of each app, with the private detail (never a secret) that tells
 * its developer what went wrong. The port is here because http writes them,
 * storage keeps them and views show them.
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
