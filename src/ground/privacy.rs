//! The privacy lint: a member's own contact details must not be published
//! (国办发〔2014〕46号 and the provincial rules), yet transcribed replies
//! sometimes carry a mobile number or an ID number. This finds the two
//! shapes that are personal beyond doubt in Chinese text:
//!
//! - a mobile number: `1[3-9]` and nine more digits (also written
//!   `139-1234-5678`, `139 1234 5678` or `+86…`);
//! - a resident ID number: seventeen digits and a digit or `X`;
//!
//! neither inside a longer run of digits (an 8-digit office line such as
//! 85681230, a long account number) nor, for a mobile number, followed by
//! 元, 万, 亿 or % (a sum). Full-width digits count as digits.
//! Findings are warnings: the lint cannot know whose number it is.

use rust_i18n::t;

/// What was found, and where it starts (a byte offset into the text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Finding {
    pub offset: usize,
    pub kind: PersonalNumber,
    /// The number with its middle masked, to name it without repeating it.
    pub masked: String,
}

/// Whose number it is: a mobile phone's, or a resident ID card's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PersonalNumber {
    Mobile,
    ResidentId,
}

impl Finding {
    pub(crate) fn message(&self) -> String {
        let key = match self.kind {
            PersonalNumber::Mobile => "privacy.mobile",
            PersonalNumber::ResidentId => "privacy.resident_id",
        };
        t!(key, number = self.masked).into_owned()
    }
}

/// The digit at byte `at` and its length: an ASCII digit, or a full-width
/// one (U+FF10–U+FF19, three bytes in UTF-8).
fn digit_at(bytes: &[u8], at: usize) -> Option<(char, usize)> {
    match bytes.get(at..)? {
        [d @ b'0'..=b'9', ..] => Some((*d as char, 1)),
        [0xEF, 0xBC, d @ 0x90..=0x99, ..] => Some(((b'0' + (d - 0x90)) as char, 3)),
        _ => None,
    }
}

/// How many digits a run from `at` has, and where it ends, without
/// allocating: most runs (years, amounts) are of no interest.
fn run_len(bytes: &[u8], mut at: usize) -> (usize, usize) {
    let mut count = 0;
    while let Some((_, len)) = digit_at(bytes, at) {
        count += 1;
        at += len;
    }
    (count, at)
}

/// Reads a run of digits from `at`: the digits and where the run ends.
fn run_at(bytes: &[u8], mut at: usize) -> (String, usize) {
    let mut digits = String::new();
    while let Some((d, len)) = digit_at(bytes, at) {
        digits.push(d);
        at += len;
    }
    (digits, at)
}

/// Every finding in `text`, in order.
pub(crate) fn scan(text: &str) -> Vec<Finding> {
    let bytes = text.as_bytes();
    let mut findings = Vec::new();
    let mut at = 0;
    // Full-width digits are rare, full-width punctuation (same lead byte) is
    // everywhere: look for the lead byte only in a text that has them.
    let full_width = memchr::memmem::find_iter(bytes, b"\xEF\xBC")
        .any(|i| matches!(bytes.get(i + 2), Some(0x90..=0x99)));
    while let Some(next) = next_candidate(bytes, at, full_width) {
        at = next;
        if digit_at(bytes, at).is_none() {
            at += 1;
            continue;
        }
        let offset = at;
        let (count, end) = run_len(bytes, at);
        at = end;
        if !matches!(count, 3 | 11 | 13 | 17 | 18) {
            continue;
        }
        let (mut digits, _) = run_at(bytes, offset);
        let found = |kind, masked| Finding {
            offset,
            kind,
            masked,
        };
        match digits.len() {
            11 if is_mobile(&digits) && !is_amount(&text[end..]) => {
                findings.push(found(PersonalNumber::Mobile, mask(&digits, 3, 4)));
            }
            13 if offset > 0
                && bytes[offset - 1] == b'+'
                && digits.starts_with("86")
                && is_mobile(&digits[2..]) =>
            {
                findings.push(found(PersonalNumber::Mobile, mask(&digits[2..], 3, 4)));
            }
            17 => {
                let rest = &text[end..];
                let Some(x) = rest.chars().next().filter(|c| "XxＸｘ".contains(*c)) else {
                    continue;
                };
                if rest[x.len_utf8()..]
                    .chars()
                    .next()
                    .is_none_or(|c| !c.is_alphanumeric())
                {
                    digits.push('X');
                    at = end + x.len_utf8();
                    findings.push(found(PersonalNumber::ResidentId, mask(&digits, 6, 4)));
                }
            }
            18 => findings.push(found(PersonalNumber::ResidentId, mask(&digits, 6, 4))),
            3 if is_mobile_prefix(&digits) => {
                if let Some((number, after)) = separated_mobile(bytes, digits, end) {
                    findings.push(found(PersonalNumber::Mobile, mask(&number, 3, 4)));
                    at = after;
                }
            }
            _ => {}
        }
    }
    findings
}

