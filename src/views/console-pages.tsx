/** The developer console: the list of a developer's apps, registering one, and one app's page. */
import { ACCESS_TOKEN_FORMATS, APP_DEFAULTS, GRANT_TYPES, RESPONSE_TYPES, SIGNING_ALGS, SUBJECT_TYPES, TOKEN_ENDPOINT_AUTH_METHODS, type App, type Scope } from '../core/model.js';
import type { FailureRecord } from '../core/failures.js';
import { UserNav } from './account-pages.js';
import { MESSAGES } from './i18n.js';
import { SITE_MESSAGES } from './i18n-site.js';
import { Layout, type PageContext } from './layout.js';
import { scopeDescription } from './scope-text.js';
import { TOKEN_MESSAGES, tokenFieldValuesOf, type TokenFieldValues } from './i18n-tokens.js';

export interface ConsoleBase {
  ctx: PageContext;
  username: string;
  csrfToken: string;
}

/** What the app form shows: an app's settings, or what the developer typed when it was refused (SPEC §8's in TokenFieldValues). */
export interface AppFormValues extends TokenFieldValues {
  name: string;
  rootDomain: string;
  redirectUris: string[];
  grantTypes: string[];
  responseTypes: string[];
  scopes: string[];
  isPublic: boolean;
  /** OpenID Connect (SPEC §7 "Apps"): as typed, checked by validateAppInput. */
  subjectType: string;
  idTokenAlg: string;
  postLogoutRedirectUris: string[];
  backchannelLogoutUri: string;
  /** SPEC §8 `--require-dpop`. */
  requireDpop: boolean;
  /** Client authentication and PAR (SPEC §8): as typed; '' is "any method". */
  tokenEndpointAuthMethod: string;
  jwks: string;
  jwksUri: string;
  requirePar: boolean;
}

export function formValuesOf(app: App): AppFormValues {
  return {
    name: app.name,
    rootDomain: app.rootDomain,
    redirectUris: app.redirectUris,
    grantTypes: app.grantTypes,
    responseTypes: app.responseTypes,
    scopes: app.scopes,
    isPublic: app.isPublic,
    subjectType: app.subjectType,
    idTokenAlg: app.idTokenAlg,
    postLogoutRedirectUris: app.postLogoutRedirectUris,
    backchannelLogoutUri: app.backchannelLogoutUri ?? '',
    ...tokenFieldValuesOf(app),
    requireDpop: app.requireDpop,
    tokenEndpointAuthMethod: app.tokenEndpointAuthMethod ?? '',
    jwks: app.jwks === null ? '' : JSON.stringify(app.jwks, null, 2),
    jwksUri: app.jwksUri ?? '',
    requirePar: app.requirePar,
  };
}

export const NEW_APP_VALUES: AppFormValues = {
  name: '',
  rootDomain: '',
  redirectUris: [],
  grantTypes: [...GRANT_TYPES],
  responseTypes: [...RESPONSE_TYPES],
  scopes: ['basic'],
  isPublic: false,
  subjectType: APP_DEFAULTS.subjectType,
  idTokenAlg: APP_DEFAULTS.idTokenAlg,
  postLogoutRedirectUris: [],
  backchannelLogoutUri: '',
  ...tokenFieldValuesOf(APP_DEFAULTS),
  requireDpop: APP_DEFAULTS.requireDpop,
  tokenEndpointAuthMethod: '',
  jwks: '',
  jwksUri: '',
  requirePar: false,
};

function Select(props: { id: string; label: string; options: Array<{ value: string; label: string }>; selected: string }) {
  return (
    <>
      <label for={props.id}>{props.label}</label>
      <select id={props.id} name={props.id}>
        {props.options.map((option) => (
          <option value={option.value} selected={option.value === props.selected}>
            {option.label}
          </option>
        ))}
      </select>
    </>
  );
}

