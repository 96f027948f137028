//! `Archive`: every published reply, sorted once (newest first), and the four
//! facets a citizen browses by (year, department, session, proposer), each a
//! list of terms holding the ids of their replies.
//!
//! Knows nothing of HTML. Everything that makes two things land on one URL
//! is found here, as problems, before anything is rendered.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use crate::ground::problem::Problem;
use crate::ground::url;
use crate::model::config::{CONFIG_FILE, Config, Slug};
use crate::model::proposal::{self, Proposal};
use crate::model::reply::Reply;
use rust_i18n::t;

/// The term under which replies without a session or proposer are listed.
pub(crate) const UNSPECIFIED: &str = "未注明";

/// Top-level site paths the archive's own pages use; no reply may take them.
pub(crate) const RESERVED: &[&str] = &[
    "years",
    "departments",
    "sessions",
    "proposers",
    "results",
    "search",
    "stats",
    "data",
    "page",
    "404.html",
    "atom.xml",
    "sitemap.xml",
    "robots.txt",
    "static",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Facet {
    Year,
    Department,
    Session,
    Proposer,
    /// The result class (办理结果): A, B, C, as config.yaml's legend has them.
    Result,
}

impl Facet {
    pub(crate) const ALL: [Facet; 5] = [
        Facet::Year,
        Facet::Department,
        Facet::Session,
        Facet::Proposer,
        Facet::Result,
    ];

    /// The URL folder of the facet: `years`, …
    pub(crate) fn key(self) -> &'static str {
        match self {
            Facet::Year => "years",
            Facet::Department => "departments",
            Facet::Session => "sessions",
            Facet::Proposer => "proposers",
            Facet::Result => "results",
        }
    }

    /// The facet's name as a citizen reads it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Facet::Year => "年度",
            Facet::Department => "办理单位",
            Facet::Session => "会议",
            Facet::Proposer => "提案人",
            Facet::Result => "办理结果",
        }
    }

    /// Its place in `ALL`, to keep something per facet in an array.
    pub(crate) fn index(self) -> usize {
        self as usize
    }

    /// The terms one reply is listed under in this facet.
    pub(crate) fn terms_of(self, reply: &Reply) -> Vec<String> {
        match self {
            Facet::Year => vec![reply.date.year().to_string()],
            Facet::Department => vec![reply.department.clone()],
            Facet::Session => vec![
                reply
                    .stated
                    .session
                    .clone()
                    .unwrap_or_else(|| UNSPECIFIED.into()),
            ],
            Facet::Proposer if reply.stated.proposers.is_empty() => vec![UNSPECIFIED.into()],
            Facet::Proposer => {
                let mut names = reply.stated.proposers.clone();
                names.dedup();
                names
            }
            // A reply that gives no class is in no class's list.
            Facet::Result => reply.stated.result.iter().cloned().collect(),
        }
    }

    fn slugs(self, config: &Config) -> Option<&BTreeMap<String, Slug>> {
        match self {
            Facet::Year | Facet::Result => None,
            Facet::Department => Some(&config.slugs.departments),
            Facet::Session => Some(&config.slugs.sessions),
            Facet::Proposer => Some(&config.slugs.proposers),
        }
    }
}

/// One value of a facet (a year, a department, …) and the replies under it.
#[derive(Debug, Clone)]
pub(crate) struct Term {
    pub name: String,
    /// Its URL segment: the name itself unless config.yaml maps it.
    pub slug: String,
    /// Ids of its replies, newest first.
    pub replies: Vec<usize>,
}

/// Replies are held behind `Arc` so that `serve` can build the next archive
/// from the replies of the last one without copying 10,000 bodies.
#[derive(Debug, Clone)]
pub(crate) struct Archive {
    replies: Vec<Arc<Reply>>,
    facets: [Vec<Term>; 5],
    /// Per facet, a term's name → its index, so that finding a reply's terms
    /// never walks the (possibly thousands of) terms.
    lookup: [HashMap<String, usize>; 5],
    /// The proposals the replies answer, by session and number.
    proposals: Vec<Proposal>,
    /// Each proposal's site path: `sessions/{session's slug}/{number}/`.
    proposal_paths: Vec<String>,
    /// By reply id, the index of the proposal it answers.
    proposal_of: Vec<Option<usize>>,
}

