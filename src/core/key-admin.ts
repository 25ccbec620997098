/**
 * Rotating and retiring signing keys as audited changes (SPEC §10: `key.rotate`,
 * one event per new key, and `key.retire`, each in the same transaction as the key). The CLI and the
 * admin API both rotate through this; the manager decides what to make.
 */
import { auditEvent, type AuditStore, type ChangeContext } from './audit.js';
import type { JwsAlg, KeyInsert, KeyRetire, SigningKeyInfo, SigningKeyManager } from './signing.js';

export function auditedKeyInsert(audit: Pick<AuditStore, 'commit'>, ctx: ChangeContext): KeyInsert {
  return async (key) => {
    const outcome = await audit.commit({ kind: 'insertSigningKey', key }, auditEvent({ ...ctx, now: key.createdAt }, 'key.rotate', { type: 'key', id: key.kid }));
    return outcome.applied;
  };
}

export function rotateKeys(
  keys: Pick<SigningKeyManager, 'rotate'>,
  audit: Pick<AuditStore, 'commit'>,
  request: { alg?: JwsAlg; activateNow?: boolean },
  ctx: ChangeContext,
): Promise<SigningKeyInfo[]> {
  return keys.rotate(request, auditedKeyInsert(audit, ctx));
}

export function auditedKeyRetire(audit: Pick<AuditStore, 'commit'>, ctx: ChangeContext): KeyRetire {
  return async (kid, now) => {
    const outcome = await audit.commit({ kind: 'retireSigningKey', kid }, auditEvent({ ...ctx, now }, 'key.retire', { type: 'key', id: kid }));
    return outcome.applied;
  };
}

export function retireKey(keys: Pick<SigningKeyManager, 'retire'>, audit: Pick<AuditStore, 'commit'>, kid: string, ctx: ChangeContext): Promise<SigningKeyInfo> {
  return keys.retire(kid, auditedKeyRetire(audit, ctx));
}