/** The OpenID Connect settings of an app (SPEC §7 "Apps"). */
function OpenIdFields(props: { ctx: PageContext; values: AppFormValues }) {
  const s = SITE_MESSAGES[props.ctx.lang];
  const v = props.values;
  const subjectLabel = { public: s.appSubjectPublic, pairwise: s.appSubjectPairwise } as const;
  return (
    <fieldset>
      <legend>{s.appOpenIdLegend}</legend>
      <Select id="subject_type" label={s.appSubjectType} options={SUBJECT_TYPES.map((t) => ({ value: t, label: subjectLabel[t] }))} selected={v.subjectType} />
      <Select id="id_token_signed_response_alg" label={s.appIdTokenAlg} options={SIGNING_ALGS.map((alg) => ({ value: alg, label: alg }))} selected={v.idTokenAlg} />
      <label for="post_logout_redirect_uris">{s.appPostLogoutUris}</label>
      <textarea id="post_logout_redirect_uris" name="post_logout_redirect_uris" rows={2} aria-describedby="post_logout_redirect_uris-hint" value={v.postLogoutRedirectUris.join('\n')} />
      <p class="hint" id="post_logout_redirect_uris-hint">
        {s.appPostLogoutUrisHint}
      </p>
      <label for="backchannel_logout_uri">{s.appBackchannelUri}</label>
      <input type="url" id="backchannel_logout_uri" name="backchannel_logout_uri" aria-describedby="backchannel_logout_uri-hint" value={v.backchannelLogoutUri} />
      <p class="hint" id="backchannel_logout_uri-hint">
        {s.appBackchannelUriHint}
      </p>
    </fieldset>
  );
}

/** The token settings of an app (SPEC §8): RFC 8707 resources, RFC 9068 access token format. */
function TokenFields(props: { ctx: PageContext; values: AppFormValues }) {
  const s = TOKEN_MESSAGES[props.ctx.lang];
  const v = props.values;
  const label = { opaque: s.formatOpaque, jwt: s.formatJwt } as const;
  return (
    <fieldset>
      <legend>{s.tokenLegend}</legend>
      <label for="resources">{s.resources}</label>
      <textarea id="resources" name="resources" rows={2} aria-describedby="resources-hint" value={v.resources.join('\n')} />
      <p class="hint" id="resources-hint">
        {s.resourcesHint}
      </p>
      <Select id="access_token_format" label={s.accessTokenFormat} options={ACCESS_TOKEN_FORMATS.map((f) => ({ value: f, label: label[f] }))} selected={v.accessTokenFormat} />
      <label for="refresh_grace">{s.refreshGrace}</label>
      <input type="number" id="refresh_grace" name="refresh_grace" min={0} max={86400} step={1} aria-describedby="refresh_grace-hint" value={v.refreshGrace} />
      <p class="hint" id="refresh_grace-hint">
        {s.refreshGraceHint}
      </p>
    </fieldset>
  );
}

/** Client authentication and PAR settings of an app (SPEC §8). */
function ClientAuthFields(props: { ctx: PageContext; values: AppFormValues }) {
  const s = SITE_MESSAGES[props.ctx.lang];
  const v = props.values;
  return (
    <fieldset>
      <legend>{s.appClientAuthLegend}</legend>
      <Select
        id="token_endpoint_auth_method"
        label={s.appAuthMethod}
        options={[{ value: '', label: s.appAuthMethodAny }, ...TOKEN_ENDPOINT_AUTH_METHODS.map((method) => ({ value: method, label: method }))]}
        selected={v.tokenEndpointAuthMethod}
      />
      <label for="jwks">{s.appJwks}</label>
      <textarea id="jwks" name="jwks" rows={3} aria-describedby="jwks-hint" value={v.jwks} />
      <label for="jwks_uri">{s.appJwksUri}</label>
      <input type="url" id="jwks_uri" name="jwks_uri" aria-describedby="jwks-hint" value={v.jwksUri} />
      <p class="hint" id="jwks-hint">
        {s.appJwksHint}
      </p>
      <label>
        <input type="checkbox" name="require_par" value="1" checked={v.requirePar} /> {s.appRequirePar}
      </label>
    </fieldset>
  );
}

/** Time in UTC, the same in both languages. */
export function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

function Checkboxes(props: { legend: string; name: string; options: Array<{ value: string; label: string }>; checked: string[] }) {
  return (
    <fieldset>
      <legend>{props.legend}</legend>
      {props.options.map((option) => {
        const id = `${props.name}-${option.value.replace(/ /g, '-')}`;
        return (
          <div class="check">
            <input type="checkbox" id={id} name={props.name} value={option.value} checked={props.checked.includes(option.value)} />
            <label for={id}>{option.label}</label>
          </div>
        );
      })}
    </fieldset>
  );
}

