/**
 * Every migration, by name. Kysely applies them in the order their NAMES
 * sort, so each name is `YYYY-MM-DD-NN-topic` with NN counting up within a
 * day: a new migration takes the next number and is appended here.
 */
import type { Migration } from 'kysely';
import * as initial from './2026-11-24-00-initial.js';
import * as codeReplay from './2026-11-24-01-code-replay.js';
import * as deviceCodes from './2026-11-24-02-device-codes.js';
import * as recentFailures from './2026-11-24-03-recent-failures.js';
import * as cleanupIndexes from './2026-11-24-04-cleanup-indexes.js';
import * as userEmail from './2026-11-24-05-user-email.js';
import * as signingKeys from './2026-12-01-00-signing-keys.js';
import * as openidConnect from './2026-12-01-10-openid-connect.js';
import * as signIns from './2026-12-01-11-sign-ins.js';
import * as logout from './2026-12-01-15-logout.js';
import * as adminApi from './2026-12-01-20-admin-api.js';
import * as replayCache from './2026-12-01-30-replay-cache.js';
import * as dpop from './2026-12-01-31-dpop.js';
import * as clientJwtAuth from './2026-12-01-32-client-jwt-auth.js';
import * as par from './2026-12-01-33-par.js';
import * as resourcesJwtAccessTokens from './2026-12-01-34-resources-jwt-access-tokens.js';
import * as refreshGrace from './2026-12-01-35-refresh-grace.js';
import * as registration from './2026-12-01-40-registration.js';
import * as tokensExpiryWalk from './2026-12-05-00-tokens-expiry-walk.js';

export const migrations: Record<string, Migration> = {
  '2026-11-24-00-initial': initial,
  '2026-11-24-01-code-replay': codeReplay,
  '2026-11-24-02-device-codes': deviceCodes,
  '2026-11-24-03-recent-failures': recentFailures,
  '2026-11-24-04-cleanup-indexes': cleanupIndexes,
  '2026-11-24-05-user-email': userEmail,
  '2026-12-01-00-signing-keys': signingKeys,
  '2026-12-01-10-openid-connect': openidConnect,
  '2026-12-01-11-sign-ins': signIns,
  '2026-12-01-15-logout': logout,
  '2026-12-01-20-admin-api': adminApi,
  '2026-12-01-30-replay-cache': replayCache,
  '2026-12-01-31-dpop': dpop,
  '2026-12-01-32-client-jwt-auth': clientJwtAuth,
  '2026-12-01-33-par': par,
  '2026-12-01-34-resources-jwt-access-tokens': resourcesJwtAccessTokens,
  '2026-12-01-35-refresh-grace': refreshGrace,
  '2026-12-01-40-registration': registration,
  '2026-12-05-00-tokens-expiry-walk': tokensExpiryWalk,
};
