/**
 * Logout (SPEC §7 "Logout"): RP-Initiated Logout 1.0 and Back-Channel Logout 1.0.
 *
 * - Which apps a sign-in session signed in to: one (sid, client_id, uid) row
 *   per app, written when an authorize request of that session completes
 *   (`recordSessionApp`), read when the session ends.
 * - When a session ends (`endSession` for the browser's logout,
 *   `endAppSessions` for revokeAuthorization, `endUserSessions` for a user
 *   disabled or whose password was reset), every app of it that registered a
 *   back-channel logout URI gets one row in the outbox, written before the
 *   caller answers, so nothing is lost to a crash.
 * - `deliverDueLogouts` (run by a periodic job on every instance) claims due
 *   rows exclusively, signs a logout_token at send time and POSTs it through
 *   the `LogoutSender` port (the edge does the HTTP); a 2xx ends the row,
 *   anything else schedules a retry with back-off doubling up to an hour,
 *   and after a day the row is marked failed (kept, not deleted).
 *
 * No HTTP, SQL, jose or environment here: the signer and the sender are ports.
 */
import type { App } from './model.js';
import { openidFor } from './openid.js';
import type { Signer } from './signing.js';
import { randomId } from './tokens.js';

/** Back-Channel Logout 1.0 §2.4: the one event member of a logout token. */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** Back-Channel Logout 1.0 §2.4 (and RFC 8417 §2.3): the logout token's `typ`. */
export const LOGOUT_TOKEN_TYP = 'logout+jwt';
/** A logout token's lifetime: long enough for a slow receiver's clock, short enough that a copy is useless. */
export const LOGOUT_TOKEN_SECONDS = 120;

/** Retry policy (SPEC §7): first retry within 10 s, doubling to an hour, given up after at least a day. */
export const RETRY_BASE_MS = 5_000;
export const RETRY_MAX_MS = 3_600_000;
export const GIVE_UP_AFTER_MS = 24 * 3600 * 1000;
/** How long a claimed delivery is held by the instance sending it (more than the 5 s fetch plus signing); a crash lets it go after that. */
export const CLAIM_LEASE_MS = 30_000;

/** One app a sign-in session signed in to. */
export interface SessionApp {
  sid: string;
  clientId: string;
  uid: string;
  createdAt: number;
}

export interface SessionAppStore {
  /** Records that session `sid` of `uid` signed in to the app; idempotent per (sid, clientId) (the first createdAt stays). */
  recordSessionApp(entry: SessionApp): Promise<void>;
  /** Every app of a session, oldest first. */
  listSessionApps(sid: string): Promise<SessionApp[]>;
  /** Every session-app of a user, of one app when `clientId` is given. */
  listUserSessionApps(uid: string, clientId?: string): Promise<SessionApp[]>;
  /** Forgets the rows of a session, of a user, or of a user at one app; returns how many. */
  deleteSessionApps(filter: { sid: string } | { uid: string; clientId?: string }): Promise<number>;
  /** Deletes up to `limit` rows created before `before` (gc: a session lasts a day). */
  deleteSessionAppsBefore(before: number, limit: number): Promise<number>;
}

export type LogoutDeliveryState = 'pending' | 'delivered' | 'failed';

/** One back-channel logout to deliver: one logout token to one app for one session (or, sid null, for every session of the user there). */
export interface LogoutDelivery {
  id: number;
  clientId: string;
  uid: string;
  /** null: no session of this user at the app is known (the token then carries `sub` only, §2.4). */
  sid: string | null;
  state: LogoutDeliveryState;
  /** Failed attempts so far. */
  attempts: number;
  /** When it may be sent next (while claimed: when the claim lapses). */
  nextAttemptAt: number;
  createdAt: number;
  /** When it was delivered or given up. */
  finishedAt: number | null;
  lastError: string | null;
}

export interface NewLogoutDelivery {
  clientId: string;
  uid: string;
  sid: string | null;
}

/** The outbox; every method that decides something is one atomic statement (test/storage/logout-contract.ts). */
export interface LogoutOutbox {
  /**
   * Writes the rows, due at `now`, committed before it resolves. A (sid, clientId) already in
   * the outbox is not added again: each session is logged out of each app once.
   */
  enqueueLogouts(rows: readonly NewLogoutDelivery[], now: number): Promise<void>;
  /**
   * Claims up to `limit` pending rows due at `now` for this caller only (however many
   * instances race), holding them until `now + leaseMs`; returns them with their claim.
   */
  claimDueLogouts(now: number, leaseMs: number, limit: number): Promise<{ delivery: LogoutDelivery; claim: string }[]>;
  /** Marks a claimed row delivered; false when the claim was lost (lapsed and taken by another). */
  markLogoutDelivered(id: number, claim: string, now: number): Promise<boolean>;
  /** A failed attempt: attempts + 1, due again at `nextAttemptAt`, the reason kept. */
  retryLogout(id: number, claim: string, nextAttemptAt: number, error: string): Promise<boolean>;
  /** Gives up: state failed, the reason kept. */
  failLogout(id: number, claim: string, now: number, error: string): Promise<boolean>;
  findLogout(id: number): Promise<LogoutDelivery | undefined>;
  /** Every row, newest first (operators, tests); `limit` default 100. */
  listLogouts(filter?: { clientId?: string; state?: LogoutDeliveryState; limit?: number }): Promise<LogoutDelivery[]>;
  /** Deletes up to `limit` delivered or failed rows finished before `before` (gc). */
  deleteFinishedLogouts(before: number, limit: number): Promise<number>;
}

