//! Positioned text made plain text, for the formats that only say where each
//! character is drawn (PDF, OFD): glyphs grouped into lines by their
//! baseline, lines put in reading order, page numbers and running heads
//! dropped, and the lines of a paragraph joined as the paper wrapped them.
//!
//! The producer's order is never trusted: OFD writers put a line in one
//! object, a few characters in each, or one character each, in any order,
//! and a PDF may draw the footer before the body. Only positions count.
//!
//! Units are whatever the format uses (points, millimetres): every threshold
//! here is a fraction of the font size, which is in the same unit.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use super::text::is_han;

/// One character (or a ligature's few) where a page draws it.
#[derive(Debug, Clone)]
pub(super) struct Glyph {
    /// Left edge.
    pub x: f64,
    /// Baseline, growing down the page.
    pub y: f64,
    /// The font size, in the unit of `x` and `y`.
    pub size: f64,
    /// How far the pen moves: where the next character would start.
    pub advance: f64,
    pub text: String,
}

/// The glyphs of one page, in any order.
#[derive(Debug, Default)]
pub(super) struct Page {
    pub glyphs: Vec<Glyph>,
}

/// A printed line: glyphs that share a baseline, left to right.
#[derive(Debug, Clone)]
struct Line {
    page: usize,
    y: f64,
    left: f64,
    right: f64,
    size: f64,
    /// How wide the line's first word is: what a line before it must have
    /// lacked room for, had it wrapped there.
    first_word: f64,
    text: String,
}

/// The text of the pages: a paragraph a line, in reading order.
pub(super) fn text(pages: &[Page]) -> String {
    let mut lines: Vec<Line> = Vec::new();
    let groups: Vec<Vec<Vec<&Glyph>>> = pages.iter().map(|p| line_groups(&p.glyphs)).collect();
    let autospace = autospace(groups.iter().flatten());
    let mut page_lines: Vec<Vec<Line>> = groups
        .iter()
        .enumerate()
        .map(|(number, page)| {
            page.iter()
                .map(|group| line_of(number, group, autospace))
                .collect()
        })
        .collect();
    drop_page_furniture(&mut page_lines);
    for page in page_lines {
        lines.extend(page);
    }
    paragraphs(&lines).join("\n")
}

/// Groups a page's glyphs into lines, each left to right: sorted by
/// baseline, a glyph within 40 % of the font size of a line's baseline
/// belongs to it. Spaces drawn as glyphs stay, as marks between words, but
/// never make a line of their own.
fn line_groups(glyphs: &[Glyph]) -> Vec<Vec<&Glyph>> {
    let mut sorted: Vec<&Glyph> = glyphs
        .iter()
        .filter(|g| g.size > 0.0 && g.x.is_finite() && g.y.is_finite())
        .collect();
    sorted.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x)));
    let mut groups: Vec<Vec<&Glyph>> = Vec::new();
    for glyph in sorted {
        match groups.last_mut() {
            Some(group) if (glyph.y - group[0].y).abs() <= 0.4 * glyph.size.max(group[0].size) => {
                group.push(glyph)
            }
            _ => groups.push(vec![glyph]),
        }
    }
    groups.retain(|group| group.iter().any(|g| !is_space(g)));
    for group in &mut groups {
        group.sort_by(|a, b| a.x.total_cmp(&b.x));
    }
    groups
}

fn is_space(glyph: &Glyph) -> bool {
    glyph.text.trim().is_empty()
}

/// Word, WPS and LibreOffice set Chinese apart from digits and Latin
/// letters on their own (Word's "autospace", LibreOffice's "Asian-Latin
/// spacing"): `纪占斌等 3 名代表` on the page is `纪占斌等3名代表` in the
/// document. The amount is the producer's, the same all through a
/// document, and a typed space beside it is wider or narrower depending on
/// the font; so it is found, not assumed: the gap that recurs most between
/// such pairs with no space drawn between them, as a fraction of the font
/// size, if it is narrower than a third of it. Chromium and most OFD
/// writers leave none.
fn autospace<'a>(groups: impl Iterator<Item = &'a Vec<&'a Glyph>>) -> Option<f64> {
    let mut counts: HashMap<i64, usize> = HashMap::new();
    for group in groups {
        for pair in group
            .windows(2)
            .filter(|pair| !pair.iter().any(|g| is_space(g)))
        {
            let gap = (pair[1].x - (pair[0].x + pair[0].advance)) / pair[1].size;
            if mixed_scripts(&pair[0].text, &pair[1].text) && gap > 0.02 && gap < 0.33 {
                *counts.entry((gap * 100.0).round() as i64).or_default() += 1;
            }
        }
    }
    counts
        .into_iter()
        .filter(|&(_, n)| n >= 3)
        .max_by_key(|&(gap, n)| (n, -gap))
        .map(|(gap, _)| gap as f64 / 100.0)
}

