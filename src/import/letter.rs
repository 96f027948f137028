//! A reply's text cut into its parts: the header (page chrome, red header,
//! 文号, title), the salutation, the body, and the footer (signature, date,
//! 签发人 / 经办人 / 联系电话 / 抄送 lines, then page chrome). Finding the parts
//! is one job; reading fields out of them (`fields`) and cleaning the body
//! (`body`) are others, so this module reads no values beyond what it needs
//! to tell the parts apart.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::text::{
    ascii_alnum, compact, display_width, is_space, looks_like_department, tidy_spaces, trim,
};
use super::{date, labels};

/// A reply's lines and where its parts are.
#[derive(Debug)]
pub(super) struct Letter {
    /// The lines as written, their indentation kept (it tells where a PDF's
    /// paragraphs start); the body is made from these.
    lines: Vec<String>,
    /// The same lines with full-width digits and letters made ASCII and list
    /// bullets dropped; fields are read from these. Index for index the same
    /// lines as `lines`.
    plain: Vec<String>,
    title: Option<Range<usize>>,
    salutation: Option<usize>,
    body: Range<usize>,
    footer: Range<usize>,
}

/// How far into a text a title or salutation is looked for: page chrome
/// before the letter is a few dozen lines at most.
const HEAD_LINES: usize = 120;

impl Letter {
    pub(super) fn new(text: &str) -> Letter {
        let mut lines = split_lines(text);
        let mut plain: Vec<String> = lines.iter().map(|l| plain_line(l)).collect();
        let title = find_title(&plain);
        let search_from = title.as_ref().map_or(0, |t| t.end);
        let salutation = find_salutation(&plain, search_from);
        if let Some((line, true)) = salutation {
            split_at_colon(&mut lines, line);
            split_at_colon(&mut plain, line);
        }
        let salutation = salutation.map(|(line, _)| line);
        let end = trailing_chrome(&plain, salutation.unwrap_or(search_from));
        let body_start = match salutation {
            Some(line) => line + 1,
            None => skip_header(&plain, search_from, end),
        };
        let end = end.min(after_dated_footer(&plain, body_start, end));
        let footer_start = find_footer(&plain, body_start, end);
        Letter {
            lines,
            plain,
            title,
            salutation,
            body: body_start..footer_start,
            footer: footer_start..end,
        }
    }

    /// The title, its lines joined and the extraction's spaces removed
    /// (`答 复` → `答复`); a `标题:` label before it is dropped.
    pub(super) fn title(&self) -> Option<String> {
        let range = self.title.clone()?;
        let joined: String = self.plain[range]
            .iter()
            .map(|l| strip_title_label(l))
            .collect();
        let joined = tidy_spaces(&joined);
        // `…的答复(黔发改议复字〔2020〕2号)`, `…的答复[浙交建〔2018〕101号]`:
        // the 文号 is a field, not title.
        let without_doc_number = bracketed_tail(&joined)
            .filter(|(_, inside)| DOC_NUMBER_LINE.is_match(inside))
            .map(|(title, _)| title.to_string());
        Some(without_doc_number.unwrap_or(joined))
    }

    /// The lines above the letter (or above the body, when it has no
    /// salutation), with their indexes: chrome, red header, 文号, title.
    pub(super) fn header(&self) -> impl Iterator<Item = (usize, &str)> {
        let end = self.salutation.unwrap_or(self.body.start);
        self.plain[..end].iter().map(String::as_str).enumerate()
    }

