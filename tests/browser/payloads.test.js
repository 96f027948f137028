'use strict';
/*
 * Nothing a reply file says runs script in a built page (issue #16). Two
 * sites, raw HTML allowed and not, are built from replies that carry
 * injection payloads in their headings, links, images, raw HTML, titles and
 * other fields; every page of each is loaded in Chromium with traps set:
 * `window.__pwned`, a dialog, a console message, a request to /trap. An
 * image payload's src is /robots.txt, a file of the site that is no image,
 * so that an onerror left in would fire (and raw HTML's links are checked).
 * None may fire, and no element may carry an event handler, a script URL or
 * a script the theme did not put there. The links that would run script
 * (javascript:, vbscript:, data:) are refused by the build instead: each
 * makes it fail at its line, writing nothing.
 *
 * Run: node --test tests/browser/   (scripts/setup.sh installs what it needs)
 */
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { launch } = require('./support/chromium');

const { REPO } = require('./support/fixture');
const { serve } = require('./support/server');

/* DAFU names another binary, to show what an older dafu let through. */
const DAFU = process.env.DAFU || path.join(REPO, 'target', 'debug', 'dafu');

/* What every payload does if it runs: set the flag, open a dialog, log,
 * or fetch the trap URL. */
const RUN = 'window.__pwned=1;alert(1)';

/* Payloads a reply may carry and still be published, each where it is
 * written: a front matter field or the body. */
const PUBLISHED = [
  ['heading attributes', 'body', `## 一、说明 {tabindex=0 autofocus=1 onfocus=${RUN}}`],
  ['heading style', 'body', '## 二、覆盖 {style=position:fixed;inset:0;background:red}'],
  ['heading id breaking out', 'body', `## 三 {#x" onmouseover="${RUN}" .y}`],
  ['heading class breaking out', 'body', `## 四 {.a"><img/src=/robots.txt/onerror=${RUN}>}`],
  ['script in the title', 'title', `<script>${RUN}</script>答复`],
  ['attribute break in the title', 'title', `"><img src=/robots.txt onerror=${RUN}>`],
  ['closing the title', 'title', `</title><script>${RUN}</script>`],
  ['svg in the department', 'department', `<svg onload=${RUN}>局`],
  ['image in a proposer', 'proposers', `["<img src=/robots.txt onerror=${RUN}>", 乙]`],
  ['template syntax in the 文号', 'doc_number', '"{{ site.title }}{% raw %}〔2021〕1号"'],
  ['template syntax in the session', 'session', '"{% for r in replies %}{{ r }}{% endfor %}"'],
  ['quote break in the signer', 'signer', `"'><script>${RUN}</script>"`],
  ['iframe in cc', 'cc', `["<iframe src=javascript:${RUN}>"]`],
  ['meta break in keywords', 'keywords', `["\\" onmouseover=\\"${RUN}", "<script>${RUN}</script>"]`],
  ['paragraph break in the addressee', 'addressee', `"</p><script>${RUN}</script>"`],
  ['CDATA end in the proposal title', 'proposal_title', `"]]></summary><script>${RUN}</script>"`],
  ['raw script', 'body', `<script>${RUN}</script>`],
  ['raw image onerror', 'body', `<img src=/robots.txt onerror="${RUN}">`],
  ['raw svg script', 'body', `<svg><script>${RUN}</script></svg>`],
  ['raw svg animate', 'body', `<svg><animate onbegin="${RUN}" attributeName=x dur=1s></svg>`],
  ['raw iframe srcdoc', 'body', `<iframe srcdoc="<script>parent.__pwned=1</script>"></iframe>`],
  ['raw object', 'body', '<object data="/trap"></object>'],
  ['raw details ontoggle', 'body', `<details open ontoggle="${RUN}"><summary>x</summary></details>`],
  ['raw autofocus input', 'body', `<input autofocus onfocus="${RUN}">`],
  ['raw style overlay', 'body', '<div style="position:fixed;inset:0;background:red">盖住</div><style>main{display:none}</style>'],
  ['raw noscript mXSS', 'body', `<noscript><p title="</noscript><img src=/robots.txt onerror=${RUN}>"></noscript>`],
  ['raw math mXSS', 'body', `<math><mtext><table><mglyph><style><img src=/robots.txt onerror=${RUN}></style></mglyph></table></mtext></math>`],
  ['raw comment break', 'body', `<!--><img src=/robots.txt onerror=${RUN}>-->`],
  ['raw marquee', 'body', `<marquee onstart="${RUN}">x</marquee>`],
  ['raw body onload', 'body', `<body onload="${RUN}">`],
  ['link title break', 'body', `[标题](/ "\\" onmouseover=\\"${RUN}")`],
  ['image alt break', 'body', `![" onerror="${RUN}](/favicon.svg)`],
  ['autolink quote', 'body', `<https://www.gov.cn/" onmouseover="${RUN}>`],
  ['code fence info', 'body', `\`\`\`"><script>${RUN}</script>\nx\n\`\`\``],
  ['footnote label', 'body', `正文[^<script>]\n\n[^<script>]: <img src=/robots.txt onerror=${RUN}>`],
  ['table cell', 'body', `| 甲 | 乙 |\n| --- | --- |\n| <img src=/robots.txt onerror=${RUN}> | <script>${RUN}</script> |`],
  ['template syntax in the body', 'body', '{{ site.title }} {% include "base.html" %} {# x #}'],
  ['entity-made tag', 'body', `&lt;script&gt;${RUN}&lt;/script&gt;`],
];

