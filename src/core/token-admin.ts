/** The operator's revocation (admin API `POST /admin/v1/tokens/revoke`): every token of a user, an app, or a user's for an app. */
import { auditEvent, commitChange, NotFoundError, type AuditEvent, type AuditStore, type ChangeContext } from './audit.js';
import type { AppStore, UserStore } from './ports.js';

export interface RevokeDeps {
  audit: Pick<AuditStore, 'commit'>;
  apps: Pick<AppStore, 'findApp'>;
  users: Pick<UserStore, 'findUserByUid'>;
}

/** Returns how many live tokens were revoked; an unknown user or app is a NotFoundError. */
export async function revokeTokens(deps: RevokeDeps, which: { uid?: string; clientId?: string }, ctx: ChangeContext): Promise<number> {
  const { uid, clientId } = which;
  if (uid === undefined && clientId === undefined) throw new Error('revokeTokens needs a uid or a client_id');
  if (uid !== undefined && (await deps.users.findUserByUid(uid)) === undefined) throw new NotFoundError('user', uid);
  if (clientId !== undefined && (await deps.apps.findApp(clientId)) === undefined) throw new NotFoundError('app', clientId);
  const target: AuditEvent['target'] =
    uid !== undefined && clientId !== undefined ? { type: 'grant', id: `${uid}/${clientId}` } : uid !== undefined ? { type: 'user', id: uid } : { type: 'app', id: clientId! };
  const change = { kind: 'revokeTokens' as const, ...(uid === undefined ? {} : { uid }), ...(clientId === undefined ? {} : { clientId }) };
  return commitChange(deps.audit, change, auditEvent(ctx, 'tokens.revoke', target), {});
}
