//! Dates as replies write them, made ISO: `2021年6月10日`, `2024-11-15`,
//! `2021年06月19日`, `二〇二一年六月十日`, `20241018`, the collapsed `2021514`
//! (年月日 lost) and the typo `2019月6月11日`. A date is repaired only where one
//! reading is possible: `2021111` could be 1月11日 or 11月1日 and is refused.

use std::fmt;
use std::sync::LazyLock;

use regex::Regex;

/// A calendar date that exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Digits with separators; the first separator may be 月 by typo.
static SEPARATED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\d{4})\s*[年月./\-／－]\s*(\d{1,2})\s*[月./\-／－]\s*(\d{1,2})(?:\s*日|\b|[^\d])")
        .expect("date pattern")
});

/// A date's digits with its separators lost, what is left of them kept:
/// `20241018`, `202373日`, `2025 915`.
static COLLAPSED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\d{4})(?:(\d{2,4})|[ \u{3000}]+(\d{3,4}))日?$").expect("date pattern")
});

/// The same in Chinese numerals, as the date under a signature is often set.
static CHINESE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([〇零○ＯO一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月\s*([一二三四五六七八九十]{1,3})\s*日")
        .expect("date pattern")
});

/// The first date in a piece of text, such as a label's value
/// (`2019-12-04`, `2024-09-11 11:23`).
pub(super) fn find(text: &str) -> Option<Date> {
    // `20 20 年 11 月 2 日`; not `2024-09-11 11:23`, where a time follows.
    let joined = if text.contains('年') {
        without_spaces_in_numbers(text.trim())
    } else {
        text.trim().to_string()
    };
    let text = joined.as_str();
    // `202373日`, `2025 915`: the year, then month and day with their
    // separators lost (and a space or the 日 left).
    if let Some(caps) = COLLAPSED.captures(text) {
        let rest = caps
            .get(2)
            .or_else(|| caps.get(3))
            .map_or("", |m| m.as_str());
        return collapsed(&format!("{}{rest}", &caps[1]));
    }
    if let Some(caps) = SEPARATED.captures(text) {
        return from_numbers(&caps[1], &caps[2], &caps[3]);
    }
    let caps = CHINESE.captures(text)?;
    Date::new(
        chinese_number(&caps[1])?,
        chinese_number(&caps[2])?,
        chinese_number(&caps[3])?,
    )
}

/// The text with the spaces between two digits removed: extraction spreads
/// a date out (`20 20 年 11 月 2 日`), and no year, month or day has a space
/// in it.
fn without_spaces_in_numbers(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    chars
        .iter()
        .enumerate()
        .filter(|&(i, c)| {
            let spread = c.is_whitespace()
                && i > 0
                && chars[i - 1].is_ascii_digit()
                && chars[i + 1..]
                    .iter()
                    .find(|c| !c.is_whitespace())
                    .is_some_and(char::is_ascii_digit);
            !spread
        })
        .map(|(_, c)| *c)
        .collect()
}

/// A line that is a date and nothing else, like the one under a signature.
/// Table borders and brackets around it (`2018年6月28日 |`) are allowed.
pub(super) fn whole_line(line: &str) -> Option<Date> {
    let inner = line.trim_matches(|c: char| {
        c.is_whitespace() || matches!(c, '|' | '｜' | '│' | '(' | ')' | '（' | '）')
    });
    let date = find(inner)?;
    let rest_is_date = inner.chars().filter(|c| !c.is_whitespace()).count() <= 16
        && inner.chars().all(|c| {
            c.is_ascii_digit() || "年月日./-／－ 〇零○ＯO一二三四五六七八九十".contains(c)
        });
    rest_is_date.then_some(date)
}

/// A line that was a date and lost part of it (`0二十六日`: the year and the
/// month gone): under a signature it still ends the letter, though it
/// gives no date.
pub(super) fn is_damaged(line: &str) -> bool {
    let c: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    (2..=12).contains(&c.chars().count())
        && c.ends_with('日')
        && c.chars()
            .any(|ch| ch.is_ascii_digit() || "〇零○一二三四五六七八九十".contains(ch))
        && c.chars()
            .all(|ch| ch.is_ascii_digit() || "年月日〇零○ＯO一二三四五六七八九十".contains(ch))
}

