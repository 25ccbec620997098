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
      { cause: 'A client_assertion came with a secret, or without client_assertion_type; or an app made with --require-par sent its authorize request without request_uri.', fix: 'Send one client authentication only; push the request to /oauth/2.0/par and send client_id and request_uri to the authorize endpoint.' },
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
      // SPEC §8: JWT client authentication (RFC 7523).
      { cause: 'The client_assertion does not verify: alg none or not allowed, not signed by a key of the app (kid and alg choose among its registered keys; jku and x5u are ignored), HS256 without the Secret Key of a client_secret_jwt app.', fix: 'Sign with a private key whose public key is in the app\'s jwks or jwks_uri (RS256, PS256, ES256, EdDSA…), or HS256 with the Secret Key for client_secret_jwt.' },
      { cause: 'The client_assertion claims are wrong: iss and sub not the client_id, aud not the issuer or the URL of the endpoint, exp passed or more than 5 minutes away, jti missing or already used.', fix: 'Make a new assertion for every request, with a fresh jti and exp at most 5 minutes ahead.' },
      { cause: 'The app\'s jwks_uri could not be fetched (a loopback or private address, a redirect, too large, too slow) or serves no usable public key.', fix: 'Serve the JWK Set over https from a public address, directly (no redirect), under 64 KiB.' },
      { cause: 'The app was made with --token-endpoint-auth-method and this request used another method.', fix: 'Authenticate with the method the app was registered with (see the console).' },
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
      { cause: 'The refresh token is DPoP-bound (a public app\'s) and the proof was made with another key; the token was not used up.', fix: 'Sign the proof with the key the refresh token was issued for.' },
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
      { cause: 'The token is DPoP-bound (RFC 9449) and was sent as Bearer, or with a proof of another key; or a Bearer token was sent with the DPoP scheme (the challenge is then WWW-Authenticate: DPoP).', fix: 'Send a bound token as Authorization: DPoP TOKEN with a DPoP proof of its key; send other tokens as Bearer.' },
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
  login_required: {
    summary: 'The app asked with prompt=none, but nobody is signed in (or a different person is than id_token_hint names), and prompt=none forbids showing the sign-in page.',
    causes: [
      { cause: 'No signed-in session in this browser, or the session expired.', fix: 'Send the person through the authorize endpoint again without prompt=none, so that they can sign in.' },
      { cause: 'id_token_hint names another user than the one signed in, or does not verify.', fix: 'Drop the hint, or send it only for the user you expect; a hint must be an id_token this server issued.' },
    ],
  },
  consent_required: {
    summary: 'The app asked with prompt=none, but the person has not yet approved these scopes for it.',
    causes: [{ cause: 'First sign-in to this app, new scopes, or the person revoked the app on their account page.', fix: 'Send the person through the authorize endpoint without prompt=none, so that they can approve.' }],
  },
  interaction_required: {
    summary: 'The request needs the person to act (confirm, or sign in again), and prompt=none forbids asking.',
    causes: [
      { cause: 'prompt=none was combined with another prompt value, with confirm_login=1 or force_login=1.', fix: 'Send prompt=none alone, or leave it out.' },
      { cause: 'max_age requires a fresh sign-in.', fix: 'Send the person through the authorize endpoint without prompt=none.' },
    ],
  },
  invalid_request_uri: {
    summary: 'The request_uri does not name a pushed authorization request this app may use.',
    causes: [
      { cause: 'It was already used (each is single use), or expired (60 seconds by default).', fix: 'Push the request again to /oauth/2.0/par just before redirecting the person, and use its request_uri once.' },
      { cause: 'It was pushed by another app, or was never issued.', fix: 'Send the client_id that pushed it, and the request_uri exactly as /oauth/2.0/par returned it.' },
    ],
  },
  invalid_dpop_proof: {
    summary: 'The DPoP proof (RFC 9449) in the DPoP header is missing, malformed, or does not match this request or token.',
    causes: [
      { cause: 'No DPoP header, although the app or the token requires one.', fix: 'Send a fresh proof with every token request and every call with a DPoP-bound token.' },
      { cause: 'htm or htu differ from this request, iat is more than 60 s off, the jti was used before, or ath is not the hash of the token.', fix: 'Make a new proof per request with the exact method and URL (no query or fragment), the current time and a new jti.' },
      { cause: 'The signature does not verify with the proof\'s own jwk, typ is not dpop+jwt, jwk holds a private key, or the algorithm is not allowed (none, HS256…).', fix: 'Sign with ES256, EdDSA, RS256 or PS256, typ dpop+jwt, and put only the public key in jwk.' },
    ],
  },
  use_dpop_nonce: {
    summary: 'The server requires a DPoP nonce, and the proof carried none or a stale one.',
    causes: [{ cause: 'The server gave a nonce in the DPoP-Nonce header that the proof did not carry, or it is older than 5 minutes.', fix: 'Retry with a new proof whose nonce claim is the value of the DPoP-Nonce header of this response.' }],
  },
  invalid_target: {
    summary: 'A resource parameter (RFC 8707) is malformed or names a resource this app may not ask for.',
    causes: [
      { cause: 'resource is not an absolute URI, or has a fragment.', fix: 'Send the resource server\'s absolute URI, without fragment.' },
      { cause: 'The app lists the resources it may ask for (clients create --resource), and this is not one of them; or a token request (code exchange, refresh, device poll) asked for a resource the authorization did not include.', fix: 'Register the resource for the app, or ask only for resources of the original authorization request: a token request may only narrow them (RFC 8707 §2.2).' },
    ],
  },
  invalid_redirect_uri: {
    summary: 'One of the redirect_uris of a registration is not acceptable.',
    causes: [{ cause: 'A URI is relative, has a fragment, a wildcard, a forbidden scheme, plain http off loopback, or the URIs span several root domains.', fix: 'Register absolute https URIs under one domain (http only on loopback, custom schemes for native apps).' }],
  },
  invalid_client_metadata: {
    summary: 'A field of the client metadata of a registration is invalid.',
    causes: [{ cause: 'A field has the wrong type, an unsupported value, or the metadata is too large.', fix: 'Fix the field the error_description names and register again.' }],
  },
};

