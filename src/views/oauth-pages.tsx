/** The pages of the authorization endpoint: sign-in, consent, error, and the oob landing page. */
import type { ErrorCode } from '../core/errors.js';
import type { Scope } from '../core/model.js';
import { ERROR_REFERENCE } from './error-reference.js';
import { MESSAGES } from './i18n.js';
import { SITE_MESSAGES } from './i18n-site.js';
import { REGISTRATION_MESSAGES } from './i18n-registration.js';
import { scopeClaimTexts, scopeDescription } from './scope-text.js';
import { Alert, HiddenFields, Layout, type PageContext } from './layout.js';

export interface FormPage {
  ctx: PageContext;
  action: string;
  csrfToken: string;
  /** The request's own parameters, posted back with the form. */
  hidden: Record<string, string | readonly string[]>;
}

export function LoginPage(
  props: FormPage & {
    appName?: string | undefined;
    /** The app's root domain, so the person sees where they will be sent back to. */
    appDomain?: string | undefined;
    message?: string | undefined;
    username?: string | undefined;
    signUpHref?: string | undefined;
  },
) {
  const t = MESSAGES[props.ctx.lang];
  const s = SITE_MESSAGES[props.ctx.lang];
  return (
    <Layout ctx={props.ctx} title={t.signInTitle}>
      <section class="card">
        <h1>{t.signInTitle}</h1>
        <p>
          {props.appName === undefined ? t.signInPlain : props.appDomain === undefined ? t.signInIntro(props.appName) : s.signInIntroDomain(props.appName, props.appDomain)}
        </p>
        <Alert message={props.message} />
        <form method="post" action={props.action}>
          <HiddenFields fields={props.hidden} />
          <input type="hidden" name="csrf_token" value={props.csrfToken} />
          <input type="hidden" name="_step" value="login" />
          <label for="username">{t.username}</label>
          <input type="text" id="username" name="username" autocomplete="username" required value={props.username ?? ''} />
          <label for="password">{t.password}</label>
          <input type="password" id="password" name="password" autocomplete="current-password" required />
          <div class="actions">
            <button type="submit">{t.signInButton}</button>
          </div>
        </form>
        {props.signUpHref ? (
          <p>
            <a href={props.signUpHref}>{s.noAccount}</a>
          </p>
        ) : null}
      </section>
    </Layout>
  );
}

export function ConsentPage(
  props: FormPage & {
    appName: string;
    rootDomain: string;
    scopes: Scope[];
    username: string;
    switchAccountHref?: string | undefined;
    extra?: preact.ComponentChildren;
    /** An OpenID Connect request (scope openid): each scope also names the claims it shares. */
    showClaims?: boolean | undefined;
    /** SPEC §9: an app that registered itself (or a metadata-document app): say so, and where the redirect goes. */
    selfRegistered?: { redirectHost: string | undefined } | undefined;
  },
) {
  const t = MESSAGES[props.ctx.lang];
  const lang = props.ctx.lang;
  return (
    <Layout ctx={props.ctx} title={t.consentTitle(props.appName)}>
      <section class="card">
        <h1>{t.consentTitle(props.appName)}</h1>
        {props.extra}
        {props.selfRegistered ? <SelfRegisteredNotice ctx={props.ctx} redirectHost={props.selfRegistered.redirectHost} /> : null}
        <p>{t.consentIntro(props.appName, props.rootDomain)}</p>
        <ul class="scopes">
          {props.scopes.map((scope) => (
            <li data-scope={scope.name}>
              <code>{scope.name}</code> — {scopeDescription(scope, lang)}
              {props.showClaims && scopeClaimTexts(scope.name, lang).length > 0 ? (
                <div class="muted claims" data-claims={scopeClaimTexts(scope.name, lang).map((c) => c.claim).join(' ')}>
                  {t.scopeShares}: {scopeClaimTexts(scope.name, lang).map((c) => c.text).join(lang === 'en' ? ', ' : '、')}
                </div>
              ) : null}
            </li>
          ))}
        </ul>
        <p class="muted">
          {t.signedInAs(props.username)}
          {props.switchAccountHref ? (
            <>
              {' · '}
              <a href={props.switchAccountHref}>{t.switchAccount}</a>
            </>
          ) : null}
        </p>
        <form method="post" action={props.action}>
          <HiddenFields fields={props.hidden} />
          <input type="hidden" name="csrf_token" value={props.csrfToken} />
          <input type="hidden" name="_step" value="consent" />
          <div class="actions">
            <button type="submit" name="decision" value="approve">
              {t.approve}
            </button>
            <button type="submit" name="decision" value="deny" class="secondary">
              {t.deny}
            </button>
          </div>
        </form>
      </section>
    </Layout>
  );
}

