/** The one layout every page uses: language switch, stylesheet, main landmark. */
import type { ComponentChildren } from 'preact';
import { render } from 'preact-render-to-string';
import { LANGS, MESSAGES, type Lang } from './i18n.js';

export interface PageContext {
  lang: Lang;
  /** The path and query this page answers, for the language links. */
  url: string;
  display?: string | undefined;
}

function withLang(url: string, lang: Lang): string {
  const parsed = new URL(url, 'http://x');
  parsed.searchParams.set('lang', lang);
  return parsed.pathname + parsed.search;
}

export function Layout(props: { ctx: PageContext; title: string; wide?: boolean; noLangs?: boolean; children: ComponentChildren }) {
  const { ctx } = props;
  const t = MESSAGES[ctx.lang];
  const display = ctx.display && /^[a-z]{1,16}$/.test(ctx.display) ? ctx.display : 'page';
  return (
    <html lang={ctx.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>{props.title}</title>
        <link rel="stylesheet" href="/static/gatehouse.css" />
      </head>
      <body class={`display-${display}`}>
        <header class="top">
          <a class="brand" href="/">
            Gatehouse <span class="muted">· {t.productTagline}</span>
          </a>
          {props.noLangs ? null : (
            <nav class="langs" aria-label="Language / 语言">
              {LANGS.map((lang) => (
                <a href={withLang(ctx.url, lang)} lang={lang} hreflang={lang} aria-current={lang === ctx.lang ? 'true' : undefined}>
                  {MESSAGES[lang].langName}
                </a>
              ))}
            </nav>
          )}
        </header>
        <main class={props.wide ? 'wide' : undefined}>{props.children}</main>
      </body>
    </html>
  );
}

/** A complete HTML document; preact escapes every text and attribute value. */
export function renderDocument(node: preact.VNode): string {
  return `<!doctype html>${render(node)}`;
}

/** Hidden inputs carrying a request's parameters through a form that posts back; a repeatable one (RFC 8707 `resource`) gives one input per value. */
export function HiddenFields(props: { fields: Record<string, string | readonly string[]> }) {
  return (
    <>
      {Object.entries(props.fields).flatMap(([name, value]) =>
        (typeof value === 'string' ? [value] : value).map((one) => <input type="hidden" name={name} value={one} />),
      )}
    </>
  );
}

/** A message about what just went wrong, announced to screen readers. */
export function Alert(props: { message: string | undefined }) {
  return props.message ? (
    <p class="error-box" role="alert">
      {props.message}
    </p>
  ) : null;
}
