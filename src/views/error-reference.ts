/**
 * What each error code means, why it happens and how to fix it: the page at
 * every error's `error_uri` (SPEC §4), in both languages. Keyed by the one
 * error table, so a new code without an explanation fails to compile.
 */
import type { ErrorCode } from '../core/errors.js';
import type { Lang } from './i18n.js';

export interface Explanation {
  summary: string;
  causes: Array<{ cause: string; fix: string }>;
}

type Reference = Record<ErrorCode, Explanation>;

const en: Reference = {
  invalid_request: {
    summary: 'The request is missing a required parameter, repeats one, has a malformed value or a value the server does not support.',
    causes: [
      { cause: 'A required parameter (client_id, redirect_uri, grant_type, code…) is missing or empty.', fix: 'Send every parameter the endpoint requires; the error_description names the one that was missing.' },
      { cause: 'A parameter appears twice (RFC 6749 §3.1).', fix: 'Send each parameter once, either in the query or in the body.' },
      { cause: 'The client secret was sent both in HTTP Basic and as client_secret, or client_id differs from the Basic user.', fix: 'Pick one client authentication method.' },
      { cause: 'A public app asked for a code without PKCE, or redirect_uri is relative, has a fragment or a forbidden scheme.', fix: 'Add code_challenge (S256) to the authorize request; register and send an absolute https redirect URI.' },
      { cause: 'The body is not application/x-www-form-urlencoded, is not UTF-8, or has invalid percent-encoding.', fix: 'POST a form-encoded UTF-8 body.' },
    ],
  },
  invalid_client: {
    summary: 'The client (app) could not be identified or authenticated.',
    causes: [
      { cause: 'The client_id (API Key) is unknown.', fix: 'Copy the API Key from the developer console.' },
      { cause: 'The client_secret (Secret Key) is wrong, missing, or was rotated.', fix: 'Use the current Secret Key; rotate it in the console if it is lost.' },
      { cause: 'The app has been disabled.', fix: 'Enable it again on its page in the developer console, or ask the platform operator.' },
    ],
  },
  invalid_grant: {
    summary: 'The authorization code, refresh token or device code is not valid for this request.',
    causes: [
      { cause: 'The code was already used, has expired (10 minutes), or was issued to another app.', fix: 'Start the authorization again and exchange the new code once, promptly.' },
      { cause: 'redirect_uri differs from the one sent to /oauth/2.0/authorize.', fix: 'Send exactly the same redirect_uri to the token endpoint.' },
      { cause: 'The PKCE code_verifier is wrong or missing.', fix: 'Send the verifier whose S256 hash was the code_challenge.' },
      { cause: 'The refresh token was revoked, or its family was revoked after a replay.', fix: 'Ask the user to authorize again.' },
      { cause: 'The device code is unknown, already used, or belongs to another app.', fix: 'Request a new device code.' },
    ],
  },
  unauthorized_client: {
    summary: 'The app is not allowed to use this grant type.',
    causes: [
      { cause: 'The app has not enabled this grant type.', fix: 'Enable it in the developer console (or with clients create --grant-types).' },
      { cause: 'A public app used client_credentials.', fix: 'Use a confidential app with a Secret Key for client credentials.' },
    ],
  },
  unsupported_grant_type: {
    summary: 'The grant_type is not one the server supports.',
    causes: [{ cause: 'A typo or an unsupported grant_type value.', fix: 'Use authorization_code, refresh_token, client_credentials, device_token or urn:ietf:params:oauth:grant-type:device_code.' }],
  },
  invalid_scope: {
    summary: 'The requested scope is unknown, malformed, not allowed for this app, or wider than what was granted.',
    causes: [
      { cause: 'A scope name that does not exist or that the app may not request.', fix: 'Request only the scopes listed for the app in the console.' },
      { cause: 'A refresh asked for more scope than the original grant.', fix: 'Request the same scope or a subset when refreshing.' },
    ],
  },
  expired_token: {
    summary: 'The refresh token was already used or is past its lifetime, or the device code expired.',
    causes: [
      { cause: 'A refresh token was used twice; refresh tokens are single use, and a replay revokes the whole family.', fix: 'Store the new refresh token returned by every refresh and use only that one.' },
      { cause: 'The device code is past its lifetime.', fix: 'Request a new device code and show the new user code.' },
    ],
  },
  redirect_uri_mismatch: {
    summary: 'The redirect_uri does not belong to this app.',
    causes: [
      { cause: "The host's registrable domain is not the app's root domain.", fix: 'Use a redirect URI under the root domain registered for the app, or redirect_uri=oob to show the code on this server. The console lists each rejected redirect_uri under Recent failures.' },
      { cause: "The app lists exact redirect URIs and this one is not among them.", fix: 'Add the URI to the app in the console, or send a listed one exactly.' },
      { cause: 'A loopback or custom-scheme redirect URI that the app does not list exactly.', fix: 'Register the exact URI (any port is accepted for loopback).' },
    ],
  },
  unsupported_response_type: {
    summary: 'The response_type is not supported, or the app disabled it.',
    causes: [{ cause: 'response_type is not code or token (device_code at the device endpoint), or the app disabled that mode.', fix: 'Use response_type=code with PKCE, or enable the mode in the console.' }],
  },
  unsupported_token_type: {
    summary: 'The token_type_hint is not one the server knows.',
    causes: [{ cause: 'A token_type_hint other than access_token or refresh_token.', fix: 'Send access_token or refresh_token, or leave the hint out.' }],
  },
  slow_down: {
    summary: 'The device polls the token endpoint too often.',
    causes: [{ cause: 'A poll came sooner than interval seconds after the previous one.', fix: 'Wait interval seconds between polls, and add 5 seconds after each slow_down (RFC 8628 §3.5).' }],
  },
  authorization_pending: {
    summary: 'The person has not yet approved or declined on the device page.',
    causes: [{ cause: 'Normal while the person is entering the code.', fix: 'Keep polling at the interval until the device code expires (expires_in).' }],
  },
  authorization_declined: {
    summary: 'The person declined the device authorization (Baidu device_token dialect).',
    causes: [{ cause: 'The person pressed Deny.', fix: 'Stop polling; offer to start again.' }],
  },
  access_denied: {
    summary: 'The person declined the authorization.',
    causes: [
      { cause: 'The person pressed Deny on the consent page.', fix: 'Respect the choice; offer to start again.' },
      { cause: 'The person declined on the device page, and the device polls with the RFC 8628 grant type.', fix: 'Stop polling; offer to start again.' },
    ],
  },
  invalid_referer: {
    summary: "The implicit-grant request came from a page outside the app's root domain.",
    causes: [{ cause: "The Referer's registrable domain is not the app's root domain.", fix: 'Start the implicit flow from a page under the root domain, or use the code flow with PKCE.' }],
  },
  invalid_token: {
    summary: 'The access token is missing, unknown, expired or revoked.',
    causes: [
      { cause: 'No access token was sent.', fix: 'Send Authorization: Bearer TOKEN or the access_token parameter.' },
      { cause: 'The token expired (error_code 111) or was revoked, or the person took back the authorization on their account page (error_code 110).', fix: 'Refresh it, or ask the user to authorize again.' },
    ],
  },
  insufficient_scope: {
    summary: 'The access token does not carry the scope this call needs.',
    causes: [{ cause: 'The token was granted without the needed scope.', fix: 'Request the scope (for example email) when authorizing.' }],
  },
  server_error: {
    summary: 'The server hit an unexpected condition.',
    causes: [{ cause: 'A fault on the server side.', fix: 'Retry later; give the operator the request id from the X-Request-Id header.' }],
  },
  temporarily_unavailable: {
    summary: 'The server cannot handle the request right now (for example its database is unreachable).',
    causes: [{ cause: 'Maintenance or an outage.', fix: 'Retry after the time given in Retry-After.' }],
  },
};