/** The slice of the app store logout reads (ports.ts imports this file, so it is not imported from there). */
export interface AppFinder {
  findApp(clientId: string): Promise<App | undefined>;
}

export interface LogoutStores {
  sessionApps: SessionAppStore;
  logouts: LogoutOutbox;
  apps: AppFinder;
}

/** A sign-in session completed an authorize request of the app (authorize.ts calls this). */
export async function recordSessionApp(stores: Pick<LogoutStores, 'sessionApps'>, session: { sid: string; uid: string }, clientId: string, now: number): Promise<void> {
  await stores.sessionApps.recordSessionApp({ sid: session.sid, clientId, uid: session.uid, createdAt: now });
}

/** Queues a logout for each entry whose app has a back-channel URI; returns the rows queued. */
async function queueFor(stores: LogoutStores, entries: readonly { clientId: string; uid: string; sid: string | null }[], now: number): Promise<NewLogoutDelivery[]> {
  const rows: NewLogoutDelivery[] = [];
  const apps = new Map<string, App | undefined>();
  for (const entry of entries) {
    if (!apps.has(entry.clientId)) apps.set(entry.clientId, await stores.apps.findApp(entry.clientId));
    if (apps.get(entry.clientId)?.backchannelLogoutUri) rows.push({ clientId: entry.clientId, uid: entry.uid, sid: entry.sid });
  }
  if (rows.length > 0) await stores.logouts.enqueueLogouts(rows, now);
  return rows;
}

/**
 * The browser's sign-in session `sid` ends (RP-initiated logout, the site's own sign-out):
 * every app it signed in to hears it (back-channel). Resolves once the deliveries are stored.
 */
export async function endSession(stores: LogoutStores, session: { sid: string }, now: number): Promise<NewLogoutDelivery[]> {
  const entries = await stores.sessionApps.listSessionApps(session.sid);
  const queued = await queueFor(stores, entries, now);
  await stores.sessionApps.deleteSessionApps({ sid: session.sid });
  return queued;
}

/**
 * The user withdrew the app (revokeAuthorization): each of their sessions at that app ends.
 * When no session of theirs at the app is known (older than a day, or a grant without a
 * browser), the app gets one token with `sub` only, meaning every session of the user there.
 */
export async function endAppSessions(stores: LogoutStores, uid: string, clientId: string, now: number): Promise<NewLogoutDelivery[]> {
  const entries = await stores.sessionApps.listUserSessionApps(uid, clientId);
  const queued = await queueFor(stores, entries.length > 0 ? entries : [{ clientId, uid, sid: null }], now);
  await stores.sessionApps.deleteSessionApps({ uid, clientId });
  return queued;
}

/**
 * Every session of the user ends (the user disabled, their password reset: SPEC §10):
 * every app any of their sessions signed in to hears it. The admin API calls this.
 */
export async function endUserSessions(stores: LogoutStores, uid: string, now: number): Promise<NewLogoutDelivery[]> {
  const entries = await stores.sessionApps.listUserSessionApps(uid);
  const queued = await queueFor(stores, entries, now);
  await stores.sessionApps.deleteSessionApps({ uid });
  return queued;
}

/** The `sub` the app sees in its id_tokens (SPEC §7): the uid, or getInfo's openid for pairwise apps. */
export function subjectFor(openidKey: Buffer, app: Pick<App, 'clientId' | 'subjectType'>, uid: string): string {
  return app.subjectType === 'pairwise' ? openidFor(openidKey, app, uid) : uid;
}

/** The claims of a logout token (Back-Channel Logout 1.0 §2.4): no nonce, ever. */
export function logoutTokenClaims(issuer: string, app: Pick<App, 'clientId' | 'subjectType'>, openidKey: Buffer, delivery: Pick<LogoutDelivery, 'uid' | 'sid'>, now: number): Record<string, unknown> {
  const iat = Math.floor(now / 1000);
  const claims: Record<string, unknown> = {
    iss: issuer,
    aud: app.clientId,
    iat,
    exp: iat + LOGOUT_TOKEN_SECONDS,
    jti: randomId(16),
    sub: subjectFor(openidKey, app, delivery.uid),
    events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
  };
  if (delivery.sid !== null) claims['sid'] = delivery.sid;
  return claims;
}

