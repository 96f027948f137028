//! Working days (工作日): the rules that publish replies ask for it within
//! so many working days of the answer, and a working day is not simply a
//! weekday. The State Council's calendar moves rest days around the public
//! holidays and makes some weekends working days (调休). The calendars of
//! the years dafu knows are built in (`holidays-cn.yaml`, with their
//! sources); config.yaml's `holidays:` adds a year or replaces one. A year
//! with no calendar counts weekends only, and the stats page says so.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound::{Excluded, Included};
use std::sync::OnceLock;

use jiff::ToSpan;
use jiff::civil::{Date, Weekday};
use serde::{Deserialize, Serialize};

/// The built-in calendars, as the YAML a site's config.yaml uses.
const BUILT_IN: &str = include_str!("holidays-cn.yaml");

/// One year's calendar as config.yaml writes it: the rest days that are not
/// weekends, and the weekend days that are working days.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct HolidayYear {
    pub rest: Vec<Days>,
    pub work: Vec<Days>,
}

/// A day, `2024-10-01`, or a run of days, `2024-10-01..2024-10-07`, both
/// ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(try_from = "String", into = "String")]
pub struct Days {
    first: Date,
    last: Date,
}

impl TryFrom<String> for Days {
    type Error = String;

    fn try_from(text: String) -> Result<Days, String> {
        let day = |t: &str| {
            t.trim()
                .parse::<Date>()
                .map_err(|_| rust_i18n::t!("config.holiday", text = text).into_owned())
        };
        let (first, last) = match text.split_once("..") {
            Some((a, b)) => (day(a)?, day(b)?),
            None => (day(&text)?, day(&text)?),
        };
        if last < first {
            return Err(rust_i18n::t!("config.holiday", text = text).into_owned());
        }
        Ok(Days { first, last })
    }
}

impl From<Days> for String {
    fn from(days: Days) -> String {
        if days.first == days.last {
            days.first.to_string()
        } else {
            format!("{}..{}", days.first, days.last)
        }
    }
}

impl Days {
    fn each(self) -> impl Iterator<Item = Date> {
        self.first
            .series(1.day())
            .take_while(move |d| *d <= self.last)
    }
}

/// The working-day calendar a site counts with.
#[derive(Debug, Clone, Default)]
pub(crate) struct Calendar {
    /// Rest days, sorted, so that a span's are found without walking it:
    /// a reply published years late is counted as fast as one on time.
    rest: BTreeSet<Date>,
    work: BTreeSet<Date>,
    /// The years it has the official calendar of.
    years: BTreeSet<i16>,
}

fn built_in() -> &'static BTreeMap<i16, HolidayYear> {
    static YEARS: OnceLock<BTreeMap<i16, HolidayYear>> = OnceLock::new();
    YEARS.get_or_init(|| {
        serde_yaml::from_str(BUILT_IN).expect("the built-in calendar parses: a test reads it")
    })
}

impl Calendar {
    /// The built-in years, each replaced by config.yaml's when it gives it,
    /// and the years only config.yaml gives.
    pub(crate) fn new(configured: &BTreeMap<i16, HolidayYear>) -> Calendar {
        let mut calendar = Calendar::default();
        let years = built_in()
            .iter()
            .filter(|(year, _)| !configured.contains_key(year))
            .chain(configured);
        for (&year, days) in years {
            calendar.years.insert(year);
            calendar
                .rest
                .extend(days.rest.iter().flat_map(|d| d.each()));
            calendar
                .work
                .extend(days.work.iter().flat_map(|d| d.each()));
        }
        // A day listed both ways is worked.
        let work = &calendar.work;
        calendar.rest.retain(|day| !work.contains(day));
        calendar
    }

    /// Whether the calendar of `year` is known, not only its weekends.
    pub(crate) fn knows(&self, year: i16) -> bool {
        self.years.contains(&year)
    }

    /// Working days from `from` to `to`: those after `from` up to and
    /// including `to`, so a reply published the day it is dated took 0 and
    /// one published on the next working day took 1. `None` when `to` is
    /// before `from`.
    pub(crate) fn working_days(&self, from: Date, to: Date) -> Option<u32> {
        let days = from.until(to).ok()?.get_days();
        if days < 0 {
            return None;
        }
        // Weekdays: five in each whole week, then those of the days left
        // over at the end; then the calendar's changes within the span.
        let mut count = days / 7 * 5;
        for back in 0..days % 7 {
            count += i32::from(!is_weekend(to.checked_sub(back.days()).ok()?));
        }
        let span = (Excluded(from), Included(to));
        let rested = self.rest.range(span).filter(|&&d| !is_weekend(d)).count();
        let worked = self.work.range(span).filter(|&&d| is_weekend(d)).count();
        let count = i64::from(count) - i64::try_from(rested).ok()? + i64::try_from(worked).ok()?;
        u32::try_from(count).ok()
    }
}

fn is_weekend(day: Date) -> bool {
    matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether `day` is worked, day by day: what `working_days` counts.
    fn is_working_day(calendar: &Calendar, day: Date) -> bool {
        if calendar.work.contains(&day) {
            return true;
        }
        if calendar.rest.contains(&day) {
            return false;
        }
        !is_weekend(day)
    }
    use jiff::civil::date;

    #[test]
    fn the_built_in_calendar_reads_and_knows_its_years() {
        let calendar = Calendar::new(&BTreeMap::new());
        assert!(calendar.knows(2024) && calendar.knows(2025) && calendar.knows(2026));
        assert!(!calendar.knows(2023));
        // 国庆节 2025: rest from 1 to 8 October; Saturday 11 October is worked.
        assert!(!is_working_day(&calendar, date(2025, 10, 8)));
        assert!(is_working_day(&calendar, date(2025, 10, 11)));
        assert!(is_working_day(&calendar, date(2025, 10, 9)));
    }

    #[test]
    fn working_days_skip_weekends_and_holidays_and_count_make_up_days() {
        let calendar = Calendar::new(&BTreeMap::new());
        // Thursday 30 September 2025 to Thursday 16 October: 1–8 October
        // rest, the 11th worked, the 12th a Sunday.
        assert_eq!(
            calendar.working_days(date(2025, 9, 30), date(2025, 10, 16)),
            Some(7)
        );
        assert_eq!(
            calendar.working_days(date(2025, 9, 30), date(2025, 9, 30)),
            Some(0)
        );
        assert_eq!(
            calendar.working_days(date(2025, 9, 30), date(2025, 9, 29)),
            None
        );
        // A year without a calendar: weekends only.
        assert_eq!(
            calendar.working_days(date(2023, 1, 6), date(2023, 1, 9)),
            Some(1)
        );
        // Across years, as a day-by-day count gives it.
        let (from, to) = (date(2023, 12, 20), date(2026, 3, 3));
        let walked = from
            .series(1.day())
            .skip(1)
            .take_while(|d| *d <= to)
            .filter(|&d| is_working_day(&calendar, d))
            .count();
        assert_eq!(calendar.working_days(from, to), u32::try_from(walked).ok());
    }

    #[test]
    fn a_configured_year_replaces_the_built_in_one() {
        let year: HolidayYear =
            serde_yaml::from_str("rest: [2025-03-03..2025-03-04]\nwork: []").unwrap();
        let calendar = Calendar::new(&BTreeMap::from([(2025, year)]));
        assert!(!is_working_day(&calendar, date(2025, 3, 4)));
        assert!(is_working_day(&calendar, date(2025, 10, 8)));
        assert!(serde_yaml::from_str::<HolidayYear>("rest: [2025-13-01]").is_err());
    }
}