    /// The header's lines that read as a title, the letter's own excepted:
    /// the page's headline and its metadata's 信息名称, compacted.
    pub(super) fn headlines(&self) -> impl Iterator<Item = String> + '_ {
        self.header()
            .filter(|(i, line)| {
                !self.title.as_ref().is_some_and(|t| t.contains(i)) && is_title_end(line)
            })
            .map(|(_, line)| compact(strip_title_label(line)))
    }

    /// Whether line `i` is an item of a bulleted list (`• 上街区公安局`): a
    /// page shows its metadata so, without labels.
    pub(super) fn is_bulleted(&self, i: usize) -> bool {
        self.lines
            .get(i)
            .is_some_and(|l| trim(l).starts_with(BULLETS))
    }

    /// The lines below the body, with their indexes: signature, date,
    /// 签发人 / 经办人 / 联系电话 / 抄送.
    pub(super) fn footer(&self) -> impl Iterator<Item = (usize, &str)> {
        let start = self.footer.start;
        self.plain[self.footer.clone()]
            .iter()
            .enumerate()
            .map(move |(i, l)| (start + i, l.as_str()))
    }

    /// Whom the letter addresses, without the colon (`马青、周丽等委员`).
    pub(super) fn salutation(&self) -> Option<&str> {
        let line = &self.plain[self.salutation?];
        let who = line.split([':', '：']).next().unwrap_or(line);
        Some(trim(who))
    }

    /// The first `lines` lines of the body as plain text, run together: the
    /// letter's opening, where it names the proposal, whether or not a wrap
    /// cut it.
    pub(super) fn opening(&self, lines: usize) -> String {
        let opening: String = self.plain[self.body.clone()]
            .iter()
            .filter(|l| !l.is_empty())
            .take(lines)
            .map(String::as_str)
            .collect();
        tidy_spaces(&opening)
    }

    /// The body's lines as written, page chrome, page numbers and repeated
    /// page headers left out; blank lines are kept (empty), since a blank
    /// line may be where a page broke.
    pub(super) fn body_lines(&self) -> Vec<BodyLine<'_>> {
        let noise = Noise::new(self);
        self.body
            .clone()
            .filter(|&i| !noise.is_noise(&self.plain[i]))
            .map(|i| BodyLine {
                text: trim(&self.lines[i]),
                indented: self.lines[i].starts_with(is_space),
                width: display_width(&self.lines[i]),
            })
            .collect()
    }
}

/// A line of the body, trimmed, with how it sat on the page: whether it
/// was indented, and how wide it was, indentation included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct BodyLine<'a> {
    pub text: &'a str,
    pub indented: bool,
    pub width: usize,
}

/// Lines that are not a reply's words: the page around it and the page
/// breaks of a PDF.
struct Noise {
    /// Lines of the header (red header, 文号, title) that a PDF repeats on
    /// every page.
    header: HashSet<String>,
    /// Short lines seen three times or more: running page headers.
    repeated: HashSet<String>,
}

impl Noise {
    fn new(letter: &Letter) -> Noise {
        let header = letter
            .header()
            .map(|(_, l)| compact(l))
            .filter(|l| !l.is_empty())
            .collect();
        let mut counts: HashMap<String, usize> = HashMap::new();
        for line in &letter.plain {
            if (1..=40).contains(&line.chars().count()) {
                *counts.entry(compact(line)).or_default() += 1;
            }
        }
        let repeated = counts
            .into_iter()
            .filter(|(_, n)| *n >= 3)
            .map(|(l, _)| l)
            .collect();
        Noise { header, repeated }
    }

    fn is_noise(&self, plain: &str) -> bool {
        if plain.is_empty() {
            return false;
        }
        let c = compact(plain);
        is_chrome(plain)
            || PAGE_NUMBER.is_match(plain)
            || self.header.contains(&c)
            || self.repeated.contains(&c)
    }
}

/// Splits the text into lines, restoring the breaks of a reply flattened
/// onto one line (see [`cut_points`]). Lines keep their indentation; a piece
/// cut off a flattened line keeps the spaces before it, which mark it as the
/// start of a paragraph just as indentation does.
fn split_lines(text: &str) -> Vec<String> {
    let text = text.replace("\r\n", "\n").replace(['\r', '\x0C'], "\n");
    let mut out = Vec::new();
    for raw in text.split('\n') {
        let mut start = 0;
        for (end, _) in cut_points(raw) {
            out.push(raw[start..end].trim_end_matches(is_space).to_string());
            start = end;
        }
        out.push(raw[start..].trim_end_matches(is_space).to_string());
    }
    out
}

