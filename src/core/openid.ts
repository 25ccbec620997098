/**
 * Baidu's pairwise user ids for getInfo: `openid` differs per app, `unionid`
 * per developer account, so apps of different owners cannot join their user
 * lists on it. Both are derived, not stored: HMAC-SHA256 under a server key
 * (kept in the database, the same on every instance), truncated to 128 bits
 * and base64url-encoded. The key makes them unguessable from the uid.
 */
import { createHmac } from 'node:crypto';
import type { App } from './model.js';

function pairwise(key: Buffer, kind: string, sector: string, uid: string): string {
  // Length-prefixed parts: no (sector, uid) pair can collide with another.
  return createHmac('sha256', key).update(`${kind}\n${sector.length}:${sector}\n${uid}`).digest().subarray(0, 16).toString('base64url');
}

export function openidFor(key: Buffer, app: Pick<App, 'clientId'>, uid: string): string {
  return pairwise(key, 'openid', app.clientId, uid);
}

/**
 * The developer account is the app's owner in the console; an app registered
 * by the operator (no owner) counts its root domain as its account, so the
 * apps of one site share a unionid.
 */
export function unionidFor(key: Buffer, app: Pick<App, 'ownerUid' | 'rootDomain'>, uid: string): string {
  const sector = app.ownerUid !== null ? `owner:${app.ownerUid}` : `domain:${app.rootDomain}`;
  return pairwise(key, 'unionid', sector, uid);
}