/// A Han character beside a digit or Latin letter, in either order.
fn mixed_scripts(before: &str, after: &str) -> bool {
    let latin = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    let han = |c: Option<char>| c.is_some_and(is_han);
    let (last, first) = (before.chars().next_back(), after.chars().next());
    (han(last) && latin(first)) || (latin(last) && han(first))
}

/// Joins a line's glyphs, left to right. A space drawn between two glyphs
/// is one; so is a gap wider than a fifth of the font size (later stages
/// drop those between Chinese characters), but for the gap word processors
/// leave on their own between a Chinese character and a digit or Latin
/// letter (`autospace`). A glyph drawn twice at one place (bold by
/// overprinting) is one character.
fn line_of(page: usize, glyphs: &[&Glyph], autospace: Option<f64>) -> Line {
    let visible: Vec<&Glyph> = glyphs.iter().copied().filter(|g| !is_space(g)).collect();
    let size = visible.iter().map(|g| g.size).fold(0.0, f64::max);
    let mut text = String::new();
    let mut end: Option<(f64, &str)> = None;
    let mut drawn_space = false;
    for glyph in glyphs {
        if is_space(glyph) {
            drawn_space = end.is_some();
            continue;
        }
        if let Some((prev_end, prev_text)) = end {
            let gap = glyph.x - prev_end;
            let overprinted =
                prev_text == glyph.text && (glyph.x + glyph.advance - prev_end).abs() < 0.1 * size;
            if overprinted {
                continue;
            }
            if drawn_space || typed_space(gap, glyph.size, autospace, prev_text, &glyph.text) {
                text.push(' ');
            }
        }
        drawn_space = false;
        text.push_str(&glyph.text);
        end = Some((glyph.x + glyph.advance, &glyph.text));
    }
    // `line_groups` keeps only lines with a visible glyph.
    let first = visible.first().map_or(0.0, |g| g.x);
    Line {
        page,
        y: visible.first().map_or(0.0, |g| g.y),
        left: first,
        right: end.map_or(first, |(e, _)| e),
        size,
        first_word: first_word(glyphs) - first,
        text,
    }
}

/// Where a line's first word ends. A line may break before any Chinese
/// character, but not inside a run of digits or Latin letters, nor after
/// an opening bracket: `〔2021〕184号` wraps as a whole up to 号.
fn first_word(glyphs: &[&Glyph]) -> f64 {
    let mut end = f64::MIN;
    for (i, glyph) in glyphs.iter().enumerate() {
        let breaks_before = i > 0
            && (is_space(glyph) || glyph.text.chars().next().is_some_and(is_han))
            && !glyphs[i - 1]
                .text
                .chars()
                .all(|c| "〔（《“([‘【".contains(c));
        if breaks_before {
            break;
        }
        end = glyph.x + glyph.advance;
    }
    end
}

/// Whether a gap between two glyphs was a space someone typed: wider than
/// a fifth of the font size, and not the document's autospace between
/// Chinese and a digit or letter (a hundredth of the font size either way).
fn typed_space(gap: f64, size: f64, autospace: Option<f64>, before: &str, after: &str) -> bool {
    let automatic = autospace
        .is_some_and(|space| (gap / size - space).abs() <= 0.015 && mixed_scripts(before, after));
    gap > 0.2 * size && !automatic
}

/// `— 2 —`, `-2-`, `第2页 共3页`, `2/3`, `2`: a page number on a line of its own.
static PAGE_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^\s*(?:[—–\-－─]+\s*\d+\s*[—–\-－─]+|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+|\d{1,3}|[Pp]age\s*\d+(?:\s*of\s*\d+)?)\s*$",
    )
    .expect("page number pattern")
});