/* Links that would run script: each refused, the build failing at its line. */
const REFUSED = [
  ['javascript: link', `[点](javascript:${RUN})`],
  ['mixed case', `[点](JaVaScRiPt:${RUN})`],
  ['entity-encoded', `[点](&#106;avascript:${RUN})`],
  ['tab inside', `[点](java&#9;script:${RUN})`],
  ['leading control', `[点](<&#1;javascript:${RUN}>)`],
  ['autolink', '<javascript:alert(1)>'],
  ['reference link', `[点][r]\n\n[r]: vbscript:msgbox(1)`],
  ['image', '![图](data:image/svg+xml,<svg/onload=alert(1)>)'],
  ['table cell', '| 甲 |\n| --- |\n| [点](javascript:alert(1)) |'],
  ['data: document', '[点](data:text/html,<script>alert(1)</script>)'],
];

/* Raw HTML that allow_html passes is checked for the same schemes. */
const REFUSED_RAW = [
  ['raw anchor', `<a href="&#x6A;avascript&colon;${RUN}">点</a>`],
  ['raw form', '<form action="javascript:alert(1)"><button>点</button></form>'],
  ['raw embed', '<embed src="data:text/html,<script>alert(1)</script>">'],
];

function reply(index, field, value, body) {
  const fields = {
    title: `答复${index}`,
    department: '甲局',
    date: `2021-06-${String((index % 28) + 1).padStart(2, '0')}`,
  };
  if (field !== 'body') fields[field] = value;
  const yaml = Object.entries(fields)
    .map(([key, text]) => {
      // YAML lists and quoted text are written as given; the rest quoted.
      const raw = /^\[.*\]$|^".*"$/.test(text) ? text : JSON.stringify(text);
      return `${key}: ${raw}`;
    })
    .join('\n');
  return `---\n${yaml}\n---\n\n正文。\n\n${field === 'body' ? value : ''}\n`;
}

function makeSite(allowHtml, payloads) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dafu-payloads-'));
  fs.mkdirSync(path.join(root, 'content', '2021'), { recursive: true });
  fs.writeFileSync(path.join(root, 'config.yaml'), `allow_html: ${allowHtml}\nper_page: 50\n`);
  payloads.forEach(([, field, value], index) => {
    fs.writeFileSync(path.join(root, 'content', '2021', `p${index}.md`), reply(index, field, value));
  });
  return root;
}

function dafu(root) {
  return spawnSync(DAFU, ['--lang', 'en', '--root', root, 'build'], { encoding: 'utf8' });
}

function walk(dir, prefix = '') {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const relative = prefix + entry.name;
    return entry.isDirectory() ? walk(path.join(dir, entry.name), `${relative}/`) : [relative];
  });
}

let browser;
const roots = [];

before(async () => {
  execFileSync('cargo', ['build', '--quiet'], { cwd: REPO, stdio: 'pipe' });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  for (const root of roots) fs.rmSync(root, { recursive: true, force: true });
});

test('the list holds at least 30 payloads', () => {
  assert.ok(PUBLISHED.length + REFUSED.length + REFUSED_RAW.length >= 30);
});

