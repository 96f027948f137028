'use strict';
/*
 * The default theme as citizens meet it, in a real browser: Debian's
 * Chromium driven by playwright-core. A fixture site is built with the dafu
 * binary of this checkout and served on 127.0.0.1; each test reads the pages
 * a citizen reads (home, a reply, a year, a department, /stats/, /search/)
 * for one promise of the theme: accessible (axe-core, WCAG 2.1 A and AA),
 * valid (the Nu HTML checker on every page), readable on a phone and on a
 * wide screen, usable with JavaScript off, printable as the official
 * document, enlargeable (字号) and quiet in the console.
 *
 * Run: node --test tests/browser/   (scripts/setup.sh installs what it needs)
 * Screenshots of each page at 375 and 1280 px land in tests/browser/screenshots/.
 */
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { launch } = require('./support/chromium');
const axe = require('axe-core');

const { buildFixture } = require('./support/fixture');
const { serve } = require('./support/server');

const VNU = path.join(__dirname, 'node_modules', 'vnu-jar', 'build', 'dist', 'vnu.jar');
const SCREENSHOTS = path.join(__dirname, 'screenshots');
const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/* The pages every test reads: name → site path. */
const PAGES = {
  home: '/',
  reply: '/2021/ta-0152/',
  'reply with long words': '/2021/long-words/',
  year: '/years/2021/',
  department: '/departments/常州市工业和信息化局/',
  stats: '/stats/',
  search: '/search/',
  'reply to a proposal': '/2024/proposal-lead/',
  proposal: '/sessions/市政协十五届三次会议/0152/',
  session: '/sessions/市政协十五届三次会议/',
  'result class': '/results/A/',
};

/* The widest a reply's body line may be, in characters (em): a printed 公文
 * holds 28 a line; reading research and Chinese web practice put a
 * comfortable screen line at 30 to 40; past that the eye loses the next line. */
const MAX_LINE_CHARS = 40;
/* Body text on a phone: 16 px is the smallest size the browsers' own
 * default and the 适老化 guidance accept for running text. */
const MIN_TEXT_PX = 16;

let site;
let server;
let browser;
let vnu;
/* Every URL any page asked for, to prove nothing leaves 127.0.0.1. */
const requested = new Set();

before(async () => {
  site = buildFixture();
  // The checker needs no browser: let it work while the browser tests run.
  vnu = validate(site.htmlFiles);
  server = await serve(site.publicDir);
  browser = await launch();
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  await server?.close();
  await vnu?.catch(() => {});
  site?.remove();
});

function url(sitePath) {
  return server.origin + encodeURI(sitePath);
}

/* A browser context, JavaScript on unless asked, recording its requests. */
async function newContext(options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  context.on('request', (request) => requested.add(request.url()));
  return context;
}

/* A page that notes every console error, script error, failed request and
 * error response (a missing favicon included) in page.problems. */
