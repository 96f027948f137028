//! A reply's body made Markdown: paragraphs joined again across page breaks
//! and hard line wraps, short numbered parts (`一、`, `（一）`) made headings,
//! the stray spaces of extraction removed. The wording is never changed:
//! characters Markdown would read as markup are escaped, not dropped.

use std::sync::LazyLock;

use regex::Regex;

use super::letter::{BodyLine, Letter};
use super::text::tidy_spaces;

/// The body as Markdown, paragraphs separated by blank lines.
pub(super) fn markdown(letter: &Letter) -> String {
    let blocks = blocks(&letter.body_lines());
    let mut out = String::new();
    for block in &blocks {
        if !out.is_empty() {
            out.push('\n');
        }
        match block {
            Block::Heading(level, text) => {
                out.push_str(&"#".repeat(usize::from(*level)));
                out.push(' ');
                out.push_str(&escape(text));
            }
            Block::Paragraph(paragraph) => out.push_str(&escape(&paragraph.text)),
        }
        out.push('\n');
    }
    out
}

#[derive(Debug, PartialEq, Eq)]
enum Block {
    Heading(u8, String),
    Paragraph(Paragraph),
}

#[derive(Debug, PartialEq, Eq)]
struct Paragraph {
    text: String,
    /// How wide the last line joined in was: a short last line without a
    /// full stop was a line of its own (`此致`), a long one was cut by a wrap.
    last_width: usize,
}

/// How the body marks where its paragraphs start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// By indenting their first line, the rest wrapped flush left: text out
    /// of a PDF.
    Indented,
    /// Not at all beyond the line break itself, which a page break or a
    /// stray break may also make: text out of a web page.
    Unmarked,
}

