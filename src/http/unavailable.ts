/**
 * Failures of the database rather than of the request: PostgreSQL gone
 * (refused, reset, terminated, shutting down) or SQLite unable to write
 * (read-only, disk full, locked, I/O error). They are answered 503
 * temporarily_unavailable with Retry-After (RFC 6749 §4.1.2.1 names the
 * code), never a 500: the request was fine and may be retried.
 */
import { OAuthError } from '../core/errors.js';

const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// SQLSTATE classes 08 (connection exception) and 57P0x (operator intervention: shutdown, restart).
const PG_STATE = /^(08|57P0)/;
const PG_MESSAGE = /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|the database system is (starting up|shutting down)/i;
const SQLITE = /^SQLITE_(READONLY|FULL|BUSY|LOCKED|IOERR|CANTOPEN|NOMEM)/;

export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 3) return false;
  const { code, message, cause } = error as { code?: unknown; message?: unknown; cause?: unknown };
  if (typeof code === 'string' && (NETWORK.has(code) || SQLITE.test(code) || PG_STATE.test(code))) return true;
  if (typeof message === 'string' && PG_MESSAGE.test(message)) return true;
  if (error instanceof AggregateError && error.errors.some((inner) => isDatabaseUnavailable(inner, depth + 1))) return true;
  return isDatabaseUnavailable(cause, depth + 1);
}

export function unavailableError(cause: unknown): OAuthError {
  return new OAuthError('temporarily_unavailable', 'the server cannot reach its database right now; retry in a moment', {
    detail: cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause),
    retryAfter: 1,
  });
}
