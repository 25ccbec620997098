/**
 * Server metadata, one document served twice: RFC 8414 at
 * /.well-known/oauth-authorization-server (SPEC §1) and OpenID Connect
 * Discovery 1.0 at /.well-known/openid-configuration (SPEC §7), which carry
 * the same fields ("The RFC 8414 document carries the same new fields").
 * Built from the issuer, so every URL in it is under this instance
 * (test/resource/metadata.test.ts says which of them answer today).
 */
import { CLAIMS_SUPPORTED } from '../../core/claims.js';
import { DPOP_ALGS } from '../../core/dpop.js';
import { ASYMMETRIC_ALGS, SECRET_ALGS } from '../../core/client-assertion.js';
import { SIGNING_ALGS, SUBJECT_TYPES } from '../../core/model.js';
import type { RouteModule } from '../context.js';
import { endpoint } from '../endpoint.js';
import { JSON_TYPE } from '../errors.js';

/** SPEC §1: client_secret_post (Baidu), client_secret_basic (RFC 6749 §2.3.1), none for public apps. */
const AUTH_METHODS = ['client_secret_post', 'client_secret_basic', 'none'];
/** SPEC §7/§8: plus RFC 7523 / OIDC Core §9 JWT client authentication, at the token, PAR, revoke and introspect endpoints. */
const TOKEN_AUTH_METHODS = [...AUTH_METHODS, 'private_key_jwt', 'client_secret_jwt'];
/** RFC 8414 §2: the algorithms a client assertion may be signed with (core/client-assertion.ts's allow-lists). */
const ASSERTION_ALGS = [...ASYMMETRIC_ALGS, ...SECRET_ALGS];

export interface MetadataOptions {
  /** SPEC §9: registration_endpoint is listed only while GATEHOUSE_REGISTRATION is not off. */
  registration: boolean;
  /** SPEC §9: GATEHOUSE_CLIENT_METADATA_DOCUMENTS=1. */
  clientMetadataDocuments: boolean;
}

export function authorizationServerMetadata(
  issuer: string,
  scopes: string[],
  options: MetadataOptions = { registration: false, clientMetadataDocuments: false },
): Record<string, unknown> {
  return {
    issuer,
    authorization_endpoint: `${issuer}/oauth/2.0/authorize`,
    token_endpoint: `${issuer}/oauth/2.0/token`,
    device_authorization_endpoint: `${issuer}/oauth/2.0/device/code`,
    revocation_endpoint: `${issuer}/oauth/2.0/revoke`,
    introspection_endpoint: `${issuer}/oauth/2.0/introspect`,
    userinfo_endpoint: `${issuer}/oauth/2.0/userinfo`,
    jwks_uri: `${issuer}/oauth/2.0/jwks`,
    end_session_endpoint: `${issuer}/oauth/2.0/logout`,
    pushed_authorization_request_endpoint: `${issuer}/oauth/2.0/par`,
    ...(options.registration ? { registration_endpoint: `${issuer}/oauth/2.0/register` } : {}),
    grant_types_supported: [
      'authorization_code',
      'implicit',
      'refresh_token',
      'client_credentials',
      'urn:ietf:params:oauth:grant-type:device_code',
      'device_token',
    ],
    response_types_supported: ['code', 'token', 'id_token', 'id_token token'],
    response_modes_supported: ['query', 'fragment', 'form_post'],
    code_challenge_methods_supported: ['S256', 'plain'],
    token_endpoint_auth_methods_supported: TOKEN_AUTH_METHODS,
    revocation_endpoint_auth_methods_supported: TOKEN_AUTH_METHODS,
    introspection_endpoint_auth_methods_supported: TOKEN_AUTH_METHODS,
    token_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGS,
    revocation_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGS,
    introspection_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGS,
    // RFC 9126 §5: PAR is offered to every app and required of those made with --require-par.
    require_pushed_authorization_requests: false,
    scopes_supported: scopes,
    subject_types_supported: [...SUBJECT_TYPES],
    id_token_signing_alg_values_supported: [...SIGNING_ALGS],
    claims_supported: [...CLAIMS_SUPPORTED],
    prompt_values_supported: ['none', 'login', 'consent'],
    authorization_response_iss_parameter_supported: true,
    backchannel_logout_supported: true,
    backchannel_logout_session_supported: true,
    // RFC 9449 §5.1: the algorithms the proof check accepts, from the same list.
    dpop_signing_alg_values_supported: [...DPOP_ALGS],
    client_id_metadata_document_supported: options.clientMetadataDocuments,
    service_documentation: `${issuer}/oauth/2.0/errors`,
    ui_locales_supported: ['en', 'zh-CN'],
  };
}

export const METADATA_PATH = '/.well-known/oauth-authorization-server';
export const OPENID_CONFIGURATION_PATH = '/.well-known/openid-configuration';

export const metadataEndpoint: RouteModule = async (app, { services }) => {
  for (const path of [METADATA_PATH, OPENID_CONFIGURATION_PATH]) {
    endpoint(app, path, ['GET'], 'json', async (_request, reply) => {
      const scopes = [...(await services.knownScopes())].sort();
      // Public and the same for everyone; a minute of caching spares the scope store.
      return reply
        .header('content-type', JSON_TYPE)
        .header('cache-control', 'public, max-age=60')
        .send(JSON.stringify(authorizationServerMetadata(services.config.issuer, scopes, { registration: services.config.registration !== 'off', clientMetadataDocuments: services.config.clientMetadataDocuments })));
    });
  }
};
