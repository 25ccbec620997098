/**
 * The console's token settings of an app (SPEC §8): the resources it may ask
 * for (RFC 8707), the format of its access tokens (RFC 9068). Strings in
 * English and Simplified Chinese, the Chinese table typed as the English one.
 */
import type { App } from '../core/model.js';
import type { Lang } from './i18n.js';

const en = {
  tokenLegend: 'Access tokens',
  resources: 'Resources it may ask for (RFC 8707), one per line',
  resourcesHint: 'Absolute URIs without a fragment. Leave empty to allow any resource.',
  accessTokenFormat: 'Access token format',
  formatOpaque: 'Opaque (default)',
  formatJwt: 'JWT (RFC 9068), signed with the server keys',
  refreshGrace: 'Refresh grace (seconds)',
  refreshGraceHint: 'Within this many seconds, a refresh token used again by the app gets the same new tokens (parallel tabs, lost answers). 0: strict single use.',
};

type TokenFieldMessages = typeof en;

const zhCN: TokenFieldMessages = {
  tokenLegend: '访问令牌',
  resources: '可申请的资源（RFC 8707），每行一个',
  resourcesHint: '不含片段（#）的绝对 URI。留空表示允许任何资源。',
  accessTokenFormat: '访问令牌格式',
  formatOpaque: '不透明令牌（默认）',
  formatJwt: 'JWT（RFC 9068），由服务器密钥签名',
  refreshGrace: '刷新宽限期（秒）',
  refreshGraceHint: '在此秒数内，应用再次使用同一刷新令牌会得到相同的新令牌（多个标签页、响应丢失）。0 表示严格一次性使用。',
};

export const TOKEN_MESSAGES: Record<Lang, TokenFieldMessages> = { en, 'zh-CN': zhCN };

/** What the form shows and posts back: as typed, checked by validateAppInput. */
export interface TokenFieldValues {
  resources: string[];
  accessTokenFormat: string;
  /** As typed (seconds). */
  refreshGrace: string;
}

export function tokenFieldValuesOf(app: Pick<App, 'resources' | 'accessTokenFormat' | 'refreshGrace'>): TokenFieldValues {
  return { resources: app.resources, accessTokenFormat: app.accessTokenFormat, refreshGrace: String(app.refreshGrace) };
}