/// Where a flattened line breaks, as (end of one piece, start of the next).
/// Chinese prose puts no space after 。 or a colon, so a space there is a
/// lost paragraph break; near the start of a line, a space after the red
/// header, the 文号 or the title, or before a salutation, is a lost line
/// break of the header.
fn cut_points(raw: &str) -> Vec<(usize, usize)> {
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    // Group 1 is a piece that ends before the spaces, group 2 one that
    // starts after them.
    let mut add = |caps: regex::Captures<'_>| {
        let Some(all) = caps.get(0) else { return };
        let cut = match (caps.get(1), caps.get(2)) {
            (Some(before), _) => (before.end(), all.end()),
            // Names apart by spaces before the last one are the same
            // salutation (`刘俊华 徐航吉 魏 娜 赵玉芳委员:`), not a line of
            // their own.
            (None, Some(_)) if only_names(&raw[..all.start()]) => return,
            (None, Some(after)) => (all.start(), after.start()),
            (None, None) => return,
        };
        if cut.0 > 0 && cut.1 < raw.len() {
            cuts.push(cut);
        }
    };
    FLATTENED.captures_iter(raw).for_each(&mut add);
    FLATTENED_HEADER
        .captures_iter(raw)
        .filter(|c| c.get(0).is_some_and(|m| m.start() < 300))
        .for_each(&mut add);
    if let Some(date) = FLATTENED_DATE.find(raw).filter(|m| m.start() > 0) {
        let spaces = date.as_str().len() - date.as_str().trim_start_matches(is_space).len();
        cuts.push((date.start(), date.start() + spaces));
    }
    cuts.sort_unstable();
    // Overlapping cuts (a salutation right after a title) keep the first.
    let mut last_next = 0;
    cuts.retain(|&(end, next)| {
        let keep = end >= last_next;
        if keep {
            last_next = next;
        }
        keep
    });
    cuts
}

/// Short words of Chinese characters apart by spaces: names, spread out.
fn only_names(text: &str) -> bool {
    let mut words = text.split_whitespace().peekable();
    words.peek().is_some()
        && words.all(|w| {
            (1..=4).contains(&w.chars().count())
                && w.chars().all(|c| c.is_alphabetic() && !c.is_ascii())
        })
}

static FLATTENED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([。！？!?]|如下[:：])[ \t\u{3000}\u{A0}]+").expect("flattened pattern")
});

/// Header lines run together: the red header, the 文号 and the title, each
/// followed by spaces; or spaces followed by a salutation.
static FLATTENED_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(^[ \t\u{3000}\u{A0}]*\S{3,30}文件|\p{Han}{1,12}[〔【\[（(]\d{4}[〕】\]）)]第?\d+号",
        r"|答复|答复函|的函|复函|会办意见)[ \t\u{3000}\u{A0}]+",
        r"|[ \t\u{3000}\u{A0}]+((?:尊敬的)?[\p{Han}、]{2,20}(?:委员|代表|同志)们?[:：])",
    ))
    .expect("flattened pattern")
});

/// A date run onto the end of the signature: `某某局 2021年6月10日`.
static FLATTENED_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[ \t\u{3000}\u{A0}]+(?:\d{4}|[〇零一二三四五六七八九]{4})年[^ ]{2,8}日[ |｜]*$")
        .expect("date pattern")
});

const BULLETS: [char; 6] = ['•', '●', '▪', '◆', '■', '·'];

fn plain_line(line: &str) -> String {
    let unbulleted = trim(line).trim_start_matches(BULLETS);
    // A page's table flattened to text keeps its cell borders at the ends
    // of a line (`…的答复 |`, `| 2018年6月28日 |`); they are not the text's.
    let unbordered = unbulleted.trim_matches(|c: char| is_space(c) || is_cell_border(c));
    ascii_alnum(unbordered)
}

pub(super) fn is_cell_border(c: char) -> bool {
    matches!(c, '|' | '｜' | '│')
}