const zhCN: Reference = {
  invalid_request: {
    summary: '请求缺少必需参数、参数重复、参数值格式错误或取值不受支持。',
    causes: [
      { cause: '缺少必需参数（client_id、redirect_uri、grant_type、code 等）或参数为空。', fix: '补全接口要求的参数；error_description 会指出缺少的是哪一个。' },
      { cause: '同一参数出现了两次（RFC 6749 §3.1）。', fix: '每个参数只发送一次，放在查询串或请求体之一中。' },
      { cause: '同时用 HTTP Basic 和 client_secret 参数发送了密钥，或 client_id 与 Basic 用户名不一致。', fix: '只选择一种客户端认证方式。' },
      { cause: 'client_assertion 与密钥同时发送，或缺少 client_assertion_type；或以 --require-par 创建的应用未带 request_uri 直接发起授权请求。', fix: '只使用一种客户端认证方式；先将请求推送到 /oauth/2.0/par，再向授权地址发送 client_id 与 request_uri。' },
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
      // SPEC §8：JWT 客户端认证（RFC 7523）。
      { cause: 'client_assertion 验证失败：alg 为 none 或不被接受、不是由该应用登记的密钥签名（kid 与 alg 只在其登记的密钥中选择，jku、x5u 会被忽略），或非 client_secret_jwt 应用使用了 HS256。', fix: '使用其公钥登记在应用 jwks 或 jwks_uri 中的私钥签名（RS256、PS256、ES256、EdDSA 等）；client_secret_jwt 应用使用 Secret Key 以 HS256 签名。' },
      { cause: 'client_assertion 的声明有误：iss 与 sub 不是 client_id、aud 不是签发者或所访问接口的地址、exp 已过期或超过 5 分钟之后、缺少 jti 或 jti 已被使用。', fix: '每次请求生成新的断言，使用新的 jti，exp 不超过 5 分钟之后。' },
      { cause: '无法获取应用的 jwks_uri（回环或内网地址、重定向、过大、超时），或其中没有可用的公钥。', fix: '从公网地址以 https 直接（不重定向）提供 64 KiB 以内的 JWK Set。' },
      { cause: '应用以 --token-endpoint-auth-method 创建，而本次请求使用了其他认证方式。', fix: '使用应用登记的认证方式（见控制台）。' },
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
      { cause: '刷新令牌已绑定 DPoP 密钥（公开应用），但证明由其他密钥签名；该令牌未被消耗。', fix: '用签发该刷新令牌时的密钥签名证明。' },
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
      { cause: '令牌已绑定 DPoP 密钥（RFC 9449），却以 Bearer 方式发送，或所附证明来自其他密钥；或以 DPoP 方式发送了普通 Bearer 令牌（此时质询为 WWW-Authenticate: DPoP）。', fix: '绑定的令牌以 Authorization: DPoP TOKEN 发送，并附上该密钥的 DPoP 证明；其他令牌以 Bearer 发送。' },
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
  login_required: {
    summary: '应用以 prompt=none 发起请求，但当前浏览器没有已登录的用户（或登录的不是 id_token_hint 指定的用户），而 prompt=none 不允许显示登录页。',
    causes: [
      { cause: '浏览器中没有登录会话，或会话已过期。', fix: '不带 prompt=none 再次将用户引导至授权地址，让用户登录。' },
      { cause: 'id_token_hint 指定的用户与已登录用户不同，或该 hint 无法验证。', fix: '去掉 hint，或只为预期的用户发送；hint 必须是本服务器签发的 id_token。' },
    ],
  },
  consent_required: {
    summary: '应用以 prompt=none 发起请求，但用户尚未同意授予这些权限。',
    causes: [{ cause: '首次登录该应用、申请了新权限，或用户已在账号页面收回授权。', fix: '不带 prompt=none 将用户引导至授权地址，让用户同意。' }],
  },
  interaction_required: {
    summary: '请求需要用户操作（确认或重新登录），而 prompt=none 不允许询问用户。',
    causes: [
      { cause: 'prompt=none 与其他 prompt 值、confirm_login=1 或 force_login=1 同时使用。', fix: '单独发送 prompt=none，或不发送。' },
      { cause: 'max_age 要求用户重新登录。', fix: '不带 prompt=none 将用户引导至授权地址。' },
    ],
  },
  invalid_request_uri: {
    summary: 'request_uri 不是该应用可用的推送授权请求（PAR）。',
    causes: [
      { cause: '它已被使用（每个只能用一次）或已过期（默认 60 秒）。', fix: '在跳转用户前重新向 /oauth/2.0/par 推送请求，并只使用一次返回的 request_uri。' },
      { cause: '它由其他应用推送，或从未签发过。', fix: '使用推送它的 client_id，并原样发送 /oauth/2.0/par 返回的 request_uri。' },
    ],
  },
  invalid_dpop_proof: {
    summary: 'DPoP 请求头中的 DPoP 证明（RFC 9449）缺失、格式错误，或与本次请求或令牌不符。',
    causes: [
      { cause: '应用或令牌要求 DPoP，但请求没有 DPoP 头。', fix: '每次令牌请求、每次使用 DPoP 绑定令牌的调用都发送新的证明。' },
      { cause: 'htm 或 htu 与本次请求不同，iat 偏差超过 60 秒，jti 已被使用，或 ath 不是该令牌的哈希。', fix: '每个请求生成新证明：准确的方法和 URL（不含查询串和片段）、当前时间和新的 jti。' },
      { cause: '签名无法用证明自带的 jwk 验证，typ 不是 dpop+jwt，jwk 中含有私钥，或签名算法不被允许（none、HS256 等）。', fix: '用 ES256、EdDSA、RS256 或 PS256 签名，typ 为 dpop+jwt，jwk 中只放公钥。' },
    ],
  },
  use_dpop_nonce: {
    summary: '服务器要求 DPoP nonce，但证明中没有或已过期。',
    causes: [{ cause: '服务器在 DPoP-Nonce 响应头中给出了 nonce，证明未携带，或该 nonce 已超过 5 分钟。', fix: '用新的证明重试，其 nonce 声明取本次响应 DPoP-Nonce 头的值。' }],
  },
  invalid_target: {
    summary: 'resource 参数（RFC 8707）格式错误，或指定了该应用不允许申请的资源。',
    causes: [
      { cause: 'resource 不是绝对 URI，或带有片段。', fix: '发送资源服务器的绝对 URI，不带片段。' },
      { cause: '应用登记了可申请的资源（clients create --resource），而该资源不在其中；或令牌请求（换取授权码、刷新、设备轮询）申请了原授权中没有的资源。', fix: '为应用登记该资源，或只申请原授权请求中的资源：令牌请求只能缩小其范围（RFC 8707 §2.2）。' },
    ],
  },
  invalid_redirect_uri: {
    summary: '注册请求中的某个 redirect_uris 不可接受。',
    causes: [{ cause: 'URI 为相对地址、带片段或通配符、协议不允许、非回环地址使用 http，或多个 URI 分属不同根域名。', fix: '登记同一域名下的绝对 https 地址（http 仅限回环地址，原生应用可用自定义协议）。' }],
  },
  invalid_client_metadata: {
    summary: '注册请求中的某个客户端元数据字段无效。',
    causes: [{ cause: '字段类型错误、取值不受支持，或元数据过大。', fix: '按 error_description 指出的字段修正后重新注册。' }],
  },
};

export const ERROR_REFERENCE: Record<Lang, Reference> = { en, 'zh-CN': zhCN };
