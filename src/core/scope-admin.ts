/** Scopes an operator adds (CLI `scopes create`, admin API), each with its audit event. */
import { auditEvent, commitChange, ConflictError, type AuditStore, type ChangeContext } from './audit.js';
import type { Scope } from './model.js';
import { ADMIN_SCOPE, isValidScopeName } from './scopes.js';

export class ScopeInputError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

function check(scope: Scope): void {
  if (scope.name === ADMIN_SCOPE) throw new ScopeInputError(`${ADMIN_SCOPE} is reserved for the admin API`, 'name');
  if (!isValidScopeName(scope.name)) throw new ScopeInputError('a scope name is 1 to 100 printable ASCII characters without spaces, commas, quotes or backslashes', 'name');
  if (scope.description.length > 500) throw new ScopeInputError('a scope description is at most 500 characters', 'description');
}

/** A new scope; an existing name is a ConflictError (the admin API's 409). */
export async function createScope(deps: { audit: Pick<AuditStore, 'commit'> }, scope: Scope, ctx: ChangeContext): Promise<Scope> {
  check(scope);
  await commitChange(deps.audit, { kind: 'createScope', scope }, auditEvent(ctx, 'scope.create', { type: 'scope', id: scope.name }), {
    conflict: () => new ConflictError(`scope ${scope.name} exists`, 'name'),
  });
  return scope;
}

/** Creates the scope or updates its description (the CLI's `scopes create`, as SPEC §5 has always had it). */
export async function saveScope(deps: { audit: Pick<AuditStore, 'commit'> }, scope: Scope, existed: boolean, ctx: ChangeContext): Promise<void> {
  check(scope);
  await commitChange(deps.audit, { kind: 'saveScope', scope }, auditEvent(ctx, existed ? 'scope.update' : 'scope.create', { type: 'scope', id: scope.name }), {});
}
