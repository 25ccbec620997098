/**
 * RFC 6749 §6 with rotation (RFC 9700 §4.14.2): each refresh token works once
 * and is replaced; a spent one presented again is a replay, so its whole
 * family is revoked and the answer is expired_token (SPEC §3) — unless the
 * app has a refresh grace window and the reuse falls inside it (SPEC §8,
 * ../refresh-grace.ts): then the answer of the first use, again.
 */
import { oauthError } from '../errors.js';
import { issueTokens, type TokenResponse } from '../issue.js';
import { isOpenIdScope, issueOpenIdTokens } from '../openid-tokens.js';
import { required, single } from '../params.js';
import { answerExpiresAt, leadOrFollow, sealAnswer, storedAnswer, withinGrace } from '../refresh-grace.js';
import { narrowResources } from '../resources.js';
import { parseScope, scopeCovers } from '../scopes.js';
import { parseToken, secretMatches } from '../tokens.js';
import type { Grant } from './types.js';

const replayed = () => oauthError('expired_token', 'refresh_token has already been used; every token of its grant is now revoked');

export const refreshTokenGrant: Grant = {
  grantType: 'refresh_token',
  enabledBy: 'refresh_token',
  allowsPublic: true,
  async exchange(deps, { app, params, now, jkt }) {
    const presented = required(params, 'refresh_token');
    const requestedScope = single(params, 'scope');
    const { tokens } = deps.stores;

    const parsed = parseToken(presented);
    const token = parsed && (await tokens.findToken(parsed.id));
    if (!parsed || !token || token.kind !== 'refresh' || !secretMatches(parsed.secret, token.secretHash)) {
      throw oauthError('invalid_grant', 'refresh_token is unknown');
    }
    if (token.clientId !== app.clientId) throw oauthError('invalid_grant', 'refresh_token was issued to another app');
    // SPEC §8, RFC 9449 §5: a bound refresh token (public apps) needs a proof of its key. Checked
    // before anything is used up or revoked: without the key, a stolen token can do nothing at all.
    if (token.jkt !== null) {
      if (jkt === undefined) throw oauthError('invalid_dpop_proof', 'this refresh_token is DPoP-bound: send a DPoP proof made with its key');
      if (jkt !== token.jkt) throw oauthError('invalid_grant', 'this refresh_token is bound to another DPoP key');
    }

    // SPEC §8: the same app, with the same DPoP key as the first use (or none, as it had none), within the window gets the first answer again.
    const again = async (waitForLocal = true): Promise<TokenResponse> => {
      const stored = await storedAnswer(tokens, token.id, parsed.secret, now, waitForLocal);
      if (stored === undefined) throw oauthError('invalid_grant', 'refresh_token has already been used, and the answer to that use is not available: start a new authorization');
      if (stored.jkt !== (jkt ?? null)) throw oauthError('invalid_grant', 'refresh_token was used with another DPoP key: its tokens are bound to that key');
      return stored.answer;
    };
    const revokeReplay = async (): Promise<never> => {
      if (token.familyId !== null) await tokens.revokeFamily(token.familyId, now);
      throw replayed();
    };
    if (token.consumedAt !== null) {
      if (withinGrace(app, token, now)) return again();
      return revokeReplay();
    }
    if (token.revokedAt !== null) throw oauthError('invalid_grant', 'refresh_token has been revoked');
    if (token.expiresAt <= now) throw oauthError('expired_token', 'refresh_token has expired');

    let scope = token.scope;
    if (requestedScope !== undefined) {
      const asked = parseScope(requestedScope);
      if (!scopeCovers(token.scope, asked)) {
        throw oauthError('invalid_scope', `scope may only narrow the granted scope (${token.scope.join(' ')})`);
      }
      if (asked.length > 0) scope = asked;
    }
    // RFC 8707 §2.2: the new access token may name fewer resources; the new refresh token keeps them all.
    const granted = token.audience ?? [];
    const audience = narrowResources(granted, params, app);

    const refresh = async (): Promise<TokenResponse> => {
      if (!(await tokens.consumeRefreshToken(token.id, now))) {
        // Another request (of another instance) used it first: inside a window, its answer; else a replay.
        return app.refreshGrace > 0 ? again(false) : revokeReplay();
      }
      const grant = { app, uid: token.uid, scope, familyId: token.familyId, withRefresh: true, refreshScope: token.scope, audience, refreshAudience: granted, ...(jkt === undefined ? {} : { jkt }) };
      // OIDC Core §12.2: a refresh of an OpenID grant returns a new id_token with the original sign-in.
      const signIn = isOpenIdScope(scope) && token.uid !== null && token.familyId !== null ? await tokens.findSignIn(token.familyId) : undefined;
      const response =
        signIn !== undefined
          ? await issueOpenIdTokens(
              { tokens, users: deps.stores.users, openid: deps.openid, lifetimes: deps.lifetimes, now },
              { ...grant, uid: token.uid!, signIn, keepSignIn: false },
            )
          : await issueTokens({ tokens, lifetimes: deps.lifetimes, now, jwt: deps.openid }, grant);
      // Stored (durably) before it is answered, so a reuse that comes after this answer always finds it.
      if (app.refreshGrace > 0) await tokens.saveRefreshAnswer(token.id, sealAnswer(parsed.secret, token.id, response, jkt ?? null), answerExpiresAt(app, now));
      return response;
    };
    // An app without a window takes the path it always took; with one, the racing requests of this process follow the first.
    return app.refreshGrace > 0 ? leadOrFollow(token.id, refresh, () => again(false)) : refresh();
  },
};
