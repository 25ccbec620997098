/** Pages of a person's own account: first-run setup, sign-up, the home page, and the apps they authorized. */
import type { Scope } from '../core/model.js';
import { MESSAGES } from './i18n.js';
import { SITE_MESSAGES } from './i18n-site.js';
import { Alert, HiddenFields, Layout, type PageContext } from './layout.js';
import { scopeDescription } from './scope-text.js';

/** Console / account links and a sign-out button (a POST with CSRF, so a link from another site cannot sign you out). */
export function UserNav(props: { ctx: PageContext; username: string; csrfToken: string }) {
  const s = SITE_MESSAGES[props.ctx.lang];
  return (
    <nav class="user-nav" aria-label={s.navAccount}>
      <span class="muted">{props.username}</span>
      <a href="/console">{s.navConsole}</a>
      <a href="/account">{s.navAccount}</a>
      <form method="post" action="/logout" class="inline">
        <input type="hidden" name="csrf_token" value={props.csrfToken} />
        <button type="submit" class="link">
          {s.signOut}
        </button>
      </form>
    </nav>
  );
}

export function HomePage(props: { ctx: PageContext; user?: { username: string; csrfToken: string } | undefined; allowSignup: boolean }) {
  const s = SITE_MESSAGES[props.ctx.lang];
  return (
    <Layout ctx={props.ctx} title={s.homeTitle}>
      {props.user ? <UserNav ctx={props.ctx} username={props.user.username} csrfToken={props.user.csrfToken} /> : null}
      <section class="card">
        <h1>{s.homeTitle}</h1>
        <p>{s.homeIntro}</p>
        <h2>{s.homeForPeople}</h2>
        <ul class="links">
          {props.user ? (
            <li>{s.homeSignedInAs(props.user.username)}</li>
          ) : (
            <>
              <li>
                <a href="/login">{s.homeSignIn}</a>
              </li>
              {props.allowSignup ? (
                <li>
                  <a href="/signup">{s.homeSignUp}</a>
                </li>
              ) : null}
            </>
          )}
          <li>
            <a href="/account">{s.homeAccount}</a>
          </li>
        </ul>
        <h2>{s.homeForDevelopers}</h2>
        <ul class="links">
          <li>
            <a href="/console">{s.homeConsole}</a>
          </li>
          <li>
            <a href="/oauth/2.0/errors">{s.homeErrors}</a>
          </li>
          <li>
            <a href="/.well-known/oauth-authorization-server">{s.homeMetadata}</a>
          </li>
        </ul>
      </section>
    </Layout>
  );
}

/** A new account: username, password twice. Used by first-run setup and by sign-up. */
export function NewAccountPage(props: {
  ctx: PageContext;
  title: string;
  intro: string;
  button: string;
  action: string;
  csrfToken: string;
  hidden?: Record<string, string>;
  username?: string | undefined;
  message?: string | undefined;
  signInHref?: string | undefined;
}) {
  const t = MESSAGES[props.ctx.lang];
  const s = SITE_MESSAGES[props.ctx.lang];
  return (
    <Layout ctx={props.ctx} title={props.title}>
      <section class="card">
        <h1>{props.title}</h1>
        <p>{props.intro}</p>
        <Alert message={props.message} />
        <form method="post" action={props.action}>
          <HiddenFields fields={props.hidden ?? {}} />
          <input type="hidden" name="csrf_token" value={props.csrfToken} />
          <label for="username">{t.username}</label>
          <input type="text" id="username" name="username" autocomplete="username" required maxlength={64} value={props.username ?? ''} />
          <label for="password">{t.password}</label>
          <input type="password" id="password" name="password" autocomplete="new-password" required minlength={8} maxlength={200} />
          <label for="password2">{s.passwordConfirm}</label>
          <input type="password" id="password2" name="password2" autocomplete="new-password" required minlength={8} maxlength={200} />
          <div class="actions">
            <button type="submit">{props.button}</button>
          </div>
        </form>
        {props.signInHref ? (
          <p>
            <a href={props.signInHref}>{s.haveAccount}</a>
          </p>
        ) : null}
      </section>
    </Layout>
  );
}

export interface AuthorizedApp {
  clientId: string;
  name: string | undefined;
  rootDomain: string | undefined;
  scopes: Scope[];
}

export function AccountPage(props: { ctx: PageContext; username: string; csrfToken: string; apps: AuthorizedApp[]; notice?: string | undefined }) {
  const s = SITE_MESSAGES[props.ctx.lang];
  return (
    <Layout ctx={props.ctx} title={s.accountTitle}>
      <UserNav ctx={props.ctx} username={props.username} csrfToken={props.csrfToken} />
      <section class="card">
        <h1>{s.accountTitle}</h1>
        {props.notice ? (
          <p class="notice" role="status">
            {props.notice}
          </p>
        ) : null}
        <p>{s.accountIntro(props.username)}</p>
        {props.apps.length === 0 ? <p class="muted">{s.accountEmpty}</p> : null}
        <ul class="apps">
          {props.apps.map((app) => (
            <li data-client-id={app.clientId}>
              <h2>
                {app.name ?? s.unknownApp} {app.rootDomain ? <span class="muted">({app.rootDomain})</span> : null}
              </h2>
              <p class="muted">{s.accountScopes}:</p>
              <ul class="scopes">
                {app.scopes.map((scope) => (
                  <li data-scope={scope.name}>
                    <code>{scope.name}</code> — {scopeDescription(scope, props.ctx.lang)}
                  </li>
                ))}
              </ul>
              <form method="post" action="/account/revoke">
                <input type="hidden" name="csrf_token" value={props.csrfToken} />
                <input type="hidden" name="client_id" value={app.clientId} />
                <button type="submit" class="secondary">
                  {s.accountRevoke}
                </button>
              </form>
            </li>
          ))}
        </ul>
      </section>
    </Layout>
  );
}
