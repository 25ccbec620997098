// Vendored unchanged from the bench-peers harness (../shared/bench-peers/raw-http.mjs, 2026-11-24) so that
// `npm run bench` works on a fresh clone; see bench/peers/README.md.
// Ceiling: plain node:http answering a fixed 200 JSON body to any POST.
// The request body is drained (not parsed). Paths ending in "introspect" or
// "introspection" get an RFC 7662-shaped body, everything else a token body.
import http from 'node:http';

const PORT = Number(process.env.PORT || 4100);
const HOST = process.env.HOST || '127.0.0.1';

const TOKEN_BODY = Buffer.from(JSON.stringify({
  access_token: 'x'.repeat(43),
  token_type: 'Bearer',
  expires_in: 3600,
  scope: 'basic',
}));
const INTROSPECT_BODY = Buffer.from(JSON.stringify({
  active: true, client_id: 'bench-client', scope: 'basic', token_type: 'Bearer', exp: 4102444800, iat: 1700000000,
}));

const server = http.createServer((req, res) => {
  if (req.method !== 'POST') {
    res.writeHead(405, { 'content-length': '0' });
    res.end();
    return;
  }
  req.on('data', () => {});
  req.on('end', () => {
    const body = /introspect(ion)?$/.test(req.url) ? INTROSPECT_BODY : TOKEN_BODY;
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': body.length,
      'cache-control': 'no-store',
    });
    res.end(body);
  });
});

server.listen(PORT, HOST, () => console.log(`raw-http listening on http://${HOST}:${PORT}`));
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => server.close(() => process.exit(0)));