/** SPEC §9 "Consent for such apps": marked as self-registered, the redirect host shown, never a logo. */
function SelfRegisteredNotice(props: { ctx: PageContext; redirectHost: string | undefined }) {
  const r = REGISTRATION_MESSAGES[props.ctx.lang];
  return (
    <div class="notice" data-self-registered="true">
      <p>{r.selfRegisteredNotice}</p>
      {props.redirectHost ? <p data-redirect-host={props.redirectHost}>{r.selfRegisteredRedirect(props.redirectHost)}</p> : null}
    </div>
  );
}

export function ErrorExplanation(props: { ctx: PageContext; code: ErrorCode }) {
  const t = MESSAGES[props.ctx.lang];
  const explanation = ERROR_REFERENCE[props.ctx.lang][props.code];
  return (
    <div class="explanation" data-explanation>
      <p>{explanation.summary}</p>
      <h2>{t.errorCauses}</h2>
      <dl class="causes">
        {explanation.causes.map((item) => (
          <>
            <dt>{item.cause}</dt>
            <dd>{item.fix}</dd>
          </>
        ))}
      </dl>
    </div>
  );
}

/**
 * The parameter a live error's description names (the core's descriptions
 * always name it: "missing required parameter redirect_uri"), to point at it.
 */
const PARAMETER = /\b(code_challenge_method|code_challenge|code_verifier|client_id|client_secret|redirect_uri|response_type|grant_type|refresh_token|device_code|user_code|token_type_hint|scope|state|code|Referer)\b/;

export function failingParameter(description: string): string | undefined {
  return PARAMETER.exec(description)?.[1];
}

/**
 * The page at every error's error_uri, and the authorize endpoint's error page
 * (never a redirect): for a live request it adds what was wrong in it.
 */
export function ErrorPage(props: { ctx: PageContext; code: ErrorCode; description?: string | undefined; requestId?: string | undefined }) {
  const t = MESSAGES[props.ctx.lang];
  const s = SITE_MESSAGES[props.ctx.lang];
  const parameter = props.description ? failingParameter(props.description) : undefined;
  const title = props.description ? t.errorTitle : props.code;
  return (
    <Layout ctx={props.ctx} title={props.description ? `${t.errorTitle}: ${props.code}` : `${props.code} · ${t.errorReference}`}>
      <section class="card">
        <h1>{title}</h1>
        <p>
          {t.errorCode}: <code data-error-code={props.code}>{props.code}</code>
        </p>
        {props.description ? (
          <div class="error-box">
            <h2>{t.errorWhatFailed}</h2>
            {parameter ? (
              <p>
                {s.errorParameter}: <code data-error-parameter={parameter}>{parameter}</code>
              </p>
            ) : null}
            {/* The wire's error_description, quoted as the app received it (English). */}
            <p class="muted">{s.errorWireDescription}</p>
            <p lang="en" data-error-description>
              {props.description}
            </p>
          </div>
        ) : null}
        <ErrorExplanation ctx={props.ctx} code={props.code} />
        {props.requestId ? (
          <p class="muted">
            {t.requestId}: <code>{props.requestId}</code>
          </p>
        ) : null}
        <p>
          <a href={`/oauth/2.0/errors?lang=${props.ctx.lang}`}>{t.errorReference}</a>
        </p>
      </section>
    </Layout>
  );
}

