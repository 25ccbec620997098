/**
 * The ClientKeys port (core/ports.ts) over GATEHOUSE_KEYS_SECRET and the
 * SSRF-safe fetcher: what JWT client authentication (SPEC §8) needs of an
 * app's key material, kept out of the core.
 */
import type { App, ClientJwks } from '../../core/model.js';
import type { ClientKeys } from '../../core/ports.js';
import { secretSealer } from './sealed-secret.js';

export interface ClientKeysConfig {
  /** GATEHOUSE_KEYS_SECRET: client_secret_jwt secrets are sealed under it when set, as the signing keys are. */
  keysSecret: string | undefined;
}

export function clientKeys(config: ClientKeysConfig): ClientKeys {
  const sealer = secretSealer(config.keysSecret);
  return {
    sealSecret: (clientId, secret) => sealer.seal(clientId, secret),
    openSecret: (app) => (app.sealedSecret === null ? undefined : sealer.open(app.clientId, app.sealedSecret)),
    async publicKeys(app: App): Promise<ClientJwks> {
      if (app.jwks !== null) return app.jwks;
      throw new Error('this app registered no jwks');
    },
  };
}
