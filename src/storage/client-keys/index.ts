/**
 * The ClientKeys port (core/ports.ts) over GATEHOUSE_KEYS_SECRET and the
 * SSRF-safe fetcher: what JWT client authentication (SPEC §8) needs of an
 * app's key material, kept out of the core.
 */
import type { App, ClientJwks } from '../../core/model.js';
import type { ClientKeys } from '../../core/ports.js';
import { RemoteJwks, type RemoteJwksOptions } from './remote-jwks.js';
import { secretSealer } from './sealed-secret.js';

export interface ClientKeysConfig {
  /** GATEHOUSE_KEYS_SECRET: client_secret_jwt secrets are sealed under it when set, as the signing keys are. */
  keysSecret: string | undefined;
  /** GATEHOUSE_ALLOW_PRIVATE_FETCH: a jwks_uri on a loopback or private address may be fetched (tests, a lab). */
  allowPrivateFetch?: boolean;
  /** How jwks_uri is fetched (tests shorten the deadline and move the clock). */
  fetch?: Omit<RemoteJwksOptions, 'allowPrivate'>;
}

export function clientKeys(config: ClientKeysConfig): ClientKeys {
  const sealer = secretSealer(config.keysSecret);
  const remote = new RemoteJwks({ ...config.fetch, allowPrivate: config.allowPrivateFetch === true });
  return {
    sealSecret: (clientId, secret) => sealer.seal(clientId, secret),
    openSecret: (app) => (app.sealedSecret === null ? undefined : sealer.open(app.clientId, app.sealedSecret)),
    async publicKeys(app: App, options = {}): Promise<ClientJwks> {
      if (app.jwks !== null) return app.jwks;
      if (app.jwksUri === null) throw new Error('this app registered no jwks or jwks_uri');
      return remote.get(app.clientId, app.jwksUri, options.refresh === true);
    },
  };
}
