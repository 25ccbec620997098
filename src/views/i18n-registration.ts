/** The strings of pages about apps that registered themselves (SPEC §9), in both languages (SPEC §6). */
import type { Lang } from './i18n.js';

const en = {
  selfRegisteredNotice: 'This app registered itself with this server: the platform has not reviewed it. Allow it only if you trust it.',
  selfRegisteredRedirect: (host: string) => `After you answer, you will be sent to ${host}.`,
  selfRegisteredApps: 'Self-registered apps',
  selfRegisteredAppsIntro: 'Apps that registered themselves (RFC 7591 dynamic registration). Disable one to stop it signing anyone in.',
  selfRegisteredNone: 'No app has registered itself.',
  lastUsed: 'Last token',
  never: 'never',
  disable: 'Disable',
  enable: 'Enable',
  disabled: 'disabled',
};

type Messages = typeof en;

const zhCN: Messages = {
  selfRegisteredNotice: '此应用是自行注册的，平台未审核过它。只有在你信任它时才允许。',
  selfRegisteredRedirect: (host) => `你作出选择后将被带到 ${host}。`,
  selfRegisteredApps: '自行注册的应用',
  selfRegisteredAppsIntro: '通过 RFC 7591 动态注册自行注册的应用。停用后它将无法再让任何人登录。',
  selfRegisteredNone: '还没有自行注册的应用。',
  lastUsed: '最近签发令牌',
  never: '从未',
  disable: '停用',
  enable: '启用',
  disabled: '已停用',
};

export const REGISTRATION_MESSAGES: Record<Lang, Messages> = { en, 'zh-CN': zhCN };
