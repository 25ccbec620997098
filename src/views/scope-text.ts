/**
 * A scope as a person reads it. The two built-in scopes have descriptions in
 * both languages; a scope an operator created shows the description the
 * operator wrote (`scopes create --description`), or its name when none.
 */
import { claimsOfScope } from '../core/claims.js';
import type { Scope } from '../core/model.js';
import type { Lang } from './i18n.js';

const BUILT_IN: Record<string, Record<Lang, string>> = {
  basic: { en: 'Your basic profile: user id, user name and portrait', 'zh-CN': '你的基本资料：用户 ID、用户名和头像' },
  email: { en: 'Your email address', 'zh-CN': '你的电子邮箱地址' },
  // The English words are the ones the migration stores (2026-12-01-10-openid-connect.ts), so an operator's rewording shows.
  openid: { en: 'Sign you in to the app with your account', 'zh-CN': '用你的账号登录该应用' },
  profile: { en: 'Your name, user name, picture and when your profile changed', 'zh-CN': '你的姓名、用户名、头像及资料的更新时间' },
  offline_access: { en: 'Keep access while you are away (a refresh token)', 'zh-CN': '在你离开时保持访问（刷新令牌）' },
};

/** Each OpenID Connect claim (SPEC §7 "Claims by scope") as a person reads it. */
const CLAIM_TEXT: Record<string, Record<Lang, string>> = {
  sub: { en: 'your user id', 'zh-CN': '你的用户 ID' },
  name: { en: 'name', 'zh-CN': '姓名' },
  preferred_username: { en: 'user name', 'zh-CN': '用户名' },
  picture: { en: 'picture', 'zh-CN': '头像' },
  updated_at: { en: 'when your profile last changed', 'zh-CN': '资料的更新时间' },
  email: { en: 'email address', 'zh-CN': '电子邮箱地址' },
  email_verified: { en: 'whether it is verified', 'zh-CN': '是否已验证' },
};

/** The claims a scope shares with an OpenID Connect app, in the person's words, in the table's order. */
export function scopeClaimTexts(scope: string, lang: Lang): { claim: string; text: string }[] {
  return claimsOfScope(scope).map((claim) => ({ claim, text: CLAIM_TEXT[claim]?.[lang] ?? claim }));
}

export function scopeDescription(scope: Scope, lang: Lang): string {
  const builtIn = BUILT_IN[scope.name];
  // The operator may have reworded a built-in scope; keep their words in English.
  if (builtIn !== undefined && (lang !== 'en' || scope.description === '' || scope.description === builtIn.en)) return builtIn[lang];
  return scope.description === '' ? scope.name : scope.description;
}
