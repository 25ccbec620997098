/**
 * Initial access tokens (RFC 7591 §3, "token" mode of SPEC §9): made by an
 * operator with `gatehouse registration-tokens create`, presented as
 * `Authorization: Bearer` to the registration endpoint. A token is `id.secret`
 * (the id finds the row, only SHA-256 of the secret is kept and compared in
 * constant time), has a number of uses and an expiry; a use is one atomic
 * statement, so N uses admit exactly N registrations however many race.
 */
import { formatToken, hashSecret, mintSecret, parseToken, secretMatches } from './tokens.js';

export interface InitialAccessToken {
  id: number;
  secretHash: string;
  usesLeft: number;
  expiresAt: number;
  createdAt: number;
}

export interface InitialAccessTokenStore {
  /** Stores a new token and returns its id. */
  saveInitialAccessToken(token: Omit<InitialAccessToken, 'id'>): Promise<number>;
  findInitialAccessToken(id: number): Promise<InitialAccessToken | undefined>;
  /** Uses one: true for at most `usesLeft` callers, and only before `expiresAt` (UPDATE … WHERE uses_left > 0 AND expires_at > now). */
  useInitialAccessToken(id: number, now: number): Promise<boolean>;
  /** Deletes up to `limit` tokens expired or used up at `now` (the cleanup job); returns how many. */
  deleteSpentInitialAccessTokens(now: number, limit: number): Promise<number>;
}

/** SPEC §9: `registration-tokens create` defaults. */
export const INITIAL_ACCESS_TOKEN_DEFAULTS = { uses: 1, expiresSeconds: 86_400 } as const;

export async function createInitialAccessToken(
  store: Pick<InitialAccessTokenStore, 'saveInitialAccessToken'>,
  options: { uses: number; expiresSeconds: number; now: number },
): Promise<{ token: string; uses: number; expiresAt: number }> {
  if (!Number.isInteger(options.uses) || options.uses < 1) throw new Error('--uses must be a whole number of 1 or more');
  if (!Number.isInteger(options.expiresSeconds) || options.expiresSeconds < 1) throw new Error('--expires must be a whole number of seconds of 1 or more');
  const secret = mintSecret();
  const expiresAt = options.now + options.expiresSeconds * 1000;
  const id = await store.saveInitialAccessToken({ secretHash: hashSecret(secret), usesLeft: options.uses, expiresAt, createdAt: options.now });
  return { token: formatToken(id, secret), uses: options.uses, expiresAt };
}

/** Spends one use of the presented token; false for an unknown, wrong, used-up or expired one. */
export async function spendInitialAccessToken(store: Pick<InitialAccessTokenStore, 'findInitialAccessToken' | 'useInitialAccessToken'>, presented: string, now: number): Promise<boolean> {
  const parsed = parseToken(presented);
  if (parsed === undefined) return false;
  const row = await store.findInitialAccessToken(parsed.id);
  if (row === undefined || !secretMatches(parsed.secret, row.secretHash)) return false;
  return store.useInitialAccessToken(parsed.id, now);
}