/// Puts what follows a salutation's colon on a line of its own:
/// `秦振兴代表: 您提出的…` becomes the salutation and the body's first line.
fn split_at_colon(lines: &mut Vec<String>, line: usize) {
    let Some(colon) = lines[line].find([':', '：']) else {
        return;
    };
    let after = colon
        + lines[line][colon..]
            .chars()
            .next()
            .map_or(1, char::len_utf8);
    let rest = lines[line].split_off(after);
    lines.insert(line + 1, format!(" {}", trim(&rest)));
}

/// How a reply's title ends.
const TITLE_ENDINGS: &[&str] = &[
    "答复",
    "答复函",
    "的函",
    "复函",
    "会办意见",
    "协办意见",
    "答复意见",
    "办理意见",
    "的回复",
];

/// What a title speaks of, besides its ending.
static TITLE_MENTIONS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"会议|提案|建议|议案|\d+号").expect("title pattern"));

/// The title: the last line before the salutation that ends like one, with
/// the lines above it that it runs over (`安宁工业园区管理委员会关于` /
/// `对…提案的` / `答复`). A page often shows its own headline (or its
/// metadata's 信息名称) above the letter; the letter's title is the one
/// nearest the salutation.
fn find_title(plain: &[String]) -> Option<Range<usize>> {
    let mut found = None;
    for (end, line) in plain.iter().enumerate().take(HEAD_LINES) {
        // Past the salutation, the prose or the page's end there is no title.
        let prose = line.matches('。').count() >= 2;
        // `主办单位: 某局` above the letter is the proposal's metadata; below
        // it, the site's footer.
        let page_end = TRAILING_CHROME.is_match(&compact(line)) && !labels::is_label_line(line);
        if prose || salutation_at(plain, end).is_some() || page_end {
            break;
        }
        // The value under a bare label (`主题词` / `…;建议答复函`) is no title.
        let under_label = plain[..end]
            .iter()
            .rev()
            .find(|l| !l.is_empty())
            .is_some_and(|l| labels::bare(l).is_some_and(|l| l != labels::Label::Title));
        if !is_title_end(line) || under_label {
            continue;
        }
        let start = extend_title_upward(plain, end);
        // A lone `答复` is a title's last line only under the rest of it.
        if start < end || compact(line).chars().count() > 4 {
            found = Some(start..end + 1);
        }
    }
    found
}

/// A text's last bracketed part and what stands before it:
/// `…的答复[浙交建〔2018〕101号]` → (`…的答复`, `浙交建〔2018〕101号`).
fn bracketed_tail(text: &str) -> Option<(&str, &str)> {
    let close = text.chars().next_back()?;
    let open = match close {
        ')' => '(',
        '）' => '（',
        ']' => '[',
        '］' => '［',
        '】' => '【',
        _ => return None,
    };
    let inner = &text[..text.len() - close.len_utf8()];
    inner.rsplit_once(open)
}

fn is_title_end(line: &str) -> bool {
    let c = compact(strip_title_label(line));
    // `…的答复(关于疏通秀水河东岸道路的建议)`: the proposal's title in
    // brackets; `…的答复[浙交建〔2018〕101号]`: the 文号.
    let c = match bracketed_tail(&c) {
        Some((before, _)) if TITLE_ENDINGS.iter().any(|e| before.ends_with(e)) => {
            before.to_string()
        }
        _ => c,
    };
    let n = c.chars().count();
    let ends = TITLE_ENDINGS.iter().any(|e| c.ends_with(e));
    let labelled_otherwise = labels::pairs(line)
        .first()
        .is_some_and(|(l, _)| *l != labels::Label::Title);
    ends && n <= 120
        && !c.contains(['。', '；'])
        && !c.contains("如下")
        && !labelled_otherwise
        && (n <= 4 || TITLE_MENTIONS.is_match(&c))
}

fn strip_title_label(line: &str) -> &str {
    match labels::pairs(line).first() {
        Some((labels::Label::Title, value)) => match line.split_once([':', '：']) {
            Some((_, rest)) => trim(rest),
            // A metadata row without a colon: `信息名称  关于…的答复`.
            None => line.find(value.as_str()).map_or(line, |at| &line[at..]),
        },
        _ => line,
    }
}

