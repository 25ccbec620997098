/** Shared by the logout tests: a person signed in to apps through the authorize endpoint, the session's sid, and id_token hints. */
import { generateKeyPair, SignJWT } from 'jose';
import { SESSION_COOKIE } from '../../src/http/cookies.js';
import { authorize, Browser } from '../helpers/browserless-flow.js';
import type { TestServer } from '../helpers/server.js';

export const LOGOUT = '/oauth/2.0/logout';

/** Signs `person` in to the app in `browser` (code flow up to the redirect); returns the code. */
export async function signInTo(browser: Browser, clientId: string, person: { username: string; password: string }, redirectUri = 'https://app.example.com/cb'): Promise<string> {
  const final = await authorize(browser, { response_type: 'code', client_id: clientId, redirect_uri: redirectUri, state: 'st' }, person);
  if (final.status !== 302 || final.location === null) throw new Error(`authorize ended with ${final.status}: ${final.body.slice(0, 200)}`);
  return new URL(final.location).searchParams.get('code')!;
}

/** The sid of the browser's session cookie (its signed body is base64url JSON). */
export function sessionSid(browser: Browser): string {
  const cookie = browser.jar.header().split('; ').find((pair) => pair.startsWith(`${SESSION_COOKIE}=`));
  if (cookie === undefined) throw new Error('no session cookie');
  const body = cookie.slice(SESSION_COOKIE.length + 1).split('.')[0]!;
  return (JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { s: string }).s;
}

export function hasSession(browser: Browser): boolean {
  return browser.jar.header().split('; ').some((pair) => pair.startsWith(`${SESSION_COOKIE}=`));
}

/** An id_token this server signs (as the token endpoint will), for `clientId`. */
export async function ourIdToken(server: TestServer, clientId: string, uid: string, overrides: Record<string, unknown> = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return server.instance.signer.sign({ iss: server.url, sub: uid, aud: clientId, iat: now, exp: now + 3600, auth_time: now, sid: 'x', ...overrides }, { alg: 'RS256' });
}

/** A token signed by a key this server never had: `kid` our current kid (forged) or a new one (unknown kid). */
export async function foreignIdToken(server: TestServer, clientId: string, uid: string, kid: 'ours' | 'unknown', issuer = server.url): Promise<string> {
  const { privateKey } = await generateKeyPair('RS256');
  const jwks = (await server.instance.signer.jwks()).keys;
  const ourKid = jwks.find((key) => key['alg'] === 'RS256')!['kid'] as string;
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sub: uid, aud: clientId, sid: 'x' })
    .setProtectedHeader({ alg: 'RS256', kid: kid === 'ours' ? ourKid : 'not-a-key-of-this-server', typ: 'JWT' })
    .setIssuer(issuer)
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(privateKey);
}

/** The hidden fields and action of the confirmation page's form. */
export function confirmationForm(body: string): { action: string; fields: Record<string, string> } {
  const form = /<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/.exec(body);
  if (!form) throw new Error(`no form: ${body.slice(0, 300)}`);
  const fields: Record<string, string> = {};
  for (const input of form[2]!.matchAll(/<input[^>]*type="hidden"[^>]*>/g)) {
    const name = /name="([^"]*)"/.exec(input[0])?.[1];
    if (name !== undefined) fields[name] = (/value="([^"]*)"/.exec(input[0])?.[1] ?? '').replace(/&amp;/g, '&').replace(/&quot;/g, '"');
  }
  return { action: form[1]!, fields };
}
