/**
 * Refresh grace (SPEC §8, `clients create --refresh-grace SECONDS`): within
 * the window after a refresh token is used, the same app presenting it again
 * gets exactly the answer of the first use, and nothing is revoked — the fix
 * for parallel tabs and lost responses (RFC 9700 §4.14.2 allows it: "the
 * authorization server MAY allow a grace period"). After the window, reuse is
 * a replay again (expired_token and the family revoked, SPEC §3).
 *
 * No token is ever stored in clear: the answer is sealed (AES-256-GCM) under a
 * key derived by HKDF-SHA256 from the used refresh token's own secret, which
 * the server never keeps (only its hash). Only a holder of that refresh token
 * can open it, and no server secret is needed.
 *
 * Racing uses (50 tabs at once): in one process the first request leads and
 * the others wait for it (no store polling); a request that finds the token
 * spent by another instance before its answer is stored polls the store for a
 * bounded time (POLL_DELAYS_MS, about 2.5 s in all).
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { TokenResponse } from './issue.js';
import type { App, TokenRecord } from './model.js';
import type { TokenStore } from './ports.js';

const VERSION = 'v1';

/** What a first use answered, and the DPoP key it was bound to (null: Bearer), which a reuse must present again. */
export interface StoredAnswer {
  answer: TokenResponse;
  jkt: string | null;
}
const SALT = Buffer.from('gatehouse refresh grace', 'utf8');

function answerKey(secret: string, tokenId: number): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), SALT, Buffer.from(`answer ${VERSION} ${tokenId}`, 'utf8'), 32));
}

/** The answer (and its DPoP key) sealed for the holder of refresh token `tokenId` (whose secret is `secret`). */
export function sealAnswer(secret: string, tokenId: number, answer: TokenResponse, jkt: string | null = null): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', answerKey(secret, tokenId), iv);
  // The token id as additional data: a sealed answer copied to another row does not open.
  cipher.setAAD(Buffer.from(String(tokenId), 'utf8'));
  const body = Buffer.concat([cipher.update(JSON.stringify({ answer, jkt } satisfies StoredAnswer), 'utf8'), cipher.final()]);
  return [VERSION, ...[iv, cipher.getAuthTag(), body].map((part) => part.toString('base64url'))].join('.');
}

/** The answer, or undefined when `secret` is not the one it was sealed for (or the text is not a sealed answer). */
export function openAnswer(secret: string, tokenId: number, sealed: string): StoredAnswer | undefined {
  const [version, iv, tag, body] = sealed.split('.');
  if (version !== VERSION || iv === undefined || tag === undefined || body === undefined) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', answerKey(secret, tokenId), Buffer.from(iv, 'base64url'), { authTagLength: 16 });
    decipher.setAAD(Buffer.from(String(tokenId), 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return JSON.parse(Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8')) as StoredAnswer;
  } catch {
    return undefined;
  }
}

/** Whether a used refresh token is still inside its app's window (and its family was not revoked meanwhile). */
export function withinGrace(app: Pick<App, 'refreshGrace'>, token: Pick<TokenRecord, 'consumedAt' | 'revokedAt'>, now: number): boolean {
  return app.refreshGrace > 0 && token.consumedAt !== null && token.revokedAt === null && now - token.consumedAt <= app.refreshGrace * 1000;
}

/** When the answer expires: the end of the window that the use at `usedAt` opened. */
export function answerExpiresAt(app: Pick<App, 'refreshGrace'>, usedAt: number): number {
  return usedAt + app.refreshGrace * 1000;
}

/** The refresh in progress in this process, per refresh token id: later requests wait for it. */
const inProgress = new Map<number, Promise<unknown>>();

/**
 * Runs the refresh of token `tokenId` as the leader in this process (`lead`:
 * consume, issue, seal and store the answer), or, when a refresh of it is
 * already running here, waits for that one and answers what it stored.
 */
export async function leadOrFollow(tokenId: number, lead: () => Promise<TokenResponse>, follow: () => Promise<TokenResponse>): Promise<TokenResponse> {
  const running = inProgress.get(tokenId);
  if (running !== undefined) {
    await running.catch(() => undefined);
    return follow();
  }
  // Registered before the first await, so every request of this process after this one follows.
  const work = lead();
  inProgress.set(tokenId, work);
  try {
    return await work;
  } finally {
    if (inProgress.get(tokenId) === work) inProgress.delete(tokenId);
  }
}

/** Waits between store reads while another instance stores its answer (ms; about 2.5 s in all). */
const POLL_DELAYS_MS = [0, 10, 20, 40, 80, 160, 250, 250, 250, 250, 250, 250, 250, 250, 250];

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The stored answer of the first use, opened with the presented secret, once
 * any refresh of it in this process has finished; undefined when none appears
 * within the bound (the first use failed, or its instance died).
 */
export async function storedAnswer(
  tokens: Pick<TokenStore, 'findRefreshAnswer'>,
  tokenId: number,
  secret: string,
  now: number,
  /** False for the leader itself, which lost the consume to another instance (it must not wait for itself). */
  waitForLocal = true,
): Promise<StoredAnswer | undefined> {
  if (waitForLocal) await inProgress.get(tokenId)?.catch(() => undefined);
  for (const delay of POLL_DELAYS_MS) {
    if (delay > 0) await sleep(delay);
    const sealed = await tokens.findRefreshAnswer(tokenId, now);
    if (sealed !== undefined) return openAnswer(secret, tokenId, sealed);
  }
  return undefined;
}
