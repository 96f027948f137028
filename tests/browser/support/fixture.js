'use strict';
/*
 * The fixture site the browser tests read: the repository's real reply plus
 * thirty generated ones and one proposal answered four times (one answer
 * withheld), built by the dafu binary of this checkout into a
 * temporary folder. Three replies a page, so that the year, department and
 * session lists have second pages a citizen must reach by link.
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const REPO = path.resolve(__dirname, '..', '..', '..');
/* The project's own corpus generator. */
const GEN_CORPUS = path.resolve(REPO, 'benches', 'gen_corpus.py');
const PER_PAGE = 3;

function run(command, args, options) {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: 'pipe', ...options });
  } catch (error) {
    throw new Error(`${command} ${args.join(' ')} failed:\n${error.stdout || ''}${error.stderr || error.message}`);
  }
}

/* Every file under dir, as paths relative to it with '/' separators. */
function walk(dir, prefix = '') {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const relative = prefix + entry.name;
    return entry.isDirectory() ? walk(path.join(dir, entry.name), `${relative}/`) : [relative];
  });
}

/*
 * Builds the site; returns where it is and what a citizen should find in it.
 * `options.numericTables` gives the generated replies tables of figures too
 * (gen_corpus.py --numeric-tables), `options.n` how many (30).
 */
function buildFixture(options = {}) {
  run('cargo', ['build', '--quiet'], { cwd: REPO });
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dafu-browser-'));
  const tables = options.numericTables ? ['--numeric-tables'] : [];
  run('python3', [GEN_CORPUS, '--n', String(options.n || 30), '--out', root, ...tables]);
  fs.cpSync(path.join(REPO, 'content'), path.join(root, 'content'), { recursive: true });
  // Replies cite policies by URL and give e-mail addresses: words longer
  // than a phone is wide, in the body, a table cell and a code line.
  fs.writeFileSync(path.join(root, 'content', '2021', 'long-words.md'), [
    '---',
    'title: 关于进一步优化网上办事服务的答复',
    'department: 常州市政务服务管理办公室',
    'date: 2021-07-01',
    'proposal_title: 关于https://www.changzhou.gov.cn/gi_news/202106/t20210610_1234567.html所列事项的建议',
    '---',
    '',
    '详见常州市人民政府网站 https://www.changzhou.gov.cn/gi_news/202106/t20210610_1234567.html 的通知，',
    '或发邮件至changzhougongxinjuzhongxiaoqiyechu@changzhou.gov.cn。',
    '',
    '```',
    'https://www.changzhou.gov.cn/gi_news/202106/t20210610_1234567.html?from=zxta&page=1&size=20',
    '```',
    '',
  ].join('\n'));
  // One proposal answered four times: the lead department, two joint
  // ones (one written 会办单位) and one whose answer is withheld, which no
  // page may show or count.
  const proposal = (name, lines) => fs.writeFileSync(path.join(root, 'content', '2024', `${name}.md`), [
    '---',
    'session: 市政协十五届三次会议',
    'proposal_id: "0152"',
    'proposal_title: 关于加快推进城镇老旧小区改造和完整社区建设的提案',
    'proposers: [周国平, 李红]',
    ...lines,
    '---',
    '',
    '您提出的关于加快推进城镇老旧小区改造的提案收悉。现答复如下。',
    '',
  ].join('\n'));
  fs.mkdirSync(path.join(root, 'content', '2024'), { recursive: true });
  proposal('proposal-lead', ['title: 关于市政协十五届三次会议第0152号提案的答复', 'department: 常州市住房和城乡建设局',
    'date: 2024-06-10', 'doc_number: 常住建复〔2024〕12号', 'role: 主办', 'result: A', 'assigned: 2024-03-01', 'published: 2024-07-30']);
  proposal('proposal-finance', ['title: 关于市政协十五届三次会议第0152号提案的会办意见', 'department: 常州市财政局',
    'date: 2024-05-20', 'doc_number: 常财复〔2024〕3号', 'role: 会办单位', 'result: B', 'published: 2024-05-27']);
  proposal('proposal-planning', ['title: 关于市政协十五届三次会议第0152号提案的会办意见', 'department: 常州市自然资源和规划局',
    'date: 2024-05-25', 'role: 会办', 'published: 2024-06-03']);
  proposal('proposal-withheld', ['title: 关于市政协十五届三次会议第0152号提案的会办意见', 'department: 常州市城市管理局',
    'date: 2024-05-26', 'role: 会办', 'result: C', 'disclosure: 不予公开']);
  const baseUrl = options.baseUrl ? `base_url: ${options.baseUrl}\n` : '';
  // Who runs the site, every setting given, so that the checks read the
  // footer as a real column shows it.
  const gov = [
    'gov:',
    '  site_id_code: "3204000001"',
    '  owner: 常州市人民政府办公室',
    '  operator: 常州市大数据管理中心',
    '  icp_record: 苏ICP备05012345号',
    '  police_record: 苏公网安备32041102000123号',
    '  contact: 0519-85681234',
    '',
  ].join('\n');
  fs.writeFileSync(path.join(root, 'config.yaml'), `per_page: ${PER_PAGE}\n${baseUrl}${gov}`);
  run(path.join(REPO, 'target', 'debug', 'dafu'), ['--root', root, 'build']);
  const publicDir = path.join(root, 'public');
  const replyPaths = walk(path.join(root, 'content'))
    .filter((file) => file.endsWith('.md') && !file.endsWith('proposal-withheld.md'))
    .map((file) => `/${file.slice(0, -'.md'.length)}/`);
  const htmlFiles = walk(publicDir)
    .filter((file) => file.endsWith('.html'))
    .map((file) => path.join(publicDir, file));
  return {
    root,
    publicDir,
    replyPaths,
    htmlFiles,
    remove() {
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

module.exports = { buildFixture, REPO, PER_PAGE };
