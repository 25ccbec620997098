/**
 * A second SQLite connection in a worker thread, for the replay cache
 * contract: a real second process's connection blocks in its own thread while
 * it waits for the file's write lock (busy_timeout), as this one does. Two
 * connections on one thread would wait on each other: the first commits its
 * turn's transaction only when the thread is free again.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { ReplayCache } from '../../src/core/replays.js';
import { openDatabase } from '../../src/storage/sql/connect.js';

type Call = { id: number; method: 'firstUse' | 'deleteExpired'; args: unknown[] };
type Answer = { id: number; value?: unknown; error?: string };

if (!isMainThread && (workerData as { replaysPeer?: string } | null)?.replaysPeer !== undefined) {
  const database = await openDatabase((workerData as { replaysPeer: string }).replaysPeer, { migrate: false });
  const cache = database.stores.replays as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  parentPort!.on('message', (call: Call | 'close') => {
    if (call === 'close') return void database.close().then(() => parentPort!.close());
    cache[call.method]!(...call.args).then(
      (value) => parentPort!.postMessage({ id: call.id, value } satisfies Answer),
      (error: unknown) => parentPort!.postMessage({ id: call.id, error: String((error as { code?: string }).code ?? error) } satisfies Answer),
    );
  });
  parentPort!.postMessage('ready');
}

/** The replay cache of a connection opened in a worker thread; `close` ends the worker. */
export async function replayCacheInWorker(url: string): Promise<{ cache: ReplayCache; close(): Promise<void> }> {
  // The worker loads this TypeScript file through tsx's loader, registered in the thread first.
  const boot = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); })`;
  const worker = new Worker(boot, { eval: true, workerData: { replaysPeer: url } });
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let next = 0;
  await new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', () => resolve());
  });
  worker.on('message', (answer: Answer) => {
    const waiter = pending.get(answer.id)!;
    pending.delete(answer.id);
    if (answer.error === undefined) waiter.resolve(answer.value);
    else waiter.reject(new Error(answer.error));
  });
  const call = <R>(method: Call['method'], ...args: unknown[]) =>
    new Promise<R>((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ id, method, args } satisfies Call);
    });
  return {
    cache: {
      firstUse: (key, expiresAt, now) => call<boolean>('firstUse', key, expiresAt, now),
      deleteExpired: (now, limit) => call<number>('deleteExpired', now, limit),
    },
    close: async () => {
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.postMessage('close');
      await exited;
    },
  };
}
