// Vendored unchanged from the bench-peers harness (../shared/bench-peers/oidc-provider.mjs, 2026-11-24) so that
// `npm run bench` works on a fresh clone; see bench/peers/README.md.
// Peer: panva's oidc-provider (https://github.com/panva/node-oidc-provider)
// - default in-memory adapter (an LRU of 1000 entries; tokens are opaque)
// - one confidential client; client_secret_basic is its registered method,
//   and oidc-provider accepts client_secret_post for such a client as well
// - client_credentials grant, introspection and revocation enabled, scope "basic"
import http from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const PORT = Number(process.env.PORT || 4102);
const HOST = process.env.HOST || '127.0.0.1';
const CLIENT_ID = process.env.CLIENT_ID || 'bench-client';
const CLIENT_SECRET = process.env.CLIENT_SECRET || 'bench-secret';
const issuer = `http://127.0.0.1:${PORT}`;

// A signing key so the provider does not fall back to its development keys.
// Nothing on the client_credentials/introspection path signs anything.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'bench-rs256', alg: 'RS256', use: 'sig' };

const provider = new Provider(issuer, {
  clients: [{
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    scope: 'basic',
  }],
  clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
  scopes: ['basic'],
  ttl: { ClientCredentials: 3600 },
  jwks: { keys: [jwk] },
  cookies: { keys: ['bench-cookie-key-not-secret'] },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: {
      enabled: true,
      // Same rule as the library default, set explicitly to silence its "should change" notice.
      allowedPolicy: async (ctx, client, token) => !(client.clientAuthMethod === 'none' && token.clientId !== ctx.oidc.client.clientId),
    },
    revocation: {
      enabled: true,
      allowedPolicy: async (ctx, client, token) => token.clientId === client.clientId,
    },
  },
});

provider.on('server_error', (ctx, err) => console.error('server_error', err));

const server = http.createServer(provider.callback());
server.listen(PORT, HOST, () => console.log(`oidc-provider listening on ${issuer} (token ${issuer}/token, introspection ${issuer}/token/introspection)`));
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => server.close(() => process.exit(0)));
