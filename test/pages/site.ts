/** Driving the site's own pages without a browser: sign in, find a form by its action, post it. */
import assert from 'node:assert/strict';
import { Browser, decodeEntities, type PageResponse } from '../helpers/browserless-flow.js';

/** The hidden fields of the form whose action is `action` (the page may hold several forms). */
export function formFields(page: PageResponse, action: string): Record<string, string> {
  for (const form of page.body.matchAll(/<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/g)) {
    if (decodeEntities(form[1]!) !== action) continue;
    const fields: Record<string, string> = {};
    for (const input of form[2]!.matchAll(/<input[^>]*type="hidden"[^>]*>/g)) {
      const name = /name="([^"]*)"/.exec(input[0])?.[1];
      const value = /value="([^"]*)"/.exec(input[0])?.[1] ?? '';
      if (name !== undefined) fields[decodeEntities(name)] = decodeEntities(value);
    }
    return fields;
  }
  throw new Error(`no form with action ${action} on the page (status ${page.status}): ${page.body.slice(0, 400)}`);
}

/** Posts the form with `action` from `page`, its hidden fields plus `extra`. */
export function post(browser: Browser, page: PageResponse, action: string, extra: Record<string, string> = {}): Promise<PageResponse> {
  return browser.request(action, { form: { ...formFields(page, action), ...extra } });
}

/** Signs in through /login; returns the browser, now carrying the session cookie. */
export async function signedIn(base: string, person: { username: string; password: string }): Promise<Browser> {
  const browser = new Browser(base);
  const login = await browser.request('/login');
  const done = await post(browser, login, '/login', { username: person.username, password: person.password });
  assert.equal(done.status, 303, done.body.slice(0, 300));
  return browser;
}

/** The CSRF token of `browser` for its next form, read from a page it can see. */
export async function csrfOf(browser: Browser, path = '/console'): Promise<string> {
  const page = await browser.request(path);
  const token = /name="csrf_token" value="([^"]*)"/.exec(page.body)?.[1];
  assert.ok(token, `no csrf_token on ${path}`);
  return decodeEntities(token);
}

/** Every header a page must carry against clickjacking (RFC 9700 §4.16). */
export function assertFrameDenied(page: { status: number; headers: Headers }, what: string): void {
  assert.equal(page.headers.get('x-frame-options'), 'DENY', `${what}: X-Frame-Options`);
  assert.match(page.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/, `${what}: CSP`);
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/, `${what}: content type`);
}
