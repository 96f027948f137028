//! What a character becomes before it is indexed or searched for.
//!
//! Index and query go through this same function (and `search.js` carries a
//! copy of it, `normaliseCode`, which must stay identical), so a query matches
//! exactly where a plain substring search over the normalised text would:
//!
//! - whitespace and invisible characters are dropped, so `签 发 人`, a phrase
//!   broken across lines by a PDF import, or `项目 102 个` are found by
//!   `签发人`, `项目102个`; Chinese puts no spaces between words, and the
//!   spaces that do occur in replies are layout. In a query, whitespace
//!   separates terms that must all occur (see `search.js`), never text to match;
//! - full-width ASCII variants (`０`–`９`, `Ａ`–`Ｚ`, `（`, `－`, …, U+FF01–U+FF5E)
//!   become ASCII, so `（2020-2022年）` is found by `(2020-2022年)`;
//! - ASCII letters are lowercased, and only they: case mapping beyond ASCII
//!   differs between Rust and old browsers, and a difference would lose results.
//!
//! Everything else, Chinese punctuation such as `〔〕` included, is kept as is.

/// The normalised form of one character, or `None` when it is not text.
pub(crate) fn normalise_char(c: char) -> Option<char> {
    let cp = c as u32;
    if is_ignorable(cp) {
        return None;
    }
    let cp = if (0xFF01..=0xFF5E).contains(&cp) {
        cp - 0xFEE0
    } else {
        cp
    };
    let cp = if (0x41..=0x5A).contains(&cp) {
        cp + 0x20
    } else {
        cp
    };
    char::from_u32(cp)
}

/// Whitespace, control characters and zero-width marks: the explicit list
/// rather than `char::is_whitespace`, because JavaScript's `\s` disagrees
/// with it on a few characters and both sides must drop the same ones.
fn is_ignorable(cp: u32) -> bool {
    matches!(cp,
        0x00..=0x20
        | 0x7F..=0xA0
        | 0xAD
        | 0x1680
        | 0x180E
        | 0x2000..=0x200F
        | 0x2028..=0x202F
        | 0x205F..=0x2064
        | 0x3000
        | 0xFEFF)
}

/// The normalised form of a whole string, for tests that compare texts the
/// way search does.
#[cfg(test)]
pub(crate) fn normalise(s: &str) -> String {
    s.chars().filter_map(normalise_char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_and_line_breaks_are_dropped() {
        assert_eq!(normalise("签 发 人：薛庆林\n"), "签发人:薛庆林");
        assert_eq!(normalise("学习点播\n\n量超过"), "学习点播量超过");
        assert_eq!(normalise("a\u{3000}b\u{a0}c\u{200b}d\u{feff}"), "abcd");
    }

    #[test]
    fn full_width_digits_and_letters_fold_to_lowercase_ascii() {
        assert_eq!(normalise("ＤＨ０２７１"), "dh0271");
        assert_eq!(normalise("（2020－2022年）"), "(2020-2022年)");
        assert_eq!(normalise("PM2.5 Abc"), "pm2.5abc");
    }

    #[test]
    fn chinese_text_and_punctuation_are_kept() {
        assert_eq!(
            normalise("常工信复〔2021〕第28号"),
            "常工信复〔2021〕第28号"
        );
        assert_eq!(normalise("“六稳”、《通知》"), "“六稳”、《通知》");
    }

    #[test]
    fn letters_beyond_ascii_keep_their_case() {
        assert_eq!(normalise("ÄΣ"), "ÄΣ");
    }
}