/// A title runs over at most four lines; a line above belongs to it when it
/// is short, has no punctuation that ends a clause, and is none of the other
/// header lines (文号, red header `…文件`, a label, a date).
fn extend_title_upward(plain: &[String], end: usize) -> usize {
    let mut start = end;
    let mut lines = 1;
    while lines < 4 {
        // Web copies put a blank line after every line: look past one.
        let above = match start.checked_sub(1) {
            Some(i) if plain[i].is_empty() && i > 0 => i - 1,
            Some(i) => i,
            None => break,
        };
        if !continues_title(&plain[above])
            || is_title_end(&plain[above])
            || (starts_title(&plain[start], &plain[above]) && !issuer_of_title(plain, above))
        {
            break;
        }
        start = above;
        lines += 1;
    }
    start
}

/// Whether `top` is where a title starts, so that the line above it is
/// not the title's: a title runs `(发文机关)关于…` or `(发文机关)对…`, and the
/// issuer's name on a line of its own above (`某某局` / `关于…的答复`) is the
/// header, or the page's category (`政协委员提案`) is the page's. Only a line
/// that runs into `top` (`某某局关于` / `对…`) goes with it.
fn starts_title(top: &str, above: &str) -> bool {
    let top = compact(top);
    let above = compact(above);
    (top.contains("关于") || top.starts_with('对'))
        && !["关于", "对", "关于对"].iter().any(|e| above.ends_with(e))
}

/// Whether the department named alone on line `issuer`, above a title
/// that starts `关于…`, is the title's first line (`潼关县民政局` / `关于对…的答复`)
/// rather than the letter's header: it is, unless the page's own headline
/// above gives the title without it.
fn issuer_of_title(plain: &[String], issuer: usize) -> bool {
    let name = compact(&plain[issuer]);
    looks_like_department(&name)
        && plain[..issuer]
            .iter()
            .filter(|l| is_title_end(l))
            .all(|headline| compact(headline).starts_with(&name))
}

fn continues_title(line: &str) -> bool {
    let c = compact(line);
    let n = c.chars().count();
    // A year (`2016年`), a number, a 文号 of any shape: no part of a title.
    let numbering = c.chars().filter(|ch| ch.is_ascii_digit()).count() * 2 >= n
        || DOC_NUMBER_YEAR_BRACKETS.is_match(&c);
    (1..=60).contains(&n)
        && !numbering
        && !c.ends_with("文件")
        && !c.contains(['。', '，', ',', '；', ';', '：', ':', '！', '!', '？', '?'])
        && !DOC_NUMBER_LINE.is_match(&c)
        && !RESULT_MARK.is_match(&c)
        && !is_chrome(line)
        && !TRAILING_CHROME.is_match(&c)
        && !labels::is_label_line(line)
        && date::whole_line(line).is_none()
}

/// A 文号 anywhere in a line: a few Han characters, the year in brackets and
/// a number (`常工信复〔2021〕第28号`, `潼民发【2024】275号`).
/// A year in a 文号's brackets: `〔2019〕`, `[2017]`.
static DOC_NUMBER_YEAR_BRACKETS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[〔【\[［(（]\s*(?:19|20)\d{2}\s*[〕】\]］)）]").expect("doc number pattern")
});

pub(super) static DOC_NUMBER_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\p{Han}[〔【\[［(（]\s*(?:19|20)\d{2}\s*[〕】\]］)）]?\s*第?\s*\d+\s*号?")
        .expect("doc number pattern")
});

/// Whom a letter addresses ends this way.
static ADDRESSEE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:委员|代表|同志|先生|女士|主席)们?$").expect("addressee pattern")
});

/// Words that show a line is the start of the letter proper.
static LETTER_CUES: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"您|你|贵|提出|收悉|所提").expect("cue pattern"));

