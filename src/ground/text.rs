//! Bytes of a user's file into text: UTF-8 (with or without a BOM), UTF-16
//! with a BOM, or GB18030 (which GBK and GB2312 are subsets of), since files
//! saved by Chinese editions of Windows tools often are. Line endings become
//! `\n`. A file that is none of these, or holds a NUL byte, is a problem
//! naming the line where the bad bytes start.

use encoding_rs::{GB18030, UTF_16BE, UTF_16LE};

/// Why bytes are not text, with the 1-based line where it shows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum TextError {
    #[error("holds a NUL byte: this is a binary file, not text")]
    Nul { line: usize },
    #[error("is neither UTF-8, UTF-16 nor GB18030/GBK text (bad bytes start here)")]
    Undecodable { line: usize },
}

impl TextError {
    pub(crate) fn line(&self) -> usize {
        match self {
            TextError::Nul { line } | TextError::Undecodable { line } => *line,
        }
    }
}

/// Which encoding the bytes were in, so a caller can mention a legacy one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    Utf8,
    Utf16,
    Gb18030,
}

/// Decodes a file's bytes, normalising line endings to `\n`.
pub(crate) fn decode(bytes: &[u8]) -> Result<(String, Encoding), TextError> {
    let (text, encoding) = decode_raw(bytes)?;
    if let Some(at) = text.find('\0') {
        return Err(TextError::Nul {
            line: count_lines(&text.as_bytes()[..at]),
        });
    }
    Ok((normalise_newlines(text), encoding))
}

fn decode_raw(bytes: &[u8]) -> Result<(String, Encoding), TextError> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return utf8(rest);
    }
    for (bom, encoding) in [(b"\xFF\xFE", UTF_16LE), (b"\xFE\xFF", UTF_16BE)] {
        if let Some(rest) = bytes.strip_prefix(bom) {
            let (text, had_errors) = encoding.decode_without_bom_handling(rest);
            if had_errors {
                return Err(TextError::Undecodable { line: 1 });
            }
            return Ok((text.into_owned(), Encoding::Utf16));
        }
    }
    if let Some(at) = bytes.iter().position(|&b| b == 0) {
        return Err(TextError::Nul {
            line: count_lines(&bytes[..at]),
        });
    }
    utf8(bytes).or_else(|utf8_error| {
        let (text, had_errors) = GB18030.decode_without_bom_handling(bytes);
        if had_errors {
            Err(utf8_error)
        } else {
            Ok((text.into_owned(), Encoding::Gb18030))
        }
    })
}

fn utf8(bytes: &[u8]) -> Result<(String, Encoding), TextError> {
    // Every content file goes through here on every build: SIMD validation
    // takes a tenth of the time std's does on Chinese text.
    match simdutf8::compat::from_utf8(bytes) {
        Ok(text) => Ok((text.to_string(), Encoding::Utf8)),
        Err(e) => Err(TextError::Undecodable {
            line: count_lines(&bytes[..e.valid_up_to()]),
        }),
    }
}

/// Whether a character may not be published: the controls but tab and
/// line feed (XML 1.0 cannot carry most of them, so one in a title breaks
/// every feed it is in; HTML counts all of them as errors), and the
/// noncharacters (U+FDD0–U+FDEF and the last two of every plane).
pub(crate) fn unpublishable(c: char) -> bool {
    let code = u32::from(c);
    (c.is_control() && !matches!(c, '\t' | '\n'))
        || (0xFDD0..=0xFDEF).contains(&code)
        || code & 0xFFFE == 0xFFFE
}

/// How a message names a character: `U+000C form feed`.
pub(crate) fn char_name(c: char) -> String {
    const C0: [&str; 32] = [
        "null",
        "start of heading",
        "start of text",
        "end of text",
        "end of transmission",
        "enquiry",
        "acknowledge",
        "bell",
        "backspace",
        "tab",
        "line feed",
        "vertical tab",
        "form feed",
        "carriage return",
        "shift out",
        "shift in",
        "data link escape",
        "device control one",
        "device control two",
        "device control three",
        "device control four",
        "negative acknowledge",
        "synchronous idle",
        "end of transmission block",
        "cancel",
        "end of medium",
        "substitute",
        "escape",
        "file separator",
        "group separator",
        "record separator",
        "unit separator",
    ];
    let code = u32::from(c);
    let name = match code {
        0..=0x1F => C0[code as usize],
        0x7F => "delete",
        0x80..=0x9F => "control character",
        _ if unpublishable(c) => "noncharacter",
        _ => "",
    };
    if name.is_empty() {
        format!("U+{code:04X}")
    } else {
        format!("U+{code:04X} {name}")
    }
}

fn count_lines(before: &[u8]) -> usize {
    before.iter().filter(|&&b| b == b'\n').count() + 1
}

fn normalise_newlines(text: String) -> String {
    if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bom_and_crlf_read_as_plain_utf8() {
        let (text, encoding) = decode("\u{feff}标题\r\n正文\r\n".as_bytes()).unwrap();
        assert_eq!(text, "标题\n正文\n");
        assert_eq!(encoding, Encoding::Utf8);
    }

    #[test]
    fn gbk_bytes_decode_as_gb18030() {
        let (bytes, _, _) = GB18030.encode("关于对市政协提案的答复\n");
        let (text, encoding) = decode(&bytes).unwrap();
        assert_eq!(text, "关于对市政协提案的答复\n");
        assert_eq!(encoding, Encoding::Gb18030);
    }

    #[test]
    fn utf16_with_a_bom_decodes() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "答复".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(decode(&bytes).unwrap().0, "答复");
    }

    #[test]
    fn a_nul_byte_is_refused_with_its_line() {
        assert_eq!(decode(b"a\nb\0"), Err(TextError::Nul { line: 2 }));
    }

    #[test]
    fn controls_but_tab_and_newline_are_unpublishable_and_named() {
        for c in [
            '\u{c}',
            '\u{b}',
            '\u{1b}',
            '\u{7f}',
            '\u{85}',
            '\u{fffe}',
            '\u{1ffff}',
        ] {
            assert!(unpublishable(c), "{c:?}");
        }
        for c in ['\t', '\n', 'a', '答', '\u{3000}', '\u{fffd}'] {
            assert!(!unpublishable(c), "{c:?}");
        }
        assert_eq!(char_name('\u{c}'), "U+000C form feed");
        assert_eq!(char_name('\u{b}'), "U+000B vertical tab");
        assert_eq!(char_name('\u{9c}'), "U+009C control character");
    }

    #[test]
    fn junk_is_refused() {
        assert!(matches!(
            decode(b"ok\n\xff\xff\xff"),
            Err(TextError::Undecodable { line: 2 })
        ));
    }
}