/// Drops page numbers (a page's first or last line that is only a number)
/// and running heads and feet (the same first or last line on two pages or
/// more, page numbers in it aside).
fn drop_page_furniture(pages: &mut [Vec<Line>]) {
    let mut edge_counts: HashMap<String, usize> = HashMap::new();
    for page in pages.iter() {
        let mut edges: Vec<String> = page
            .first()
            .into_iter()
            .chain(page.last())
            .map(|line| without_digits(&line.text))
            .collect();
        edges.dedup();
        for edge in edges {
            *edge_counts.entry(edge).or_default() += 1;
        }
    }
    // A running head or foot is set smaller than the text and stands apart
    // from it, even on a page of its own.
    let body_size = typical(pages.iter().flatten().map(|l| l.size)).unwrap_or(0.0);
    let apart = |line: &Line, neighbour: Option<&Line>| {
        line.size < 0.8 * body_size
            && neighbour.is_none_or(|n| (n.y - line.y).abs() > 2.0 * body_size)
    };
    for page in pages.iter_mut() {
        if page.len() > 1 && apart(&page[0], page.get(1)) {
            page.remove(0);
        }
        let n = page.len();
        if n > 1 && apart(&page[n - 1], page.get(n - 2)) {
            page.pop();
        }
    }
    let several = pages.len() > 1;
    let running =
        |line: &Line| several && edge_counts.get(&without_digits(&line.text)).copied() >= Some(2);
    for page in pages.iter_mut() {
        while page
            .last()
            .is_some_and(|l| PAGE_NUMBER.is_match(&l.text) || running(l))
        {
            page.pop();
        }
        while page
            .first()
            .is_some_and(|l| PAGE_NUMBER.is_match(&l.text) || running(l))
        {
            page.remove(0);
        }
    }
}

fn without_digits(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_ascii_digit() && !c.is_whitespace())
        .collect()
}

/// Joins the lines of each paragraph. A line continues the one before when
/// that one ran to the right margin, this one starts at the left margin (no
/// indent, not centred), and no wider gap than a line's separates them. A
/// page break between them does not count as a gap.
fn paragraphs(lines: &[Line]) -> Vec<String> {
    let Some(size) = typical(lines.iter().map(|l| l.size)) else {
        return Vec::new();
    };
    // The margin is where wrapped lines start, the leading how far apart
    // a paragraph's lines are: the smallest of each that recurs, since
    // where most paragraphs are a line long, their indent and the space
    // between them are what recurs most.
    let left = smallest_recurring(lines.iter().map(|l| l.left)).unwrap_or(0.0);
    // The right margin is where full lines end: the furthest that two lines
    // reach, within half the font size of each other (ragged lines end
    // within a character of it), since a word processor may hang a line's
    // closing punctuation past it.
    let right = furthest_shared(lines.iter().map(|l| l.right), size / 2.0)
        .unwrap_or_else(|| lines.iter().map(|l| l.right).fold(f64::MIN, f64::max));
    let leading = smallest_recurring(
        lines
            .windows(2)
            .filter(|w| w[0].page == w[1].page)
            .map(|w| w[1].y - w[0].y)
            .filter(|gap| *gap >= size),
    )
    .unwrap_or(size * 1.5);
    let centre = (left + right) / 2.0;
    let mut out: Vec<String> = Vec::new();
    let mut prev: Option<&Line> = None;
    for line in lines {
        let continues = prev.is_some_and(|p| {
            // Ran to the margin, or stopped short because the next line's
            // first word would not have fitted; and began at the margin or
            // an indent, not pushed right as a signature or date is.
            (p.right >= right - 1.5 * size || p.right + line.first_word > right + 0.25 * size)
                && p.left <= left + 2.5 * size
                && line.left <= left + 0.5 * size
                && !(ends_a_sentence(&p.text) && LABEL.is_match(&line.text))
                // No paragraph's lines stand further apart than two and a
                // half times the font size (公文 set theirs at 1.8).
                && (p.page != line.page || line.y - p.y <= (leading * 1.25).min(2.5 * size))
        }) || prev.is_some_and(|p| one_heading(p, line, size, centre));
        match out.last_mut() {
            Some(paragraph) if continues => {
                if ends_and_starts_a_word(paragraph, &line.text) {
                    paragraph.push(' ');
                }
                paragraph.push_str(line.text.trim());
            }
            _ => out.push(line.text.trim().to_string()),
        }
        prev = Some(line);
    }
    out
}

/// A heading set larger than the text and centred runs over as many lines
/// as its words need (公文 break a long title into two or three lines of
/// their own choosing; a word processor fills the first from margin to
/// margin and centres the rest): consecutive such lines of one size, no
/// further apart than twice that size, are one heading. A letterhead above
/// it is set larger still, so it stays apart.
fn one_heading(before: &Line, line: &Line, body: f64, centre: f64) -> bool {
    let centred = |l: &Line| ((l.left + l.right) / 2.0 - centre).abs() <= 1.5 * body;
    before.page == line.page
        && line.size >= 1.15 * body
        && (line.size - before.size).abs() <= 0.05 * line.size
        && line.y - before.y <= 2.0 * line.size
        && centred(before)
        && centred(line)
}