/// The salutation: a short line ending in a colon that addresses members or
/// deputies (`周国平委员：`, `李永莱等32名代表:`, `尊敬的王亚春区人大代表:`), or a
/// department when a 会办意见 goes to the lead department (`省交通运输厅:`).
/// Returns its line and whether the body goes on on the same line.
fn find_salutation(plain: &[String], from: usize) -> Option<(usize, bool)> {
    (from..plain.len().min(from + HEAD_LINES)).find_map(|i| Some((i, salutation_at(plain, i)?)))
}

/// Whether line `i` is a salutation, and if so whether the body starts on
/// the same line.
fn salutation_at(plain: &[String], i: usize) -> Option<bool> {
    let next = plain[i + 1..].iter().find(|l| !l.is_empty());
    let Some((who, rest)) = plain[i].split_once([':', '：']) else {
        // `王洋、陈海军代表` with no colon: whom a letter addresses, on a
        // line of its own, and the letter goes on to speak to them.
        let who = compact(&plain[i]);
        let alone = ADDRESSEE.is_match(&who)
            && (2..=40).contains(&who.chars().count())
            && !who.contains(['。', '，', ',', '；', '《', '“'])
            && !who.contains("答复")
            && next.is_some_and(|n| LETTER_CUES.is_match(n));
        return alone.then_some(false);
    };
    is_salutation(who, rest, next.map(String::as_str)).then(|| !trim(rest).is_empty())
}

fn is_salutation(who: &str, rest: &str, next: Option<&str>) -> bool {
    let who = compact(who);
    let n = who.chars().count();
    // `陈桂平、胡泽云、…、林宏胜等代表`: eleven names are longer than a line.
    let longest = if who.matches('、').count() >= 2 {
        200
    } else {
        40
    };
    if n == 0 || n > longest || labels::lookup(&who).is_some() {
        return false;
    }
    if who.contains(['。', '，', ',', '；', ';', '《', '“', '"'])
        || who.contains("如下")
        || who.contains("答复")
    {
        return false;
    }
    if ADDRESSEE.is_match(&who) {
        return true;
    }
    let cue = |s: &str| LETTER_CUES.is_match(s);
    looks_like_department(who.trim_start_matches("尊敬的")) && (cue(rest) || next.is_some_and(cue))
}

/// Where the page after the letter starts: `相关阅读`, `扫码关注`, `上一篇`…
/// Everything from there on is the site's, not the reply's.
fn trailing_chrome(plain: &[String], from: usize) -> usize {
    (from..plain.len())
        .find(|&i| TRAILING_CHROME.is_match(&compact(&plain[i])))
        .unwrap_or(plain.len())
}

/// Where the page goes on after a letter that has ended with its date:
/// the first line after the first date line of its own (and the signature,
/// contact and 抄送 lines that follow it) that is none of those. A page
/// may put anything there, a feedback form, or the whole letter again, and
/// the footer, found from the end up, would otherwise stop at it.
fn after_dated_footer(plain: &[String], body_start: usize, end: usize) -> usize {
    (body_start..end)
        .find(|&i| date::whole_line(&plain[i]).is_some())
        .and_then(|date| {
            (date + 1..end).find(|&i| !plain[i].is_empty() && !is_footer_line(&plain[i]))
        })
        .unwrap_or(end)
}

static TRAILING_CHROME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:相关阅读|相关链接|相关文章|相关新闻|相关信息|扫码关注|扫一扫|分享到|上一篇|下一篇|上一条|下一条|【打印|打印本页|【关闭|关闭窗口|【?责任编辑|【收藏|<!--|返回顶部|主办单位[:：])")
        .expect("chrome pattern")
});

/// Without a salutation the body starts after the header's lines: the
/// title, then labels, 文号, red header, result marks, a date, chrome.
fn skip_header(plain: &[String], from: usize, end: usize) -> usize {
    (from..end)
        .find(|&i| !is_header_line(&plain[i]))
        .unwrap_or(end)
}

