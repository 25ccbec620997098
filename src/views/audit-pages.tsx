/** The console's activity page: the audit events of a developer's own apps and their own changes (SPEC §10). */
import type { AuditEvent } from '../core/audit.js';
import { UserNav } from './account-pages.js';
import { SITE_MESSAGES } from './i18n-site.js';
import { Layout } from './layout.js';
import { formatTime, type ConsoleBase } from './console-pages.js';

export function AuditLogPage(props: ConsoleBase & { events: AuditEvent[] }) {
  const s = SITE_MESSAGES[props.ctx.lang];
  return (
    <Layout ctx={props.ctx} title={s.auditTitle} wide>
      <UserNav ctx={props.ctx} username={props.username} csrfToken={props.csrfToken} />
      <section class="card">
        <h1>{s.auditTitle}</h1>
        <p>{s.auditIntro}</p>
        <p>
          <a href="/console">{s.consoleTitle}</a>
        </p>
        {props.events.length === 0 ? (
          <p class="muted">{s.auditEmpty}</p>
        ) : (
          <table class="audit-list">
            <thead>
              <tr>
                <th scope="col">{s.auditWhen}</th>
                <th scope="col">{s.auditWho}</th>
                <th scope="col">{s.auditAction}</th>
                <th scope="col">{s.auditTarget}</th>
                <th scope="col">{s.auditAddress}</th>
              </tr>
            </thead>
            <tbody>
              {props.events.map((event) => (
                <tr data-audit-id={String(event.id)} data-action={event.action}>
                  <td>{formatTime(event.at)}</td>
                  <td>
                    {event.actor.type}: <code>{event.actor.id}</code>
                  </td>
                  <td>
                    <code>{event.action}</code>
                  </td>
                  <td>
                    {event.target.type}: <code>{event.target.id}</code>
                  </td>
                  <td>{event.address ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </Layout>
  );
}
