/** The operators' list of apps that registered themselves (SPEC §9), each with a button to disable or enable it. */
import type { App } from '../core/model.js';
import { UserNav } from './account-pages.js';
import type { ConsoleBase } from './console-pages.js';
import { formatTime } from './console-pages.js';
import { REGISTRATION_MESSAGES } from './i18n-registration.js';
import { Layout } from './layout.js';

export const SELF_REGISTERED_PATH = '/console/self-registered';

export function SelfRegisteredAppsPage(props: ConsoleBase & { apps: App[] }) {
  const r = REGISTRATION_MESSAGES[props.ctx.lang];
  return (
    <Layout ctx={props.ctx} title={r.selfRegisteredApps} wide>
      <UserNav ctx={props.ctx} username={props.username} csrfToken={props.csrfToken} />
      <section class="card">
        <h1>{r.selfRegisteredApps}</h1>
        <p>{r.selfRegisteredAppsIntro}</p>
        {props.apps.length === 0 ? (
          <p class="muted">{r.selfRegisteredNone}</p>
        ) : (
          <table class="app-list">
            <tbody>
              {props.apps.map((app) => (
                <tr data-client-id={app.clientId} data-disabled={app.disabled ? 'true' : 'false'}>
                  {/* The name and URIs are the registrant's own words: text only, escaped by the template (never a logo). */}
                  <td>{app.name}</td>
                  <td>
                    <code>{app.clientId}</code>
                    <div class="muted">{app.registration}</div>
                  </td>
                  <td>{app.redirectUris.map((uri) => <div><code>{uri}</code></div>)}</td>
                  <td>
                    {r.lastUsed}: {app.lastUsedAt ? formatTime(app.lastUsedAt) : r.never}
                  </td>
                  <td>
                    <form method="post" action={`${SELF_REGISTERED_PATH}/${encodeURIComponent(app.clientId)}`}>
                      <input type="hidden" name="csrf_token" value={props.csrfToken} />
                      {app.disabled ? <span class="muted">{r.disabled} </span> : null}
                      <button type="submit" name="decision" value={app.disabled ? 'enable' : 'disable'} class={app.disabled ? undefined : 'secondary'}>
                        {app.disabled ? r.enable : r.disable}
                      </button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </Layout>
  );
}