function AppForm(props: ConsoleBase & { action: string; values: AppFormValues; scopes: Scope[]; creating: boolean }) {
  const s = SITE_MESSAGES[props.ctx.lang];
  const v = props.values;
  return (
    <form method="post" action={props.action} class="app-form">
      <input type="hidden" name="csrf_token" value={props.csrfToken} />
      <label for="name">{s.appName}</label>
      <input type="text" id="name" name="name" required maxlength={100} value={v.name} />
      <label for="root_domain">{s.appRootDomain}</label>
      <input type="text" id="root_domain" name="root_domain" required value={v.rootDomain} aria-describedby="root_domain-hint" placeholder="example.com" />
      <p class="hint" id="root_domain-hint">
        {s.appRootDomainHint}
      </p>
      <label for="redirect_uris">{s.appRedirectUris}</label>
      <textarea id="redirect_uris" name="redirect_uris" rows={3} aria-describedby="redirect_uris-hint" value={v.redirectUris.join('\n')} />
      <p class="hint" id="redirect_uris-hint">
        {s.appRedirectUrisHint}
      </p>
      <Checkboxes legend={s.appGrantTypes} name="grant_types" options={GRANT_TYPES.map((g) => ({ value: g, label: g }))} checked={v.grantTypes} />
      <Checkboxes legend={s.appResponseTypes} name="response_types" options={RESPONSE_TYPES.map((r) => ({ value: r, label: r }))} checked={v.responseTypes} />
      <Checkboxes
        legend={s.appScopes}
        name="scopes"
        options={props.scopes.map((scope) => ({ value: scope.name, label: `${scope.name} — ${scopeDescription(scope, props.ctx.lang)}` }))}
        checked={v.scopes}
      />
      <OpenIdFields ctx={props.ctx} values={v} />
      <TokenFields ctx={props.ctx} values={v} />
      <div class="check">
        <input type="checkbox" id="require_dpop" name="require_dpop" value="1" checked={v.requireDpop} />
        <label for="require_dpop">{s.appRequireDpop}</label>
      </div>
      <ClientAuthFields ctx={props.ctx} values={v} />
      {props.creating ? (
        <div class="check">
          <input type="checkbox" id="public" name="public" value="1" checked={v.isPublic} />
          <label for="public">{s.appPublic}</label>
        </div>
      ) : null}
      <div class="actions">
        <button type="submit">{props.creating ? s.appCreate : s.appSave}</button>
      </div>
    </form>
  );
}

function InputError(props: { ctx: PageContext; error: string | undefined }) {
  if (props.error === undefined) return null;
  return (
    <div class="error-box" role="alert">
      <p>{SITE_MESSAGES[props.ctx.lang].appInvalid}</p>
      {/* The rule's own wording comes from the core, in English. */}
      <p lang="en" id="input-error">
        {props.error}
      </p>
    </div>
  );
}