const zhCN: Reference = {
  invalid_request: {
    summary: '请求缺少必需参数、参数重复、参数值格式错误或取值不受支持。',
    causes: [
      { cause: '缺少必需参数（client_id、redirect_uri、grant_type、code 等）或参数为空。', fix: '补全接口要求的参数；error_description 会指出缺少的是哪一个。' },
      { cause: '同一参数出现了两次（RFC 6749 §3.1）。', fix: '每个参数只发送一次，放在查询串或请求体之一中。' },
      { cause: '同时用 HTTP Basic 和 client_secret 参数发送了密钥，或 client_id 与 Basic 用户名不一致。', fix: '只选择一种客户端认证方式。' },
      { cause: '公开应用未使用 PKCE，或 redirect_uri 为相对地址、带片段或使用了不允许的协议。', fix: '授权请求中加入 code_challenge（S256）；登记并使用绝对的 https 回调地址。' },
      { cause: '请求体不是 application/x-www-form-urlencoded、不是 UTF-8 或百分号编码无效。', fix: '以 UTF-8 表单编码发送 POST 请求体。' },
    ],
  },
  invalid_client: {
    summary: '无法识别或认证该应用。',
    causes: [
      { cause: 'client_id（API Key）不存在。', fix: '从开发者控制台复制 API Key。' },
      { cause: 'client_secret（Secret Key）错误、缺失或已被重置。', fix: '使用当前的 Secret Key；如已遗失，请在控制台重置。' },
      { cause: '应用已被停用。', fix: '在开发者控制台的应用页面重新启用，或联系平台管理员。' },
    ],
  },
  invalid_grant: {
    summary: '授权码、刷新令牌或设备码对本次请求无效。',
    causes: [
      { cause: '授权码已被使用、已过期（10 分钟）或属于其他应用。', fix: '重新发起授权，并及时、只兑换一次新的授权码。' },
      { cause: 'redirect_uri 与授权请求中的不一致。', fix: '向令牌接口发送与授权请求完全相同的 redirect_uri。' },
      { cause: 'PKCE 的 code_verifier 错误或缺失。', fix: '发送其 S256 哈希即为 code_challenge 的 verifier。' },
      { cause: '刷新令牌已被撤销，或因重放导致整个令牌族被撤销。', fix: '请用户重新授权。' },
      { cause: '设备码不存在、已被使用或属于其他应用。', fix: '重新申请设备码。' },
    ],
  },
  unauthorized_client: {
    summary: '该应用无权使用此授权类型。',
    causes: [
      { cause: '应用未启用该 grant_type。', fix: '在开发者控制台（或 clients create --grant-types）中启用。' },
      { cause: '公开应用使用了 client_credentials。', fix: '客户端凭据模式请使用带 Secret Key 的机密应用。' },
    ],
  },
  unsupported_grant_type: {
    summary: '服务器不支持该 grant_type。',
    causes: [{ cause: '拼写错误或不支持的 grant_type。', fix: '使用 authorization_code、refresh_token、client_credentials、device_token 或 urn:ietf:params:oauth:grant-type:device_code。' }],
  },
  invalid_scope: {
    summary: '请求的权限不存在、格式错误、该应用不可申请，或超出了已授予的范围。',
    causes: [
      { cause: '权限名称不存在或该应用不可申请。', fix: '只申请控制台中为该应用列出的权限。' },
      { cause: '刷新时申请的权限超出原授权。', fix: '刷新时申请相同的权限或其子集。' },
    ],
  },
  expired_token: {
    summary: '刷新令牌已被使用或已过期，或设备码已过期。',
    causes: [
      { cause: '刷新令牌被使用了两次；刷新令牌只能使用一次，重放会撤销整个令牌族。', fix: '保存每次刷新返回的新刷新令牌，只使用它。' },
      { cause: '设备码已超过有效期。', fix: '重新申请设备码并展示新的用户码。' },
    ],
  },
  redirect_uri_mismatch: {
    summary: 'redirect_uri 不属于该应用。',
    causes: [
      { cause: '回调地址主机的可注册域名不是应用的根域名。', fix: '使用应用所登记根域名下的回调地址，或使用 redirect_uri=oob 在本服务页面上显示授权码。控制台的“最近的失败请求”会列出每个被拒绝的 redirect_uri。' },
      { cause: '应用登记了精确回调地址列表，而此地址不在其中。', fix: '在控制台中添加该地址，或使用已登记的地址。' },
      { cause: '回环地址或自定义协议的回调地址未被精确登记。', fix: '登记完整地址（回环地址可使用任意端口）。' },
    ],
  },
  unsupported_response_type: {
    summary: '不支持该 response_type，或应用已停用该模式。',
    causes: [{ cause: 'response_type 不是 code 或 token（设备接口为 device_code），或应用停用了该模式。', fix: '使用带 PKCE 的 response_type=code，或在控制台中启用该模式。' }],
  },
  unsupported_token_type: {
    summary: '服务器不识别该 token_type_hint。',
    causes: [{ cause: 'token_type_hint 不是 access_token 或 refresh_token。', fix: '发送 access_token 或 refresh_token，或省略该参数。' }],
  },
  slow_down: {
    summary: '设备轮询令牌接口过于频繁。',
    causes: [{ cause: '两次轮询间隔小于 interval 秒。', fix: '按 interval 秒间隔轮询；每收到一次 slow_down 再加 5 秒（RFC 8628 §3.5）。' }],
  },
  authorization_pending: {
    summary: '用户尚未在设备页面上授权或拒绝。',
    causes: [{ cause: '用户正在输入用户码，属正常情况。', fix: '按 interval 继续轮询，直到设备码过期（expires_in）。' }],
  },
  authorization_declined: {
    summary: '用户拒绝了设备授权（百度 device_token 方式）。',
    causes: [{ cause: '用户点击了拒绝。', fix: '停止轮询；可提示用户重新开始。' }],
  },
  access_denied: {
    summary: '用户拒绝了授权。',
    causes: [
      { cause: '用户在授权页面点击了拒绝。', fix: '尊重用户的选择；可提示重新开始。' },
      { cause: '用户在设备页面上拒绝，且设备按 RFC 8628 的授权类型轮询。', fix: '停止轮询；可提示用户重新开始。' },
    ],
  },
  invalid_referer: {
    summary: '简化模式（implicit）请求来自应用根域名之外的页面。',
    causes: [{ cause: 'Referer 的可注册域名不是应用的根域名。', fix: '从根域名下的页面发起简化模式，或改用带 PKCE 的授权码模式。' }],
  },
  invalid_token: {
    summary: '访问令牌缺失、不存在、已过期或已被撤销。',
    causes: [
      { cause: '未发送访问令牌。', fix: '发送 Authorization: Bearer TOKEN 或 access_token 参数。' },
      { cause: '令牌已过期（error_code 111）或已被撤销，或用户在账号页面收回了授权（error_code 110）。', fix: '刷新令牌，或请用户重新授权。' },
    ],
  },
  insufficient_scope: {
    summary: '访问令牌不包含此接口所需的权限。',
    causes: [{ cause: '授权时未申请所需权限。', fix: '授权时申请该权限（例如 email）。' }],
  },
  server_error: {
    summary: '服务器遇到了意外情况。',
    causes: [{ cause: '服务器端故障。', fix: '稍后重试；向运营方提供响应头 X-Request-Id 中的请求 ID。' }],
  },
  temporarily_unavailable: {
    summary: '服务器暂时无法处理请求（例如数据库不可达）。',
    causes: [{ cause: '维护或故障。', fix: '按 Retry-After 给出的时间后重试。' }],
  },
};

export const ERROR_REFERENCE: Record<Lang, Reference> = { en, 'zh-CN': zhCN };