async function newPage(context) {
  const page = await context.newPage();
  page.problems = [];
  page.on('console', (message) => {
    if (message.type() === 'error') page.problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => page.problems.push(`script: ${error.message}`));
  page.on('requestfailed', (request) => {
    // Leaving a page cancels what it still loads (its favicon, say): that
    // is the browser's doing, not a fault of the page.
    const reason = request.failure()?.errorText;
    if (reason !== 'net::ERR_ABORTED') page.problems.push(`failed: ${request.url()} ${reason}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) page.problems.push(`${response.status()}: ${response.url()}`);
  });
  return page;
}

async function open(page, sitePath) {
  const response = await page.goto(url(sitePath), { waitUntil: 'load' });
  assert.equal(response.status(), 200, `${sitePath} answers 200`);
  return response;
}

/* The Nu HTML checker over files; resolves to its JSON report. */
function validate(files) {
  return new Promise((resolve, reject) => {
    const child = spawn('java', ['-jar', VNU, '--errors-only', '--format', 'json', '--stdout', ...files]);
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('error', (error) =>
      reject(new Error(`cannot run java (install default-jre-headless): ${error.message}`)),
    );
    child.on('close', () => {
      try {
        resolve(JSON.parse(out));
      } catch {
        reject(new Error(`vnu gave no JSON report:\n${out}\n${err}`));
      }
    });
  });
}

test('every page passes axe-core with no WCAG 2.1 A or AA violation', { timeout: 120_000 }, async () => {
  const context = await newContext();
  const page = await newPage(context);
  const found = [];
  for (const [name, sitePath] of Object.entries(PAGES)) {
    await open(page, sitePath);
    await page.addScriptTag({ content: axe.source });
    const result = await page.evaluate(
      (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags } }),
      WCAG,
    );
    for (const violation of result.violations) {
      const where = violation.nodes.map((node) => node.target.join(' ')).join(', ');
      found.push(`${name}: ${violation.id} (${violation.help}) at ${where}`);
    }
  }
  await context.close();
  assert.deepEqual(found, [], `axe found:\n${found.join('\n')}`);
});

test('the Nu HTML checker finds no error in any built page', { timeout: 120_000 }, async () => {
  const report = await vnu;
  const errors = report.messages.filter((m) => m.type === 'error' || m.subType === 'fatal');
  const shown = errors.map((m) => `${path.relative(site.publicDir, decodeURI(new URL(m.url).pathname))}:${m.lastLine}: ${m.message}`);
  assert.ok(site.htmlFiles.length > 100, `${site.htmlFiles.length} pages checked`);
  assert.deepEqual(shown, [], `vnu found:\n${shown.join('\n')}`);
});

/* Every visible piece of text whose size is under min px or whose line
 * height is under 1.5 of it: [{text, size, lineHeight}] */
function smallOrTightText(page, min) {
  return page.evaluate((min) => {
    const bad = [];
    for (const element of document.body.querySelectorAll('*')) {
      const own = Array.from(element.childNodes).some(
        (node) => node.nodeType === Node.TEXT_NODE && node.textContent.trim(),
      );
      if (!own || !element.getClientRects().length) continue;
      const style = getComputedStyle(element);
      if (style.visibility === 'hidden') continue;
      const size = parseFloat(style.fontSize);
      const inSvg = element instanceof SVGElement;
      const lineHeight = style.lineHeight === 'normal' ? NaN : parseFloat(style.lineHeight);
      if (size < min || (!inSvg && !(lineHeight / size >= 1.5))) {
        bad.push({ text: element.textContent.trim().slice(0, 20), size, lineHeight: style.lineHeight });
      }
    }
    return bad;
  }, min);
}

test('on a 375 px phone nothing scrolls sideways, at every text size, and text is 16 px or more with line height 1.5', { timeout: 120_000 }, async () => {
  const context = await newContext({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
  const page = await newPage(context);
  const found = [];
  for (const size of ['standard', 'large', 'larger']) {
    await page.goto(url('/'));
    await page.evaluate((s) => localStorage.setItem('dafu-text-size', s), size);
    for (const [name, sitePath] of Object.entries(PAGES)) {
      await open(page, sitePath);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      if (width > 375) found.push(`${name} at text size ${size} is ${width} px wide`);
      if (size === 'standard') {
        for (const text of await smallOrTightText(page, MIN_TEXT_PX)) {
          found.push(`${name}: "${text.text}" is ${text.size} px, line height ${text.lineHeight}`);
        }
      }
    }
  }
  await context.close();
  assert.deepEqual(found, [], found.join('\n'));
});

test(`on a 1920 px screen a reply's lines hold at most ${MAX_LINE_CHARS} characters`, { timeout: 60_000 }, async () => {
  const context = await newContext({ viewport: { width: 1920, height: 1080 } });
  const page = await newPage(context);
  await open(page, PAGES.reply);
  const measure = await page.$eval('.body p', (p) => {
    const style = getComputedStyle(p);
    return { width: p.getBoundingClientRect().width, size: parseFloat(style.fontSize) };
  });
  await context.close();
  const chars = measure.width / measure.size;
  assert.ok(chars <= MAX_LINE_CHARS, `a body line holds ${chars.toFixed(1)} characters`);
  assert.ok(chars >= 25, `a body line of ${chars.toFixed(1)} characters wastes the screen`);
});

test('with JavaScript off, links alone reach every reply from the home page', { timeout: 120_000 }, async () => {
  const context = await newContext({ javaScriptEnabled: false });
  const page = await newPage(context);
  const seen = new Set(['/']);
  const queue = ['/'];
  const broken = [];
  while (queue.length) {
    const sitePath = queue.shift();
    const response = await page.goto(url(sitePath), { waitUntil: 'domcontentloaded' });
    if (response.status() !== 200) {
      broken.push(`${sitePath}: ${response.status()}`);
      continue;
    }
    const links = await page.$$eval('a[href]', (anchors) => anchors.map((a) => a.href));
    for (const link of links) {
      const target = new URL(link);
      if (target.origin !== server.origin) continue;
      const next = decodeURI(target.pathname);
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  const missed = site.replyPaths.filter((reply) => !seen.has(reply));
  assert.deepEqual(missed, [], `replies no link leads to: ${missed.join(', ')}`);
  assert.deepEqual(broken, [], `links that lead nowhere: ${broken.join(', ')}`);
  assert.ok(seen.has('/years/2021/page/2/'), 'the crawl went through a second page of a list');

  // Search is the one thing that needs JavaScript; its page says so and
  // points to the indexes. The text-size control is simply absent.
  await open(page, PAGES.search);
  const text = await page.textContent('main');
  assert.match(text, /搜索需要浏览器启用 JavaScript/);
  assert.equal(await page.locator('#text-size button').count(), 0);
  assert.deepEqual(page.problems, []);
  await context.close();
});

test('printed, a reply is the official document with no navigation, search box or button', { timeout: 60_000 }, async () => {
  const context = await newContext();
  const page = await newPage(context);
  await open(page, PAGES.reply);
  await page.emulateMedia({ media: 'print' });
  for (const [part, selector, text] of [
    ['department', '.document .issuer', '常州市工业和信息化局'],
    ['文号', '.document .doc-number', '常工信复〔2021〕第28号'],
    ['title', '.document h1', '关于对市政协十四届五次会议提案第0152号的答复'],
    ['addressee', '.document .addressee', '周国平委员：'],
    ['body', '.document .body', '您提出的《关于精准精细做好中小企业提质增效服务工作的建议》收悉'],
    ['signer', '.document .contacts', '签发人'],
    ['signer', '.document .contacts', '薛庆林'],
    ['抄送', '.document .cc', '抄送：市政府办公室、市政协提案委'],
  ]) {
    const element = page.locator(selector);
    assert.ok(await element.isVisible(), `the ${part} shows in print`);
    assert.ok((await element.textContent()).includes(text), `the ${part} reads ${text}`);
  }
  const shown = [];
  for (const element of await page.locator('nav, form, input, button, .skip, #text-size, .site-header, .site-footer').all()) {
    if (await element.isVisible()) shown.push(await element.evaluate((e) => e.outerHTML.slice(0, 80)));
  }
  assert.deepEqual(shown, [], `shown in print:\n${shown.join('\n')}`);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'reply-print.png'), fullPage: true });
  assert.deepEqual(page.problems, []);
  await context.close();
});

test('字号 makes text 25 % and 50 % larger and keeps the choice from page to page', { timeout: 60_000 }, async () => {
  const context = await newContext();
  const page = await newPage(context);
  await open(page, PAGES.reply);
  // Running text: a reply's body, the home page's lead paragraph.
  const bodySize = () => page.$eval('.body p, .lead', (p) => parseFloat(getComputedStyle(p).fontSize));
  const group = page.getByRole('group', { name: '字号：' });
  assert.ok(await group.isVisible(), 'the control shows, labelled 字号');
  const standard = await bodySize();
  assert.equal(standard, 16);

  await group.getByRole('button', { name: '大', exact: true }).click();
  assert.equal(await bodySize(), standard * 1.25);
  assert.equal(await group.getByRole('button', { name: '大', exact: true }).getAttribute('aria-pressed'), 'true');

  await page.getByRole('link', { name: '首页' }).first().click();
  await page.waitForURL(url('/'));
  assert.equal(await bodySize(), standard * 1.25, 'still large on the next page');
  assert.equal(await page.getByRole('button', { name: '大', exact: true }).getAttribute('aria-pressed'), 'true');

  await page.getByRole('button', { name: '特大' }).click();
  assert.equal(await bodySize(), standard * 1.5);
  await page.getByRole('button', { name: '标准' }).click();
  assert.equal(await bodySize(), standard);
  assert.deepEqual(page.problems, []);

  // Where storage refuses to work (a strict privacy setting), the control
  // still works on the page and nothing breaks.
  const strict = await newPage(context);
  await strict.addInitScript(() => {
    Storage.prototype.getItem = () => {
      throw new Error('denied');
    };
    Storage.prototype.setItem = () => {
      throw new Error('denied');
    };
  });
  await open(strict, PAGES.reply);
  await strict.getByRole('button', { name: '特大' }).click();
  assert.equal(await strict.$eval('.body p', (p) => parseFloat(getComputedStyle(p).fontSize)), standard * 1.5);
  assert.deepEqual(strict.problems, []);
  await context.close();
});

test('from the keyboard, Tab first shows a skip link to the content, and every focus is ringed', { timeout: 60_000 }, async () => {
  const context = await newContext();
  const page = await newPage(context);
  const focused = () =>
    page.evaluate(() => {
      const element = document.activeElement;
      const box = element.getBoundingClientRect();
      const style = getComputedStyle(element);
      return {
        html: element.outerHTML.slice(0, 80),
        text: element.textContent.trim(),
        onScreen: box.left >= 0 && box.top >= 0 && box.width > 0,
        ring: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
        inMain: Boolean(element.closest('main')),
      };
    });
  const unringed = [];
  for (const sitePath of [PAGES.home, PAGES.reply]) {
    await open(page, sitePath);
    await page.keyboard.press('Tab');
    const skip = await focused();
    assert.equal(skip.text, '跳到正文', `${sitePath}: the first Tab reaches the skip link`);
    assert.ok(skip.onScreen && skip.ring, `${sitePath}: the skip link shows when focused`);
    await page.keyboard.press('Enter');
    assert.ok((await focused()).inMain, `${sitePath}: the skip link moves focus to the content`);
    // Then every stop, from the top of the page to its end.
    await open(page, sitePath);
    for (let stop = 0; stop < 60; stop++) {
      await page.keyboard.press('Tab');
      const now = await focused();
      if (now.html.startsWith('<body')) break;
      if (!now.ring) unringed.push(`${sitePath}: ${now.html}`);
    }
  }
  assert.deepEqual(unringed, [], `focused with no visible ring:\n${unringed.join('\n')}`);
  assert.deepEqual(page.problems, []);
  await context.close();
});

test('old browsers: the IE and 360 rendering hints are there, and the CSS needs no variables or web fonts', { timeout: 60_000 }, async () => {
  const context = await newContext({ javaScriptEnabled: false });
  const page = await newPage(context);
  for (const [name, sitePath] of Object.entries(PAGES)) {
    await open(page, sitePath);
    assert.equal(await page.getAttribute('meta[http-equiv="X-UA-Compatible"]', 'content'), 'IE=edge', name);
    assert.equal(await page.getAttribute('meta[name="renderer"]', 'content'), 'webkit', name);
  }
  const css = fs.readFileSync(path.join(site.publicDir, 'style.css'), 'utf8');
  for (const modern of ['var(--', '@font-face', '@import', 'url(']) {
    assert.ok(!css.includes(modern), `style.css uses ${modern}`);
  }
  await context.close();
});

test('every page, at 375 and 1280 px, loads with no console error or failed request', { timeout: 120_000 }, async () => {
  const found = [];
  for (const width of [375, 1280]) {
    const context = await newContext({ viewport: { width, height: width === 375 ? 740 : 800 } });
    const page = await newPage(context);
    for (const [name, sitePath] of Object.entries(PAGES)) {
      page.problems = [];
      await open(page, sitePath);
      await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${width}.png`), fullPage: true });
      found.push(...page.problems.map((problem) => `${name} at ${width}: ${problem}`));
    }
    await context.close();
  }
  assert.deepEqual(found, [], found.join('\n'));
});

test('on the home page, at 375 and 1280 px, the index cards of a row set their words on one line', { timeout: 60_000 }, async () => {
  const found = [];
  for (const width of [375, 1280]) {
    const context = await newContext({ viewport: { width, height: 800 } });
    const page = await newPage(context);
    await open(page, PAGES.home);
    // Each card's top and height, and where its link's text ends: the
    // bottom of a run of 16 px text is its baseline plus a fixed depth.
    const cards = await page.$$eval('.facet-cards li', (items) =>
      items.map((li) => {
        const box = li.getBoundingClientRect();
        const link = li.querySelector('a');
        return {
          text: li.textContent.trim().replace(/\s+/g, ' '),
          top: Math.round(box.top),
          height: box.height,
          textBottom: link ? link.getBoundingClientRect().bottom : null,
        };
      }),
    );
    assert.ok(cards.some((card) => card.text === '统计图表'), `the cards: ${JSON.stringify(cards)}`);
    const rows = new Map();
    for (const card of cards) rows.set(card.top, [...(rows.get(card.top) || []), card]);
    for (const row of rows.values()) {
      const linked = row.filter((card) => card.textBottom !== null);
      for (const card of linked) {
        if (Math.abs(card.textBottom - linked[0].textBottom) > 0.5) {
          found.push(`at ${width} px "${card.text}" sits ${(card.textBottom - linked[0].textBottom).toFixed(1)} px off "${linked[0].text}"`);
        }
      }
      for (const card of row) {
        if (Math.abs(card.height - row[0].height) > 0.5) found.push(`at ${width} px "${card.text}" is ${card.height} px high, "${row[0].text}" ${row[0].height}`);
      }
    }
    await context.close();
  }
  assert.deepEqual(found, [], found.join('\n'));
});

test('a proposal shows its published answers lead first, and each answer leads back to it', { timeout: 60_000 }, async () => {
  const context = await newContext({ viewport: { width: 375, height: 740 } });
  const page = await newPage(context);
  await open(page, PAGES.proposal);
  const answers = await page.$$eval('.reply-list .reply-title', (links) => links.map((a) => a.textContent.trim()));
  assert.deepEqual(answers, ['主办：常州市住房和城乡建设局', '会办：常州市财政局', '会办：常州市自然资源和规划局']);
  assert.ok(!(await page.textContent('main')).includes('城市管理局'), 'the withheld answer is not shown');
  await page.click('text=主办：常州市住房和城乡建设局');
  assert.equal(decodeURI(new URL(page.url()).pathname), PAGES['reply to a proposal']);
  assert.ok((await page.textContent('.disclosure')).includes('另有 2 件答复'));
  await page.click('.disclosure a:has-text("提案第0152号")');
  assert.equal(decodeURI(new URL(page.url()).pathname), PAGES.proposal);
  await open(page, PAGES.session);
  const row = await page.$eval('.proposal-table tbody tr:has(a:has-text("提案第0152号"))', (tr) => tr.textContent.replace(/\s+/g, ''));
  assert.ok(row.includes('3件') && row.includes('A类'), row);
  await context.close();
});

test('nothing is fetched from any host but 127.0.0.1', () => {
  assert.ok(requested.size > 50, `${requested.size} requests seen`);
  const elsewhere = [...requested].filter((u) => !u.startsWith('data:') && new URL(u).hostname !== '127.0.0.1');
  assert.deepEqual(elsewhere, []);
});
