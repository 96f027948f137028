// Runs the default theme's search.js in headless Chromium against a built
// site and checks it against a plain substring search over the texts the
// site published (data/replies.json), each piece apart as a reply's page
// shows it: each field, each paragraph, list item, table cell and heading.
//
//   node --test search.test.mjs                        # a fixture under /zxta/
//   DAFU_SITE=path/to/public node --test search.test.mjs  # any built site
//
// The site's search page must follow the markup contract atop search.js and
// the site must have data/replies.json. The site is served at its own base
// path (read from the page's data-index, e.g. /zxta/), so sub-paths are
// tested as deployed. DAFU_MEASURE=1 also loads each query in a fresh page
// and prints the bytes it downloaded. CHROMIUM overrides /usr/bin/chromium.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const { buildFixture } = createRequire(import.meta.url)('./support/fixture.js');
// Without a site given, the fixture is built under a sub-path, as a column
// of a government site would be.
// Its generated replies have tables full of figures, cell after cell of
// digits, where a match across two cells would be a wrong answer.
const fixture = process.env.DAFU_SITE ? null : buildFixture({ baseUrl: '/zxta/', numericTables: true, n: 60 });
const SITE = process.env.DAFU_SITE || fixture.publicDir;
const page_html = fs.readFileSync(path.join(SITE, 'search/index.html'), 'utf8');
const BASE = (/data-index="([^"]*)search\/"/.exec(page_html) || [null, '/'])[1];
const replies = JSON.parse(fs.readFileSync(path.join(SITE, 'data/replies.json'), 'utf8'));

// ---- The reference: substring search, written apart from search.js ----

