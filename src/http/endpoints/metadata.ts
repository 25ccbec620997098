/**
 * RFC 8414 authorization server metadata at /.well-known/oauth-authorization-server,
 * with every field SPEC §1 lists. Built from the issuer, so every URL in it is
 * one this instance serves (test/resource/metadata.test.ts checks each).
 */
import type { RouteModule } from '../context.js';
import { endpoint } from '../endpoint.js';
import { JSON_TYPE } from '../errors.js';

/** SPEC §1: client_secret_post (Baidu), client_secret_basic (RFC 6749 §2.3.1), none for public apps. */
const AUTH_METHODS = ['client_secret_post', 'client_secret_basic', 'none'];

export function authorizationServerMetadata(issuer: string, scopes: string[]): Record<string, unknown> {
  return {
    issuer,
    authorization_endpoint: `${issuer}/oauth/2.0/authorize`,
    token_endpoint: `${issuer}/oauth/2.0/token`,
    device_authorization_endpoint: `${issuer}/oauth/2.0/device/code`,
    revocation_endpoint: `${issuer}/oauth/2.0/revoke`,
    introspection_endpoint: `${issuer}/oauth/2.0/introspect`,
    grant_types_supported: [
      'authorization_code',
      'implicit',
      'refresh_token',
      'client_credentials',
      'urn:ietf:params:oauth:grant-type:device_code',
      'device_token',
    ],
    response_types_supported: ['code', 'token'],
    response_modes_supported: ['query', 'fragment'],
    code_challenge_methods_supported: ['S256', 'plain'],
    token_endpoint_auth_methods_supported: AUTH_METHODS,
    revocation_endpoint_auth_methods_supported: AUTH_METHODS,
    introspection_endpoint_auth_methods_supported: AUTH_METHODS,
    scopes_supported: scopes,
    service_documentation: `${issuer}/oauth/2.0/errors`,
    ui_locales_supported: ['en', 'zh-CN'],
  };
}

export const METADATA_PATH = '/.well-known/oauth-authorization-server';

export const metadataEndpoint: RouteModule = async (app, { services }) => {
  endpoint(app, METADATA_PATH, ['GET'], 'json', async (_request, reply) => {
    const scopes = [...(await services.knownScopes())].sort();
    // Public and the same for everyone; a minute of caching spares the scope store.
    return reply.header('content-type', JSON_TYPE).header('cache-control', 'public, max-age=60').send(JSON.stringify(authorizationServerMetadata(services.config.issuer, scopes)));
  });
};
