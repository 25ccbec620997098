// Vendored unchanged from the bench-peers harness (../shared/bench-peers/oidc-provider.mjs, 2026-11-24) so that
// `npm run bench` works on a fresh clone; see bench/peers/README.md.
// Peer: panva's oidc-provider (https://github.com/panva/node-oidc-provider)
// - default in-memory adapter (an LRU of 1000 entries; tokens are opaque)
// - one confidential client; client_secret_basic is its registered method,
//   and oidc-provider accepts client_secret_post for such a client as well
// - client_credentials grant, introspection and revocation enabled, scope "basic"
// Gatehouse addition (bench/peers/README.md): with BENCH_MINT_CODES=1 only, a second client
// for the code exchange with `openid` and a loopback-only route that mints authorization
// codes through the provider's own models (no browser); without it, the peer is as vendored.
import http from 'node:http';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';
import MemoryAdapter from 'oidc-provider/lib/adapters/memory_adapter.js';
import LRU from 'oidc-provider/lib/helpers/lru.js';

const PORT = Number(process.env.PORT || 4102);
const HOST = process.env.HOST || '127.0.0.1';
const CLIENT_ID = process.env.CLIENT_ID || 'bench-client';
const CLIENT_SECRET = process.env.CLIENT_SECRET || 'bench-secret';
const issuer = `http://127.0.0.1:${PORT}`;
const MINT = process.env.BENCH_MINT_CODES === '1';
const OIDC_CLIENT_ID = 'bench-oidc-client';
const OIDC_REDIRECT_URI = 'https://app.example.com/cb';
// The library's own memory adapter and LRU, sized for the codes a measured run redeems
// (the default LRU keeps 1000 entries: pre-minted codes would be evicted before their turn).
const mintStore = MINT ? new LRU({ maxSize: 2_000_000 }) : undefined;

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
  }, ...(MINT ? [{
    client_id: OIDC_CLIENT_ID,
    client_secret: CLIENT_SECRET,
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['authorization_code'],
    response_types: ['code'],
    redirect_uris: [OIDC_REDIRECT_URI],
    scope: 'openid',
    // The default, said out loud: the row measures an RS256 id_token.
    id_token_signed_response_alg: 'RS256',
  }] : [])],
  ...(MINT ? {
    adapter: (model) => new MemoryAdapter(model, mintStore),
    // The library default without its "should change" notice: sub only.
    findAccount: async (ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
  } : {}),
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

/**
 * POST /bench/mint-codes?count=N (loopback only, BENCH_MINT_CODES=1): N authorization codes for
 * bench-oidc-client, scope openid, each with its own Grant, as the provider stores them after a
 * sign-in and consent; newline-separated. Redeemed at /token with redirect_uri OIDC_REDIRECT_URI.
 */
async function mintCodes(count) {
  const client = await provider.Client.find(OIDC_CLIENT_ID);
  const codes = [];
  for (let i = 0; i < count; i += 1) {
    const accountId = `bench-user-${i % 1000}`;
    const grant = new provider.Grant({ accountId, clientId: OIDC_CLIENT_ID });
    grant.addOIDCScope('openid');
    const grantId = await grant.save();
    const code = new provider.AuthorizationCode({
      accountId,
      grantId,
      client,
      redirectUri: OIDC_REDIRECT_URI,
      scope: 'openid',
      authTime: Math.floor(Date.now() / 1000),
      nonce: randomBytes(8).toString('base64url'),
      sid: randomBytes(16).toString('base64url'),
    });
    codes.push(await code.save());
  }
  return codes;
}

const callback = provider.callback();
const loopback = (address) => address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
const server = http.createServer(MINT ? (req, res) => {
  const url = new URL(req.url, issuer);
  if (url.pathname !== '/bench/mint-codes') return callback(req, res);
  if (req.method !== 'POST' || !loopback(req.socket.remoteAddress)) {
    res.writeHead(404).end();
    return;
  }
  const count = Math.min(Number(url.searchParams.get('count') ?? 1) || 1, 100_000);
  mintCodes(count).then(
    (codes) => res.writeHead(200, { 'content-type': 'text/plain' }).end(codes.join('\n')),
    (error) => {
      console.error('mint-codes', error);
      res.writeHead(500).end(String(error));
    },
  );
} : callback);
server.listen(PORT, HOST, () => console.log(`oidc-provider listening on ${issuer} (token ${issuer}/token, introspection ${issuer}/token/introspection)`));
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => server.close(() => process.exit(0)));