// What search.js documents: whitespace, controls and zero-width marks are
// not text; full-width ASCII folds to ASCII; ASCII letters are lowercased.
// Results on a page of search results.
const PER_PAGE = 10;
const IGNORED = /[\u0000-\u0020\u007f-\u00a0\u00ad\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u2064\u3000\ufeff]/g;
function norm(s) {
  return String(s ?? '')
    .replace(IGNORED, '')
    .replace(/[\uff01-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[A-Z]/g, (c) => c.toLowerCase());
}
function queryTerms(q) {
  return String(q).split(IGNORED).map(norm).filter((t) => t.length > 0);
}
// What 办理结果 A to D mean when config.yaml gives no result_legend.
const LEGEND = { A: '所提问题已经解决或基本解决', B: '所提问题正在解决或已列入计划逐步解决',
  C: '所提问题因条件限制或其他原因暂时不能解决', D: '所提问题留作参考' };
// The line a letter opens with, as reply.html prints it.
function addresseeLine(r) {
  if (r.addressee) return r.addressee;
  if (!r.proposers || !r.proposers.length) return null;
  return r.proposers.join('、') + ({ 建议: '代表', 提案: '委员' }[r.kind] || '');
}
// Every piece of text a reply's page shows apart, as it shows it.
function piecesOf(r) {
  return [r.title, r.doc_number, r.department, addresseeLine(r), r.session,
    r.proposal_id ? (r.kind || '') + '第' + r.proposal_id + '号' : null, r.proposal_title,
    ...(r.proposers || []), r.role,
    r.result ? r.result + '类' + (LEGEND[r.result] ? '（' + LEGEND[r.result] + '）' : '') : null,
    r.signer, r.handler, r.phone, ...(r.cc_report || []), ...(r.cc || []), r.index_number, r.topic, ...(r.keywords || []),
    ...String(r.body_text || '').split('\n')]
    .filter((piece) => piece != null);
}
const piecesByReply = replies.map(piecesOf);
const fieldsOf = piecesByReply.map((pieces) => pieces.map(norm));
function expected(q) {
  const terms = queryTerms(q);
  if (!terms.length) return [];
  return replies
    .filter((r, i) => terms.every((t) => fieldsOf[i].some((f) => f.includes(t))))
    .map((r) => r.url);
}

// ---- Queries: the kinds citizens type, drawn from the site itself ----

function rng(seed) {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
}
function queries() {
  const rand = rng(294);
  const pick = (a) => a[Math.floor(rand() * a.length)];
  const qs = ['周国平', '常工信复〔2021〕第28号', '第0152号', '0152', '015', '税', '岗', '中小企业',
    '稳岗返还', '业发展工作', '常州市工业和信息化局', '市政协十四届五次会议', '2020年', '85681230',
    '“六保”', '（2020-2022年）', '(2020-2022年)', 'ＤＨ０２７１', 'PM2.5', '感谢您对我市工作的关心和支持',
    '促进中小企业发展工作领导小组', '中小企业发展', '企业 税', '周国平 中小企业', '不存在的词语',
    '签 发 人', '市', '的', 'a', '2', '〔', '号的答复', '促进中小企业发展工作领导小组办公室及时',
    '加快推动国家、省、市出台的各项惠企政策', '常州市工业和信息化局常工信复'];
  for (let i = 0; i < 12; i++) {
    const r = pick(replies);
    if (r.proposers && r.proposers.length) qs.push(pick(r.proposers));
    if (r.doc_number) qs.push(r.doc_number);
    if (r.proposal_id) qs.push('第' + r.proposal_id + '号');
    qs.push(r.department.replace(/^常州市/, ''));
    const body = [...r.body_text.replace(/\s+/g, '')];
    const len = 1 + Math.floor(rand() * 12);
    const at = Math.floor(rand() * Math.max(1, body.length - len));
    qs.push(body.slice(at, at + len).join(''));
    const line = addresseeLine(r);
    if (line) qs.push(line);
  }
  qs.push('主办', 'A类', 'B类（所提问题正在解决或已列入计划逐步解决）');
  // Random runs of 1 to 9 characters of the published text, the pieces run
  // together as a page's text would copy: many start in one piece and end
  // in the next. Half are drawn where the text is thick with digits.
  for (let i = 0; i < 60; i++) {
    const r = pick(replies);
    const text = [...piecesOf(r).join('').replace(/\s+/g, '')];
    const len = 1 + Math.floor(rand() * 9);
    let at = Math.floor(rand() * Math.max(1, text.length - len));
    if (i % 2) {
      const digits = text.map((c, k) => (/[0-9.%]/.test(c) ? k : -1)).filter((k) => k >= 0);
      if (digits.length) at = Math.max(0, Math.min(pick(digits) - Math.floor(len / 2), text.length - len));
    }
    qs.push(text.slice(at, at + len).join(''));
  }
  return [...new Set(qs)];
}

// ---- A static server at the site's base path, counting bytes ----

// As most static hosts do, the server answers a request for one range of
// bytes with those bytes (206); with `ignoreRanges` it sends the whole file
// instead, as some servers and proxies do.

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8', '.bin': 'application/octet-stream' };
let served = { bytes: 0, files: 0, pageBytes: 0 };
let ignoreRanges = false;
function byteRange(header, size) {
  const m = /^bytes=(\d+)-(\d*)$/.exec(header || '');
  if (ignoreRanges || !m) return null;
  const from = Number(m[1]);
  const to = Math.min(size - 1, m[2] === '' ? size - 1 : Number(m[2]));
  return from < size && from <= to ? [from, to] : null;
}
function serve() {
  return http.createServer((req, res) => {
    const url = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (!url.startsWith(BASE)) {
      res.writeHead(404).end();
      return;
    }
    let file = path.join(SITE, url.slice(BASE.length));
    if (!file.startsWith(path.resolve(SITE))) {
      res.writeHead(403).end();
      return;
    }
    if (url.endsWith('/')) file = path.join(file, 'index.html');
    fs.readFile(file, (err, body) => {
      if (err) {
        res.writeHead(404).end();
        return;
      }
      const type = TYPES[path.extname(file)] || 'application/octet-stream';
      const range = byteRange(req.headers.range, body.length);
      if (range) {
        const size = body.length;
        body = body.subarray(range[0], range[1] + 1);
        res.writeHead(206, { 'content-type': type, 'content-length': body.length,
          'content-range': `bytes ${range[0]}-${range[1]}/${size}` });
      } else {
        res.writeHead(200, { 'content-type': type, 'content-length': body.length });
      }
      served.files++;
      if (file.endsWith('.html')) served.pageBytes += body.length;
      else served.bytes += body.length;
      res.end(body);
    });
  });
}

let server, browser, origin;
before(async () => {
  server = serve();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  origin = 'http://127.0.0.1:' + server.address().port;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});
after(async () => {
  await browser?.close();
  await new Promise((r) => server.close(r));
  fixture?.remove();
});

async function searchPage(query = '') {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  await page.goto(origin + BASE + 'search/' + (query ? '?q=' + encodeURIComponent(query) : ''));
  return { page, errors };
}

// ---- Tests ----

test('dafuSearch finds exactly the replies containing each query', async () => {
  const { page, errors } = await searchPage();
  await page.waitForFunction(() => typeof window.dafuSearch === 'function');
  let checked = 0, found = 0, wanted = 0, recall = 0, precision = 0;
  const wrong = [];
  for (const q of queries()) {
    const got = await page.evaluate((q) => window.dafuSearch(q), q);
    const want = expected(q);
    assert.equal(new Set(got).size, got.length, `${q}: a reply listed twice`);
    const gotSet = new Set(got);
    const wantSet = new Set(want);
    const missing = want.filter((u) => !gotSet.has(u));
    const extra = got.filter((u) => !wantSet.has(u));
    if (missing.length || extra.length) {
      wrong.push({ q, missing: missing.slice(0, 5), extra: extra.slice(0, 5) });
    }
    // Per query, as a citizen meets them: nothing found of nothing is 1.
    recall += want.length ? (want.length - missing.length) / want.length : 1;
    precision += got.length ? (got.length - extra.length) / got.length : 1;
    checked++;
    found += got.length;
    wanted += want.length;
  }
  console.log(`# ${checked} queries, ${found} results (${wanted} expected): mean recall ` +
    `${(recall / checked).toFixed(4)}, mean precision ${(precision / checked).toFixed(4)}`);
  assert.deepEqual(wrong.slice(0, 5), []);
  assert.deepEqual(errors, []);
  await page.close();
});

test('where a server ignores range requests, search finds and shows the same', async () => {
  ignoreRanges = true;
  try {
    const { page, errors } = await searchPage();
    await page.waitForFunction(() => typeof window.dafuSearch === 'function');
    for (const q of queries().slice(0, 40)) {
      const got = await page.evaluate((q) => window.dafuSearch(q), q);
      assert.deepEqual([...got].sort(), [...expected(q)].sort(), q);
    }
    // A body match far into a reply: its piece is sliced from the whole file.
    const r = replies.reduce((a, b) => (b.body_text.length > a.body_text.length ? b : a));
    const word = norm(r.body_text.split('\n').filter((line) => line.length > 8).pop()).slice(0, 8);
    await page.goto(origin + BASE + 'search/?q=' + encodeURIComponent(word));
    await page.waitForSelector('#dafu-search-results[data-done] .dafu-result-snippet mark');
    const marks = await page.$$eval('.dafu-result-snippet mark', (m) => m.map((x) => x.textContent));
    assert.ok(marks.every((m) => norm(m) === word), marks.join());
    assert.deepEqual(errors, []);
    await page.close();
  } finally {
    ignoreRanges = false;
  }
});

test('a browser without DecompressionStream shows each result with the start of its body', async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  await page.addInitScript(() => { delete window.DecompressionStream; });
  // A body match far into a long reply, in a piece only DecompressionStream
  // reads, and rare enough that the reply is on the first page of results.
  let r = null, word = null;
  for (const x of [...replies].sort((a, b) => b.body_text.length - a.body_text.length)) {
    const text = norm(x.body_text.split('\n').filter((line) => line.length > 8).pop());
    for (let at = 0; at + 8 <= text.length && !word; at += 8) {
      if (expected(text.slice(at, at + 8)).length <= PER_PAGE) word = text.slice(at, at + 8);
    }
    if (word) { r = x; break; }
  }
  assert.ok(word, 'a rare word late in a long reply');
  await page.goto(origin + BASE + 'search/?q=' + encodeURIComponent(word));
  await page.waitForSelector('#dafu-search-results[data-done]');
  const shown = await page.$$eval('.dafu-result', (li) => li.map((x) => ({
    href: x.querySelector('.dafu-result-title').getAttribute('href'),
    snippet: x.querySelector('.dafu-result-snippet')?.textContent,
  })));
  assert.equal(shown.length, Math.min(PER_PAGE, expected(word).length));
  const hit = shown.find((x) => x.href === r.url);
  assert.ok(hit, `${r.url} among ${shown.map((x) => x.href)}`);
  assert.ok(norm(r.body_text).startsWith(norm(hit.snippet).replace(/…$/, '').slice(0, 20)), hit.snippet);
  assert.deepEqual(errors, []);
  await page.close();
});