export function ConsolePage(props: ConsoleBase & { apps: App[] }) {
  const s = SITE_MESSAGES[props.ctx.lang];
  return (
    <Layout ctx={props.ctx} title={s.consoleTitle} wide>
      <UserNav ctx={props.ctx} username={props.username} csrfToken={props.csrfToken} />
      <section class="card">
        <h1>{s.consoleTitle}</h1>
        <p>{s.consoleIntro}</p>
        <p>
          <a class="button" href="/console/apps/new">
            {s.consoleNewApp}
          </a>{' '}
          <a href="/console/audit">{s.consoleAuditLink}</a>
        </p>
        {props.apps.length === 0 ? (
          <p class="muted">{s.consoleEmpty}</p>
        ) : (
          <table class="app-list">
            <thead>
              <tr>
                <th scope="col">{s.appName}</th>
                <th scope="col">{s.appApiKey}</th>
                <th scope="col">{s.appRootDomain}</th>
                <th scope="col">{s.appStatus}</th>
              </tr>
            </thead>
            <tbody>
              {props.apps.map((app) => (
                <tr data-client-id={app.clientId}>
                  <td>
                    <a href={`/console/apps/${encodeURIComponent(app.clientId)}`}>{app.name}</a>
                  </td>
                  <td>
                    <code>{app.clientId}</code>
                  </td>
                  <td>{app.rootDomain}</td>
                  <td>{app.disabled ? s.appDisabled : s.appEnabled}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </Layout>
  );
}

export function NewAppPage(props: ConsoleBase & { values: AppFormValues; scopes: Scope[]; error?: string | undefined }) {
  const s = SITE_MESSAGES[props.ctx.lang];
  return (
    <Layout ctx={props.ctx} title={s.consoleNewApp} wide>
      <UserNav ctx={props.ctx} username={props.username} csrfToken={props.csrfToken} />
      <section class="card">
        <h1>{s.consoleNewApp}</h1>
        <InputError ctx={props.ctx} error={props.error} />
        <AppForm {...props} action="/console/apps" creating />
      </section>
    </Layout>
  );
}

function FailureTable(props: { ctx: PageContext; failures: FailureRecord[] }) {
  const s = SITE_MESSAGES[props.ctx.lang];
  if (props.failures.length === 0) return <p class="muted">{s.failuresEmpty}</p>;
  return (
    <div class="scroll">
      <table class="failures">
        <thead>
          <tr>
            <th scope="col">{s.failureTime}</th>
            <th scope="col">{s.failureEndpoint}</th>
            <th scope="col">{s.failureCode}</th>
            <th scope="col">{s.failureDescription}</th>
            <th scope="col">{s.failureDetail}</th>
          </tr>
        </thead>
        <tbody>
          {props.failures.map((failure) => (
            <tr data-failure-code={failure.code}>
              <td>
                {formatTime(failure.at)}
                <div class="muted small">
                  {s.failureRequestId}: <code>{failure.requestId}</code>
                </div>
              </td>
              <td>{failure.endpoint}</td>
              <td>
                <a href={`/oauth/2.0/errors/${failure.code}?lang=${props.ctx.lang}`}>
                  <code>{failure.code}</code>
                </a>
              </td>
              {/* Protocol text, as the app received it: English. */}
              <td lang="en">{failure.description}</td>
              <td lang="en" class="detail">
                {failure.detail ?? '—'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function AppPage(
  props: ConsoleBase & {
    app: App;
    scopes: Scope[];
    failures: FailureRecord[];
    /** The Secret Key, present only on the response that created or rotated it. */
    secret?: string | undefined;
    values?: AppFormValues | undefined;
    error?: string | undefined;
    notice?: string | undefined;
  },
) {
  const s = SITE_MESSAGES[props.ctx.lang];
  const { app } = props;
  const base = `/console/apps/${encodeURIComponent(app.clientId)}`;
  const canTry = !app.isPublic && !app.disabled && app.responseTypes.includes('code') && app.grantTypes.includes('authorization_code');
  const tryHref = `/oauth/2.0/authorize?${new URLSearchParams({ response_type: 'code', client_id: app.clientId, redirect_uri: 'oob', scope: app.scopes.join(' ') })}`;
  return (
    <Layout ctx={props.ctx} title={app.name} wide>
      <UserNav ctx={props.ctx} username={props.username} csrfToken={props.csrfToken} />
      <section class="card">
        <h1>{app.name}</h1>
        {props.notice ? (
          <p class="notice" role="status">
            {props.notice}
          </p>
        ) : null}
        <dl class="keys">
          <dt>{s.appApiKey}</dt>
          <dd>
            <code id="client-id">{app.clientId}</code>
          </dd>
          <dt>{s.appSecretKey}</dt>
          <dd>
            {props.secret !== undefined ? (
              <div class="notice" role="status">
                <code class="big-code" id="client-secret">
                  {props.secret}
                </code>
                <p>{s.appSecretOnce}</p>
                <button type="button" class="secondary" data-copy-target="client-secret" data-copied={s.copied}>
                  {MESSAGES[props.ctx.lang].copy}
                </button>
                <script src="/static/copy.js" defer></script>
              </div>
            ) : (
              <span class="muted">{app.isPublic ? s.appPublicNoSecret : s.appSecretHidden}</span>
            )}
          </dd>
          <dt>{s.appRootDomain}</dt>
          <dd>{app.rootDomain}</dd>
          <dt>{s.appStatus}</dt>
          <dd data-app-status={app.disabled ? 'disabled' : 'enabled'}>{app.disabled ? s.appDisabled : s.appEnabled}</dd>
          <dt>{s.appCreated}</dt>
          <dd>{formatTime(app.createdAt)}</dd>
        </dl>
        <div class="actions">
          {app.isPublic ? null : (
            <form method="post" action={`${base}/rotate`}>
              <input type="hidden" name="csrf_token" value={props.csrfToken} />
              <button type="submit" class="secondary" title={s.appRotateHint}>
                {s.appRotate}
              </button>
            </form>
          )}
          <form method="post" action={`${base}/${app.disabled ? 'enable' : 'disable'}`}>
            <input type="hidden" name="csrf_token" value={props.csrfToken} />
            <button type="submit" class={app.disabled ? 'secondary' : 'danger'} title={app.disabled ? undefined : s.appDisableHint}>
              {app.disabled ? s.appEnable : s.appDisable}
            </button>
          </form>
          {canTry ? (
            <a class="button secondary" href={tryHref} title={s.appTryItHint}>
              {s.appTryIt}
            </a>
          ) : null}
        </div>
      </section>
      <section class="card">
        <h2>{s.failuresTitle}</h2>
        <p class="muted">{s.failuresIntro}</p>
        <FailureTable ctx={props.ctx} failures={props.failures} />
      </section>
      <section class="card">
        <h2>{s.appSettings}</h2>
        <InputError ctx={props.ctx} error={props.error} />
        <AppForm {...props} values={props.values ?? formValuesOf(app)} action={base} creating={false} />
      </section>
    </Layout>
  );
}
