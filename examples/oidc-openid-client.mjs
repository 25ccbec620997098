#!/usr/bin/env node
/**
 * Signing a person in with OpenID Connect through openid-client v6 (docs/oidc.md):
 * discovery, the code flow with PKCE and a nonce, the id_token checked by the
 * library, userinfo, and a refresh that brings a new id_token.
 *
 *   node examples/oidc-openid-client.mjs ISSUER CLIENT_ID CLIENT_SECRET REDIRECT_URI USERNAME PASSWORD
 *
 * A real app sends the browser to the authorization URL and reads the callback;
 * here the person's part (sign in, approve) is played by fetch with a cookie jar,
 * posting the same forms a browser would (SPEC §6 names the fields).
 */
import * as client from 'openid-client';

const [issuer, clientId, clientSecret, redirectUri, username, password] = process.argv.slice(2);
if (!password) {
  console.error('usage: node examples/oidc-openid-client.mjs ISSUER CLIENT_ID CLIENT_SECRET REDIRECT_URI USERNAME PASSWORD');
  process.exit(2);
}

const options = new URL(issuer).protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : {};
const config = await client.discovery(new URL(issuer), clientId, clientSecret, undefined, options);
console.log('issuer:', config.serverMetadata().issuer);

const verifier = client.randomPKCECodeVerifier();
const nonce = client.randomNonce();
const state = client.randomState();
const authorizationUrl = client.buildAuthorizationUrl(config, {
  redirect_uri: redirectUri,
  scope: 'openid profile email offline_access',
  code_challenge: await client.calculatePKCECodeChallenge(verifier),
  code_challenge_method: 'S256',
  nonce,
  state,
});
console.log('send the browser to:', authorizationUrl.href);

const callback = await signInAndApprove(authorizationUrl, username, password);
console.log('the browser came back to:', callback.href.replace(/code=[^&]+/, 'code=…'));

const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedNonce: nonce, expectedState: state, idTokenExpected: true });
const claims = tokens.claims();
console.log('id_token claims:', JSON.stringify(claims, null, 2));

const profile = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
console.log('userinfo:', JSON.stringify(profile, null, 2));

const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
console.log('refreshed id_token keeps auth_time and sid:', refreshed.claims().auth_time === claims.auth_time && refreshed.claims().sid === claims.sid);

/** The person's part: the sign-in form, then the consent form, then the redirect to the app. */
async function signInAndApprove(url, user, pass) {
  const jar = new Map();
  const go = async (target, form) => {
    const response = await fetch(target, {
      method: form ? 'POST' : 'GET',
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body: form ? new URLSearchParams(form) : undefined,
      redirect: 'manual',
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      jar.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return { response, body: await response.text() };
  };
  const hidden = (html) => {
    const fields = {};
    for (const [input] of html.matchAll(/<input[^>]*type="hidden"[^>]*>/g)) {
      const name = /name="([^"]*)"/.exec(input)[1];
      fields[name] = (/value="([^"]*)"/.exec(input)?.[1] ?? '').replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#39;/g, "'");
    }
    return fields;
  };
  let page = await go(url);
  page = await go(new URL('/oauth/2.0/authorize', url), { ...hidden(page.body), username: user, password: pass });
  if (page.response.status !== 302) page = await go(new URL('/oauth/2.0/authorize', url), { ...hidden(page.body), decision: 'approve' });
  const location = page.response.headers.get('location');
  if (!location) throw new Error(`no redirect after consent (status ${page.response.status})`);
  return new URL(location);
}