/// A line that opens with a short label and a colon (`单位名称：`,
/// `联系人：`, `答复日期:`) after a full stop starts a paragraph of its own,
/// however full the line before it was.
static LABEL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*[\p{Han}\s]{2,8}[：:]").expect("label pattern"));

fn ends_a_sentence(text: &str) -> bool {
    text.trim_end().ends_with(['。', '！', '？', '；'])
}

/// English words wrapped at a line's end keep the space between them;
/// Chinese and numbers join without one.
fn ends_and_starts_a_word(before: &str, after: &str) -> bool {
    let last = before.chars().next_back();
    let first = after.trim_start().chars().next();
    matches!((last, first), (Some(a), Some(b)) if a.is_ascii_alphabetic() && b.is_ascii_alphabetic())
}

/// The largest value another comes within `within` of.
fn furthest_shared(values: impl Iterator<Item = f64>, within: f64) -> Option<f64> {
    let mut sorted: Vec<f64> = values.filter(|v| v.is_finite()).collect();
    sorted.sort_by(|a, b| b.total_cmp(a));
    sorted
        .windows(2)
        .find(|pair| pair[0] - pair[1] <= within)
        .map(|pair| pair[0])
}

/// The smallest value that comes twice or more (to a tenth of a unit), else
/// the smallest.
fn smallest_recurring(values: impl Iterator<Item = f64>) -> Option<f64> {
    let mut counts: HashMap<i64, usize> = HashMap::new();
    for value in values.filter(|v| v.is_finite()) {
        *counts.entry((value * 10.0).round() as i64).or_default() += 1;
    }
    let recurring = counts
        .iter()
        .filter(|(_, n)| **n >= 2)
        .map(|(v, _)| *v)
        .min();
    recurring
        .or_else(|| counts.keys().copied().min())
        .map(|value| value as f64 / 10.0)
}

