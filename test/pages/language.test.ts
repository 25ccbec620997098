import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MESSAGES } from '../../src/views/i18n.js';
import { SITE_MESSAGES } from '../../src/views/i18n-site.js';
import { Browser, type PageResponse } from '../helpers/browserless-flow.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { signedIn } from './site.js';

/** The English UI sentences (several words, no placeholders) that must not show on a Chinese page. */
const ENGLISH_SENTENCES = [...Object.values(MESSAGES.en), ...Object.values(SITE_MESSAGES.en)].filter(
  (value): value is string => typeof value === 'string' && value.split(' ').length >= 2,
);

/** The page without its language switcher (which names each language in itself). */
const withoutSwitcher = (page: PageResponse) => page.body.replace(/<nav class="langs"[\s\S]*?<\/nav>/, '');

describe('language: Accept-Language, ?lang= and the remembering cookie', () => {
  let server: TestServer;
  let person: { uid: string; username: string; password: string };
  let clientId: string;

  before(async () => {
    server = await startServer();
    person = await server.createUser('polyglot');
    ({ clientId } = await server.createApp({ name: 'Bilingual', ownerUid: person.uid, scopes: ['basic', 'email'] }));
  });
  after(() => server.close());

  test('Accept-Language picks Chinese for any zh tag, English otherwise', async () => {
    const zh = await new Browser(server.url).request('/', { headers: { 'accept-language': 'zh-TW,zh;q=0.9,en;q=0.5' } });
    assert.match(zh.body, /<html lang="zh-CN">/);
    const fr = await new Browser(server.url).request('/', { headers: { 'accept-language': 'fr-FR' } });
    assert.match(fr.body, /<html lang="en">/);
  });

  test('?lang=zh-CN switches and a cookie remembers it over Accept-Language; ?lang=en switches back', async () => {
    const browser = new Browser(server.url);
    const switched = await browser.request('/login?lang=zh-CN', { headers: { 'accept-language': 'en' } });
    assert.match(switched.headers.get('set-cookie') ?? '', /gh_lang=zh-CN/);
    assert.match(switched.body, /<html lang="zh-CN">/);
    const remembered = await browser.request('/oauth/2.0/errors', { headers: { 'accept-language': 'en' } });
    assert.match(remembered.body, /<html lang="zh-CN">/);
    await browser.request('/?lang=en');
    assert.match((await browser.request('/')).body, /<html lang="en">/);
  });

  test('every page offers the switch to the other language, keeping its own address', async () => {
    const page = await new Browser(server.url).request('/oauth/2.0/errors/invalid_grant?lang=en');
    assert.match(page.body, /<a href="\/oauth\/2.0\/errors\/invalid_grant\?lang=zh-CN" lang="zh-CN" hreflang="zh-CN">简体中文<\/a>/);
  });

  test('no English sentence on the Chinese pages, no Chinese on the English ones', async () => {
    const browser = await signedIn(server.url, person);
    await server.instance.services.stores.consents.saveConsent({ uid: person.uid, clientId, scope: ['basic'] }, Date.now());
    const paths = ['/', '/login', '/console', '/console/apps/new', `/console/apps/${clientId}`, '/account', '/oauth/2.0/errors', '/oauth/2.0/login_success?code=x'];
    const anonymous = new Browser(server.url);
    for (const path of paths) {
      const sep = path.includes('?') ? '&' : '?';
      const who = path === '/login' ? anonymous : browser;
      const zh = await who.request(`${path}${sep}lang=zh-CN`);
      assert.equal(zh.status, 200, path);
      for (const sentence of ENGLISH_SENTENCES) assert.ok(!zh.body.includes(sentence), `${path}: "${sentence}" on the Chinese page`);
      const en = await who.request(`${path}${sep}lang=en`);
      assert.doesNotMatch(withoutSwitcher(en), /\p{Script=Han}/u, `${path}: Chinese on the English page`);
    }
  });

  test('the consent page describes each scope in the page language, with the app name and root domain', async () => {
    const browser = await signedIn(server.url, person);
    const url = `/oauth/2.0/authorize?${new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: 'https://app.example.com/cb', scope: 'basic email', confirm_login: '1' })}`;
    const zh = await browser.request(`${url}&lang=zh-CN`);
    assert.match(zh.body, /允许 Bilingual 访问你的账号吗？/);
    assert.match(zh.body, /Bilingual（example.com）请求以下权限：/);
    assert.match(zh.body, /<li data-scope="basic"><code>basic<\/code> — 你的基本资料：用户 ID、用户名和头像<\/li>/);
    assert.match(zh.body, /<li data-scope="email"><code>email<\/code> — 你的电子邮箱地址<\/li>/);
    const en = await browser.request(`${url}&lang=en`);
    assert.match(en.body, /<li data-scope="email"><code>email<\/code> — Your email address<\/li>/);
    assert.match(en.body, /Signed in as polyglot/);
    assert.match(en.body, /force_login=1/);
  });

  test('display picks the layout by body class; an unknown one falls back to page', async () => {
    const browser = new Browser(server.url);
    for (const [display, expected] of [['popup', 'popup'], ['mobile', 'mobile'], ['tv', 'tv'], ['page', 'page'], ['x"y', 'page']]) {
      const page = await browser.request(`/oauth/2.0/authorize?${new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: 'https://app.example.com/cb', display: display! })}`);
      assert.match(page.body, new RegExp(`<body class="display-${expected}">`), display);
    }
  });
});

test('a language chosen on the authorize error page is remembered', async () => {
  const server = await startServer();
  try {
    const browser = new Browser(server.url);
    const error = await browser.request('/oauth/2.0/authorize?client_id=nobody&lang=zh-CN');
    assert.equal(error.status, 400);
    assert.match(error.headers.get('set-cookie') ?? '', /gh_lang=zh-CN/);
    assert.match((await browser.request('/oauth/2.0/errors')).body, /<html lang="zh-CN">/);
  } finally {
    await server.close();
  }
});
