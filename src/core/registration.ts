/**
 * Dynamic client registration (RFC 7591) and its management protocol
 * (RFC 7592), SPEC §9: register, read, replace, delete. The registration
 * access token is minted here, returned once, and kept only as its SHA-256;
 * it stays the same for the app's life (SPEC §9). A missing or wrong one, or
 * one of another app, is `invalid_token` (RFC 7592 §2: 401, whether or not the
 * app exists, so a caller learns nothing about other apps).
 */
import { auditEvent, commitChange, NotFoundError, type AppPatch, type AuditStore, type ChangeContext } from './audit.js';
import { oauthError, OAuthError } from './errors.js';
import { APP_DEFAULTS, type App } from './model.js';
import type { AppStore, ClientKeys } from './ports.js';
import { checkMetadata, registeredMetadata, type CheckedMetadata, type MetadataPolicy } from './registration-metadata.js';
import { hashSecret, mintSecret, randomId, secretMatches } from './tokens.js';
import { validateAppInput } from './apps.js';

export interface RegistrationDeps {
  apps: Pick<AppStore, 'findApp'>;
  audit: Pick<AuditStore, 'commit'>;
  policy: MetadataPolicy;
  knownScopes: ReadonlySet<string>;
  /**
   * Checks a jwks_uri by fetching it under the outbound rules (SPEC §9: no
   * loopback, private or link-local address); resolves to why it is refused,
   * or undefined when it serves a JWK Set.
   */
  checkJwksUri(uri: string): Promise<string | undefined>;
  /** Seals the Secret Key of a client_secret_jwt app (SPEC §8: it is needed in clear, so kept sealed). */
  clientKeys: Pick<ClientKeys, 'sealSecret'>;
}

export interface Registered {
  app: App;
  /** The wire answer (RFC 7591 §3.2.1 / RFC 7592 §3), without the URI of the management endpoint. */
  metadata: Record<string, unknown>;
}

/** RFC 7591 §3.2.1: the app's metadata as the server holds it. */
export function describeRegistration(app: App): Record<string, unknown> {
  return {
    client_id: app.clientId,
    client_id_issued_at: Math.floor(app.createdAt / 1000),
    ...(app.isPublic ? {} : { client_secret_expires_at: 0 }),
    ...registeredMetadata(app),
  };
}

async function check(deps: RegistrationDeps, body: unknown): Promise<CheckedMetadata> {
  const checked = checkMetadata(body, deps.policy, deps.knownScopes);
  if (checked.jwksUri !== undefined) {
    const refused = await deps.checkJwksUri(checked.jwksUri);
    if (refused !== undefined) throw oauthError('invalid_client_metadata', `jwks_uri: ${refused}`);
  }
  return checked;
}

function keptOf(checked: CheckedMetadata): Record<string, string> {
  return { ...checked.kept, ...(checked.applicationType === 'native' ? { application_type: 'native' } : {}) };
}

/** RFC 7591 §3: registers an app; the answer carries the Secret Key (unless public) and the registration access token, once. */
export async function registerClient(
  deps: RegistrationDeps,
  body: unknown,
  ctx: ChangeContext,
): Promise<Registered & { clientSecret: string | undefined; registrationAccessToken: string }> {
  const checked = await check(deps, body);
  const fields = validateAppInput(checked.input, deps.knownScopes);
  const clientSecret = fields.isPublic ? undefined : mintSecret();
  const registrationAccessToken = mintSecret();
  const clientId = randomId(18);
  const app: App = {
    ...APP_DEFAULTS,
    ...fields,
    clientId,
    sealedSecret: fields.tokenEndpointAuthMethod === 'client_secret_jwt' && clientSecret !== undefined ? deps.clientKeys.sealSecret(clientId, clientSecret) : null,
    secretHash: clientSecret === undefined ? null : hashSecret(clientSecret),
    disabled: false,
    createdAt: ctx.now,
    registration: 'dynamic',
    registrationTokenHash: hashSecret(registrationAccessToken),
    registrationMetadata: keptOf(checked),
    lastUsedAt: null,
  };
  await commitChange(deps.audit, { kind: 'createApp', app }, auditEvent({ ...ctx, actor: { type: 'app', id: app.clientId } }, 'app.create', { type: 'app', id: app.clientId }), {});
  const metadata = describeRegistration(app);
  return { app, metadata: clientSecret === undefined ? metadata : { ...metadata, client_secret: clientSecret }, clientSecret, registrationAccessToken };
}

