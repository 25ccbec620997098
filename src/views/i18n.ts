/**
 * Every string a page shows, in English and Simplified Chinese (SPEC §6).
 * The Chinese table is typed as the English one, so a string missing in one
 * language is a compile error, not a mixed-language page.
 */
export const LANGS = ['en', 'zh-CN'] as const;
export type Lang = (typeof LANGS)[number];

const en = {
  langName: 'English',
  productTagline: 'OAuth 2.0 authorization server',
  signInTitle: 'Sign in',
  signInIntro: (app: string) => `Sign in to continue to ${app}.`,
  signInPlain: 'Sign in to your account.',
  username: 'Username',
  password: 'Password',
  signInButton: 'Sign in',
  badCredentials: 'The username or password is not right.',
  tooManyAttempts: 'Too many attempts. Wait a few minutes and try again.',
  consentTitle: (app: string) => `Allow ${app} to access your account?`,
  consentIntro: (app: string, domain: string) => `${app} (${domain}) asks for:`,
  signedInAs: (name: string) => `Signed in as ${name}`,
  switchAccount: 'Use another account',
  approve: 'Allow',
  deny: 'Deny',
  errorTitle: 'The request could not be completed',
  errorCode: 'Error code',
  errorWhatFailed: 'What was wrong in this request',
  errorCauses: 'Common causes and how to fix them',
  errorReference: 'Error reference',
  errorReferenceIntro: 'Every error Gatehouse returns, what it means and how to fix it.',
  requestId: 'Request id',
  loginSuccessTitle: 'Authorization complete',
  loginSuccessCode: 'Copy this code into the app:',
  loginSuccessToken: 'The app has received its access token. You can close this page.',
  loginSuccessError: 'The authorization did not complete:',
  formPostTitle: 'Returning to the app',
  formPostIntro: (domain: string) => `Sending you back to ${domain}…`,
  formPostButton: 'Continue to the app',
  scopeShares: 'Shares',
  copy: 'Copy',
  backHome: 'Home',
  notFound: 'This page does not exist.',
  methodNotAllowed: 'This page does not accept that method.',
  forbidden: 'The form expired or was sent from another site. Go back, reload the page and try again.',
  deviceTitle: 'Connect a device',
  deviceIntro: 'Enter the code your TV, console or app shows.',
  deviceCodeLabel: 'Code',
  deviceContinue: 'Continue',
  deviceWrongCode: 'That code is not right or has expired. Check the code on your device and try again.',
  deviceCodeShown: 'The code on your device:',
  devicePhoneHint: 'Or scan this with your phone to continue there.',
  deviceQrAlt: 'QR code of this page with the code filled in',
  deviceApprovedTitle: 'Device connected',
  deviceApproved: (app: string) => `${app} can now use your account on the device. You can close this page.`,
  deviceDeniedTitle: 'Access declined',
  deviceDenied: (app: string) => `${app} was not given access to your account. You can close this page.`,
};

export type Messages = typeof en;

const zhCN: Messages = {
  langName: '简体中文',
  productTagline: 'OAuth 2.0 授权服务',
  signInTitle: '登录',
  signInIntro: (app) => `登录以继续使用 ${app}。`,
  signInPlain: '登录你的账号。',
  username: '用户名',
  password: '密码',
  signInButton: '登录',
  badCredentials: '用户名或密码不正确。',
  tooManyAttempts: '尝试次数过多，请几分钟后再试。',
  consentTitle: (app) => `允许 ${app} 访问你的账号吗？`,
  consentIntro: (app, domain) => `${app}（${domain}）请求以下权限：`,
  signedInAs: (name) => `当前登录：${name}`,
  switchAccount: '使用其他账号',
  approve: '授权',
  deny: '拒绝',
  errorTitle: '请求无法完成',
  errorCode: '错误码',
  errorWhatFailed: '本次请求的问题',
  errorCauses: '常见原因与解决方法',
  errorReference: '错误码说明',
  errorReferenceIntro: 'Gatehouse 返回的每个错误码、其含义与解决方法。',
  requestId: '请求 ID',
  loginSuccessTitle: '授权完成',
  loginSuccessCode: '请将此授权码复制到应用中：',
  loginSuccessToken: '应用已获得访问令牌，你可以关闭此页面。',
  loginSuccessError: '授权未完成：',
  formPostTitle: '正在返回应用',
  formPostIntro: (domain) => `正在将你送回 ${domain}……`,
  formPostButton: '继续前往应用',
  scopeShares: '共享',
  copy: '复制',
  backHome: '首页',
  notFound: '页面不存在。',
  methodNotAllowed: '此页面不接受该请求方法。',
  forbidden: '表单已过期或来自其他网站。请返回、刷新页面后重试。',
  deviceTitle: '连接设备',
  deviceIntro: '请输入电视、游戏机或应用上显示的授权码。',
  deviceCodeLabel: '授权码',
  deviceContinue: '继续',
  deviceWrongCode: '授权码不正确或已过期。请核对设备上显示的授权码后重试。',
  deviceCodeShown: '设备上显示的授权码：',
  devicePhoneHint: '也可以用手机扫描此二维码，在手机上继续。',
  deviceQrAlt: '已填好授权码的本页二维码',
  deviceApprovedTitle: '设备已连接',
  deviceApproved: (app) => `${app} 现在可以在该设备上使用你的账号。你可以关闭此页面。`,
  deviceDeniedTitle: '已拒绝授权',
  deviceDenied: (app) => `${app} 未获得访问你账号的权限。你可以关闭此页面。`,
};

export const MESSAGES: Record<Lang, Messages> = { en, 'zh-CN': zhCN };

export function isLang(value: unknown): value is Lang {
  return value === 'en' || value === 'zh-CN';
}

/** `?lang=` wins, then the remembered cookie, then Accept-Language (any zh → zh-CN), then English. */
export function pickLang(query: string | undefined, cookie: string | undefined, acceptLanguage: string | undefined): Lang {
  if (isLang(query)) return query;
  if (isLang(cookie)) return cookie;
  if (acceptLanguage !== undefined) {
    const ranked = acceptLanguage
      .split(',')
      .map((part) => {
        const [tag = '', ...attrs] = part.trim().split(';');
        const q = attrs.map((a) => /^\s*q=([\d.]+)/.exec(a)?.[1]).find((v) => v !== undefined);
        return { tag: tag.toLowerCase(), q: q === undefined ? 1 : Number(q) };
      })
      .filter((entry) => entry.tag !== '' && entry.q > 0)
      .sort((a, b) => b.q - a.q);
    for (const { tag } of ranked) {
      if (tag.startsWith('zh')) return 'zh-CN';
      if (tag.startsWith('en')) return 'en';
    }
  }
  return 'en';
}