export function ErrorIndexPage(props: { ctx: PageContext; codes: readonly ErrorCode[] }) {
  const t = MESSAGES[props.ctx.lang];
  const reference = ERROR_REFERENCE[props.ctx.lang];
  return (
    <Layout ctx={props.ctx} title={t.errorReference} wide>
      <section class="card">
        <h1>{t.errorReference}</h1>
        <p>{t.errorReferenceIntro}</p>
        <table>
          <tbody>
            {props.codes.map((code) => (
              <tr>
                <th scope="row">
                  <a href={`/oauth/2.0/errors/${code}?lang=${props.ctx.lang}`}>
                    {/* Long codes may wrap, but only after an underscore. */}
                    <code class="code-name">
                      {code.split('_').map((part, i) => (
                        <>
                          {i > 0 ? '_' : null}
                          {i > 0 ? <wbr /> : null}
                          {part}
                        </>
                      ))}
                    </code>
                  </a>
                </th>
                <td>{reference[code].summary}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </Layout>
  );
}

/** Where redirect_uri=oob lands (SPEC §1): the code in data-code and in the title, for a person to copy. */
export function LoginSuccessPage(props: { ctx: PageContext; code?: string | undefined; error?: string | undefined; errorDescription?: string | undefined }) {
  const t = MESSAGES[props.ctx.lang];
  const title = props.code ?? (props.error ? `${t.loginSuccessError} ${props.error}` : t.loginSuccessTitle);
  return (
    <Layout ctx={props.ctx} title={title}>
      <section class="card">
        <h1>{t.loginSuccessTitle}</h1>
        {props.code ? (
          <>
            <p>{t.loginSuccessCode}</p>
            <code class="big-code" id="code" data-code={props.code}>
              {props.code}
            </code>
            <div class="actions">
              <button type="button" id="copy" data-copy-target="code" data-copied={SITE_MESSAGES[props.ctx.lang].copied}>
                {t.copy}
              </button>
            </div>
            <script src="/static/copy.js" defer></script>
          </>
        ) : props.error ? (
          <p class="error-box">
            {t.loginSuccessError} <code data-error-code={props.error}>{props.error}</code> {props.errorDescription}
          </p>
        ) : (
          <p>{t.loginSuccessToken}</p>
        )}
      </section>
    </Layout>
  );
}

export function MessagePage(props: { ctx: PageContext; title: string; message: string }) {
  const t = MESSAGES[props.ctx.lang];
  return (
    <Layout ctx={props.ctx} title={props.title}>
      <section class="card">
        <h1>{props.title}</h1>
        <p>{props.message}</p>
        <p>
          <a href="/">{t.backHome}</a>
        </p>
      </section>
    </Layout>
  );
}

/**
 * OAuth 2.0 Form Post Response Mode §2: the response parameters as hidden
 * fields of a form that posts to the redirect_uri. /static/form-post.js
 * submits it (the CSP forbids inline script); the button does without script.
 * Every value is escaped by the template.
 */
export function FormPostPage(props: { ctx: PageContext; action: string; fields: Record<string, string>; destination: string }) {
  const t = MESSAGES[props.ctx.lang];
  return (
    // No language links: following one would run the authorization request again.
    <Layout ctx={props.ctx} title={t.formPostTitle} noLangs>
      <section class="card">
        <h1>{t.formPostTitle}</h1>
        <p>{t.formPostIntro(props.destination)}</p>
        <form method="post" action={props.action} data-auto-submit>
          <HiddenFields fields={props.fields} />
          <div class="actions">
            <button type="submit">{t.formPostButton}</button>
          </div>
        </form>
        <script src="/static/form-post.js"></script>
      </section>
    </Layout>
  );
}
