/**
 * A person at /oauth/2.0/authorize, without a browser: fetch with a cookie jar,
 * reading the forms' hidden fields (SPEC §6 names) and posting them back.
 */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

export interface PageResponse {
  status: number;
  headers: Headers;
  body: string;
  location: string | null;
}

export class Browser {
  readonly jar = new CookieJar();

  constructor(readonly base: string) {}

  async request(
    path: string,
    init: { method?: string; form?: Record<string, string> | [string, string][]; headers?: Record<string, string> } = {},
  ): Promise<PageResponse> {
    const headers: Record<string, string> = { cookie: this.jar.header(), ...init.headers };
    let body: string | undefined;
    if (init.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const response = await fetch(new URL(path, this.base), { method: init.method ?? (body ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
    this.jar.store(response);
    return { status: response.status, headers: response.headers, body: await response.text(), location: response.headers.get('location') };
  }

  /** Posts the page's first form with its hidden fields plus `extra`. */
  async submit(page: PageResponse, extra: Record<string, string>, headers?: Record<string, string>): Promise<PageResponse> {
    const form = /<form(?:[^>"]|"[^"]*")*action="([^"]*)"(?:[^>"]|"[^"]*")*>([\s\S]*?)<\/form>/.exec(page.body);
    if (!form) throw new Error(`no form on the page (status ${page.status}): ${page.body.slice(0, 300)}`);
    // Pairs, not a record: a repeated hidden field (RFC 8707 `resource`) is posted with every value.
    const fields: [string, string][] = [];
    // A quoted attribute value may hold a raw '>' (HTML escapes only '"' and '&' there).
    for (const input of form[2]!.matchAll(/<input(?:[^>"]|"[^"]*")*type="hidden"(?:[^>"]|"[^"]*")*>/g)) {
      const name = /name="([^"]*)"/.exec(input[0])?.[1];
      const value = /value="([^"]*)"/.exec(input[0])?.[1] ?? '';
      if (name !== undefined && !Object.hasOwn(extra, decodeEntities(name))) fields.push([decodeEntities(name), decodeEntities(value)]);
    }
    return this.request(decodeEntities(form[1]!), { form: [...fields, ...Object.entries(extra)], ...(headers ? { headers } : {}) });
  }
}

export function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39|#x27);/g, (_, entity: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'" })[entity]!);
}

/**
 * Runs the authorize request to its redirect: signs in and approves as needed.
 * Returns the final response (a 302 to the app, or whatever page stopped it).
 */
export async function authorize(
  browser: Browser,
  params: Record<string, string>,
  person: { username: string; password: string },
  decision: 'approve' | 'deny' = 'approve',
): Promise<PageResponse> {
  let page = await browser.request(`/oauth/2.0/authorize?${new URLSearchParams(params)}`);
  for (let step = 0; step < 4 && page.status !== 302; step++) {
    if (page.body.includes('name="password"')) page = await browser.submit(page, { username: person.username, password: person.password });
    else if (page.body.includes('name="decision"')) page = await browser.submit(page, { decision });
    else break;
  }
  return page;
}

/** The parameters a redirect carried back, from its query or fragment. */
export function redirectParams(location: string, where: 'query' | 'fragment' = 'query'): URLSearchParams {
  const url = new URL(location);
  return where === 'query' ? url.searchParams : new URLSearchParams(url.hash.slice(1));
}

/** A token endpoint's successful answer (SPEC §3). */
export interface TokenJson { access_token: string; refresh_token?: string; scope: string; expires_in: number; token_type: string }

/**
 * The whole code flow for a confidential app: authorize as `person`, then
 * redeem the code at the token endpoint (client_secret_post). Returns the
 * token response as JSON.
 */
export async function codeFlowTokens(
  base: string,
  client: { clientId: string; clientSecret: string; redirectUri: string; scope?: string },
  person: { username: string; password: string },
): Promise<TokenJson> {
  const params = { response_type: 'code', client_id: client.clientId, redirect_uri: client.redirectUri, ...(client.scope ? { scope: client.scope } : {}) };
  const final = await authorize(new Browser(base), params, person);
  const code = final.location === null ? null : redirectParams(final.location).get('code');
  if (code === null) throw new Error(`the authorize flow ended without a code (status ${final.status}): ${final.body.slice(0, 300)}`);
  const response = await fetch(new URL('/oauth/2.0/token', base), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: client.redirectUri, client_id: client.clientId, client_secret: client.clientSecret }),
  });
  if (response.status !== 200) throw new Error(`the token endpoint answered ${response.status}: ${await response.text()}`);
  return response.json() as Promise<TokenJson>;
}
