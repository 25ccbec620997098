/** The grant registry: the token endpoint looks a grant_type up here, nothing switches on it. */
import { authorizationCodeGrant } from './authorization-code.js';
import { clientCredentialsGrant } from './client-credentials.js';
import { baiduDeviceGrant, rfcDeviceGrant } from './device-code.js';
import { refreshTokenGrant } from './refresh-token.js';
import type { Grant } from './types.js';

export type { Grant, GrantContext, GrantDeps } from './types.js';

export class GrantRegistry {
  private readonly grants = new Map<string, Grant>();

  constructor(grants: Grant[]) {
    for (const grant of grants) this.grants.set(grant.grantType, grant);
  }

  get(grantType: string): Grant | undefined {
    return this.grants.get(grantType);
  }

  /** Wire names, for RFC 8414 metadata. */
  names(): string[] {
    return [...this.grants.keys()];
  }
}

export const coreGrants: Grant[] = [authorizationCodeGrant, refreshTokenGrant, clientCredentialsGrant, baiduDeviceGrant, rfcDeviceGrant];
