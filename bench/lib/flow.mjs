/**
 * A person at /oauth/2.0/authorize, without a browser (the same walk as
 * test/helpers/browserless-flow.ts): sign in, approve once, and keep the session
 * cookie. After that the authorize GET answers at once with a 302 and a code.
 */
const decode = (text) => text.replace(/&(amp|lt|gt|quot|#39|#x27);/g, (_, e) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'" })[e]);

export async function signInAndConsent(base, query, person) {
  const cookies = new Map();
  const request = async (path, form) => {
    const headers = { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await fetch(new URL(path, base), { method: form ? 'POST' : 'GET', headers, body: form ? new URLSearchParams(form).toString() : undefined, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(';')[0];
      const eq = pair.indexOf('=');
      cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    return { status: response.status, body: await response.text(), location: response.headers.get('location') };
  };
  const submit = (page, extra) => {
    const form = /<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/.exec(page.body);
    if (!form) throw new Error(`no form on the authorize page (status ${page.status})`);
    const fields = {};
    for (const input of form[2].matchAll(/<input[^>]*type="hidden"[^>]*>/g)) {
      const name = /name="([^"]*)"/.exec(input[0])?.[1];
      if (name !== undefined) fields[decode(name)] = decode(/value="([^"]*)"/.exec(input[0])?.[1] ?? '');
    }
    return request(decode(form[1]), { ...fields, ...extra });
  };
  const path = `/oauth/2.0/authorize?${query}`;
  let page = await request(path);
  for (let step = 0; step < 4 && page.status !== 302; step++) {
    if (page.body.includes('name="password"')) page = await submit(page, { username: person.username, password: person.password });
    else if (page.body.includes('name="decision"')) page = await submit(page, { decision: 'approve' });
    else break;
  }
  if (page.status !== 302 || !/[?&]code=/.test(page.location ?? '')) throw new Error(`authorize did not end in a redirect with a code (status ${page.status})`);
  // The next GET must redirect at once: that is what the minting relies on.
  const again = await request(path);
  if (again.status !== 302) throw new Error(`a second authorize GET answered ${again.status}, not 302`);
  return { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '), code: new URL(again.location).searchParams.get('code') };
}