/// Where the next byte that may start a digit is: an ASCII digit, or 0xEF
/// (full-width digits, and much else) when the text has full-width digits. Eight bytes a step, since most of a
/// reply is Chinese text without either (a byte at a time cost more than
/// rendering the Markdown).
fn next_candidate(bytes: &[u8], mut at: usize, full_width: bool) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    const LOW7: u64 = LO * 127;
    while let Some(word) = bytes.get(at..at + 8) {
        let x = u64::from_le_bytes(word.try_into().unwrap_or_default());
        // A byte in b'0'..=b'9': the exact "has between" test of Bit Twiddling Hacks.
        let digit = (LO * (127 + u64::from(b'9') + 1)).wrapping_sub(x & LOW7)
            & !x
            & ((x & LOW7) + LO * (127 - (u64::from(b'0') - 1)))
            & HI;
        // A byte 0xEF: a zero byte in x ^ 0xEFEF….
        let ef = x ^ (LO * 0xEF);
        let lead = if full_width {
            ef.wrapping_sub(LO) & !ef & HI
        } else {
            0
        };
        if digit | lead != 0 {
            break;
        }
        at += 8;
    }
    let rest = bytes.get(at..)?;
    rest.iter()
        .position(|&b| b.is_ascii_digit() || (full_width && b == 0xEF))
        .map(|p| at + p)
}

/// Whether the text after a run of digits makes it a sum or a share
/// (`13912345678元`, `…万元`, `…%`), which no phone number is followed by.
fn is_amount(after: &str) -> bool {
    after
        .chars()
        .next()
        .is_some_and(|c| "元万亿%％".contains(c))
}

fn is_mobile_prefix(digits: &str) -> bool {
    let b = digits.as_bytes();
    b[0] == b'1' && (b'3'..=b'9').contains(&b[1])
}

fn is_mobile(digits: &str) -> bool {
    digits.len() == 11 && is_mobile_prefix(digits)
}

/// `139-1234-5678` or `139 1234 5678`: 3, 4 and 4 digits with one separator.
fn separated_mobile(bytes: &[u8], mut number: String, mut at: usize) -> Option<(String, usize)> {
    let separator = *bytes.get(at)?;
    if separator != b'-' && separator != b' ' {
        return None;
    }
    for _ in 0..2 {
        if *bytes.get(at)? != separator {
            return None;
        }
        let (digits, end) = run_at(bytes, at + 1);
        if digits.len() != 4 {
            return None;
        }
        number.push_str(&digits);
        at = end;
    }
    Some((number, at))
}

/// `13912345678` → `139****5678`.
fn mask(digits: &str, keep_start: usize, keep_end: usize) -> String {
    let n = digits.chars().count();
    digits
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i < keep_start || i >= n - keep_end {
                c
            } else {
                '*'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(text: &str) -> Vec<String> {
        scan(text).into_iter().map(|f| f.masked).collect()
    }

    #[test]
    fn mobile_numbers_are_found_in_every_usual_spelling() {
        assert_eq!(masked("联系电话13912345678。"), ["139****5678"]);
        assert_eq!(masked("手机：139-1234-5678"), ["139****5678"]);
        assert_eq!(masked("手机 139 1234 5678，"), ["139****5678"]);
        assert_eq!(masked("+8613912345678"), ["139****5678"]);
        assert_eq!(masked("１３９１２３４５６７８"), ["139****5678"]);
    }

    #[test]
    fn office_lines_longer_runs_and_dates_are_not_findings() {
        assert!(scan("联系电话：85681230，0519-85681230").is_empty());
        assert!(scan("账号 6222021234567890123").is_empty());
        assert!(scan("12912345678 与 139123456789").is_empty());
        assert!(scan("2021年6月10日，共17万个岗位").is_empty());
        assert!(scan("投入资金13912345678元，另有13912345678万元").is_empty());
        assert!(scan("占比13912345678%").is_empty());
        assert_eq!(masked("手机13912345678，捐款100元"), ["139****5678"]);
    }

    #[test]
    fn resident_id_numbers_are_found_with_a_digit_or_x_at_the_end() {
        assert_eq!(masked("身份证号320402199001011234"), ["320402********1234"]);
        assert_eq!(masked("32040219900101123X。"), ["320402********123X"]);
        assert!(scan("32040219900101123XY").is_empty());
        assert!(scan("3204021990010112345").is_empty());
    }

    #[test]
    fn numbers_are_found_wherever_they_fall_in_the_eight_byte_steps() {
        for pad in 0..9 {
            let text = format!("{}，手机13912345678，{}", "甲".repeat(pad), "x".repeat(pad));
            assert_eq!(masked(&text), ["139****5678"], "{text}");
            let ascii = format!("{}13912345678", "a".repeat(pad));
            assert_eq!(masked(&ascii), ["139****5678"], "{ascii}");
        }
    }

    #[test]
    fn the_offset_points_at_the_number() {
        let text = "第一行\n手机13912345678";
        let finding = &scan(text)[0];
        assert_eq!(&text[finding.offset..finding.offset + 3], "139");
        assert_eq!(finding.kind, PersonalNumber::Mobile);
    }
}
