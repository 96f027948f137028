//! The archive in numbers, for `/stats/`: replies by year, by department (the
//! busiest first), by result class (办理结果) and by kind (提案 or 建议).
//!
//! Only counts live here. It knows nothing of HTML, URLs or bar widths:
//! `render` turns a `Stats` into the charts a template draws.

use std::collections::BTreeMap;

use crate::model::archive::{Archive, Facet, UNSPECIFIED};
use crate::model::config::Config;
use crate::model::reply::{Kind, Reply, ReplyDate};
use crate::model::workdays::Calendar;

/// How many departments the department chart shows; a city has dozens, and a
/// chart of sixty bars is a list nobody reads. The rest are summed in a note.
pub(crate) const TOP_DEPARTMENTS: usize = 20;

/// One bar of a chart: what is counted and how many replies it has.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub(crate) struct Tally {
    pub name: String,
    pub count: usize,
}

impl Tally {
    fn new(name: impl Into<String>, count: usize) -> Tally {
        Tally {
            name: name.into(),
            count,
        }
    }
}

/// The departments beyond the top ones, together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Rest {
    pub departments: usize,
    pub replies: usize,
}

#[derive(Debug)]
pub(crate) struct Stats {
    pub total: usize,
    /// Oldest year first, so the bars read as a timeline.
    pub years: Vec<Tally>,
    /// The `TOP_DEPARTMENTS` with the most replies, most first.
    pub departments: Vec<Tally>,
    pub other_departments: Rest,
    /// Every code of the site's legend, in its order, even with no reply, so
    /// that "no reply was left unsolved" shows as a zero; then codes the
    /// legend lacks; then 未注明 when some replies give none.
    pub results: Vec<Tally>,
    /// 提案, 建议, then 未注明 when some replies give neither.
    pub kinds: Vec<Tally>,
}

impl Stats {
    pub(crate) fn of(archive: &Archive, config: &Config) -> Stats {
        let replies = archive.replies();
        let mut years: Vec<Tally> = archive
            .terms(Facet::Year)
            .iter()
            .map(|term| Tally::new(term.name.as_str(), term.replies.len()))
            .collect();
        years.sort_by(|a, b| a.name.cmp(&b.name));

        // The facet already orders departments by size, then by name.
        let all = archive.terms(Facet::Department);
        let departments = all
            .iter()
            .take(TOP_DEPARTMENTS)
            .map(|term| Tally::new(term.name.as_str(), term.replies.len()))
            .collect();
        let beyond = all.get(TOP_DEPARTMENTS..).unwrap_or_default();
        let other_departments = Rest {
            departments: beyond.len(),
            replies: beyond.iter().map(|term| term.replies.len()).sum(),
        };

        let results = results(config, replies.iter().map(|r| &**r));

        let count_kind = |kind| replies.iter().filter(|r| r.kind == kind).count();
        let mut kinds = vec![
            Tally::new("提案", count_kind(Some(Kind::Proposal))),
            Tally::new("建议", count_kind(Some(Kind::Suggestion))),
        ];
        let no_kind = count_kind(None);
        if no_kind > 0 {
            kinds.push(Tally::new(UNSPECIFIED, no_kind));
        }

        Stats {
            total: replies.len(),
            years,
            departments,
            other_departments,
            results,
            kinds,
        }
    }
}

/// How many of `replies` are in each result class: the legend's classes in
/// its order (those with none too, so that every list shows the same
/// columns), then codes the legend lacks by name, then 未注明 when some
/// give no class.
pub(crate) fn results<'r>(config: &Config, replies: impl Iterator<Item = &'r Reply>) -> Vec<Tally> {
    let mut counts: Vec<(&str, usize)> = (config.result_legend.keys())
        .map(|code| (code.as_str(), 0))
        .collect();
    let mut unknown: BTreeMap<&str, usize> = BTreeMap::new();
    let mut no_result = 0;
    for reply in replies {
        match reply.stated.result.as_deref() {
            Some(code) => match config.result_legend.get_index_of(code) {
                Some(index) => counts[index].1 += 1,
                None => *unknown.entry(code).or_default() += 1,
            },
            None => no_result += 1,
        }
    }
    let mut results: Vec<Tally> = (counts.into_iter().chain(unknown))
        .map(|(code, count)| Tally::new(code, count))
        .collect();
    if no_result > 0 {
        results.push(Tally::new(UNSPECIFIED, no_result));
    }
    results
}

/// How soon replies were published, for one year or one department: of
/// the replies that give both the day they were written and `published`,
/// how many came out within the site's limit of working days, and the
/// median of their working days.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub(crate) struct Timing {
    pub name: String,
    /// Replies with both days, `published` not before the date.
    pub counted: usize,
    pub within: usize,
    /// Share within the limit, in percent, one decimal.
    pub share: f64,
    /// The median of their working days: `6`, or `6.5` between two.
    pub median: String,
}

/// Publication timing on `/stats/`: per year (oldest first) and per
/// department (as the department facet orders them), and the years whose
/// official calendar dafu does not have, counted by weekends only.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct Timings {
    pub limit: u32,
    pub years: Vec<Timing>,
    pub departments: Vec<Timing>,
    pub weekends_only: Vec<i16>,
}

