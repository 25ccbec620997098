import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ERROR_CODES, ERRORS } from '../../src/core/errors.js';
import { ERROR_REFERENCE } from '../../src/views/error-reference.js';
import { startServer, type TestServer } from '../helpers/server.js';

/** The explanation block of a page, as text. */
function explanation(body: string): string {
  const match = /<div class="explanation" data-explanation(?:="true")?>([\s\S]*?)<\/dl><\/div>/.exec(body);
  assert.ok(match, 'no explanation on the page');
  return match[1]!.replace(/<[^>]+>/g, ' ');
}

const HAN = /\p{Script=Han}/u;
/** Three English words in a row: a sentence, not an identifier such as client_id or a header name. */
const ENGLISH_PHRASE = /\b[A-Za-z]{2,}\s+[a-z]{2,}\s+[a-z]{2,}\b/;

describe('error reference: every SPEC §4 code at its error_uri, in both languages', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  test('the table of codes is the ERRORS table', () => {
    assert.deepEqual(Object.keys(ERROR_REFERENCE.en).sort(), Object.keys(ERRORS).sort());
    assert.deepEqual(Object.keys(ERROR_REFERENCE['zh-CN']).sort(), Object.keys(ERRORS).sort());
  });

  for (const code of ERROR_CODES) {
    test(`${code}: an English and a Chinese page, each wholly in its language`, async () => {
      const en = await fetch(`${server.url}/oauth/2.0/errors/${code}?lang=en`);
      const enBody = await en.text();
      assert.equal(en.status, 200);
      assert.match(enBody, /^<!doctype html><html lang="en">/);
      assert.match(enBody, new RegExp(`data-error-code="${code}"`));
      assert.ok(!HAN.test(explanation(enBody)), 'no Chinese in the English explanation');
      assert.match(explanation(enBody), ENGLISH_PHRASE, 'the detector finds English where there is English');

      const zh = await fetch(`${server.url}/oauth/2.0/errors/${code}?lang=zh-CN`);
      const zhBody = await zh.text();
      assert.equal(zh.status, 200);
      assert.match(zhBody, /^<!doctype html><html lang="zh-CN">/);
      assert.match(zhBody, new RegExp(`data-error-code="${code}"`));
      const text = explanation(zhBody);
      assert.doesNotMatch(text, ENGLISH_PHRASE, 'no English sentence in the Chinese explanation');
      const reference = ERROR_REFERENCE['zh-CN'][code];
      for (const piece of [reference.summary, ...reference.causes.flatMap((c) => [c.cause, c.fix])]) assert.match(piece, HAN, piece);
      for (const piece of [ERROR_REFERENCE.en[code].summary, ...ERROR_REFERENCE.en[code].causes.map((c) => c.cause)]) {
        assert.ok(!zhBody.includes(piece), `English text on the Chinese page: ${piece}`);
      }
    });
  }

  test('the index links every code', async () => {
    const body = await (await fetch(`${server.url}/oauth/2.0/errors?lang=zh-CN`)).text();
    for (const code of ERROR_CODES) assert.ok(body.includes(`href="/oauth/2.0/errors/${code}?lang=zh-CN"`), code);
  });

  test('an unknown code is a 404 page', async () => {
    assert.equal((await fetch(`${server.url}/oauth/2.0/errors/no_such_code`)).status, 404);
  });

  test('for a live authorize request the page names the parameter that failed, with the explanation', async () => {
    const { clientId } = await server.createApp();
    const response = await fetch(`${server.url}/oauth/2.0/authorize?${new URLSearchParams({ response_type: 'code', client_id: clientId, lang: 'zh-CN' })}`);
    const body = await response.text();
    assert.equal(response.status, 400);
    assert.match(body, /data-error-code="invalid_request"/);
    assert.match(body, /出错的参数: <code data-error-parameter="redirect_uri">redirect_uri<\/code>/);
    assert.match(body, /<p lang="en" data-error-description(="true")?>missing required parameter redirect_uri<\/p>/);
    assert.match(body, new RegExp(ERROR_REFERENCE['zh-CN'].invalid_request.summary));
  });
});