/// Groups lines into headings and paragraphs. Blank lines decide nothing:
/// a PDF puts one at every page break, mid-sentence. Where first lines are
/// indented, a flush line goes on the paragraph above; otherwise how the
/// paragraph ends and how the line starts decide.
fn blocks(lines: &[BodyLine<'_>]) -> Vec<Block> {
    let lines: Vec<&BodyLine<'_>> = lines.iter().filter(|l| !l.text.is_empty()).collect();
    let layout = layout(&lines);
    let mut blocks = Vec::new();
    for line in lines {
        let (indented, width) = (line.indented, line.width);
        let text = tidy_spaces(line.text);
        if let Some(level) = heading_level(&text) {
            blocks.push(Block::Heading(level, text));
            continue;
        }
        let goes_on = |paragraph: &Paragraph| match layout {
            Layout::Indented => !indented,
            Layout::Unmarked => continues(paragraph, &text),
        };
        match blocks.last_mut() {
            Some(Block::Paragraph(paragraph)) if goes_on(paragraph) => {
                join(&mut paragraph.text, &text);
                paragraph.last_width = width;
            }
            _ => blocks.push(Block::Paragraph(Paragraph {
                text,
                last_width: width,
            })),
        }
    }
    blocks
}

/// Indentation marks paragraphs when flush lines are continuations: most
/// of them follow a line cut mid-sentence. A web page that indents some
/// paragraphs and not others has its flush lines after full stops.
fn layout(lines: &[&BodyLine<'_>]) -> Layout {
    let indented = lines.iter().filter(|l| l.indented).count();
    let flush_after: Vec<bool> = lines
        .windows(2)
        .filter(|pair| !pair[1].indented)
        .map(|pair| ends_sentence(pair[0].text))
        .collect();
    let mid_sentence = flush_after.iter().filter(|&&ended| !ended).count();
    if indented >= 2 && flush_after.len() >= 2 && mid_sentence * 2 > flush_after.len() {
        Layout::Indented
    } else {
        Layout::Unmarked
    }
}

/// A numbered part heading: `一、成立…专班` (level 2), `（一）…` (level 3). It is
/// short and is not a sentence: a long `一、…。` line is a numbered paragraph.
fn heading_level(line: &str) -> Option<u8> {
    let level = if PART.is_match(line) {
        2
    } else if SUB_PART.is_match(line) {
        3
    } else {
        return None;
    };
    let n = line.chars().count();
    let sentence = line.contains(['。', '；', ';', '！', '!', '？', '?'])
        || line.ends_with(['，', ',', '、', '：', ':'])
        || (n > 24 && line.contains(['，', ',']));
    (n <= 40 && !sentence).then_some(level)
}

static PART: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[一二三四五六七八九十]{1,3}、").expect("part pattern"));
static SUB_PART: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[（(][一二三四五六七八九十]{1,3}[）)]").expect("part pattern"));

/// Does `line` go on `paragraph`? Not after a full stop, a question, a
/// semicolon or a colon (`现答复如下：`); always after a comma or an opening
/// bracket; after anything else only when the paragraph's last line was long
/// (a wrap, or a page break) and `line` does not start a paragraph of its
/// own (`以上意见…` after a last sentence that lost its 。).
fn continues(paragraph: &Paragraph, line: &str) -> bool {
    if ends_sentence(&paragraph.text) {
        return false;
    }
    match last_meaningful(&paragraph.text) {
        None => false,
        Some('，' | ',' | '、' | '（' | '(' | '“' | '《' | '—' | '-' | '/') => true,
        Some(_) => paragraph.last_width >= 40 && !PARAGRAPH_START.is_match(line),
    }
}

/// The last character of a text that is not a closing quote or bracket.
fn last_meaningful(text: &str) -> Option<char> {
    let closing = |c: &char| {
        matches!(
            c,
            '”' | '’' | '」' | '』' | '）' | ')' | '》' | '】' | '"' | '\''
        )
    };
    text.chars().rev().find(|c| !closing(c))
}

/// Ends with a full stop, a question, an exclamation, a semicolon or a colon.
fn ends_sentence(text: &str) -> bool {
    matches!(
        last_meaningful(text),
        Some('。' | '！' | '？' | '!' | '?' | '；' | ';' | '：' | ':' | '…')
    )
}

/// How paragraphs start, and sentences carried over from a page never do.
static PARAGRAPH_START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?:以上|此致|敬礼|特此|专此|感谢|衷心感谢|再次感谢|谢谢|下一步|下阶段|您对|附件",
        r"|[一二三四五六七八九十]+是|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]",
        r"|\d+[、.．]|第[一二三四五六七八九十]+[，,、])",
    ))
    .expect("paragraph pattern")
});

/// Joins a wrapped line on: Chinese and numbers need no space, Latin words
/// do.
fn join(text: &mut String, line: &str) {
    let latin = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphabetic());
    if latin(text.chars().last()) && latin(line.chars().next()) {
        text.push(' ');
    }
    text.push_str(line);
}

/// Escapes what CommonMark would take for markup, so that the page shows the
/// reply's own characters: emphasis marks (masked names like `刘**` and
/// phones like `131******5505` would otherwise turn text bold), code spans,
/// HTML and links anywhere, and block markers (`#`, `>`, `-`, `1.`) at the
/// start of a paragraph.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.chars().enumerate() {
        let at_start = i == 0 && matches!(c, '#' | '>' | '+' | '-' | '=' | '|');
        if at_start || matches!(c, '\\' | '*' | '_' | '`' | '<' | '[' | ']' | '&') {
            out.push('\\');
        }
        out.push(c);
    }
    ORDERED_LIST_START
        .replace(&out, r"${1}\${2}${3}")
        .into_owned()
}