fn is_header_line(line: &str) -> bool {
    let c = compact(line);
    c.is_empty()
        || c.ends_with("文件") && c.chars().count() <= 30
        || DOC_NUMBER_LINE.is_match(&c) && c.chars().count() <= 40
        || labels::is_label_line(line)
        || RESULT_MARK.is_match(&c)
        || date::whole_line(line).is_some()
        || looks_like_department(&c)
        || is_chrome(line)
}

/// `A`, `A类`, `（A类）`, `同意公开`, `此件公开发布`: marks above or below a reply.
static RESULT_MARK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[(（]?(?:[A-D]类?|[A-D]类?同意公开|同意公开|不予公开|此件公开发布|此件主动公开|主动公开|依申请公开)[)）]?$")
        .expect("mark pattern")
});

/// The footer, found from the end up: every line below the body's last
/// sentence that is a date, a signature, a label line, a mark or chrome.
fn find_footer(plain: &[String], body_start: usize, end: usize) -> usize {
    let mut start = end;
    let mut i = end;
    while i > body_start {
        let line = &plain[i - 1];
        if !line.is_empty() && !is_footer_line(line) {
            break;
        }
        i -= 1;
        if !line.is_empty() {
            start = i;
        }
    }
    start
}

fn is_footer_line(line: &str) -> bool {
    let c = compact(line);
    c.chars().all(|ch| "|｜│-—_".contains(ch))
        // What is left of a site's name cut by the page: `网`, `…政府网`.
        || c.ends_with('网') && c.chars().count() <= 12
        || date::whole_line(line).is_some()
        || date::is_damaged(line)
        || labels::is_label_line(line)
        || looks_like_department(&c)
        || looks_like_department(c.trim_end_matches(['（', '(', '盖', '章', '印', '）', ')']))
        || RESULT_MARK.is_match(&c)
        || SIGNED_IN_SENTENCE.is_match(&c)
        || is_chrome(line)
}

/// `此件经局长薛庆林审签。`: the signing told in a sentence of its own.
pub(super) static SIGNED_IN_SENTENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[^。]{0,16}?(?:由|经)([\p{Han}]{2,12}?)(?:审签|签发)[^。]{0,6}。?$")
        .expect("signed pattern")
});

/// A page's own furniture: publication data, font size switches,
/// breadcrumbs, print and share buttons.
pub(super) fn is_chrome(line: &str) -> bool {
    CHROME.is_match(line) || BREADCRUMB.is_match(line)
}

static CHROME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?:(?:发布时间|发布日期|浏览次数|点击数|点击量|访问次数|阅读次数|字体|字号|字体大小|信息来源|来源)\s*[:：]",
        r"|[【\[](?:字体|字号|打印|关闭)|字体大小|打印本页|关闭窗口|分享到|扫码关注|扫一扫",
        r"|当前位置|所在位置|您的位置|你的位置|您现在的位置|首页\s*[>›»/]|返回顶部|无障碍浏览|智能检索|My JSP)",
        r"|^\d{4}年\d{1,2}月\d{1,2}日\s*星期[一二三四五六日天]$",
        r"|^【?\[?大\s*中\s*小\]?】?$",
    ))
    .expect("chrome pattern")
});

static BREADCRUMB: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[^>›»]{1,14}\s*[>›»]+\s*){2,}|^(?:\s*\p{Han}[^/]{0,13}/){2,}")
        .expect("breadcrumb pattern")
});