/** The delay before retry number `attempts` (1 = the first retry): base, doubling, at most an hour. */
export function retryDelay(attempts: number, baseMs = RETRY_BASE_MS): number {
  return Math.min(baseMs * 2 ** Math.max(0, attempts - 1), RETRY_MAX_MS);
}

/** What the edge answers for one POST. `refused`: the URL is not one Gatehouse may fetch (private address, plain http): no retry helps. */
export type SendResult = { ok: true; status: number } | { ok: false; status?: number; error: string; refused?: boolean };

/** The edge's HTTP: POSTs `logout_token=…` as a form to `url` (timeouts, size cap, address rules are its business). */
export interface LogoutSender {
  postLogoutToken(url: string, logoutToken: string): Promise<SendResult>;
}

export interface DeliveryLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface DeliveryDeps {
  outbox: LogoutOutbox;
  apps: AppFinder;
  signer: Pick<Signer, 'sign'>;
  sender: LogoutSender;
  clock: { now(): number };
  issuer: string;
  openidKey: Buffer;
  log?: DeliveryLog;
  /** Retry back-off base (ms, default RETRY_BASE_MS); tests shorten it. */
  retryBaseMs?: number;
  /** After how long a delivery is given up (ms, default a day). */
  giveUpAfterMs?: number;
  /** Rows claimed per call (default 20). */
  batchSize?: number;
}

export interface DeliveryRound {
  delivered: number;
  retried: number;
  failed: number;
}

/**
 * One round of the outbox worker: claims the due rows (exclusively), signs and sends each
 * (in parallel), records the outcome. A token is signed at send time, so each attempt
 * carries a fresh jti, iat and exp: a retry an hour later is not a stale token.
 */
export async function deliverDueLogouts(deps: DeliveryDeps): Promise<DeliveryRound> {
  const round: DeliveryRound = { delivered: 0, retried: 0, failed: 0 };
  const claimed = await deps.outbox.claimDueLogouts(deps.clock.now(), CLAIM_LEASE_MS, deps.batchSize ?? 20);
  await Promise.all(claimed.map(({ delivery, claim }) => deliverOne(deps, delivery, claim, round)));
  return round;
}

async function deliverOne(deps: DeliveryDeps, delivery: LogoutDelivery, claim: string, round: DeliveryRound): Promise<void> {
  const fields = { client_id: delivery.clientId, delivery: delivery.id, attempt: delivery.attempts + 1 };
  const giveUp = async (reason: string) => {
    await deps.outbox.failLogout(delivery.id, claim, deps.clock.now(), reason);
    round.failed += 1;
    deps.log?.warn({ ...fields, reason }, `back-channel logout to ${delivery.clientId} given up: ${reason}`);
  };
  const app = await deps.apps.findApp(delivery.clientId);
  const url = app?.backchannelLogoutUri;
  if (app === undefined || !url) return giveUp('the app no longer has a back-channel logout URI');
  let result: SendResult;
  try {
    const token = await deps.signer.sign(logoutTokenClaims(deps.issuer, app, deps.openidKey, delivery, deps.clock.now()), { alg: app.idTokenAlg, typ: LOGOUT_TOKEN_TYP });
    result = await deps.sender.postLogoutToken(url, token);
  } catch (error) {
    result = { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  const now = deps.clock.now();
  if (result.ok) {
    if (await deps.outbox.markLogoutDelivered(delivery.id, claim, now)) round.delivered += 1;
    return;
  }
  const reason = result.status === undefined ? result.error : `HTTP ${result.status}`;
  if (result.refused === true) return giveUp(`${url} refused: ${result.error}`);
  if (now - delivery.createdAt >= (deps.giveUpAfterMs ?? GIVE_UP_AFTER_MS)) return giveUp(`still failing after ${delivery.attempts + 1} attempts (last: ${reason})`);
  await deps.outbox.retryLogout(delivery.id, claim, now + retryDelay(delivery.attempts + 1, deps.retryBaseMs), reason);
  round.retried += 1;
}

/** RP-Initiated Logout §3: where the browser may go after logout: only a URI registered exactly for the app, with `state`. */
export function postLogoutLocation(app: Pick<App, 'postLogoutRedirectUris'> | undefined, uri: string | undefined, state: string | undefined): string | undefined {
  if (app === undefined || uri === undefined || uri === '' || !app.postLogoutRedirectUris.includes(uri)) return undefined;
  if (state === undefined || state === '') return uri;
  const hash = uri.indexOf('#');
  const [base, fragment] = hash < 0 ? [uri, ''] : [uri.slice(0, hash), uri.slice(hash)];
  return `${base}${base.includes('?') ? '&' : '?'}state=${encodeURIComponent(state)}${fragment}`;
}