static ORDERED_LIST_START: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\d{1,9})([.)])(\s|$)").expect("list pattern"));

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(lines: &[&str]) -> Vec<String> {
        let lines: Vec<BodyLine<'_>> = lines
            .iter()
            .map(|l| BodyLine {
                text: l.trim_start(),
                indented: l.starts_with(['　', ' ']),
                width: crate::import::text::display_width(l),
            })
            .collect();
        blocks(&lines)
            .into_iter()
            .map(|b| match b {
                Block::Heading(level, t) => format!("{} {t}", "#".repeat(level.into())),
                Block::Paragraph(p) => p.text,
            })
            .collect()
    }

    #[test]
    fn a_sentence_cut_by_a_page_break_is_joined() {
        let before = "特别是疫情期间发布84门公开课和17门线上学时课程，学习点播";
        assert_eq!(
            texts(&[
                before,
                "",
                "量超过1万人次。",
                "",
                "四、支持中小企业创新创业发展"
            ]),
            [
                format!("{before}量超过1万人次。"),
                "## 四、支持中小企业创新创业发展".into()
            ]
        );
    }

    #[test]
    fn a_line_ending_in_a_comma_goes_on() {
        assert_eq!(
            texts(&["在完善地埋式垃圾箱的基础上,", "", "替换地面垃圾箱的使用。"]).len(),
            1
        );
    }

    #[test]
    fn a_last_sentence_without_full_stop_stays_apart() {
        let lines = [
            "同时，我厅也将支持推进项目前期论证等有关工作",
            "",
            "以上意见供贵厅统一答复提案人时参考。",
        ];
        assert_eq!(texts(&lines).len(), 2);
    }

    #[test]
    fn in_wrapped_text_an_indented_first_line_starts_a_paragraph() {
        let lines = [
            "　　一是加大顶层设计，出台政策优化营商",
            "环境，有效提振民营企业中小企业发展信心。",
            "激发企业创新活力，推动全市经济高质量发展",
            "。二是落实减税降费优惠政策。",
            "　　四、支持中小企业创新创业发展",
            "　　2020年，全市累计新增减免税费210.34",
            "亿元，其中减免税收85.08亿元，减免非税和社会",
            "保费125.26亿元。",
            "　　三是加大创业扶持力度，稳增长26条。",
        ];
        assert_eq!(
            texts(&lines),
            [
                "一是加大顶层设计，出台政策优化营商环境，有效提振民营企业中小企业发展信心。激发企业创新活力，推动全市经济高质量发展。二是落实减税降费优惠政策。",
                "## 四、支持中小企业创新创业发展",
                "2020年，全市累计新增减免税费210.34亿元，其中减免税收85.08亿元，减免非税和社会保费125.26亿元。",
                "三是加大创业扶持力度，稳增长26条。",
            ]
        );
    }

    #[test]
    fn wrapped_numbers_are_joined_without_a_space() {
        let mut paragraph = String::from("稳增长2");
        join(&mut paragraph, "6条");
        assert_eq!(paragraph, "稳增长26条");
        let mut english = String::from("smart");
        join(&mut english, "city");
        assert_eq!(english, "smart city");
    }

    #[test]
    fn a_closing_stays_on_its_own_lines() {
        assert_eq!(texts(&["此致", "敬礼"]), ["此致", "敬礼"]);
    }

    #[test]
    fn a_long_numbered_line_is_a_paragraph() {
        let line = "一、您这一提案提得很好,表明您对我市基层医疗卫生事业的高度关注。";
        assert_eq!(texts(&[line]), [line]);
        assert_eq!(texts(&["（一）加强顶层设计"]), ["### （一）加强顶层设计"]);
    }

    #[test]
    fn stray_spaces_go_and_wording_stays() {
        assert_eq!(
            texts(&["精准优选项目 102 个，2020 年已为 2990 人次发放。"]),
            ["精准优选项目102个，2020年已为2990人次发放。"]
        );
    }

    #[test]
    fn markup_characters_are_escaped() {
        assert_eq!(
            escape("承办人:刘**,电话131******5505"),
            r"承办人:刘\*\*,电话131\*\*\*\*\*\*5505"
        );
        assert_eq!(escape("# 1"), r"\# 1");
        assert_eq!(escape("1. 加强"), r"1\. 加强");
        assert_eq!(escape("2020年2~12月"), "2020年2~12月");
    }
}
