/** The tables: every measurement beside the ceiling and the peers, and the targets of issue 7. */
const fmt = (value, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '—');
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? (a / b).toFixed(2) : '—');

export const PEER_COLUMNS = ['durable-floor', 'fastify-raw', 'oidc-provider', 'node-oauth2-server'];

/** req/s and latencies of the same row measured more than once (before and after Gatehouse), averaged. */
function averaged(runs) {
  if (runs.length === 0) return undefined;
  const mean = (key) => runs.reduce((sum, row) => sum + row[key], 0) / runs.length;
  return { rps: mean('rps'), p99: mean('p99'), p50: mean('p50'), valid: true };
}

/** The ceiling for an endpoint: raw-http measured before and after Gatehouse, averaged. */
export function ceiling(rows, endpoint) {
  return averaged(rows.filter((row) => row.server.startsWith('raw-http') && row.endpoint === (endpoint === 'introspect' ? 'introspect' : 'token') && row.valid));
}

/**
 * The durable floor of an endpoint on a database: bench/floor.mjs measured before Gatehouse and,
 * on SQLite, again after it, averaged as the ceiling is: the host drifts over a pass, and a
 * Gatehouse row minutes after a single floor row would carry that drift into its × floor.
 */
export function floorOf(rows, endpoint, database = 'sqlite') {
  return averaged(rows.filter((row) => row.server.startsWith('durable-floor') && row.endpoint === endpoint && (row.database ?? 'sqlite') === database && row.valid));
}

export function resultsTable(rows) {
  const head = ['server', 'database', 'log', 'endpoint', 'req/s', 'p50 ms', 'p99 ms', '×raw req/s', '×raw p99', ...PEER_COLUMNS.map((p) => `× ${p}`), 'cpu µs/req', 'server cores', 'peak RSS MB', 'checks'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i < 4 || i === head.length - 1 ? '---' : '---:')).join('|')}|`];
  for (const row of rows) {
    const raw = ceiling(rows, row.endpoint);
    const peerRatios = PEER_COLUMNS.map((peer) => {
      if (!row.server.startsWith('gatehouse')) return '';
      if (peer === 'durable-floor') {
        const floor = floorOf(rows, row.endpoint, row.database ?? 'sqlite');
        return floor ? ratio(row.rps, floor.rps) : '—';
      }
      // The in-memory peers, for every database.
      const same = (r) => r.server === peer && r.endpoint === row.endpoint && r.valid;
      const other = rows.find((r) => same(r) && (r.database ?? 'sqlite') === (row.database ?? 'sqlite')) ?? rows.find((r) => same(r) && r.database === undefined);
      return other ? ratio(row.rps, other.rps) : '—';
    });
    lines.push(
      `| ${[
        row.server,
        row.database ?? '',
        row.log ?? '',
        row.endpoint,
        fmt(row.rps),
        fmt(row.p50, 2),
        fmt(row.p99, 2),
        raw ? ratio(row.rps, raw.rps) : '—',
        raw ? ratio(row.p99, raw.p99) : '—',
        ...peerRatios,
        fmt(row.cpuUsPerReq, 1),
        fmt(row.serverCores, 2),
        fmt(row.rssMb, 0),
        row.valid ? 'ok' : `**INVALID**: ${row.problems.join('; ')}`,
      ].join(' | ')} |`,
    );
  }
  return lines.join('\n');
}

/**
 * The id_token rows (issue 13) beside what they are compared with in the same run: the
 * same server's code exchange without openid, the limit one signature per request sets
 * (1e6 / CPU µs of the cheapest way bench/sign.mjs measured for that alg), and
 * oidc-provider's code exchange with openid. "× limit (CPU)" compares CPU instead of
 * req/s (signature µs / the row's CPU µs per request): steadier on a shared machine.
 */
export function openidTable(rows, signatures = {}) {
  const head = ['server', 'endpoint', 'req/s', 'p99 ms', 'cpu µs/req', '× code exchange (req/s)', '+ cpu µs/req over code exchange', 'µs/signature (cheapest; Signer’s way)', 'limit req/s (1e6 / µs)', '× limit (req/s)', '× limit (CPU)', '× oidc-provider', 'id_tokens verified', 'checks'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i < 2 || i === head.length - 1 ? '---' : '---:')).join('|')}|`];
  for (const row of rows.filter((r) => r.endpoint.startsWith('code exchange + openid'))) {
    const alg = /\((\w+)\)/.exec(row.endpoint)?.[1];
    const plain = rows.find((r) => r.server === row.server && r.endpoint === 'code exchange' && (r.database ?? 'sqlite') === (row.database ?? 'sqlite') && (r.log ?? 'info') === (row.log ?? 'info') && r.valid);
    const sig = signatures?.[alg];
    const limit = sig ? 1e6 / sig.min : NaN;
    const peer = row.server.startsWith('gatehouse') ? rows.find((r) => r.server === 'oidc-provider' && r.endpoint === row.endpoint && r.valid) : undefined;
    lines.push(
      `| ${[
        row.server,
        row.endpoint,
        fmt(row.rps),
        fmt(row.p99, 2),
        fmt(row.cpuUsPerReq, 1),
        plain ? ratio(row.rps, plain.rps) : '—',
        plain ? fmt(row.cpuUsPerReq - plain.cpuUsPerReq, 1) : '—',
        sig ? `${fmt(sig.min, 1)}; ${fmt(sig.signer, 1)}` : '—',
        fmt(limit),
        ratio(row.rps, limit),
        sig ? ratio(sig.min, row.cpuUsPerReq) : '—',
        peer ? ratio(row.rps, peer.rps) : '',
        row.idTokensVerified ?? '—',
        row.valid ? 'ok' : `**INVALID**: ${row.problems.join('; ')}`,
      ].join(' | ')} |`,
    );
  }
  return lines.join('\n');
}

