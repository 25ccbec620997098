// Vendored unchanged from the bench-peers harness (../shared/bench-peers/fastify-raw.mjs, 2026-11-24) so that
// `npm run bench` works on a fresh clone; see bench/peers/README.md.
// Ceiling with a framework: fastify + @fastify/formbody parsing an
// application/x-www-form-urlencoded body, answering fixed JSON (no OAuth logic).
import Fastify from 'fastify';
import formbody from '@fastify/formbody';

const PORT = Number(process.env.PORT || 4101);
const HOST = process.env.HOST || '127.0.0.1';

const app = Fastify({ logger: false });
await app.register(formbody);

const tokenBody = { access_token: 'x'.repeat(43), token_type: 'Bearer', expires_in: 3600, scope: 'basic' };
const introspectBody = { active: true, client_id: 'bench-client', scope: 'basic', token_type: 'Bearer', exp: 4102444800, iat: 1700000000 };

app.post('/token', async (req, reply) => {
  if (req.body?.grant_type !== 'client_credentials') {
    reply.code(400);
    return { error: 'unsupported_grant_type' };
  }
  reply.header('cache-control', 'no-store');
  return tokenBody;
});

app.post('/token/introspection', async (req, reply) => {
  if (typeof req.body?.token !== 'string') {
    reply.code(400);
    return { error: 'invalid_request' };
  }
  reply.header('cache-control', 'no-store');
  return introspectBody;
});

await app.listen({ port: PORT, host: HOST });
console.log(`fastify-raw listening on http://${HOST}:${PORT}`);
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => app.close().then(() => process.exit(0)));