/// A page number of a PDF: `— 3 —`, `- 3 -`, `3`, `第 3 页`, `第3页 共5页`, `3/5`.
static PAGE_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[-—–－―_\s]*(?:第\s*)?\d{1,3}(?:\s*页)?(?:\s*[/／]\s*\d{1,3}|\s*共\s*\d{1,3}\s*页)?[-—–－―_\s]*$")
        .expect("page number pattern")
});

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(letter: &Letter) -> Vec<&str> {
        letter
            .body_lines()
            .into_iter()
            .map(|l| l.text)
            .filter(|l| !l.is_empty())
            .collect()
    }

    const SEED: &str = "常州市工业和信息化局文件\n\n常工信复〔2021〕第28号\n\n关于对市政协十四届五次会议提案 第0152号的答复\n\n周国平委员：\n\n您提出的建议收悉，现答复如下：\n\n一、成立专班\n\n— 2 —\n\n正文。\n\n签 发 人：薛庆林\n\n抄 送：市政府办公室、市政协提案委";

    #[test]
    fn the_parts_of_a_letter_are_found() {
        let letter = Letter::new(SEED);
        assert_eq!(
            letter.title().as_deref(),
            Some("关于对市政协十四届五次会议提案第0152号的答复")
        );
        assert_eq!(letter.salutation(), Some("周国平委员"));
        assert_eq!(
            texts(&letter),
            ["您提出的建议收悉，现答复如下：", "一、成立专班", "正文。"]
        );
        assert_eq!(letter.footer().filter(|(_, l)| !l.is_empty()).count(), 2);
    }

    #[test]
    fn names_apart_by_spaces_stay_in_one_salutation() {
        let letter = Letter::new(
            "关于第3号提案的答复\n刘俊华 徐航吉 魏 娜 赵玉芳委员:\n您们提出的提案收悉。",
        );
        assert_eq!(letter.salutation(), Some("刘俊华 徐航吉 魏 娜 赵玉芳委员"));
    }

    #[test]
    fn a_title_over_three_lines_is_joined() {
        let letter = Letter::new(
            "安宁工业园区管理委员会关于\n对安宁市政协六届五次会议第190号提案的\n答复\n保卫宏委员:\n正文。",
        );
        assert_eq!(
            letter.title().as_deref(),
            Some("安宁工业园区管理委员会关于对安宁市政协六届五次会议第190号提案的答复")
        );
    }

    #[test]
    fn a_reply_on_one_line_is_split_into_paragraphs() {
        let letter = Letter::new(
            "南宫市交通运输局 对南宫市第九届人民代表大会第二次会议的第46号建议的答复\n秦振兴代表: 您提出的建议收悉,现答复如下: 按照原则办理。 感谢您的支持。\n2018年6月28日 |",
        );
        assert_eq!(letter.salutation(), Some("秦振兴代表"));
        assert_eq!(
            texts(&letter),
            [
                "您提出的建议收悉,现答复如下:",
                "按照原则办理。",
                "感谢您的支持。"
            ]
        );
        assert_eq!(letter.footer().count(), 1);
    }

    #[test]
    fn a_reply_flattened_header_and_all_is_split() {
        let letter = Letter::new(
            "某某局文件 某发〔2021〕3号 关于对市政协十四届五次会议第5号提案的答复 张三委员： 您提出的建议收悉，现答复如下： 正文。 某某局 2021年6月10日",
        );
        assert_eq!(
            letter.title().as_deref(),
            Some("关于对市政协十四届五次会议第5号提案的答复")
        );
        assert_eq!(letter.salutation(), Some("张三委员"));
        assert_eq!(texts(&letter), ["您提出的建议收悉，现答复如下：", "正文。"]);
        assert_eq!(letter.footer().count(), 2);
    }

    #[test]
    fn a_department_can_be_addressed() {
        let letter = Letter::new(
            "对省政协十二届四次会议第0029号提案的会办意见\n\n省交通运输厅:\n\n吕斌委员提出的《建议》收悉。",
        );
        assert_eq!(letter.salutation(), Some("省交通运输厅"));
    }

    #[test]
    fn chrome_after_the_letter_is_cut() {
        let letter =
            Letter::new("张三委员：\n正文。\n某某局\n2021年1月2日\n相关阅读\n别的答复\n扫码关注");
        assert_eq!(texts(&letter), ["正文。"]);
        assert_eq!(letter.footer().count(), 2);
    }

    #[test]
    fn page_numbers_are_known() {
        for line in ["— 3 —", "- 3 -", "3", "第 3 页", "第3页 共5页", "3/5"] {
            assert!(PAGE_NUMBER.is_match(line), "{line}");
        }
        assert!(!PAGE_NUMBER.is_match("2024085号"));
    }
}
