//! Small facts about Chinese text that every stage of import shares: which
//! characters are Han or full-width punctuation, how to drop the stray spaces
//! that PDF and web extraction put between them, and what a department's name
//! looks like.

/// A Han character (the CJK blocks used by government documents) or 〇.
pub(super) fn is_han(c: char) -> bool {
    matches!(c,
        '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{3134F}'
        | '〇')
}

/// Full-width and CJK punctuation: 。，、：；（）〔〕【】《》“”…
pub(super) fn is_cjk_punct(c: char) -> bool {
    matches!(c,
        '\u{3001}'..='\u{303F}'
        | '\u{FF01}'..='\u{FF0F}'
        | '\u{FF1A}'..='\u{FF20}'
        | '\u{FF3B}'..='\u{FF40}'
        | '\u{FF5B}'..='\u{FF65}'
        | '“' | '”' | '‘' | '’' | '—' | '…' | '·')
}

fn is_cjk(c: char) -> bool {
    is_han(c) || is_cjk_punct(c)
}

/// How many columns a line takes in a monospaced layout: Chinese characters,
/// full-width forms and the ideographic space take two, the rest one. A
/// PDF's lines are all about as wide as the page by this measure, whatever
/// mix of Chinese and digits they hold.
pub(super) fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            let wide = is_cjk(c)
                || matches!(c, '\u{3000}' | '\u{FF01}'..='\u{FF60}' | '\u{FFE0}'..='\u{FFE6}');
            if wide { 2 } else { 1 }
        })
        .sum()
}

/// Whitespace as it comes out of PDFs and web pages: ASCII, the ideographic
/// space U+3000, no-break spaces and stray byte-order marks.
pub(super) fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{FEFF}'
}

pub(super) fn trim(s: &str) -> &str {
    s.trim_matches(is_space)
}

/// The text with every space removed: label names and titles are compared
/// this way because extraction spreads them out (`签 发 人`, `答 复`).
pub(super) fn compact(s: &str) -> String {
    s.chars().filter(|&c| !is_space(c)).collect()
}

/// Full-width digits and Latin letters made ASCII, so that one pattern reads
/// `２０２１` and `2021`. Punctuation is left alone: values keep it.
pub(super) fn ascii_alnum(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' => {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            }
            _ => c,
        })
        .collect()
}

/// Removes the spaces that extraction adds between two Chinese characters or
/// between a Chinese character and a digit (`2020 年`, `102 个`, `提案 第`),
/// and collapses other runs of spaces to one. Chinese text has no spaces of its
/// own, so nothing a writer meant is lost.
pub(super) fn tidy_spaces(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    let mut prev: Option<char> = None;
    for c in trim(s).chars() {
        if is_space(c) {
            pending_space = true;
            continue;
        }
        if pending_space {
            let glued = prev.is_some_and(|p| {
                (is_cjk(p) && (is_cjk(c) || c.is_ascii_digit()))
                    || (p.is_ascii_digit() && is_cjk(c))
            });
            if !glued {
                out.push(' ');
            }
            pending_space = false;
        }
        out.push(c);
        prev = Some(c);
    }
    out
}

/// How a department's name ends: 局, 厅, 委员会, 办公室…
const DEPARTMENT_ENDINGS: &[&str] = &[
    "局",
    "厅",
    "委员会",
    "委",
    "办公室",
    "办",
    "部",
    "院",
    "会",
    "站",
    "中心",
    "政府",
    "所",
    "公司",
    "处",
    "队",
    "署",
    "馆",
    "社",
    "行",
    "集团",
    "街道",
    "镇",
    "乡",
    "司",
    "室",
    "团",
    "台",
    "厂",
    "场",
    "园区",
    "大学",
    "海关",
    "监狱",
    "银行",
];

/// A line that can only be a department's name: a few Han characters (maybe
/// with parentheses) ending the way department names end. Used for the
/// signature above the date and the red header above the 文号.
pub(super) fn looks_like_department(s: &str) -> bool {
    let n = s.chars().count();
    (3..=30).contains(&n)
        && s.chars().all(|c| is_han(c) || "（）()·".contains(c))
        && DEPARTMENT_ENDINGS.iter().any(|e| s.ends_with(e))
}

/// A short deterministic hash (FNV-1a, 64 bits), for file names that must
/// come out the same on every machine and every Rust version; the standard
/// library's hasher promises neither.
pub(super) fn fnv1a(s: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in s.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaces_between_chinese_and_digits_go() {
        assert_eq!(tidy_spaces("精准优选项目 102 个"), "精准优选项目102个");
        assert_eq!(tidy_spaces("2020 年已为 2990 人次"), "2020年已为2990人次");
        assert_eq!(tidy_spaces("提案 第0152号"), "提案第0152号");
        assert_eq!(tidy_spaces("答 复"), "答复");
    }

    #[test]
    fn spaces_between_latin_words_stay() {
        assert_eq!(tidy_spaces("5G  网络 and   more"), "5G 网络 and more");
    }

    #[test]
    fn full_width_digits_become_ascii() {
        assert_eq!(ascii_alnum("２０２１年Ａ类，"), "2021年A类，");
    }

    #[test]
    fn department_names_are_recognised() {
        assert!(looks_like_department("常州市工业和信息化局"));
        assert!(looks_like_department("安宁工业园区管理委员会"));
        assert!(!looks_like_department("特此说明"));
        assert!(!looks_like_department("敬礼"));
        assert!(!looks_like_department("2021年6月10日"));
    }

    #[test]
    fn the_hash_is_stable() {
        assert_eq!(fnv1a(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a("a"), 0xaf63_dc4c_8601_ec8c);
    }
}
