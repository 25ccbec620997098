/** RFC 6749 §4.1.3: exchanging an authorization code, with PKCE (RFC 7636 §4.6). */
import { oauthError } from '../errors.js';
import { issueTokens } from '../issue.js';
import { isOpenIdScope, issueOpenIdTokens, mayRefresh } from '../openid-tokens.js';
import { required, single } from '../params.js';
import { verifyPkce } from '../pkce.js';
import { narrowResources } from '../resources.js';
import { parseToken, secretMatches } from '../tokens.js';
import type { Grant } from './types.js';

export const authorizationCodeGrant: Grant = {
  grantType: 'authorization_code',
  enabledBy: 'authorization_code',
  allowsPublic: true,
  async exchange(deps, { app, params, now, jkt }) {
    const presented = required(params, 'code');
    const redirectUri = required(params, 'redirect_uri');
    const verifier = single(params, 'code_verifier');
    const { codes, tokens } = deps.stores;
    // RFC 6749 §4.1.2: a code used twice revokes every token it issued. The
    // mark comes first, so the winner of a race sees it after storing tokens.
    const replayed = async (familyId: number): Promise<never> => {
      await codes.markCodeReplayed(parsed!.id, now);
      await tokens.revokeFamily(familyId, now);
      throw oauthError('invalid_grant', 'code has already been used; the tokens issued from it are revoked');
    };

    const parsed = parseToken(presented);
    const code = parsed && (await codes.findCode(parsed.id));
    if (!parsed || !code || !secretMatches(parsed.secret, code.secretHash)) {
      throw oauthError('invalid_grant', 'code is unknown');
    }
    if (code.clientId !== app.clientId) throw oauthError('invalid_grant', 'code was issued to another app');
    if (code.consumedAt !== null) await replayed(code.familyId);
    if (code.expiresAt <= now) throw oauthError('invalid_grant', 'code has expired');
    if (code.redirectUri !== redirectUri) {
      throw oauthError('invalid_grant', 'redirect_uri differs from the one used to obtain the code');
    }
    verifyPkce({ challenge: code.codeChallenge, method: code.codeChallengeMethod }, verifier);
    // RFC 8707 §2.2: checked before the code is spent, so a wrong resource leaves it usable.
    const granted = code.resources ?? [];
    const audience = narrowResources(granted, params, app);

    // One atomic statement decides the single winner among concurrent redemptions.
    if (!(await codes.consumeCode(code.id, now))) await replayed(code.familyId);
    const grant = { app, uid: code.uid, scope: code.scope, familyId: code.familyId, audience, refreshAudience: granted.length > 0 ? granted : audience, ...(jkt === undefined ? {} : { jkt }) };
    // SPEC §7: an OpenID request (scope openid, sign-in kept with the code) also gets an id_token.
    const response =
      code.signIn !== null && isOpenIdScope(code.scope)
        ? await issueOpenIdTokens(
            { tokens, users: deps.stores.users, openid: deps.openid, lifetimes: deps.lifetimes, now },
            { ...grant, withRefresh: mayRefresh(code.scope), signIn: code.signIn, keepSignIn: true },
          )
        : await issueTokens({ tokens, lifetimes: deps.lifetimes, now, jwt: deps.openid }, { ...grant, withRefresh: mayRefresh(code.scope) });
    // A replay that raced this exchange (another instance, or another request
    // of this one between our consume and our insert) may have revoked the
    // family before our tokens existed: look once more, now they do. The
    // exchange itself stays the one success; its tokens are dead either way.
    if (await codes.isCodeReplayed(code.id)) await tokens.revokeFamily(code.familyId, now);
    return response;
  },
};
