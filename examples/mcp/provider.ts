/**
 * What an MCP host keeps for one server, in memory: its registration (RFC 7591,
 * made by the SDK's auth()), its tokens and the PKCE verifier. The SDK's
 * OAuthClientProvider; a real host keeps these on disk.
 */
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';

export class MemoryProvider implements OAuthClientProvider {
  information: OAuthClientInformationMixed | undefined;
  saved: OAuthTokens | undefined;
  verifier = '';
  /** Where auth() would send the browser (the host opens it; a test drives it with a form client). */
  authorizationUrl: URL | undefined;

  constructor(
    readonly redirectUrl: string,
    private readonly name = 'Gatehouse MCP example',
  ) {}

  get clientMetadata(): OAuthClientMetadata {
    // A public client (RFC 8252 native app): loopback redirect, PKCE, no secret.
    return { client_name: this.name, redirect_uris: [this.redirectUrl], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'none' };
  }
  clientInformation() {
    return this.information;
  }
  saveClientInformation(information: OAuthClientInformationMixed) {
    this.information = information;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    return this.verifier;
  }
}