for (const allowHtml of [false, true]) {
  test(`no payload runs script in any page (allow_html: ${allowHtml})`, async () => {
    const root = makeSite(allowHtml, PUBLISHED);
    roots.push(root);
    const built = dafu(root);
    assert.equal(built.status, 0, built.stderr);
    const publicDir = path.join(root, 'public');
    const pages = walk(publicDir)
      .filter((file) => file.endsWith('.html'))
      .map((file) => `/${file.replace(/index\.html$/, '')}`);
    assert.ok(pages.length > PUBLISHED.length, `${pages.length} pages`);
    const server = await serve(publicDir);
    const context = await browser.newContext();
    const fired = [];
    await context.addInitScript(() => {
      window.__pwned = undefined;
    });
    try {
      for (const page of pages) {
        const tab = await context.newPage();
        tab.on('dialog', async (dialog) => {
          fired.push(`${page}: a dialog (${dialog.message()})`);
          await dialog.dismiss();
        });
        tab.on('request', (request) => {
          if (/\/trap/.test(request.url())) fired.push(`${page}: fetched ${request.url()}`);
        });
        tab.on('console', (message) => {
          if (/pwned/.test(message.text())) fired.push(`${page}: console ${message.text()}`);
        });
        await tab.goto(server.origin + encodeURI(page), { waitUntil: 'load' });
        // Handlers that need a reader: focus and hover every element.
        await tab.evaluate(() => {
          for (const element of document.querySelectorAll('body *')) {
            for (const type of ['mouseover', 'focus', 'click', 'toggle']) {
              if (type === 'click' && element.closest('a, button, form')) continue;
              element.dispatchEvent(new Event(type));
            }
          }
        });
        await tab.waitForTimeout(50);
        const found = await tab.evaluate(() => {
          const bad = [];
          if (window.__pwned !== undefined) bad.push('window.__pwned was set');
          for (const element of document.querySelectorAll('*')) {
            for (const attribute of element.attributes) {
              const name = attribute.name.toLowerCase();
              const value = attribute.value.replace(/[\u0000-\u0020]/g, '').toLowerCase();
              if (name.startsWith('on')) bad.push(`<${element.localName} ${name}>`);
              if (name === 'style' && /fixed/.test(value)) bad.push(`<${element.localName} style=${value}>`);
              if (['href', 'src', 'action', 'formaction', 'data', 'srcdoc', 'xlink:href'].includes(name)
                && /^(javascript|vbscript|data):/.test(value)) {
                bad.push(`<${element.localName} ${name}=${value}>`);
              }
              if (name === 'srcdoc') bad.push(`<${element.localName} srcdoc>`);
            }
            const tag = element.localName;
            if (['iframe', 'object', 'embed', 'base', 'style'].includes(tag) && element.closest('main')) {
              bad.push(`<${tag}> in the page's main`);
            }
            // The theme's own scripts are files of the site, with nothing inside.
            if (tag === 'script' && (element.textContent.trim() !== '' || !element.src.startsWith(location.origin))) {
              bad.push(`a <script> the theme did not write: ${element.outerHTML.slice(0, 80)}`);
            }
          }
          return bad;
        });
        for (const finding of found) fired.push(`${page}: ${finding}`);
        await tab.close();
      }
    } finally {
      await context.close();
      await server.close();
    }
    assert.deepEqual(fired, []);
  });
}

test('links that would run script are refused at their line, and nothing is written', () => {
  const cases = [
    ...REFUSED.map(([name, text]) => [name, text, false]),
    ...REFUSED.map(([name, text]) => [name, text, true]),
    ...REFUSED_RAW.map(([name, text]) => [name, text, true]),
  ];
  for (const [name, text, allowHtml] of cases) {
    const root = makeSite(allowHtml, [[name, 'body', text]]);
    roots.push(root);
    const built = dafu(root);
    assert.equal(built.status, 1, `${name} (allow_html: ${allowHtml}) built:\n${built.stdout}`);
    assert.match(built.stderr, /content\/2021\/p0\.md:\d+:\d+: the link `.*` is a (javascript|vbscript|data): link/,
      `${name}: ${built.stderr}`);
    assert.ok(!fs.existsSync(path.join(root, 'public')), `${name}: public/ was written`);
  }
});