/** RFC 7592 §3: the app behind a registration access token, or invalid_token. */
export async function authenticateRegistration(apps: Pick<AppStore, 'findApp'>, clientId: string, presented: string | undefined): Promise<App> {
  const app = await apps.findApp(clientId);
  if (presented === undefined) throw new OAuthError('invalid_token', 'send the registration access token as Authorization: Bearer (RFC 7592 §3)');
  if (app === undefined || app.registration !== 'dynamic' || !app.registrationTokenHash || !secretMatches(presented, app.registrationTokenHash)) {
    throw new OAuthError('invalid_token', 'the registration access token is not valid for this client');
  }
  return app;
}

/** RFC 7592 §2.2: replaces the whole metadata; members left out take their defaults. The client_id must be the app's. */
export async function replaceClient(deps: RegistrationDeps, app: App, body: unknown, ctx: ChangeContext): Promise<Registered> {
  const clientId = (body as { client_id?: unknown } | null)?.client_id;
  if (clientId !== app.clientId) throw oauthError('invalid_client_metadata', 'client_id must be present and equal to this client\'s client_id (RFC 7592 §2.2)');
  const checked = await check(deps, body);
  if (checked.input.isPublic !== app.isPublic) {
    throw oauthError('invalid_client_metadata', `token_endpoint_auth_method cannot change between none and a secret: register a new client`);
  }
  const fields = validateAppInput(checked.input, deps.knownScopes);
  if (fields.tokenEndpointAuthMethod === 'client_secret_jwt' && app.sealedSecret === null) {
    // Only the Secret Key's hash is kept: it cannot be sealed after the fact (SPEC §8).
    throw oauthError('invalid_client_metadata', 'token_endpoint_auth_method client_secret_jwt must be chosen at registration: register a new client');
  }
  const patch: AppPatch = {
    name: fields.name,
    rootDomain: fields.rootDomain,
    redirectUris: fields.redirectUris,
    grantTypes: fields.grantTypes,
    responseTypes: fields.responseTypes,
    scopes: fields.scopes,
    postLogoutRedirectUris: fields.postLogoutRedirectUris,
    backchannelLogoutUri: fields.backchannelLogoutUri,
    tokenEndpointAuthMethod: fields.tokenEndpointAuthMethod,
    jwks: fields.jwks,
    jwksUri: fields.jwksUri,
    registrationMetadata: keptOf(checked),
  };
  await commitChange(deps.audit, { kind: 'updateApp', clientId: app.clientId, patch }, auditEvent({ ...ctx, actor: { type: 'app', id: app.clientId } }, 'app.update', { type: 'app', id: app.clientId }), {
    notFound: () => new OAuthError('invalid_token', 'the registration access token is not valid for this client'),
  });
  const updated = { ...app, ...patch };
  return { app: updated, metadata: describeRegistration(updated) };
}

/** RFC 7592 §2.3: deletes the app; its tokens are revoked with it (core/audit.ts deleteApp). */
export async function deleteClient(deps: Pick<RegistrationDeps, 'audit'>, app: App, ctx: ChangeContext): Promise<void> {
  try {
    await commitChange(deps.audit, { kind: 'deleteApp', clientId: app.clientId }, auditEvent({ ...ctx, actor: { type: 'app', id: app.clientId } }, 'app.delete', { type: 'app', id: app.clientId }), {
      notFound: () => new NotFoundError('app', app.clientId),
    });
  } catch (error) {
    if (error instanceof NotFoundError) throw new OAuthError('invalid_token', 'the registration access token is not valid for this client');
    throw error;
  }
}