impl Archive {
    /// [`Archive::from_shared`] for replies owned by no one else: the
    /// tests' archives.
    #[cfg(test)]
    pub(crate) fn new(replies: Vec<Reply>, config: &Config) -> Result<Archive, Vec<Problem>> {
        Archive::from_shared(replies.into_iter().map(Arc::new).collect(), config)
    }

    /// Sorts the published replies and builds the facets; problems when two
    /// replies or two terms would share a URL. The replies are shared: a
    /// build made each as it loaded it, the preview keeps them.
    pub(crate) fn from_shared(
        mut replies: Vec<Arc<Reply>>,
        config: &Config,
    ) -> Result<Archive, Vec<Problem>> {
        replies.sort_by(|a, b| {
            b.date
                .sort_key()
                .cmp(&a.date.sort_key())
                .then_with(|| a.path.cmp(&b.path))
        });
        let mut problems = url_clashes(&replies);
        let facets = Facet::ALL.map(|facet| {
            let terms = build_terms(facet, &replies, config);
            problems.extend(slug_clashes(facet, &terms));
            terms
        });
        let lookup: [HashMap<String, usize>; 5] = facets.each_ref().map(|terms| {
            terms
                .iter()
                .enumerate()
                .map(|(index, term)| (term.name.clone(), index))
                .collect()
        });
        let session_index = &lookup[Facet::Session.index()];
        let (proposals, proposal_of) = proposal::group(&replies, |session| session_index[session]);
        let sessions = &facets[Facet::Session.index()];
        let proposal_paths: Vec<String> = proposals
            .iter()
            .map(|p| {
                let session = &sessions[session_index[&p.key.session]];
                format!(
                    "{}/{}/{}/",
                    Facet::Session.key(),
                    session.slug,
                    url::slugify(&p.key.number)
                )
            })
            .collect();
        problems.extend(proposal_clashes(&proposals, &proposal_paths, &replies));
        if problems.is_empty() {
            Ok(Archive {
                replies,
                facets,
                lookup,
                proposals,
                proposal_paths,
                proposal_of,
            })
        } else {
            Err(problems)
        }
    }

    pub(crate) fn replies(&self) -> &[Arc<Reply>] {
        &self.replies
    }

    /// Puts a new version of reply `id` in its place, the facets untouched:
    /// only for a version that sorts to the same place under the same terms
    /// (an edit of its text), which `serve` checks before it asks.
    pub(crate) fn replace(&mut self, id: usize, reply: Arc<Reply>) {
        debug_assert_eq!(self.replies[id].path, reply.path);
        debug_assert_eq!(self.replies[id].date.sort_key(), reply.date.sort_key());
        self.replies[id] = reply;
    }

    pub(crate) fn terms(&self, facet: Facet) -> &[Term] {
        &self.facets[facet.index()]
    }

    pub(crate) fn term(&self, facet: Facet, name: &str) -> Option<&Term> {
        let index = *self.lookup[facet.index()].get(name)?;
        Some(&self.terms(facet)[index])
    }

    pub(crate) fn proposals(&self) -> &[Proposal] {
        &self.proposals
    }

    /// Proposal `index`'s site path.
    pub(crate) fn proposal_path(&self, index: usize) -> &str {
        &self.proposal_paths[index]
    }

    /// The index of the proposal reply `id` answers, if it names one.
    pub(crate) fn proposal_of(&self, id: usize) -> Option<usize> {
        self.proposal_of[id]
    }

    /// The proposals of one session, by number, as indices.
    pub(crate) fn proposals_in<'s>(&'s self, session: &'s str) -> impl Iterator<Item = usize> + 's {
        (self.proposals.iter().enumerate())
            .filter(move |(_, p)| p.key.session == session)
            .map(|(index, _)| index)
    }