test('results rank title and 文号 matches first, then frequency, then newest', async () => {
  const { page } = await searchPage();
  await page.waitForFunction(() => typeof window.dafuSearch === 'function');
  const r = replies.find((x) => x.doc_number) || replies[0];
  const q = r.doc_number || r.title;
  const got = await page.evaluate((q) => window.dafuSearch(q), q);
  const inHead = (u) => {
    const x = replies.find((y) => y.url === u);
    return norm(x.title).includes(norm(q)) || norm(x.doc_number).includes(norm(q));
  };
  const firstOther = got.findIndex((u) => !inHead(u));
  if (firstOther >= 0) {
    assert.ok(got.slice(firstOther).every((u) => !inHead(u)), 'head matches come first');
  }
  assert.ok(got.includes(r.url));
  await page.close();
});

test('typing a query shows results with the match highlighted, and pages', async () => {
  const { page, errors } = await searchPage();
  await page.fill('#dafu-search-q', '中小企业');
  await page.press('#dafu-search-q', 'Enter');
  await page.waitForSelector('#dafu-search-results[data-done] .dafu-result-snippet', { timeout: 30000 });
  assert.match(new URL(page.url()).search, /q=%E4%B8%AD%E5%B0%8F%E4%BC%81%E4%B8%9A/);
  const items = await page.$$eval('.dafu-result', (li) => li.length);
  const want = expected('中小企业').length;
  assert.equal(items, Math.min(PER_PAGE, want));
  const marks = await page.$$eval('.dafu-result mark', (m) => m.map((x) => x.textContent));
  assert.ok(marks.length >= items && marks.every((m) => norm(m) === '中小企业'), marks.slice(0, 3).join());
  const status = await page.textContent('#dafu-search-status');
  assert.match(status, new RegExp('找到 ' + want + ' 条'));
  const first = await page.getAttribute('.dafu-result-title', 'href');
  assert.ok(first.startsWith(BASE), `${first} is under ${BASE}`);
  if (want > PER_PAGE) {
    await page.click('#dafu-search-pages a[rel=next]');
    await page.waitForSelector('#dafu-search-results[data-done]');
    assert.match(page.url(), /page=2/);
    assert.equal(await page.getAttribute('#dafu-search-results', 'start'), String(PER_PAGE + 1));
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('a figure is found in its table cell, never across two', async () => {
  // A run of digits that crosses from one cell into the next (8753 in
  // `6387 | 53.3%`), in a reply that has such a pair of cells.
  let across = null;
  for (const pieces of piecesByReply) {
    for (let k = 0; k + 1 < pieces.length && !across; k++) {
      const a = norm(pieces[k]), b = norm(pieces[k + 1]);
      if (/[0-9]{2}$/.test(a) && /^[0-9]{2}/.test(b)) {
        const q = a.slice(-2) + b.slice(0, 2);
        if (!piecesByReply.some((ps) => ps.some((p) => norm(p).includes(q)))) across = q;
      }
    }
  }
  assert.ok(across, 'the fixture has two cells whose figures run into each other');
  const { page, errors } = await searchPage(across);
  await page.waitForSelector('#dafu-search-results[data-done]', { state: 'attached' });
  assert.match(await page.textContent('#dafu-search-status'), /没有找到/);
  // A whole cell is found, and its snippet shows that cell alone.
  const r = replies.findIndex((x) => /\n[0-9]{4,}\n/.test(x.body_text));
  const cell = /\n([0-9]{4,})\n/.exec(replies[r].body_text)[1];
  await page.goto(origin + BASE + 'search/?q=' + encodeURIComponent(cell));
  await page.waitForSelector('#dafu-search-results[data-done]');
  const snippets = await page.$$eval('.dafu-result-snippet', (ps) => ps.map((p) => p.textContent));
  assert.ok(snippets.length > 0);
  for (const text of snippets) {
    const shown = norm(text.replace(/…/g, ''));
    assert.ok(shown.includes(norm(cell)), `${text} shows ${cell}`);
    assert.ok(piecesByReply.some((ps) => ps.some((p) => norm(p).includes(shown))),
      `${text} lies within one paragraph, item or cell`);
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('a reply found by a name shows the field with its label, and dates as the lists do', async () => {
  // A proposer named in no body: the addressee line and the proposers' row.
  const r = replies.find((x) => x.proposers && x.proposers.length && !addresseeLine(x).includes('、') &&
    !replies.some((y) => String(y.body_text).includes(x.proposers[0])));
  assert.ok(r, 'a reply whose proposer no body names');
  const line = addresseeLine(r);
  const { page, errors } = await searchPage(line);
  await page.waitForSelector('#dafu-search-results[data-done] .dafu-result');
  const items = await page.$$eval('.dafu-result', (li) => li.map((x) => ({
    href: x.querySelector('.dafu-result-title').getAttribute('href'),
    field: x.querySelector('.dafu-result-field')?.textContent,
    mark: x.querySelector('.dafu-result-field mark')?.textContent,
    snippet: x.querySelector('.dafu-result-snippet')?.textContent,
    date: x.querySelector('.dafu-result-date').textContent,
    datetime: x.querySelector('.dafu-result-date').getAttribute('datetime'),
  })));
  const item = items.find((x) => x.href === r.url);
  assert.ok(item, `${r.url} among ${items.map((x) => x.href)}`);
  assert.equal(item.field, '主送：' + line);
  assert.equal(item.mark, line);
  assert.equal(item.snippet, undefined, 'no body sentence where the body does not match');
  const [y, m, d] = r.date.split('-').map(Number);
  assert.equal(item.date, `${y}年${m}月${d}日`);
  assert.equal(item.datetime, r.date);
  // The same reply found by a word of its body too: the field, then the
  // sentence around the body's match.
  const word = norm(r.body_text.split('\n')[0]).slice(2, 6);
  await page.goto(origin + BASE + 'search/?q=' + encodeURIComponent(r.proposers[0] + ' ' + word));
  await page.waitForSelector('#dafu-search-results[data-done] .dafu-result');
  const both = await page.$$eval('.dafu-result', (li) => li.map((x) => ({
    href: x.querySelector('.dafu-result-title').getAttribute('href'),
    field: x.querySelector('.dafu-result-field')?.textContent,
    snippet: x.querySelector('.dafu-result-snippet mark')?.textContent,
  })));
  const again = both.find((x) => x.href === r.url);
  assert.ok(again);
  assert.match(again.field, new RegExp('^(主送|提案人|代表)：.*' + r.proposers[0]));
  assert.equal(norm(again.snippet), word);
  assert.deepEqual(errors, []);
  await page.close();
});

test('what the truth calls a piece is what a reply page shows', async () => {
  const r = replies.find((x) => x.proposers && x.proposers.length && x.result);
  const page = await browser.newPage();
  await page.goto(origin + r.url);
  const shown = norm(await page.$eval('.reply-layout', (e) => e.innerText));
  for (const piece of piecesOf(r)) {
    assert.ok(shown.includes(norm(piece)), `${piece} is on ${r.url}`);
  }
  assert.equal(await page.$eval('.addressee', (e) => e.textContent), addresseeLine(r) + '：');
  await page.close();
});

test('the year and department filters narrow results and show in the URL', async () => {
  const year = String(replies[replies.length - 1].year || replies[replies.length - 1].date.slice(0, 4));
  const dept = replies[0].department;
  const { page } = await searchPage('答复');
  await page.waitForSelector('#dafu-search-results[data-done]', { timeout: 30000 });
  await page.selectOption('#dafu-search-year', year);
  await page.waitForFunction((y) => location.search.includes('year=' + y), year);
  await page.waitForSelector('#dafu-search-results[data-done] .dafu-result');
  const dates = await page.$$eval('.dafu-result-date', (t) => t.map((x) => x.textContent));
  assert.ok(dates.length > 0 && dates.every((d) => d.startsWith(year)), dates.join());
  const wantYear = replies.filter((r) => String(r.year) === year && expected('答复').includes(r.url)).length;
  assert.match(await page.textContent('#dafu-search-status'), new RegExp('找到 ' + wantYear + ' 条'));
  await page.selectOption('#dafu-search-department', dept);
  await page.waitForFunction(() => location.search.includes('department='));
  // No reply may match both: an empty list has no size, so wait for it attached.
  await page.waitForSelector('#dafu-search-results[data-done] .dafu-result, #dafu-search-results[data-done]:empty', { state: 'attached' });
  const depts = await page.$$eval('.dafu-result-department', (t) => t.map((x) => x.textContent));
  assert.ok(depts.every((d) => d === dept), depts.join());
  const both = replies.filter((r) => String(r.year) === year && r.department === dept).length;
  assert.equal(depts.length, Math.min(PER_PAGE, both));
  await page.close();
});

test('the result filter keeps the replies of one class and shows in the URL', async () => {
  const { page } = await searchPage('答复');
  await page.waitForSelector('#dafu-search-results[data-done]', { timeout: 30000 });
  const classes = await page.$$eval('#dafu-search-result option', (o) => o.map((x) => x.value));
  assert.equal(classes[0], '');
  assert.ok(classes.includes('A'), classes.join());
  await page.selectOption('#dafu-search-result', 'B');
  await page.waitForFunction(() => location.search.includes('result=B'));
  await page.waitForSelector('#dafu-search-results[data-done]', { state: 'attached' });
  const want = replies.filter((r) => r.result === 'B' && expected('答复').includes(r.url)).length;
  assert.ok(want > 0, 'the fixture has B replies that say 答复');
  assert.match(await page.textContent('#dafu-search-status'), new RegExp('找到 ' + want + ' 条'));
  const urls = await page.$$eval('.dafu-result-title', (a) => a.map((x) => x.getAttribute('href')));
  const classOf = new Map(replies.map((r) => [r.url, r.result]));
  assert.ok(urls.every((u) => classOf.get(u) === 'B'), urls.join());
  await page.close();
});

test('nothing typed, nothing found, and odd input are handled', async () => {
  const { page, errors } = await searchPage('');
  assert.equal(await page.$$eval('.dafu-result', (l) => l.length), 0);
  await page.goto(origin + BASE + 'search/?q=' + encodeURIComponent('<img src=x onerror=alert(1)>不存在'));
  await page.waitForFunction(() => /没有找到/.test(document.getElementById('dafu-search-status').textContent));
  assert.equal(await page.$$eval('#dafu-search-status img', (l) => l.length), 0);
  await page.goto(origin + BASE + 'search/?q=%E0%A4%A');
  // A year and department the archive lacks (an old link) filter nothing,
  // as the selects, showing 全部, say.
  await page.goto(origin + BASE + 'search/?q=' + encodeURIComponent('中小企业') + '&year=1999&department=nope');
  await page.waitForSelector('#dafu-search-results[data-done]');
  const status = await page.textContent('#dafu-search-status');
  assert.match(status, new RegExp('找到 ' + expected('中小企业').length + ' 条'));
  assert.equal(await page.$eval('#dafu-search-year', (s) => s.selectedIndex), 0);
  assert.equal(await page.$eval('#dafu-search-department', (s) => s.selectedIndex), 0);
  assert.deepEqual(errors, []);
  await page.close();
});

if (process.env.DAFU_MEASURE) {
  test('bytes a fresh page downloads per query', async () => {
    const rows = [];
    for (const q of queries()) {
      const context = await browser.newContext();
      const page = await context.newPage();
      served = { bytes: 0, files: 0, pageBytes: 0 };
      await page.goto(origin + BASE + 'search/?q=' + encodeURIComponent(q));
      await page.waitForFunction(() => {
        const r = document.getElementById('dafu-search-results');
        const s = document.getElementById('dafu-search-status').textContent;
        return r.hasAttribute('data-done') || /没有找到|出错/.test(s);
      }, null, { timeout: 60000 });
      rows.push({ q, bytes: served.bytes, files: served.files, results: expected(q).length });
      await context.close();
    }
    rows.sort((a, b) => a.bytes - b.bytes);
    for (const r of rows) console.log(`# ${(r.bytes / 1024).toFixed(1).padStart(7)} KB ${String(r.files).padStart(3)} files ${String(r.results).padStart(6)} results  ${r.q}`);
    const median = rows[Math.floor(rows.length / 2)].bytes;
    const max = rows[rows.length - 1].bytes;
    console.log(`# ${rows.length} queries: median ${(median / 1024).toFixed(1)} KB, max ${(max / 1024).toFixed(1)} KB (script, index and result data; page HTML not counted)`);
  });
}
