/** /admin/v1/keys and /admin/v1/keys/rotate (SPEC §10, §7 "Keys"). */
import { rotateKeys } from '../../core/key-admin.js';
import type { JwsAlg } from '../../core/signing.js';
import type { Kit, ListQuery } from './kit.js';
import * as S from './schemas.js';
import { keyJson } from './wire.js';

export function keyRoutes(kit: Kit): void {
  const { services, op } = kit;

  op({
    method: 'GET',
    url: '/keys',
    operationId: 'listKeys',
    summary: 'The published signing keys (next, current, previous), by algorithm then age',
    tag: 'keys',
    query: S.listQuery,
    ok: { status: 200, schema: S.page(S.signingKey, 'signing keys'), description: 'a page of keys' },
    handler: async (request) => {
      const { limit, cursor } = request.query as ListQuery;
      // A handful of keys, listed in one order: the position is how many came before.
      const skip = kit.position('keys', cursor, (value): value is number => Number.isSafeInteger(value) && (value as number) > 0) ?? 0;
      const keys = (await services.keys.list()).map((key, index) => ({ key, index }));
      return kit.page('keys', keys.slice(skip, skip + limit + 1), limit, ({ key }) => keyJson(key), ({ index }) => index + 1);
    },
  });

  op({
    method: 'POST',
    url: '/keys/rotate',
    operationId: 'rotateKeys',
    summary: 'Make a next key (published at once, current after GATEHOUSE_KEY_PROPAGATION_SECONDS); one key.rotate event per new key',
    tag: 'keys',
    body: S.keyRotate,
    ok: { status: 201, schema: S.keyRotated, description: 'the new keys' },
    handler: async (request, reply) => {
      const body = (request.body ?? {}) as { alg?: JwsAlg; activate_now?: boolean };
      const made = await rotateKeys(
        services.keys,
        services.stores.audit,
        { ...(body.alg === undefined ? {} : { alg: body.alg }), activateNow: body.activate_now === true },
        kit.ctx(request),
      );
      return reply.code(201).send({ keys: made.map(keyJson) });
    },
  });
}