    /// Proposals that name more than one reply as their lead (主办): a
    /// warning for `check` and `build`, naming each file.
    pub(crate) fn lead_clashes(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        for proposal in &self.proposals {
            let leads = proposal.leads(&self.replies);
            let Some((first, rest)) = leads.split_first() else {
                continue;
            };
            for other in rest {
                problems.push(
                    Problem::new(
                        &other.source,
                        t!(
                            "archive.two_leads",
                            proposal = proposal.key,
                            other = first.source.display()
                        ),
                    )
                    .at_line(other.stated.role_line),
                );
            }
        }
        problems
    }
}

/// Two proposals on one URL: one number in one session, once as 提案 and
/// once as 建议, or two numbers whose slugs differ only in case.
fn proposal_clashes(
    proposals: &[Proposal],
    paths: &[String],
    replies: &[Arc<Reply>],
) -> Vec<Problem> {
    let mut seen: HashMap<String, &Proposal> = HashMap::new();
    let mut problems = Vec::new();
    for (proposal, path) in proposals.iter().zip(paths) {
        if let Some(other) = seen.insert(path.to_lowercase(), proposal) {
            let reply = &replies[proposal.replies[0]];
            problems.push(Problem::new(
                &reply.source,
                t!(
                    "archive.same_proposal_url",
                    proposal = proposal.key,
                    other = other.key,
                    url = path
                ),
            ));
        }
    }
    problems
}

fn build_terms(facet: Facet, replies: &[Arc<Reply>], config: &Config) -> Vec<Term> {
    let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
    for (id, reply) in replies.iter().enumerate() {
        for name in facet.terms_of(reply) {
            by_name.entry(name).or_default().push(id);
        }
    }
    let slugs = facet.slugs(config);
    let mut terms: Vec<Term> = by_name
        .into_iter()
        .map(|(name, replies)| Term {
            slug: slugs
                .and_then(|s| s.get(&name).map(|slug| slug.as_str().to_string()))
                .unwrap_or_else(|| url::slugify(&name)),
            name,
            replies,
        })
        .collect();
    // Years newest first; sessions by their newest reply; result classes in
    // the legend's order, then those it lacks; the rest by size. 未注明
    // always last. Ties by name, so the order never depends on hashing.
    let legend = |code: &str| {
        (config.result_legend.keys())
            .position(|known| known == code)
            .unwrap_or(usize::MAX)
    };
    terms.sort_by(|a, b| {
        (a.name == UNSPECIFIED)
            .cmp(&(b.name == UNSPECIFIED))
            .then_with(|| match facet {
                Facet::Year => b.name.cmp(&a.name),
                Facet::Session => a.replies[0].cmp(&b.replies[0]),
                Facet::Result => legend(&a.name).cmp(&legend(&b.name)),
                Facet::Department | Facet::Proposer => b.replies.len().cmp(&a.replies.len()),
            })
            .then_with(|| a.name.cmp(&b.name))
    });
    terms
}

/// Two replies on one URL, or a reply on a URL the archive's pages use. URLs
/// compare without case, since IIS and Windows folders ignore it.
fn url_clashes(replies: &[Arc<Reply>]) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut seen: HashMap<String, &Reply> = HashMap::new();
    for reply in replies {
        let first = reply.path.split('/').next().unwrap_or_default();
        if RESERVED.contains(&first) {
            problems.push(
                Problem::new(&reply.source, t!("archive.reserved_url", url = reply.path))
                    .hint(t!("archive.reserved_url_hint")),
            );
        }
        if let Some(other) = seen.insert(reply.path.to_lowercase(), reply) {
            problems.push(
                Problem::new(
                    &reply.source,
                    t!(
                        "archive.same_url",
                        url = reply.path,
                        other = other.source.display()
                    ),
                )
                .hint(t!("archive.same_url_hint")),
            );
        }
    }
    problems
}