/** Issue 17's targets (issue 7's, raised, and the rows of this round), each a ratio measured in this run. */
export function targetsTable(rows, signatures) {
  const find = (server, endpoint, database = 'sqlite', log = 'info') =>
    rows.find((r) => r.server === server && r.endpoint === endpoint && (r.database ?? 'sqlite') === database && (r.log ?? 'info') === log);
  const raw = ceiling(rows, 'token');
  const rawIntro = ceiling(rows, 'introspect');
  const oidc = rows.find((r) => r.server === 'oidc-provider' && r.endpoint === 'token' && r.valid);
  const gh = (endpoint) => find('gatehouse', endpoint);
  const million = (endpoint) => find('gatehouse-1M', endpoint);
  const targets = [];
  const add = (name, row, measured, goal, met) => targets.push({ name, measured, goal, met: row && row.valid ? met : false, missing: !row ? 'not measured' : row.valid ? '' : 'invalid run' });
  // Under each SQLite target, the same ratio of the durable floor (bench/floor.mjs) in this run, when
  // it was measured: a row whose floor misses its goal is stopped by the floor, not by Gatehouse.
  const floor = (endpoint) => floorOf(rows, endpoint);
  const FLOOR = ' (its floor; reported)';
  const cc = gh('token');
  const floorCc = floor('token');
  add('client_credentials ≥ 0.50 × raw node:http', cc, cc && raw ? cc.rps / raw.rps : NaN, 0.5, cc && raw && cc.rps / raw.rps >= 0.5);
  if (floorCc) add(`durable floor token × raw node:http${FLOOR}`, floorCc, raw ? floorCc.rps / raw.rps : NaN, 0.5, raw && floorCc.rps / raw.rps >= 0.5);
  add('client_credentials ≥ 4 × oidc-provider', cc, cc && oidc ? cc.rps / oidc.rps : NaN, 4, cc && oidc && cc.rps / oidc.rps >= 4);
  if (floorCc) add(`durable floor token × oidc-provider${FLOOR}`, floorCc, oidc ? floorCc.rps / oidc.rps : NaN, 4, oidc && floorCc.rps / oidc.rps >= 4);
  const intro = gh('introspect');
  add('introspection ≥ 0.60 × raw node:http', intro, intro && rawIntro ? intro.rps / rawIntro.rps : NaN, 0.6, intro && rawIntro && intro.rps / rawIntro.rps >= 0.6);
  const floorIntro = floor('introspect');
  if (floorIntro) add(`durable floor introspection × raw node:http${FLOOR}`, floorIntro, rawIntro ? floorIntro.rps / rawIntro.rps : NaN, 0.6, rawIntro && floorIntro.rps / rawIntro.rps >= 0.6);
  for (const endpoint of ['code exchange', 'refresh']) {
    const row = gh(endpoint);
    add(`${endpoint} ≥ 0.30 × raw node:http`, row, row && raw ? row.rps / raw.rps : NaN, 0.3, row && raw && row.rps / raw.rps >= 0.3);
    const floorRow = floor(endpoint);
    if (floorRow) add(`durable floor ${endpoint} × raw node:http${FLOOR}`, floorRow, raw ? floorRow.rps / raw.rps : NaN, 0.3, raw && floorRow.rps / raw.rps >= 0.3);
  }
  // Issue 17 holds the token row's p99 (every row's ×raw p99 is in the measurements).
  add('p99 token ≤ 3 × raw p99', cc, cc && raw ? cc.p99 / raw.p99 : NaN, 3, cc && raw && cc.p99 / raw.p99 <= 3);
  if (floorCc) add(`durable floor p99 token × raw p99${FLOOR}`, floorCc, raw ? floorCc.p99 / raw.p99 : NaN, 3, raw && floorCc.p99 / raw.p99 <= 3);
  // Issue 17: the CPU a request costs with a million live tokens, against the empty database.
  for (const endpoint of ['token', 'introspect']) {
    const empty = gh(endpoint);
    const full = million(endpoint);
    const change = empty && full ? full.cpuUsPerReq / empty.cpuUsPerReq - 1 : NaN;
    add(`${endpoint}: CPU µs/req with 1,000,000 live tokens within 10 % of empty`, full && empty ? full : undefined, change, 0.1, Number.isFinite(change) && Math.abs(change) <= 0.1);
  }
  const peak = Math.max(...rows.filter((r) => r.server.startsWith('gatehouse') && (r.database ?? 'sqlite') === 'sqlite').map((r) => r.rssMb));
  targets.push({ name: 'peak RSS ≤ 150 MB (SQLite runs)', measured: peak, goal: 150, met: peak <= 150, missing: Number.isFinite(peak) ? '' : 'not measured', unit: 'MB' });
  // Issue 17: the id_token rows.
  const es = gh('code exchange + openid (ES256)');
  const plain = gh('code exchange');
  if (rows.some((r) => r.endpoint.startsWith('code exchange + openid'))) {
    add('code exchange + openid (ES256) ≥ 0.8 × code exchange', es && plain ? es : undefined, es && plain ? es.rps / plain.rps : NaN, 0.8, es && plain?.valid && es.rps / plain.rps >= 0.8);
    const rs = gh('code exchange + openid (RS256)');
    const limit = signatures?.RS256 ? 1e6 / signatures.RS256.min : NaN;
    add('code exchange + openid (RS256) ≥ 0.8 × one-RS256-signature limit', rs && Number.isFinite(limit) ? rs : undefined, rs ? rs.rps / limit : NaN, 0.8, rs && rs.rps / limit >= 0.8);
    const peerRs = rows.find((r) => r.server === 'oidc-provider' && r.endpoint === 'code exchange + openid (RS256)' && r.valid);
    add('code exchange + openid (RS256) ≥ 2 × oidc-provider’s', rs && peerRs ? rs : undefined, rs && peerRs ? rs.rps / peerRs.rps : NaN, 2, rs && peerRs && rs.rps / peerRs.rps >= 2);
  }
  // Issue 17: the sender-constrained rows, each ≥ 0.25 × raw (their CPU µs per request is in the table above).
  for (const endpoint of ['token + DPoP', 'token + private_key_jwt', 'token + JWT access token (ES256)', 'token + JWT access token (RS256)']) {
    const row = gh(endpoint);
    if (row) add(`${endpoint} ≥ 0.25 × raw node:http`, row, raw ? row.rps / raw.rps : NaN, 0.25, raw && row.rps / raw.rps >= 0.25);
  }
  const jwtRs = gh('token + JWT access token (RS256)');
  const rsLimit = signatures?.RS256 ? 1e6 / signatures.RS256.min : NaN;
  if (jwtRs && Number.isFinite(rsLimit)) add('token + JWT access token (RS256) × one-RS256-signature limit (its floor; reported)', jwtRs, jwtRs.rps / rsLimit, 0.8, jwtRs.rps / rsLimit >= 0.8);
  const pg = find('gatehouse', 'token', 'postgres');
  add('PostgreSQL client_credentials ≥ 3 × oidc-provider (in-memory)', pg, pg && oidc ? pg.rps / oidc.rps : NaN, 3, pg && oidc && pg.rps / oidc.rps >= 3);
  // What stops the PostgreSQL row: the durable floor on PostgreSQL against the same peer (reported).
  const pgFloor = floorOf(rows, 'token', 'postgres');
  if (pgFloor) add('PostgreSQL durable floor (bench/floor.mjs on pg) × oidc-provider (its floor; reported)', pgFloor, oidc ? pgFloor.rps / oidc.rps : NaN, 3, oidc && pgFloor.rps / oidc.rps >= 3);
  const pgIntro = find('gatehouse', 'introspect', 'postgres');
  const oidcIntro = rows.find((r) => r.server === 'oidc-provider' && r.endpoint === 'introspect' && r.valid);
  add('PostgreSQL introspection ≥ 2 × oidc-provider (in-memory)', pgIntro, pgIntro && oidcIntro ? pgIntro.rps / oidcIntro.rps : NaN, 2, pgIntro && oidcIntro && pgIntro.rps / oidcIntro.rps >= 2);

  const lines = ['| target | measured | goal | met |', '|---|---:|---:|---|'];
  for (const t of targets) {
    const measured = t.unit === 'MB' ? `${fmt(t.measured, 0)} MB` : t.name.includes('within') ? `${fmt(100 * t.measured, 1)} %` : `${fmt(t.measured, 2)}×`;
    const goal = t.unit === 'MB' ? `${t.goal} MB` : t.name.includes('within') ? '± 10 %' : `${t.name.includes('p99') ? '≤' : '≥'} ${t.goal}×`;
    lines.push(`| ${t.name} | ${t.missing === 'not measured' ? '—' : measured} | ${goal} | ${t.missing ? `no (${t.missing})` : t.met ? 'yes' : '**no**'} |`);
  }
  return lines.join('\n');
}