/// The most common value, to a tenth of a unit: the body's font size, left
/// margin and line spacing, whatever the title and signature do.
fn typical(values: impl Iterator<Item = f64>) -> Option<f64> {
    let mut counts: HashMap<i64, usize> = HashMap::new();
    for value in values.filter(|v| v.is_finite()) {
        *counts.entry((value * 10.0).round() as i64).or_default() += 1;
    }
    counts
        .into_iter()
        .max_by_key(|&(value, count)| (count, -value))
        .map(|(value, _)| value as f64 / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A line of glyphs of size 10, each 10 wide, starting at `x`.
    fn line(x: f64, y: f64, text: &str) -> Vec<Glyph> {
        text.chars()
            .enumerate()
            .map(|(i, c)| Glyph {
                x: x + 10.0 * i as f64,
                y,
                size: 10.0,
                advance: 10.0,
                text: c.to_string(),
            })
            .collect()
    }

    fn page(lines: &[Vec<Glyph>]) -> Page {
        Page {
            glyphs: lines.concat(),
        }
    }

    #[test]
    fn glyphs_in_any_order_come_out_in_reading_order() {
        let mut glyphs = [line(0.0, 10.0, "第一行"), line(20.0, 25.0, "第二行")].concat();
        glyphs.reverse();
        glyphs.swap(1, 4);
        assert_eq!(text(&[Page { glyphs }]), "第一行\n第二行");
    }

    #[test]
    fn a_wrapped_paragraph_is_joined_and_an_indent_starts_the_next() {
        let p = page(&[
            line(20.0, 10.0, "一二三四五六七八"),
            line(0.0, 25.0, "九十甲乙丙丁戊己庚辛"),
            line(0.0, 40.0, "壬癸"),
            line(20.0, 55.0, "另一段"),
        ]);
        assert_eq!(
            text(&[p]),
            "一二三四五六七八九十甲乙丙丁戊己庚辛壬癸\n另一段"
        );
    }

    #[test]
    fn page_numbers_and_running_heads_are_dropped_and_a_paragraph_runs_over_the_break() {
        let first = page(&[
            line(0.0, 0.0, "某某局文件"),
            line(20.0, 20.0, "一二三四五六七八"),
            line(0.0, 35.0, "九十甲乙丙丁戊己庚辛"),
            line(30.0, 300.0, "— 1 —"),
        ]);
        let second = page(&[
            line(0.0, 0.0, "某某局文件"),
            line(0.0, 20.0, "壬癸。"),
            line(20.0, 300.0, "第2页 共2页"),
        ]);
        assert_eq!(
            text(&[first, second]),
            "一二三四五六七八九十甲乙丙丁戊己庚辛壬癸。"
        );
    }

    /// A line of glyphs of `size`, each `size` wide, centred on x = 100.
    fn centred(y: f64, size: f64, text: &str) -> Vec<Glyph> {
        let width = size * text.chars().count() as f64;
        text.chars()
            .enumerate()
            .map(|(i, c)| Glyph {
                x: 100.0 - width / 2.0 + size * i as f64,
                y,
                size,
                advance: size,
                text: c.to_string(),
            })
            .collect()
    }

    #[test]
    fn a_large_centred_title_over_two_lines_is_one_line_and_the_text_after_is_not() {
        let p = page(&[
            centred(0.0, 30.0, "某某局"),
            centred(40.0, 20.0, "关于政协五次会议"),
            centred(70.0, 20.0, "第9号提案的答复"),
            line(0.0, 100.0, "张三委员："),
            line(20.0, 115.0, "一二三四五六七八九十甲乙丙丁戊己庚辛"),
            line(0.0, 130.0, "壬癸。"),
        ]);
        assert_eq!(
            text(&[p]),
            "某某局\n关于政协五次会议第9号提案的答复\n张三委员：\n一二三四五六七八九十甲乙丙丁戊己庚辛壬癸。"
        );
    }

    #[test]
    fn the_gap_a_word_processor_leaves_around_digits_is_no_space_but_a_typed_space_is() {
        // Autospace of a quarter of the font size around each digit run; a
        // typed space, as wide, drawn between the name and the number.
        let mut glyphs = line(0.0, 10.0, "纪占斌等");
        glyphs.extend(line(42.5, 10.0, "3"));
        glyphs.extend(line(55.0, 10.0, "名代表"));
        glyphs.extend(line(0.0, 30.0, "张雷"));
        glyphs.push(Glyph {
            x: 20.0,
            y: 30.0,
            size: 10.0,
            advance: 2.5,
            text: " ".to_string(),
        });
        glyphs.extend(line(22.5, 30.0, "8788586"));
        glyphs.extend(line(95.0, 30.0, "号"));
        assert_eq!(text(&[Page { glyphs }]), "纪占斌等3名代表\n张雷 8788586号");
    }

    #[test]
    fn a_line_that_hangs_its_full_stop_past_the_margin_does_not_move_the_margin() {
        let p = page(&[
            line(20.0, 10.0, "一二三四五六七八"),
            line(0.0, 25.0, "九十甲乙丙丁戊己庚癸。"),
            line(21.0, 40.0, "公开方式：主动"),
            line(0.0, 55.0, "公开"),
            line(0.0, 70.0, "一二三四五六七八九十"),
            line(0.0, 85.0, "一二三四五六七八九十"),
        ]);
        assert_eq!(
            text(&[p]),
            "一二三四五六七八九十甲乙丙丁戊己庚癸。\n公开方式：主动公开\n一二三四五六七八九十一二三四五六七八九十"
        );
    }

    #[test]
    fn a_line_stopped_short_by_a_word_that_would_not_fit_continues_and_a_signature_does_not() {
        let p = page(&[
            line(0.0, 10.0, "文号：民农字"),
            line(0.0, 25.0, "〔2021〕184号"),
            line(20.0, 40.0, "一二三四五六七八"),
            line(0.0, 55.0, "九十甲乙丙丁戊己庚辛"),
            line(0.0, 70.0, "一二三四五六七八九"),
            line(40.0, 85.0, "某某局"),
            line(30.0, 100.0, "2021年6月"),
            line(0.0, 115.0, "联系人：张三"),
        ]);
        assert_eq!(
            text(&[p]),
            "文号：民农字〔2021〕184号\n一二三四五六七八九十甲乙丙丁戊己庚辛一二三四五六七八九\n某某局\n2021年6月\n联系人：张三"
        );
    }

    #[test]
    fn a_label_after_a_full_line_that_ends_a_sentence_starts_a_paragraph() {
        let p = page(&[
            line(20.0, 10.0, "一二三四五六七八"),
            line(0.0, 25.0, "九十甲乙丙丁戊己庚。"),
            line(0.0, 40.0, "单位名称：某某局"),
            line(0.0, 55.0, "一二三四五六七八九十"),
        ]);
        assert_eq!(
            text(&[p]),
            "一二三四五六七八九十甲乙丙丁戊己庚。\n单位名称：某某局\n一二三四五六七八九十"
        );
    }

    #[test]
    fn a_gap_on_a_line_is_a_space_and_an_overprint_is_one_character() {
        let mut glyphs = line(0.0, 10.0, "联系人");
        glyphs.extend(line(50.0, 10.0, "张雷"));
        glyphs.extend(line(50.3, 10.0, "张"));
        assert_eq!(text(&[Page { glyphs }]), "联系人 张雷");
    }
}
