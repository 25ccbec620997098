/** The logout pages' strings (SPEC §7 "Logout"), English and Simplified Chinese; the Chinese table is typed as the English one. */
import type { Lang } from './i18n.js';

const en = {
  logoutTitle: 'Sign out',
  logoutQuestion: 'Do you want to sign out?',
  logoutFromApp: (app: string) => `${app} asks to sign you out.`,
  logoutSignedInAs: (name: string) => `You are signed in as ${name}.`,
  logoutNotSignedIn: 'You are not signed in.',
  logoutEffect: 'Signing out ends your session here and in the apps you signed in to with it.',
  logoutButton: 'Sign out',
  signedOutTitle: 'Signed out',
  signedOut: 'You are signed out. You can close this page.',
  signedOutApp: (app: string) => `You are signed out. You can close this page or go back to ${app} yourself.`,
};

export type LogoutMessages = typeof en;

const zhCN: LogoutMessages = {
  logoutTitle: '退出登录',
  logoutQuestion: '确定要退出登录吗？',
  logoutFromApp: (app) => `${app} 请求让你退出登录。`,
  logoutSignedInAs: (name) => `当前登录：${name}。`,
  logoutNotSignedIn: '你当前未登录。',
  logoutEffect: '退出后，你在此处的会话将结束，通过它登录的应用也会一并退出。',
  logoutButton: '退出登录',
  signedOutTitle: '已退出登录',
  signedOut: '你已退出登录，可以关闭此页面。',
  signedOutApp: (app) => `你已退出登录。可以关闭此页面，或自行返回 ${app}。`,
};

export const LOGOUT_MESSAGES: Record<Lang, LogoutMessages> = { en, 'zh-CN': zhCN };
