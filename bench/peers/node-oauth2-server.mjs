// Vendored unchanged from the bench-peers harness (../shared/bench-peers/node-oauth2-server.mjs, 2026-11-24) so that
// `npm run bench` works on a fresh clone; see bench/peers/README.md.
// Peer: @node-oauth/oauth2-server (https://github.com/node-oauthorization/node-oauth2-server)
// - in-memory model, client_credentials grant, opaque tokens (the library's
//   default generator: 32 random bytes, hex)
// - mounted on plain node:http (default) or express 5 (FRAMEWORK=express)
// - the library has no RFC 7662 introspection endpoint, so none is exposed here
import http from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import OAuth2Server from '@node-oauth/oauth2-server';

const { Request, Response, OAuthError } = OAuth2Server;

const PORT = Number(process.env.PORT || 4103);
const HOST = process.env.HOST || '127.0.0.1';
const FRAMEWORK = process.env.FRAMEWORK || 'http';
const CLIENT_ID = process.env.CLIENT_ID || 'bench-client';
const CLIENT_SECRET = process.env.CLIENT_SECRET || 'bench-secret';
const MAX_TOKENS = Number(process.env.MAX_TOKENS || 10000); // bound memory like oidc-provider's LRU

const sha256 = (s) => createHash('sha256').update(s).digest();

const clients = new Map([[CLIENT_ID, {
  id: CLIENT_ID,
  secretHash: sha256(CLIENT_SECRET),
  grants: ['client_credentials'],
  scopes: ['basic'],
}]]);
const tokens = new Map();

const model = {
  async getClient(clientId, clientSecret) {
    const c = clients.get(clientId);
    if (!c) return null;
    if (clientSecret == null || !timingSafeEqual(sha256(clientSecret), c.secretHash)) return null;
    return { id: c.id, grants: c.grants, scopes: c.scopes };
  },
  async getUserFromClient(client) {
    return { id: `client:${client.id}` };
  },
  async validateScope(user, client, scope) {
    if (!scope || scope.length === 0) return client.scopes;
    return scope.every((s) => client.scopes.includes(s)) ? scope : false;
  },
  async saveToken(token, client, user) {
    const stored = { ...token, client: { id: client.id }, user };
    tokens.set(token.accessToken, stored);
    if (tokens.size > MAX_TOKENS) tokens.delete(tokens.keys().next().value);
    return stored;
  },
  async getAccessToken(accessToken) {
    return tokens.get(accessToken) ?? null;
  },
};

const oauth = new OAuth2Server({ model, accessTokenLifetime: 3600 });

async function handleToken(req, body, res) {
  const request = new Request({ headers: req.headers, method: req.method, query: {}, body });
  const response = new Response({});
  try {
    await oauth.token(request, response);
  } catch (err) {
    if (!(err instanceof OAuthError)) console.error(err);
    // the library already put status/body on `response`
  }
  const payload = JSON.stringify(response.body);
  res.writeHead(response.status, {
    ...response.headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
  });
  res.end(payload);
}

let server;
if (FRAMEWORK === 'express') {
  const { default: express } = await import('express');
  const app = express();
  app.disable('x-powered-by');
  app.post('/token', express.urlencoded({ extended: false }), (req, res) => {
    handleToken(req, req.body ?? {}, res);
  });
  server = http.createServer(app);
} else {
  server = http.createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/token') {
      res.writeHead(404, { 'content-length': '0' });
      res.end();
      return;
    }
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > 64 * 1024) { req.destroy(); return; }
      chunks.push(c);
    });
    req.on('end', () => {
      const ct = req.headers['content-type'] || '';
      const body = ct.startsWith('application/x-www-form-urlencoded')
        ? Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')))
        : {};
      handleToken(req, body, res);
    });
  });
}

server.listen(PORT, HOST, () => console.log(`node-oauth2-server (${FRAMEWORK}) listening on http://${HOST}:${PORT}/token`));
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => server.close(() => process.exit(0)));
