/**
 * `gatehouse serve --workers N`: one process per core on one machine
 * (node:cluster). The primary applies migrations once, then forks N workers
 * that share the listening port (the primary hands connections out) and
 * restarts any worker that dies. Workers are ordinary instances: sessions
 * are signed cookies and every piece of state is in the database (or Redis),
 * so it does not matter which worker a request reaches.
 *
 * On SQLite it works (WAL: readers never wait; busy_timeout: a writer waits
 * for the write lock instead of failing), but every write of every worker
 * takes the one write lock of the file in turn, so more workers add read
 * capacity, not write capacity (README "Scale-out").
 */
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { openDatabase } from './storage/sql/connect.js';

/** A worker that dies sooner than this after it started is restarted only after RESTART_DELAY_MS (no fork loop). */
const QUICK_DEATH_MS = 5_000;
const RESTART_DELAY_MS = 1_000;

export function isWorker(): boolean {
  return cluster.isWorker;
}

/** The process that does start-up chores (the first-run link): a lone server, or the first worker forked. */
export function isFirstProcess(): boolean {
  return !cluster.isWorker || cluster.worker?.id === 1;
}

export async function runPrimary(config: Readonly<Config>, workers: number, logger: Logger): Promise<void> {
  // Migrations once, before any worker opens the database (workers find nothing pending).
  const database = await openDatabase(config.databaseUrl, { poolSize: 1 });
  await database.close();

  let stopping = false;
  const started = new Map<Worker, { number: number; at: number }>();
  const fork = (number: number) => {
    const worker = cluster.fork();
    started.set(worker, { number, at: Date.now() });
  };

  cluster.on('exit', (worker, code, signal) => {
    const info = started.get(worker);
    started.delete(worker);
    if (stopping || info === undefined) {
      if (started.size === 0) process.exit(0);
      return;
    }
    logger.error({ worker: info.number, pid: worker.process.pid, code, signal }, 'worker died; starting another');
    const delay = Date.now() - info.at < QUICK_DEATH_MS ? RESTART_DELAY_MS : 0;
    setTimeout(() => {
      if (!stopping) fork(info.number);
    }, delay);
  });

  for (let number = 1; number <= workers; number += 1) fork(number);
  logger.info({ workers, database: config.databaseUrl.replace(/\/\/[^@/]*@/, '//***@') }, 'gatehouse primary started its workers');

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping workers');
    if (started.size === 0) process.exit(0);
    for (const worker of started.keys()) worker.process.kill('SIGTERM');
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}
