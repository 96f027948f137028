//! Proposals: the published replies that answer one proposal (提案) or
//! suggestion (建议), together. A proposal is known by its kind, its
//! session and its number, all three as the replies state them: a reply
//! missing any of them answers no proposal the archive can name, and is
//! never grouped by guesswork.
//!
//! Knows nothing of HTML; the archive builds the proposals once it has
//! sorted its replies, and pages and open data read them.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use crate::model::reply::{Kind, Reply, Role};

/// What makes two replies answers to one proposal.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct ProposalKey {
    pub kind: Kind,
    pub session: String,
    pub number: String,
}

impl ProposalKey {
    /// The proposal `reply` answers, when it states kind (or a session
    /// that tells it), session and number.
    pub(crate) fn of(reply: &Reply) -> Option<ProposalKey> {
        Some(ProposalKey {
            kind: reply.kind?,
            session: reply.stated.session.clone()?,
            number: reply.stated.proposal_id.clone()?,
        })
    }

    /// Where it stands within its session: numbers as numbers (`9` before
    /// `10`, `0152` with `152`), those without digits last, then as
    /// written, so that `第12号` and `12` stay apart but together; 提案
    /// before 建议.
    fn number_order(&self) -> (bool, u64, String, u8) {
        let digits: String = self.number.chars().filter(char::is_ascii_digit).collect();
        let value: Option<u64> = digits.parse().ok();
        (
            value.is_none(),
            value.unwrap_or(0),
            self.number.clone(),
            kind_rank(self.kind),
        )
    }
}

fn kind_rank(kind: Kind) -> u8 {
    match kind {
        Kind::Proposal => 0,
        Kind::Suggestion => 1,
    }
}

/// `市政协十四届五次会议/提案/0152`: the key in open data, one text that
/// a spreadsheet can group by.
impl fmt::Display for ProposalKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            Kind::Proposal => "提案",
            Kind::Suggestion => "建议",
        };
        write!(f, "{}/{kind}/{}", self.session, self.number)
    }
}

/// One proposal and the ids of its published replies, in the order a
/// reader takes them: the lead reply (主办) first, then the others by role
/// (会办, 协办, 分办, then those that state none), each role by date.
#[derive(Debug, Clone)]
pub(crate) struct Proposal {
    pub key: ProposalKey,
    pub replies: Vec<usize>,
}

impl Proposal {
    /// Its result class: the lead reply's, as the lead department's answer
    /// is the one a proposal is judged by; without a lead reply, the one
    /// class every reply that gives one agrees on; else none.
    pub(crate) fn result<'r>(&self, replies: &'r [Arc<Reply>]) -> Option<&'r str> {
        let mut given = self
            .replies
            .iter()
            .map(|&id| &replies[id])
            .filter_map(|r| Some((r.stated.role, r.stated.result.as_deref()?)));
        let first = given.clone().next()?;
        if first.0 == Some(Role::Lead) {
            return Some(first.1);
        }
        given
            .all(|(_, result)| result == first.1)
            .then_some(first.1)
    }

    /// The 案由 and proposers, from the first reply (in the proposal's
    /// order) that gives them: the lead reply's wording where it has one.
    pub(crate) fn title<'r>(&self, replies: &'r [Arc<Reply>]) -> Option<&'r str> {
        self.replies
            .iter()
            .find_map(|&id| replies[id].stated.proposal_title.as_deref())
    }

    pub(crate) fn proposers<'r>(&self, replies: &'r [Arc<Reply>]) -> &'r [String] {
        self.replies
            .iter()
            .map(|&id| replies[id].stated.proposers.as_slice())
            .find(|p| !p.is_empty())
            .unwrap_or_default()
    }

    /// The files of its replies marked 主办, when more than one is: a
    /// proposal has one lead department.
    pub(crate) fn leads<'r>(&self, replies: &'r [Arc<Reply>]) -> Vec<&'r Reply> {
        self.replies
            .iter()
            .map(|&id| &*replies[id])
            .filter(|r| r.stated.role == Some(Role::Lead))
            .collect()
    }
}

/// Where a role stands in a proposal's order: the four in the order of
/// `Role`, then no role.
fn role_rank(role: Option<Role>) -> u8 {
    match role {
        Some(Role::Lead) => 0,
        Some(Role::Joint) => 1,
        Some(Role::Assisting) => 2,
        Some(Role::Separate) => 3,
        None => 4,
    }
}

/// The proposals of `replies` (sorted as the archive sorts them), ordered
/// by session as `session_order` ranks them and by number within one; and
/// for each reply the index of its proposal.
pub(crate) fn group(
    replies: &[Arc<Reply>],
    session_order: impl Fn(&str) -> usize,
) -> (Vec<Proposal>, Vec<Option<usize>>) {
    let mut by_key: HashMap<ProposalKey, Vec<usize>> = HashMap::new();
    for (id, reply) in replies.iter().enumerate() {
        if let Some(key) = ProposalKey::of(reply) {
            by_key.entry(key).or_default().push(id);
        }
    }
    let mut proposals: Vec<Proposal> = by_key
        .into_iter()
        .map(|(key, mut ids)| {
            ids.sort_by(|&a, &b| {
                let (a, b) = (&replies[a], &replies[b]);
                role_rank(a.stated.role)
                    .cmp(&role_rank(b.stated.role))
                    .then_with(|| a.date.sort_key().cmp(&b.date.sort_key()))
                    .then_with(|| a.path.cmp(&b.path))
            });
            Proposal { key, replies: ids }
        })
        .collect();
    // Each key made once: a number is read from its text.
    proposals.sort_by_cached_key(|p| (session_order(&p.key.session), p.key.number_order()));
    let mut of_reply = vec![None; replies.len()];
    for (index, proposal) in proposals.iter().enumerate() {
        for &id in &proposal.replies {
            of_reply[id] = Some(index);
        }
    }
    (proposals, of_reply)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replies(list: &[(&str, &str)]) -> Vec<Arc<Reply>> {
        list.iter()
            .map(|(path, fields)| Arc::new(crate::model::reply::sample(path, fields)))
            .collect()
    }

    const S: &str = "department: d\nyear: 2021\nsession: 市政协十四届五次会议";

    #[test]
    fn replies_to_one_number_make_one_proposal_lead_first() {
        let replies = replies(&[
            (
                "a",
                &format!("{S}\nproposal_id: 10\nrole: 会办\ndate: 2021-05-01"),
            ),
            (
                "b",
                &format!("{S}\nproposal_id: 10\nrole: 主办\ndate: 2021-06-01\nresult: A"),
            ),
            ("c", &format!("{S}\nproposal_id: 9\ndate: 2021-06-01")),
            ("d", "department: d\nproposal_id: 10\ndate: 2021-06-01"),
        ]);
        let (proposals, of_reply) = group(&replies, |_| 0);
        assert_eq!(proposals.len(), 2);
        assert_eq!(proposals[0].key.number, "9");
        assert_eq!(proposals[1].replies, [1, 0]);
        assert_eq!(proposals[1].result(&replies), Some("A"));
        assert_eq!(of_reply, [Some(1), Some(1), Some(0), None]);
        assert_eq!(proposals[1].key.to_string(), "市政协十四届五次会议/提案/10");
    }

    #[test]
    fn without_a_lead_the_result_is_only_one_all_agree_on() {
        let replies = replies(&[
            ("a", &format!("{S}\nproposal_id: 1\nresult: A")),
            ("b", &format!("{S}\nproposal_id: 1\nresult: B")),
        ]);
        let (proposals, _) = group(&replies, |_| 0);
        assert_eq!(proposals[0].result(&replies), None);
    }
}
