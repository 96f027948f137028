// Runs the default theme's search.js in headless Chromium against a built
// site and checks it against a plain substring search over the texts the
// site published (data/replies.json).
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
const fixture = process.env.DAFU_SITE ? null : buildFixture({ baseUrl: '/zxta/' });
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
const fieldsOf = replies.map((r) =>
  [r.title, r.doc_number, r.department, r.session, r.proposal_id, r.proposal_title,
    ...(r.proposers || []), r.addressee, r.signer, r.handler, r.phone, ...(r.cc || []),
    r.index_number, r.topic, ...(r.keywords || []), r.body_text]
    .map(norm));
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
  }
  return [...new Set(qs)];
}

// ---- A static server at the site's base path, counting bytes ----

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8', '.bin': 'application/octet-stream' };
let served = { bytes: 0, files: 0, pageBytes: 0 };
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
      served.files++;
      if (file.endsWith('.html')) served.pageBytes += body.length;
      else served.bytes += body.length;
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream',
        'content-length': body.length });
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
  let checked = 0, found = 0, wanted = 0;
  for (const q of queries()) {
    const got = await page.evaluate((q) => window.dafuSearch(q), q);
    const want = expected(q);
    assert.equal(new Set(got).size, got.length, `${q}: a reply listed twice`);
    const gotSet = new Set(got);
    const wantSet = new Set(want);
    const missing = want.filter((u) => !gotSet.has(u));
    const extra = got.filter((u) => !wantSet.has(u));
    assert.deepEqual({ q, missing: missing.slice(0, 5), extra: extra.slice(0, 5) },
      { q, missing: [], extra: [] });
    checked++;
    found += got.length;
    wanted += want.length;
  }
  assert.deepEqual(errors, []);
  console.log(`# ${checked} queries, ${found} results, recall and precision 1.0 (${wanted} expected)`);
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