/// The working days from a reply's date to its publication, when it gives
/// both and publication is not before the date.
pub(crate) fn publication_days(reply: &Reply, calendar: &Calendar) -> Option<u32> {
    let (ReplyDate::Day(day), Some(published)) = (reply.date, reply.stated.published) else {
        return None;
    };
    calendar.working_days(day, published)
}

impl Timings {
    pub(crate) fn of(archive: &Archive, config: &Config) -> Timings {
        let calendar = Calendar::new(&config.holidays);
        let limit = config.publish_within_working_days;
        let days: Vec<Option<u32>> = (archive.replies().iter())
            .map(|reply| publication_days(reply, &calendar))
            .collect();
        let timing = |name: &str, ids: &[usize]| {
            let mut counted: Vec<u32> = ids.iter().filter_map(|&id| days[id]).collect();
            counted.sort_unstable();
            let within = counted.iter().filter(|&&d| d <= limit).count();
            let median = match counted.len() {
                0 => String::new(),
                n if n % 2 == 1 => counted[n / 2].to_string(),
                n => match counted[n / 2 - 1] + counted[n / 2] {
                    sum if sum % 2 == 0 => (sum / 2).to_string(),
                    sum => format!("{}.5", sum / 2),
                },
            };
            Timing {
                name: name.to_string(),
                counted: counted.len(),
                within,
                share: if counted.is_empty() {
                    0.0
                } else {
                    (within as f64 * 1000.0 / counted.len() as f64).round() / 10.0
                },
                median,
            }
        };
        let of_facet = |facet: Facet| -> Vec<Timing> {
            (archive.terms(facet).iter())
                .map(|term| timing(&term.name, &term.replies))
                .filter(|t| t.counted > 0)
                .collect()
        };
        let mut years = of_facet(Facet::Year);
        years.sort_by(|a, b| a.name.cmp(&b.name));
        let mut weekends_only: Vec<i16> = (archive.replies().iter().zip(&days))
            .filter(|(_, days)| days.is_some())
            .filter_map(|(reply, _)| Some([reply.date.year(), reply.stated.published?.year()]))
            .flatten()
            .filter(|&year| !calendar.knows(year))
            .collect();
        weekends_only.sort_unstable();
        weekends_only.dedup();
        Timings {
            limit,
            years,
            departments: of_facet(Facet::Department),
            weekends_only,
        }
    }
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::model::reply::Reply;

    fn reply(path: &str, fields: &str) -> Reply {
        crate::model::reply::sample(path, fields)
    }

    fn tallies(list: &[Tally]) -> Vec<(&str, usize)> {
        list.iter().map(|t| (t.name.as_str(), t.count)).collect()
    }

    #[test]
    fn replies_are_counted_by_year_department_result_and_kind() {
        let replies = vec![
            reply(
                "a",
                "department: 甲局\ndate: 2021-03-01\nkind: 提案\nresult: A",
            ),
            reply(
                "b",
                "department: 甲局\ndate: 2020-03-01\nkind: 建议\nresult: A",
            ),
            reply(
                "c",
                "department: 乙局\ndate: 2021-04-01\nsession: 市政协十四届五次会议\nresult: 甲",
            ),
            reply("d", "department: 丙局\ndate: 2019-05-01"),
        ];
        let config = Config::default();
        let archive = Archive::new(replies, &config).unwrap();
        let stats = Stats::of(&archive, &config);
        assert_eq!(stats.total, 4);
        assert_eq!(
            tallies(&stats.years),
            [("2019", 1), ("2020", 1), ("2021", 2)]
        );
        assert_eq!(
            tallies(&stats.departments),
            [("甲局", 2), ("丙局", 1), ("乙局", 1)]
        );
        assert_eq!(stats.other_departments, Rest::default());
        assert_eq!(
            tallies(&stats.results),
            [
                ("A", 2),
                ("B", 0),
                ("C", 0),
                ("D", 0),
                ("甲", 1),
                (UNSPECIFIED, 1)
            ],
            "every legend code, then codes it lacks, then the replies without one"
        );
        assert_eq!(
            tallies(&stats.kinds),
            [("提案", 2), ("建议", 1), (UNSPECIFIED, 1)],
            "a 政协 session makes a 提案"
        );
    }

    #[test]
    fn departments_beyond_the_top_twenty_are_summed() {
        let mut replies = Vec::new();
        for d in 0..25 {
            for n in 0..=d {
                replies.push(reply(
                    &format!("r{d}-{n}"),
                    &format!("department: 局{d:02}\ndate: 2021-01-01"),
                ));
            }
        }
        let config = Config::default();
        let archive = Archive::new(replies, &config).unwrap();
        let stats = Stats::of(&archive, &config);
        assert_eq!(stats.departments.len(), TOP_DEPARTMENTS);
        assert_eq!(stats.departments[0], Tally::new("局24", 25));
        assert_eq!(stats.departments[19], Tally::new("局05", 6));
        assert_eq!(
            stats.other_departments,
            Rest {
                departments: 5,
                replies: 1 + 2 + 3 + 4 + 5
            }
        );
        assert_eq!(
            stats.kinds,
            [
                Tally::new("提案", 0),
                Tally::new("建议", 0),
                Tally::new(UNSPECIFIED, 325)
            ]
        );
    }
}
