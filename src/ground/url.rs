//! Percent-encoding of site paths, so that links to Chinese term pages work on
//! every host and in every browser, old ones included; and a name made one
//! segment of such a path.

/// A term's own text made safe as one URL segment.
pub(crate) fn slugify(name: &str) -> String {
    let slug: String = name
        .trim()
        .chars()
        .map(|c| {
            if c.is_whitespace() || c.is_control() || "/\\?#%\"<>|*:".contains(c) {
                '-'
            } else {
                c
            }
        })
        .collect();
    match slug.as_str() {
        "" | "." | ".." | "page" => format!("-{slug}"),
        _ => slug,
    }
}

/// Appends `path` to `out`, percent-encoding every byte outside the
/// characters a URL path may carry as they are.
pub(crate) fn encode_path_into(path: &str, out: &mut String) {
    for &byte in path.as_bytes() {
        if byte.is_ascii_alphanumeric() || b"/-_.~!$&'()*+,;=:@".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push('%');
            out.push(
                char::from_digit(u32::from(byte >> 4), 16).map_or('0', |c| c.to_ascii_uppercase()),
            );
            out.push(
                char::from_digit(u32::from(byte & 15), 16).map_or('0', |c| c.to_ascii_uppercase()),
            );
        }
    }
}

/// Decodes `%XX` escapes; `None` when an escape is malformed or the result is not UTF-8.
pub(crate) fn decode_path(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = path.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_terms_are_percent_encoded_and_decode_back() {
        let mut out = String::new();
        encode_path_into("departments/常州市 局/", &mut out);
        assert_eq!(out, "departments/%E5%B8%B8%E5%B7%9E%E5%B8%82%20%E5%B1%80/");
        assert_eq!(decode_path(&out).unwrap(), "departments/常州市 局/");
    }

    #[test]
    fn a_broken_escape_does_not_decode() {
        assert_eq!(decode_path("a%zz"), None);
        assert_eq!(decode_path("a%e5"), None);
    }

    #[test]
    fn slugs_keep_chinese_and_drop_path_characters() {
        assert_eq!(slugify("常州市工业和信息化局"), "常州市工业和信息化局");
        assert_eq!(slugify("a/b c"), "a-b-c");
        assert_eq!(slugify(".."), "-..");
    }
}