/// Digits with the separators lost: 8 digits are YYYYMMDD; 7 and 6 digits
/// are accepted when exactly one split gives a real date.
fn collapsed(digits: &str) -> Option<Date> {
    if !(6..=8).contains(&digits.len()) {
        return None;
    }
    let (year, rest) = digits.split_at(4);
    let mut readings = (1..rest.len())
        .filter(|&cut| rest.len() - cut <= 2 && cut <= 2)
        .filter_map(|cut| from_numbers(year, &rest[..cut], &rest[cut..]));
    let first = readings.next()?;
    readings.next().is_none().then_some(first)
}

fn from_numbers(year: &str, month: &str, day: &str) -> Option<Date> {
    Date::new(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?)
}

/// 二〇二一 → 2021 (digit by digit); 十 → 10, 二十五 → 25, 三十一 → 31.
fn chinese_number(s: &str) -> Option<u32> {
    let digit = |c: char| "〇一二三四五六七八九".chars().position(|d| d == c);
    if !s.contains('十') {
        return s.chars().try_fold(0u32, |acc, c| {
            let d = match c {
                '零' | '○' | 'Ｏ' | 'O' => 0,
                _ => digit(c)? as u32,
            };
            Some(acc * 10 + d)
        });
    }
    let (tens, ones) = s.split_once('十')?;
    let tens = if tens.is_empty() {
        1
    } else {
        digit(tens.chars().next()?)? as u32
    };
    let ones = match ones.chars().next() {
        None => 0,
        Some(c) => digit(c)? as u32,
    };
    Some(tens * 10 + ones)
}

impl Date {
    /// A date, if it exists and falls in the years replies are written.
    pub(crate) fn new(year: u32, month: u32, day: u32) -> Option<Date> {
        let leap =
            year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        ((1949..=2100).contains(&year) && (1..=days).contains(&day)).then_some(Date {
            year: year as u16,
            month: month as u8,
            day: day as u8,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_spread_by_spaces_is_read() {
        assert_eq!(iso("20 20 年 11 月 2 日").as_deref(), Some("2020-11-02"));
        assert!(whole_line("20 20 年 11 月 2 日").is_some());
    }

    fn iso(text: &str) -> Option<String> {
        find(text).map(|d| d.to_string())
    }

    #[test]
    fn the_usual_forms_are_read() {
        assert_eq!(iso("2021年6月10日").as_deref(), Some("2021-06-10"));
        assert_eq!(iso("2021年06月19日").as_deref(), Some("2021-06-19"));
        assert_eq!(iso("2024-11-15").as_deref(), Some("2024-11-15"));
        assert_eq!(iso("2024-09-11 11:23").as_deref(), Some("2024-09-11"));
        assert_eq!(iso("2024.1.5").as_deref(), Some("2024-01-05"));
        assert_eq!(iso("二〇二一年六月十日").as_deref(), Some("2021-06-10"));
        assert_eq!(
            iso("二〇二三年十二月三十一日").as_deref(),
            Some("2023-12-31")
        );
    }

    #[test]
    fn broken_forms_are_repaired_where_unambiguous() {
        assert_eq!(iso("20241018").as_deref(), Some("2024-10-18"));
        assert_eq!(iso("2021514").as_deref(), Some("2021-05-14"));
        assert_eq!(iso("202156").as_deref(), Some("2021-05-06"));
        assert_eq!(iso("2019月6月11日").as_deref(), Some("2019-06-11"));
        assert_eq!(iso("2021111"), None, "1月11日 or 11月1日");
        assert_eq!(iso("202373日").as_deref(), Some("2023-07-03"));
        assert_eq!(iso("2025 915").as_deref(), Some("2025-09-15"));
        assert!(whole_line("2025 915").is_some());
        assert_eq!(iso("2021 12"), None, "too few digits to tell");
    }

    #[test]
    fn impossible_dates_are_refused() {
        assert_eq!(iso("2021年2月30日"), None);
        assert_eq!(iso("2021-13-01"), None);
        assert_eq!(iso("12345678"), None);
        assert_eq!(iso("2024年2月29日").as_deref(), Some("2024-02-29"));
    }

    #[test]
    fn a_date_line_holds_nothing_else() {
        assert!(whole_line("2018年6月28日 |").is_some());
        assert!(whole_line("2021514").is_some());
        assert!(whole_line("（2021年7月13日）").is_some());
        assert!(whole_line("2020年4月,我部印发《行动方案》").is_none());
        assert!(whole_line("发布时间:2024-11-21").is_none());
        assert!(is_damaged("0二十六日") && whole_line("0二十六日").is_none());
        assert!(!is_damaged("日") && !is_damaged("感谢您的关心。"));
    }
}
