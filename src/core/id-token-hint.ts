/**
 * `id_token_hint` (OIDC Core §3.1.2.1; SPEC §7 "Prompt and age"): an id_token
 * this server issued, even expired, while its key is still published. It
 * names the user the app expects. A hint that does not verify (a broken
 * signature, an unknown kid, not a JWS at all) or that another issuer made
 * names nobody, which the caller treats as "a different user".
 */
import type { App } from './model.js';
import { subjectFor } from './claims.js';
import type { Signer } from './signing.js';

/** The `sub` the hint names, or undefined when it is not an id_token of ours. */
export async function hintedSubject(signer: Pick<Signer, 'verify'>, issuer: string, hint: string): Promise<string | undefined> {
  // A hint is a compact JWS; anything larger than a few kB is not one of ours.
  if (hint.length > 16_384) return undefined;
  const verified = await signer.verify(hint).catch(() => undefined);
  if (verified === undefined) return undefined;
  const { iss, sub } = verified.payload;
  if (iss !== issuer || typeof sub !== 'string' || sub === '') return undefined;
  return sub;
}

/** Whether the hint names `uid` for `app`: false for a hint that names nobody. */
export async function hintMatches(
  deps: { signer: Pick<Signer, 'verify'>; issuer: string; openidKey: Buffer },
  app: Pick<App, 'clientId' | 'subjectType'>,
  hint: string,
  uid: string,
): Promise<boolean> {
  const sub = await hintedSubject(deps.signer, deps.issuer, hint);
  return sub !== undefined && sub === subjectFor(deps.openidKey, app, uid);
}
