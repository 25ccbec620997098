import type { App, GrantTypeName, Lifetimes } from '../model.js';
import type { Clock, Stores } from '../ports.js';
import type { Params } from '../params.js';
import type { TokenResponse } from '../issue.js';
import type { OpenIdServices } from '../openid-tokens.js';

export interface GrantDeps {
  stores: Stores;
  lifetimes: Lifetimes;
  clock: Clock;
  /** Names of the scopes the server knows. */
  knownScopes(): Promise<ReadonlySet<string>>;
  /** Signs id_tokens for grants whose scope has openid (SPEC §7). */
  openid: OpenIdServices;
}

export interface GrantContext {
  app: App;
  params: Params;
  now: number;
  /** RFC 9449 §5: the thumbprint of this request's DPoP key; the tokens issued are bound to it. */
  jkt?: string;
}

/**
 * One grant type (ARCHITECTURE example 1). `grantType` is the wire value of
 * grant_type; `enabledBy` the app setting that switches it on.
 */
export interface Grant {
  grantType: string;
  enabledBy: GrantTypeName;
  /** Whether public apps may use it (RFC 6749 §4.4: client credentials needs a confidential client). */
  allowsPublic: boolean;
  exchange(deps: GrantDeps, context: GrantContext): Promise<TokenResponse>;
}
