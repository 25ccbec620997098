/** The device verification page (RFC 8628 §3.3): the code form, and the code and QR shown beside the consent. */
import { MESSAGES } from './i18n.js';
import { Layout, type PageContext } from './layout.js';
import type { FormPage } from './oauth-pages.js';

/** Where a person types the user code (SPEC §6: input name="user_code"); a wrong code comes back here with a message. */
export function DeviceCodePage(props: FormPage & { code?: string | undefined; message?: string | undefined }) {
  const t = MESSAGES[props.ctx.lang];
  return (
    <Layout ctx={props.ctx} title={t.deviceTitle}>
      <section class="card">
        <h1>{t.deviceTitle}</h1>
        <p>{t.deviceIntro}</p>
        {props.message ? (
          <p class="error-box" role="alert">
            {props.message}
          </p>
        ) : null}
        <form method="post" action={props.action}>
          <input type="hidden" name="csrf_token" value={props.csrfToken} />
          <input type="hidden" name="_step" value="code" />
          <label for="user_code">{t.deviceCodeLabel}</label>
          <input
            type="text"
            id="user_code"
            name="user_code"
            class="big-code"
            value={props.code ?? ''}
            placeholder="XXXX-XXXX"
            autocomplete="one-time-code"
            autocapitalize="characters"
            spellcheck={false}
            maxLength={32}
            required
            autofocus
          />
          <div class="actions">
            <button type="submit">{t.deviceContinue}</button>
          </div>
        </form>
      </section>
    </Layout>
  );
}

/**
 * Shown on the consent page: the code, so the person can check it is the one
 * on their own device (RFC 8628 §5.4, remote phishing), and a QR code of the
 * page to finish on a phone instead.
 */
export function DeviceCodeCard(props: { ctx: PageContext; userCode: string; qrSrc: string }) {
  const t = MESSAGES[props.ctx.lang];
  return (
    <div class="notice">
      <p>{t.deviceCodeShown}</p>
      <code class="big-code" data-user-code={props.userCode}>
        {props.userCode}
      </code>
      <p class="muted">{t.devicePhoneHint}</p>
      <img src={props.qrSrc} alt={t.deviceQrAlt} width={160} height={160} />
    </div>
  );
}