fn slug_clashes(facet: Facet, terms: &[Term]) -> Vec<Problem> {
    let mut seen: HashMap<String, &str> = HashMap::new();
    terms
        .iter()
        .filter_map(|term| {
            let other = seen.insert(term.slug.to_lowercase(), &term.name)?;
            Some(
                Problem::new(
                    Path::new(CONFIG_FILE),
                    t!(
                        "archive.same_slug",
                        facet = facet.name(),
                        first = other,
                        second = term.name,
                        key = facet.key(),
                        slug = term.slug
                    ),
                )
                .hint(t!("archive.same_slug_hint", key = facet.key())),
            )
        })
        .collect()
}

/// Two replies of one department with the same 文号: a typing slip that would
/// make the public record ambiguous.
pub(crate) fn doc_number_clashes<'r>(replies: impl IntoIterator<Item = &'r Reply>) -> Vec<Problem> {
    let mut seen: HashMap<(&str, &str), &Reply> = HashMap::new();
    let mut problems = Vec::new();
    for reply in replies {
        let Some(number) = reply.stated.doc_number.as_deref() else {
            continue;
        };
        if let Some(other) = seen.insert((&reply.department, number), reply) {
            problems.push(
                Problem::new(
                    &reply.source,
                    t!(
                        "archive.same_doc_number",
                        number = number,
                        department = reply.department,
                        other = other.source.display()
                    ),
                )
                .at_line(reply.stated.doc_number_line),
            );
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(path: &str, fields: &str) -> Reply {
        crate::model::reply::sample(path, fields)
    }

    #[test]
    fn replies_sort_newest_first_and_facets_count_them() {
        let replies = vec![
            reply(
                "a",
                "department: 甲局\ndate: 2020-01-01\nproposers: [王一, 李二]",
            ),
            reply(
                "b",
                "department: 乙局\ndate: 2021-05-01\nsession: 市政协十四届五次会议",
            ),
            reply("c", "department: 甲局\ndate: 2021-06-01"),
        ];
        let archive = Archive::new(replies, &Config::default()).unwrap();
        let paths: Vec<_> = archive.replies().iter().map(|r| r.path.as_str()).collect();
        assert_eq!(paths, ["c/", "b/", "a/"]);
        let years: Vec<_> = archive
            .terms(Facet::Year)
            .iter()
            .map(|t| t.name.as_str())
            .collect();
        assert_eq!(years, ["2021", "2020"]);
        assert_eq!(
            archive.term(Facet::Department, "甲局").unwrap().replies,
            [0, 2]
        );
        let sessions: Vec<_> = archive
            .terms(Facet::Session)
            .iter()
            .map(|t| t.name.as_str())
            .collect();
        assert_eq!(sessions, ["市政协十四届五次会议", UNSPECIFIED]);
        assert_eq!(archive.term(Facet::Proposer, "李二").unwrap().replies, [2]);
    }

    #[test]
    fn two_replies_on_one_url_are_a_problem() {
        let replies = vec![
            reply("A", "department: d\nyear: 2021"),
            reply("a", "department: d\nyear: 2021"),
        ];
        let problems = Archive::new(replies, &Config::default()).unwrap_err();
        assert!(problems[0].message.contains("same URL"), "{problems:?}");
    }

    #[test]
    fn a_configured_slug_replaces_the_name_and_clashes_are_found() {
        let mut config = Config::default();
        let jia = Slug::try_from("jia".to_string()).unwrap();
        config.slugs.departments.insert("甲局".into(), jia.clone());
        config.slugs.departments.insert("乙局".into(), jia);
        let replies = vec![
            reply("a", "department: 甲局\nyear: 2021"),
            reply("b", "department: 乙局\nyear: 2021"),
        ];
        let problems = Archive::new(replies, &config).unwrap_err();
        assert!(
            problems[0].message.contains("/departments/jia/"),
            "{problems:?}"
        );
    }

    #[test]
    fn a_doc_number_repeated_in_one_department_is_found() {
        let replies = vec![
            reply("a", "department: d\ndoc_number: 常工信复〔2021〕第28号"),
            reply("b", "department: d\ndoc_number: 常工信复〔2021〕第28号"),
            reply("c", "department: e\ndoc_number: 常工信复〔2021〕第28号"),
        ];
        let problems = doc_number_clashes(&replies);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, Some(4));
    }
}
