/**
 * A scope as a person reads it. The two built-in scopes have descriptions in
 * both languages; a scope an operator created shows the description the
 * operator wrote (`scopes create --description`), or its name when none.
 */
import type { Scope } from '../core/model.js';
import type { Lang } from './i18n.js';

const BUILT_IN: Record<string, Record<Lang, string>> = {
  basic: { en: 'Your basic profile: user id, user name and portrait', 'zh-CN': '你的基本资料：用户 ID、用户名和头像' },
  email: { en: 'Your email address', 'zh-CN': '你的电子邮箱地址' },
};

export function scopeDescription(scope: Scope, lang: Lang): string {
  const builtIn = BUILT_IN[scope.name];
  // The operator may have reworded a built-in scope; keep their words in English.
  if (builtIn !== undefined && (lang !== 'en' || scope.description === '' || scope.description === builtIn.en)) return builtIn[lang];
  return scope.description === '' ? scope.name : scope.description;
}
