/** The pages of /oauth/2.0/logout (RP-Initiated Logout 1.0): the confirmation and the signed-out page. */
import { LOGOUT_MESSAGES } from './i18n-logout.js';
import { MESSAGES } from './i18n.js';
import { HiddenFields, Layout, type PageContext } from './layout.js';

export function LogoutConfirmPage(props: {
  ctx: PageContext;
  action: string;
  csrfToken: string;
  /** The app's request (id_token_hint, client_id, post_logout_redirect_uri, state, ui_locales), posted back. */
  hidden: Record<string, string>;
  /** The app that asks, when known (from client_id or the id_token_hint). */
  appName?: string | undefined;
  /** The signed-in person, if any. */
  username?: string | undefined;
}) {
  const l = LOGOUT_MESSAGES[props.ctx.lang];
  return (
    <Layout ctx={props.ctx} title={l.logoutTitle}>
      <section class="card">
        <h1>{l.logoutQuestion}</h1>
        {props.appName !== undefined ? <p data-app>{l.logoutFromApp(props.appName)}</p> : null}
        <p class="muted">{props.username !== undefined ? l.logoutSignedInAs(props.username) : l.logoutNotSignedIn}</p>
        <p>{l.logoutEffect}</p>
        <form method="post" action={props.action}>
          <HiddenFields fields={props.hidden} />
          <input type="hidden" name="csrf_token" value={props.csrfToken} />
          <div class="actions">
            <button type="submit" name="decision" value="logout">
              {l.logoutButton}
            </button>
          </div>
        </form>
      </section>
    </Layout>
  );
}

export function SignedOutPage(props: { ctx: PageContext; appName?: string | undefined }) {
  const l = LOGOUT_MESSAGES[props.ctx.lang];
  const t = MESSAGES[props.ctx.lang];
  return (
    <Layout ctx={props.ctx} title={l.signedOutTitle}>
      <section class="card" data-signed-out>
        <h1>{l.signedOutTitle}</h1>
        <p>{props.appName !== undefined ? l.signedOutApp(props.appName) : l.signedOut}</p>
        <p>
          <a href="/">{t.backHome}</a>
        </p>
      </section>
    </Layout>
  );
}
