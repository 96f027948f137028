//! Rendering: what pages the archive has (`PageSpec`), what each is made from
//! (`Input`), and its bytes through the theme's templates, in parallel.
//!
//! Knows nothing of where pages are written. Each reply's template data is
//! serialised once into a Tera value (reference-counted inside), so a list of
//! 20 replies on a term page clones 20 pointers, not 20 documents.
//!
//! Feeds, the sitemap and robots.txt are pages too, rendered through the
//! theme's `atom.xml`, `sitemap.xml` (with `sitemap_index.xml` when the
//! sitemap is many files, see `sitemap`) and `robots.txt`; the open data files are
//! no pages: they are made in Rust (see `data`). Every date a page gives
//! comes from the replies, never from the clock, so a build is reproducible.

use std::hash::{Hash, Hasher};
use std::ops::Range;
use std::sync::OnceLock;

use rayon::prelude::*;
use serde::Serialize;
use tera::value::ValueKind;
use tera::{Context, Value};

use crate::ground::hashing;
use crate::ground::page::Page;
use crate::ground::problem::Problem;
use crate::model::archive::{Archive, Facet, Term, UNSPECIFIED};
use crate::model::config::{BaseUrl, Config};
use crate::model::proposal::{Proposal, ProposalKey};
use crate::model::reply::{FIELDS, Given, Kind, Reply, ReplyDate};
use crate::model::stats::{Stats, Tally};
use crate::stages::sitemap;
use crate::stages::theme::Theme;

/// How a page's context carries each reply: its template data, to render
/// the page, or the digest of that data, to tell whether the page would
/// come out as it did.
#[derive(Clone, Copy)]
enum Shown<'d> {
    Data,
    Digest(&'d [u64]),
}

/// Every page the archive renders through a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum PageSpec {
    Home,
    NotFound,
    Search,
    /// `/stats/`: the archive's counts as charts.
    Stats,
    Reply(usize),
    /// `sessions/{slug}/{number}/`: every published answer to one proposal.
    Proposal(usize),
    Facet(Facet),
    /// A term's list: the facet, the term's index in it, the 1-based page number.
    Term(Facet, usize, usize),
    /// `atom.xml`: the latest replies of the archive.
    Feed,
    /// `departments/{slug}/atom.xml`, …: the latest replies of one term, to
    /// follow a department, a session, a member or a result class.
    TermFeed(Facet, usize),
    /// `sitemap.xml`: every URL, or, when they are too many for one file,
    /// the index of the files that list them.
    Sitemap,
    /// `sitemap-{n}.xml`, numbered from 1: one file of a sitemap too big for one.
    SitemapFile(usize),
    Robots,
}

/// The `updated` of a feed without entries, which Atom requires: such a
/// feed has no date of its own, and the clock must not give one.
const NO_DATE: &str = "2000-01-01";

/// Replies in a feed: the latest whose day is known, as most feeds give.
/// A reply dated only by its year is in none: Atom dates every entry to
/// the second, and a day the letter does not give is never made up.
pub(crate) const FEED_ENTRIES: usize = 50;

/// Replies a member needs before their list has a feed. Departments and
/// sessions are a few dozen, each answering many; members are thousands,
/// most with one or two replies over the years (at 10,000 generated
/// replies, 8,000 of 9,500), whose feeds would be a quarter of the site's
/// files and never change.
pub(crate) const MEMBER_FEED_REPLIES: usize = 3;

/// Whether a term has a feed: a department, a session, a result class and
/// a member with replies enough to follow can be followed; a year cannot
/// usefully be.
pub(crate) fn has_feed(facet: Facet, term: &Term) -> bool {
    match facet {
        Facet::Department | Facet::Session | Facet::Result => true,
        Facet::Proposer => term.replies.len() >= MEMBER_FEED_REPLIES,
        Facet::Year => false,
    }
}

/// What a page was made from; `serve` re-renders the pages whose inputs a
/// change touches.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Input<'a> {
    Reply(&'a str),
    /// A proposal: which replies answer it, and what each says.
    Proposal(&'a ProposalKey),
    Term(Facet, &'a str),
    /// A facet's terms: their names, slugs and counts, as its index lists them.
    Facet(Facet),
    /// Lists, counts or links drawn from every reply.
    Everything,
}

/// How many replies' template data a build keeps once made: the newest,
/// as the archive is sorted. At some 4 KB a reply that is 64 MiB, and an
/// archive within it renders as fast as when every reply's was kept; past
/// it, keeping them all was most of a build's memory (1.1 GiB at 100,000
/// replies), while making an older reply's data again for each of the five
/// or six lists it is on costs a build a fifth more CPU at most.
const KEPT_REPLIES: usize = 16_384;

pub(crate) struct Renderer<'a> {
    archive: &'a Archive,
    theme: &'a Theme,
    config: &'a Config,
    base: &'a BaseUrl,
    site: Value,
    /// The [`reply_value`] of the newest replies, kept once a page has made
    /// it (`KEPT_REPLIES` of them in a build; every one in `serve`, which
    /// keeps them between rebuilds). An older reply's is made again for
    /// each page that shows it.
    replies: Vec<OnceLock<Value>>,
    /// Each reply's publication date, ISO, for feeds and the sitemap;
    /// `None` when only its year is known.
    published: Vec<Option<String>>,
    /// By facet and term, its counts per result class (`result_counts`),
    /// made when a page of its list first needs them.
    result_counts: [Vec<OnceLock<Value>>; 5],
    /// The sitemap's files: made when the plan is first asked for.
    sitemap_files: OnceLock<Vec<SitemapFile>>,
}

/// A reply as templates see it: every field, the links to its terms, and
/// the addressee line, all computed once.
#[derive(Serialize)]
struct ReplyView<'a> {
    url: String,
    path: &'a str,
    department_url: String,
    /// The day it was written, or the year when only that is known.
    date: String,
    date_cn: String,
    /// Whether the day it was written is known, not only the year.
    day_known: bool,
    year_url: String,
    session_url: Option<String>,
    proposers: Vec<Link<'a>>,
    /// 周国平委员 / 王爱珍代表: how the letter addresses the proposers.
    addressee: Option<String>,
    /// The same, short, for lists: `甲、乙、丙等40名代表`. A reply is on a
    /// list page of each of its proposers, so a list that showed every
    /// name would grow with the square of the names.
    addressee_short: Option<String>,
    result_url: Option<String>,
    result_label: Option<&'a str>,
    /// `published` as the reply gives it, in Chinese (`2021年6月12日`), for
    /// the page's 发布日期: never the day it was written in its place.
    published_cn: Option<String>,
    assigned_cn: Option<String>,
    /// The first characters of the text, for descriptions and feeds.
    summary: &'a str,
    extra: &'a std::collections::BTreeMap<String, serde_yaml::Value>,
}

/// A reply's fields as `FIELDS` gives them back (`published` is the day
/// feeds and meta tags give), but those `ReplyView` shows its own way:
/// the rest of a reply's template data, under their keys (`reply.signer`).
struct RowValues<'a>(&'a Reply);

/// Fields a page shows otherwise than the open data: the date as a day or
/// a year, proposers with the links to their pages, the addressee as the
/// letter opens.
const SHOWN_OTHERWISE: [&str; 3] = ["date", "proposers", "addressee"];

impl<'a> RowValues<'a> {
    fn given(&self) -> impl Iterator<Item = (&'static str, Given<'a>)> {
        let reply = self.0;
        (FIELDS.iter())
            .filter(|field| !SHOWN_OTHERWISE.contains(&field.key))
            .filter_map(move |field| Some((field.key, (field.get?)(reply))))
    }
}

/// For the reply's digest, which must be made of what its template data is.
impl Serialize for RowValues<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.given())
    }
}

/// A reply page's link to the proposal it answers.
#[derive(Serialize)]
struct ProposalLink {
    url: String,
    /// How many other published replies answer it.
    others: usize,
}

/// A proposal: its key, 案由 and proposers, how many published replies
/// answer it and its result class (see `Proposal::result`).
#[derive(Serialize)]
struct ProposalView<'a> {
    url: String,
    kind: Kind,
    session: &'a str,
    session_url: String,
    number: &'a str,
    title: Option<&'a str>,
    proposers: Vec<Link<'a>>,
    answers: usize,
    result: Option<&'a str>,
    result_url: Option<String>,
    result_label: Option<&'a str>,
}

#[derive(Serialize)]
struct Link<'a> {
    name: &'a str,
    url: String,
}

#[derive(Serialize)]
struct TermView<'a> {
    name: &'a str,
    /// How a heading names it: `2021年`, or the name itself.
    label: String,
    url: String,
    count: usize,
    /// The link to its Atom feed, for all but years.
    feed_url: Option<String>,
}

#[derive(Serialize)]
struct FacetView {
    key: &'static str,
    name: &'static str,
    url: String,
    count: usize,
}

#[derive(Serialize)]
struct Pagination {
    current: usize,
    total: usize,
    prev: Option<String>,
    next: Option<String>,
    /// Page links around the current one; `number: 0` marks a gap (…).
    pages: Vec<PageLink>,
}

/// What a feed is about; its entries come as `replies`.
#[derive(Serialize)]
struct FeedView {
    /// Its own site path (`atom.xml`, `departments/gxj/atom.xml`), for `absolute_url`.
    path: String,
    /// The site path of the page it follows.
    page_path: String,
    /// The newest publication date of its entries, ISO; the feed's `updated`.
    updated: String,
}

/// A page's own place, for its canonical link.
#[derive(Serialize)]
struct PageView<'a> {
    /// Its site path: `` for the home page, `2021/ta-0152/`, `years/2021/page/2/`.
    path: &'a str,
}

/// One URL of the sitemap.
#[derive(Serialize)]
struct SitemapUrl<'a> {
    path: &'a str,
    /// Absent when no reply it shows has a known day.
    lastmod: Option<&'a str>,
}

/// One file of the sitemap: which of `Renderer::sitemap_urls` it lists,
/// and those URLs hashed, for its digest: a rebuild then need not go
/// through every page again to know whether the sitemap changed.
struct SitemapFile {
    urls: Range<usize>,
    digest: u64,
}

/// One file of a sitemap in many, as its index names it.
#[derive(Serialize)]
struct IndexEntry<'a> {
    path: String,
    /// The newest `lastmod` of its URLs; absent when none has one.
    lastmod: Option<&'a str>,
}

#[derive(Serialize)]
struct PageLink {
    number: usize,
    url: String,
    current: bool,
}

impl<'a> Renderer<'a> {
    pub(crate) fn new(
        archive: &'a Archive,
        theme: &'a Theme,
        config: &'a Config,
        base: &'a BaseUrl,
    ) -> Self {
        let kept = archive.replies().len().min(KEPT_REPLIES);
        let replies = (0..kept).map(|_| OnceLock::new()).collect();
        Renderer::with(archive, theme, config, base, replies)
    }

    /// A renderer given each reply's [`reply_value`], in archive order: `serve`
    /// keeps them between rebuilds and recomputes only a changed reply's.
    pub(crate) fn from_values(
        archive: &'a Archive,
        theme: &'a Theme,
        config: &'a Config,
        base: &'a BaseUrl,
        replies: Vec<Value>,
    ) -> Self {
        debug_assert_eq!(replies.len(), archive.replies().len());
        let replies = replies.into_iter().map(OnceLock::from).collect();
        Renderer::with(archive, theme, config, base, replies)
    }

    fn with(
        archive: &'a Archive,
        theme: &'a Theme,
        config: &'a Config,
        base: &'a BaseUrl,
        replies: Vec<OnceLock<Value>>,
    ) -> Self {
        let site = site_value(archive, config, base);
        let published = archive
            .replies()
            .iter()
            .map(|reply| reply.published_date())
            .collect();
        let result_counts = Facet::ALL.map(|facet| {
            archive
                .terms(facet)
                .iter()
                .map(|_| OnceLock::new())
                .collect()
        });
        Renderer {
            archive,
            theme,
            config,
            base,
            site,
            replies,
            published,
            result_counts,
            sitemap_files: OnceLock::new(),
        }
    }

    /// The `site` every template gets. Every page shows some of it (the
    /// footer counts the replies), so when it changes every page does.
    pub(crate) fn site(&self) -> &Value {
        &self.site
    }

    /// Every page of the site, in a stable order: `pages`, then the
    /// sitemap's.
    pub(crate) fn plan(&self) -> Vec<PageSpec> {
        let mut specs = self.pages();
        specs.extend(self.sitemap());
        specs
    }

    /// Every page but the sitemap's, in a stable order.
    pub(crate) fn pages(&self) -> Vec<PageSpec> {
        let mut specs = vec![
            PageSpec::Home,
            PageSpec::NotFound,
            PageSpec::Search,
            PageSpec::Stats,
            PageSpec::Feed,
            PageSpec::Robots,
        ];
        specs.extend((0..self.archive.replies().len()).map(PageSpec::Reply));
        specs.extend((0..self.archive.proposals().len()).map(PageSpec::Proposal));
        for facet in Facet::ALL {
            specs.push(PageSpec::Facet(facet));
            for (index, term) in self.archive.terms(facet).iter().enumerate() {
                let pages = term.replies.len().div_ceil(self.config.per_page).max(1);
                specs.extend((1..=pages).map(|page| PageSpec::Term(facet, index, page)));
                if has_feed(facet, term) {
                    specs.push(PageSpec::TermFeed(facet, index));
                }
            }
        }
        specs
    }

    /// The sitemap's pages: `sitemap.xml`, and the numbered files it names
    /// when the other pages are too many for one. Knowing them means going
    /// through every other page (`sitemap_files`), which the preview does
    /// in the background, not as a reply is saved.
    pub(crate) fn sitemap(&self) -> Vec<PageSpec> {
        let files = self.sitemap_files().len();
        let numbered = (files > 1).then_some(1..=files).into_iter().flatten();
        std::iter::once(PageSpec::Sitemap)
            .chain(numbered.map(PageSpec::SitemapFile))
            .collect()
    }

    /// What a page is made from.
    pub(crate) fn inputs(&self, spec: PageSpec) -> Vec<Input<'a>> {
        match spec {
            // A reply's page names its proposal and counts its other answers.
            PageSpec::Reply(id) => {
                let reply = &self.archive.replies()[id];
                let mut inputs = vec![Input::Reply(&reply.path)];
                inputs.extend(
                    (self.archive.proposal_of(id))
                        .map(|index| Input::Proposal(&self.archive.proposals()[index].key)),
                );
                inputs
            }
            PageSpec::Proposal(index) => {
                vec![Input::Proposal(&self.archive.proposals()[index].key)]
            }
            // The term's list (its order and length, hence the pagination) and
            // the replies shown on this one page of it.
            PageSpec::Term(facet, index, page) => {
                let term = &self.archive.terms(facet)[index];
                let mut inputs = vec![Input::Term(facet, &term.name)];
                inputs.extend(
                    self.page_of(term, page)
                        .map(|&id| Input::Reply(&self.archive.replies()[id].path)),
                );
                // A session's first page lists its proposals.
                if facet == Facet::Session && page == 1 {
                    inputs.extend(
                        (self.archive.proposals_in(&term.name))
                            .map(|index| Input::Proposal(&self.archive.proposals()[index].key)),
                    );
                }
                inputs
            }
            // A term's feed: the term's list and the replies it looked at
            // for its entries, a reply that gains a day among them too.
            PageSpec::TermFeed(facet, index) => {
                let term = &self.archive.terms(facet)[index];
                let mut inputs = vec![Input::Term(facet, &term.name)];
                let (_, looked_at) = self.feed_entries(&term.replies);
                inputs.extend(
                    term.replies[..looked_at]
                        .iter()
                        .map(|&id| Input::Reply(&self.archive.replies()[id].path)),
                );
                inputs
            }
            PageSpec::Facet(facet) => vec![Input::Facet(facet)],
            PageSpec::Home
            | PageSpec::NotFound
            | PageSpec::Search
            | PageSpec::Stats
            | PageSpec::Feed
            | PageSpec::Sitemap
            | PageSpec::SitemapFile(_) => vec![Input::Everything],
            // robots.txt names the sitemap: config alone decides it.
            PageSpec::Robots => Vec::new(),
        }
    }

    /// Where a page is written, under the output folder.
    pub(crate) fn path(&self, spec: PageSpec) -> String {
        match spec {
            PageSpec::Home => "index.html".to_string(),
            PageSpec::NotFound => "404.html".to_string(),
            PageSpec::Search => "search/index.html".to_string(),
            PageSpec::Stats => "stats/index.html".to_string(),
            PageSpec::Reply(id) => format!("{}index.html", self.archive.replies()[id].path),
            PageSpec::Proposal(index) => format!("{}index.html", self.archive.proposal_path(index)),
            PageSpec::Facet(facet) => format!("{}/index.html", facet.key()),
            PageSpec::Term(facet, index, page) => {
                let first = term_path(facet, &self.archive.terms(facet)[index]);
                format!("{}index.html", page_path(&first, page))
            }
            PageSpec::Feed => "atom.xml".to_string(),
            PageSpec::TermFeed(facet, index) => {
                format!(
                    "{}atom.xml",
                    term_path(facet, &self.archive.terms(facet)[index])
                )
            }
            PageSpec::Sitemap => "sitemap.xml".to_string(),
            PageSpec::SitemapFile(number) => sitemap::file_path(number),
            PageSpec::Robots => "robots.txt".to_string(),
        }
    }

    pub(crate) fn render(&self, spec: PageSpec) -> Result<Page, Problem> {
        let path = self.path(spec);
        let (template, fields) = self.context(spec, &path, Shown::Data);
        let mut context = Context::new();
        context.insert_value("site", self.site.clone());
        for (key, value) in fields {
            context.insert_value(key, value);
        }
        if let PageSpec::Reply(id) = spec {
            let reply = &self.archive.replies()[id];
            let html = reply
                .body
                .html()
                .map_err(|e| Problem::new(&reply.source, format!("{e:#}")))?;
            context.insert_value("body", Value::safe_string(&html));
        }
        let bytes = self.theme.render(template, &context)?;
        Ok(Page { path, bytes })
    }

    /// What page `spec` is made of, in 64 bits: what every page shares
    /// (`shared`: see `digest::shared`), and the same context `render` gives
    /// the template, each reply in it by its digest (`reply_digests`), and
    /// its body's.
    pub(crate) fn digest(&self, spec: PageSpec, replies: &[u64], shared: u64) -> u64 {
        let mut hasher = hashing::Hasher::default();
        shared.hash(&mut hasher);
        let path = self.path(spec);
        let (template, fields) = self.context(spec, &path, Shown::Digest(replies));
        template.hash(&mut hasher);
        for (key, value) in &fields {
            key.hash(&mut hasher);
            hash_value(value, &mut hasher);
        }
        if let PageSpec::Reply(id) = spec {
            self.archive.replies()[id].body.digest.hash(&mut hasher);
        }
        hasher.finish()
    }

    /// Every reply's template data in 64 bits, by id, for `digest`: made
    /// from what its [`reply_value`] is made of, without making it.
    pub(crate) fn reply_digests(&self) -> Vec<u64> {
        let (config, base, archive) = (self.config, self.base, self.archive);
        (archive.replies())
            .par_iter()
            .map(|reply| {
                let mut hasher = hashing::Hasher::default();
                hasher.serialized(&reply_view(reply, config, base, archive));
                hasher.serialized(&RowValues(reply));
                hasher.finish()
            })
            .collect()
    }

    /// Reply `id`'s template data: kept, or made now.
    fn reply(&self, id: usize) -> Value {
        let make = || {
            let reply = &self.archive.replies()[id];
            reply_value(reply, self.config, self.base, self.archive)
        };
        match self.replies.get(id) {
            Some(kept) => kept.get_or_init(make).clone(),
            None => make(),
        }
    }

    /// The template of page `spec` and what its context holds but `site` and
    /// a reply's `body`, which `render` adds.
    fn context(
        &self,
        spec: PageSpec,
        path: &str,
        shown: Shown,
    ) -> (&'static str, Vec<(&'static str, Value)>) {
        let reply = |id: usize| match shown {
            Shown::Data => self.reply(id),
            Shown::Digest(digests) => Value::from(digests[id]),
        };
        let proposal = |index: usize| match shown {
            Shown::Data => {
                let view = self.proposal_view(index, &self.archive.proposals()[index]);
                Value::from_serializable(&view)
            }
            Shown::Digest(digests) => Value::from(self.proposal_digest(index, digests)),
        };
        let mut fields: Vec<(&'static str, Value)> = Vec::new();
        let mut put = |key: &'static str, value: Value| fields.push((key, value));
        let template = match spec {
            PageSpec::Home => {
                let latest = self.config.latest.min(self.archive.replies().len());
                put(
                    "replies",
                    Value::from((0..latest).map(reply).collect::<Vec<_>>()),
                );
                "index.html"
            }
            PageSpec::NotFound => "404.html",
            PageSpec::Search => "search.html",
            PageSpec::Stats => {
                let stats = Stats::of(self.archive, self.config);
                put("total", Value::from_serializable(&stats.total));
                put("charts", Value::from_serializable(&self.charts(&stats)));
                let timings = crate::model::stats::Timings::of(self.archive, self.config);
                put("timings", Value::from_serializable(&timings));
                "stats.html"
            }
            PageSpec::Reply(id) => {
                put("reply", reply(id));
                let link = self.archive.proposal_of(id).map(|index| ProposalLink {
                    url: self.base.link(self.archive.proposal_path(index)),
                    others: self.archive.proposals()[index].replies.len() - 1,
                });
                put("proposal", Value::from_serializable(&link));
                "reply.html"
            }
            PageSpec::Proposal(index) => {
                put("proposal", proposal(index));
                let replies = &self.archive.proposals()[index].replies;
                put(
                    "replies",
                    Value::from(replies.iter().map(|&id| reply(id)).collect::<Vec<_>>()),
                );
                "proposal.html"
            }
            PageSpec::Facet(facet) => {
                let terms: Vec<TermView> = self
                    .archive
                    .terms(facet)
                    .iter()
                    .map(|term| self.term_view(facet, term))
                    .collect();
                put("facet", Value::from_serializable(&self.facet_view(facet)));
                put("terms", Value::from_serializable(&terms));
                "facet.html"
            }
            PageSpec::Term(facet, index, page) => {
                let term = &self.archive.terms(facet)[index];
                let replies: Vec<Value> = self.page_of(term, page).map(|&id| reply(id)).collect();
                let total = term.replies.len().div_ceil(self.config.per_page).max(1);
                put("facet", Value::from_serializable(&self.facet_view(facet)));
                put(
                    "term",
                    Value::from_serializable(&self.term_view(facet, term)),
                );
                put("replies", Value::from(replies));
                let proposals: Vec<Value> = match (facet, page) {
                    (Facet::Session, 1) => self
                        .archive
                        .proposals_in(&term.name)
                        .map(proposal)
                        .collect(),
                    _ => Vec::new(),
                };
                put("proposals", Value::from(proposals));
                // A department's or a session's classes, on each of its pages.
                put("results", self.result_counts(facet, index).clone());
                let first = term_path(facet, term);
                let pagination = self.pagination(&first, page, total);
                put("pagination", Value::from_serializable(&pagination));
                "term.html"
            }
            PageSpec::Feed => {
                let all: Vec<usize> = (0..self.archive.replies().len()).collect();
                let (ids, _) = self.feed_entries(&all);
                self.feed_context(&mut put, "", &ids, reply);
                put("term", Value::none());
                "atom.xml"
            }
            PageSpec::TermFeed(facet, index) => {
                let term = &self.archive.terms(facet)[index];
                let first = term_path(facet, term);
                let (ids, _) = self.feed_entries(&term.replies);
                self.feed_context(&mut put, &first, &ids, reply);
                put("facet", Value::from_serializable(&self.facet_view(facet)));
                put(
                    "term",
                    Value::from_serializable(&self.term_view(facet, term)),
                );
                "atom.xml"
            }
            PageSpec::Sitemap | PageSpec::SitemapFile(_) => {
                let files = self.sitemap_files();
                // The file's URLs: the one file, a numbered one, or none
                // for the index of many.
                let listed = match (spec, files) {
                    (PageSpec::Sitemap, [all]) => Some(all),
                    (PageSpec::SitemapFile(number), _) => files.get(number - 1),
                    _ => None,
                };
                match (listed, shown) {
                    (Some(file), Shown::Digest(_)) => {
                        put("urls", Value::from(file.digest));
                        "sitemap.xml"
                    }
                    (Some(file), Shown::Data) => {
                        let urls = self.sitemap_urls();
                        let shown: Vec<SitemapUrl> = (urls[file.urls.clone()].iter())
                            .map(|(path, lastmod)| SitemapUrl {
                                path,
                                lastmod: lastmod.as_deref(),
                            })
                            .collect();
                        put("urls", Value::from_serializable(&shown));
                        "sitemap.xml"
                    }
                    (None, Shown::Digest(_)) => {
                        let mut hasher = hashing::Hasher::default();
                        (files.iter()).for_each(|file| hasher.write_u64(file.digest));
                        put("sitemaps", Value::from(hasher.finish()));
                        "sitemap_index.xml"
                    }
                    (None, Shown::Data) => {
                        let urls = self.sitemap_urls();
                        let files: Vec<IndexEntry> = (files.iter().enumerate())
                            .map(|(index, file)| IndexEntry {
                                path: sitemap::file_path(index + 1),
                                lastmod: urls[file.urls.clone()]
                                    .iter()
                                    .filter_map(|(_, lastmod)| lastmod.as_deref())
                                    .max(),
                            })
                            .collect();
                        put("sitemaps", Value::from_serializable(&files));
                        "sitemap_index.xml"
                    }
                }
            }
            PageSpec::Robots => "robots.txt",
        };
        // The page's own path, for its canonical link; none for 404.html,
        // which a host serves at every missing URL.
        let own_path = match spec {
            PageSpec::NotFound => None,
            _ if path.ends_with("index.html") => Some(path.trim_end_matches("index.html")),
            _ => Some(path),
        };
        put(
            "page",
            Value::from_serializable(&own_path.map(|path| PageView { path })),
        );
        (template, fields)
    }

    /// The entries of a feed over `ids`, newest first: the first
    /// `FEED_ENTRIES` whose day is known; and how many of `ids` it looked at
    /// to find them.
    fn feed_entries(&self, ids: &[usize]) -> (Vec<usize>, usize) {
        let mut entries = Vec::new();
        let mut looked_at = 0;
        for &id in ids {
            if entries.len() == FEED_ENTRIES {
                break;
            }
            looked_at += 1;
            if self.published[id].is_some() {
                entries.push(id);
            }
        }
        (entries, looked_at)
    }

    /// A feed's context: what it follows, and its entries (`replies`).
    fn feed_context(
        &self,
        put: &mut impl FnMut(&'static str, Value),
        page_path: &str,
        ids: &[usize],
        reply: impl Fn(usize) -> Value,
    ) {
        let updated = ids
            .iter()
            .filter_map(|&id| self.published[id].as_deref())
            .max()
            .unwrap_or(NO_DATE);
        let feed = FeedView {
            path: format!("{page_path}atom.xml"),
            page_path: page_path.to_string(),
            updated: updated.to_string(),
        };
        put("feed", Value::from_serializable(&feed));
        put(
            "replies",
            Value::from(ids.iter().map(|&id| reply(id)).collect::<Vec<_>>()),
        );
    }

    /// The sitemap's files, as ranges of `sitemap_urls`: one while every
    /// URL fits in one file (see `sitemap::files`).
    fn sitemap_files(&self) -> &[SitemapFile] {
        self.sitemap_files.get_or_init(|| {
            let urls = self.sitemap_urls();
            let sizes = (urls.iter()).map(|(path, lastmod)| {
                sitemap::url_bytes(&self.base.absolute(path), lastmod.as_deref())
            });
            (sitemap::files(sizes, sitemap::LIMITS).into_iter())
                .map(|range| {
                    let mut hasher = hashing::Hasher::default();
                    urls[range.clone()].hash(&mut hasher);
                    SitemapFile {
                        urls: range,
                        digest: hasher.finish(),
                    }
                })
                .collect()
        })
    }

    /// Every HTML page a search engine should know (all but 404.html), with
    /// the newest publication date of what it shows, if any is known.
    fn sitemap_urls(&self) -> Vec<(String, Option<String>)> {
        let newest = |ids: &[usize]| {
            ids.iter()
                .filter_map(|&id| self.published[id].clone())
                .max()
        };
        let everything = self.published.iter().flatten().max().cloned();
        let mut urls = Vec::new();
        for spec in self.pages() {
            match spec {
                PageSpec::Home => urls.push((String::new(), everything.clone())),
                PageSpec::Search => urls.push(("search/".to_string(), everything.clone())),
                PageSpec::Stats => urls.push(("stats/".to_string(), everything.clone())),
                PageSpec::Facet(facet) => {
                    urls.push((format!("{}/", facet.key()), everything.clone()));
                }
                PageSpec::Reply(id) => urls.push((
                    self.archive.replies()[id].path.clone(),
                    self.published[id].clone(),
                )),
                PageSpec::Proposal(index) => urls.push((
                    self.archive.proposal_path(index).to_string(),
                    newest(&self.archive.proposals()[index].replies),
                )),
                PageSpec::Term(facet, index, page) => {
                    let term = &self.archive.terms(facet)[index];
                    let shown: Vec<usize> = self.page_of(term, page).copied().collect();
                    urls.push((page_path(&term_path(facet, term), page), newest(&shown)));
                }
                PageSpec::NotFound
                | PageSpec::Feed
                | PageSpec::TermFeed(..)
                | PageSpec::Sitemap
                | PageSpec::SitemapFile(_)
                | PageSpec::Robots => {}
            }
        }
        urls
    }

    /// The ids of the replies on one page of a term's list.
    fn page_of<'t>(&self, term: &'t Term, page: usize) -> impl Iterator<Item = &'t usize> {
        let per_page = self.config.per_page;
        term.replies
            .iter()
            .skip((page - 1) * per_page)
            .take(per_page)
    }

    /// How many of term `index`'s replies are in each result class, for a
    /// department's or a session's pages (nothing for other facets): made
    /// once for all the pages of its list.
    fn result_counts(&self, facet: Facet, index: usize) -> &Value {
        static NONE: OnceLock<Value> = OnceLock::new();
        match facet {
            Facet::Department | Facet::Session => self.result_counts[facet.index()][index]
                .get_or_init(|| {
                    let term = &self.archive.terms(facet)[index];
                    Value::from_serializable(&self.class_counts(&term.replies))
                }),
            _ => NONE.get_or_init(|| Value::from_serializable(&Vec::<Bar>::new())),
        }
    }

    /// How many of the replies `ids` are in each result class that has
    /// some, with links to the classes' lists; nothing when none gives one.
    fn class_counts(&self, ids: &[usize]) -> Vec<Bar> {
        let replies = ids.iter().map(|&id| &*self.archive.replies()[id]);
        let tallies = crate::model::stats::results(self.config, replies);
        let rows = Chart::new("results", "按办理结果", "办理结果", &tallies, ids.len())
            .labelled(|code| match code {
                UNSPECIFIED => code.to_string(),
                _ => result_label(code),
            })
            .linked(|bar| term_link(self.archive, self.base, Facet::Result, &bar.name))
            .rows;
        let mut rows = rows;
        rows.retain(|row| row.count > 0);
        if rows.iter().all(|row| row.name == UNSPECIFIED) {
            rows.clear();
        }
        rows
    }

    /// A proposal as its page and its session's list show it.
    fn proposal_view<'p>(&'p self, index: usize, proposal: &'p Proposal) -> ProposalView<'p> {
        let replies = self.archive.replies();
        let result = proposal.result(replies);
        ProposalView {
            url: self.base.link(self.archive.proposal_path(index)),
            kind: proposal.key.kind,
            session: &proposal.key.session,
            session_url: term_link(
                self.archive,
                self.base,
                Facet::Session,
                &proposal.key.session,
            ),
            number: &proposal.key.number,
            title: proposal.title(replies),
            proposers: (proposal.proposers(replies).iter())
                .map(|name| Link {
                    name,
                    url: term_link(self.archive, self.base, Facet::Proposer, name),
                })
                .collect(),
            answers: proposal.replies.len(),
            result,
            result_url: result.map(|r| term_link(self.archive, self.base, Facet::Result, r)),
            result_label: result
                .and_then(|r| self.config.result_legend.get(r))
                .map(String::as_str),
        }
    }

    /// What [`proposal_view`](Self::proposal_view) shows, in 64 bits,
    /// without making it: every field of it comes from its replies' views,
    /// in order (key, 案由, proposers, roles and classes, their links), from
    /// its path, or from the legend, which `digest::shared` covers.
    fn proposal_digest(&self, index: usize, replies: &[u64]) -> u64 {
        let mut hasher = hashing::Hasher::default();
        self.archive.proposal_path(index).hash(&mut hasher);
        for &id in &self.archive.proposals()[index].replies {
            replies[id].hash(&mut hasher);
        }
        hasher.finish()
    }

    fn facet_view(&self, facet: Facet) -> FacetView {
        facet_view(self.archive, self.base, facet)
    }

    fn term_view<'t>(&self, facet: Facet, term: &'t Term) -> TermView<'t> {
        TermView {
            name: &term.name,
            label: match facet {
                Facet::Year => format!("{}年", term.name),
                Facet::Result => result_label(&term.name),
                _ => term.name.clone(),
            },
            url: self.base.link(&term_path(facet, term)),
            count: term.replies.len(),
            feed_url: has_feed(facet, term).then(|| {
                self.base
                    .link(&format!("{}atom.xml", term_path(facet, term)))
            }),
        }
    }

    /// The four charts of `/stats/`; years and departments link to their lists.
    fn charts(&self, stats: &Stats) -> Vec<Chart> {
        let link = |facet| move |bar: &Bar| term_link(self.archive, self.base, facet, &bar.name);
        let rest = stats.other_departments;
        vec![
            Chart::new("years", "按年度", "年度", &stats.years, stats.total)
                .labelled(|name| format!("{name}年"))
                .linked(link(Facet::Year)),
            Chart::new(
                "departments",
                "按办理单位",
                "办理单位",
                &stats.departments,
                stats.total,
            )
            .linked(link(Facet::Department))
            .noted((rest.departments > 0).then(|| {
                format!(
                    "另有 {} 个办理单位共 {} 件答复。",
                    rest.departments, rest.replies
                )
            })),
            Chart::new(
                "results",
                "按办理结果",
                "办理结果",
                &stats.results,
                stats.total,
            )
            .labelled(|code| match code {
                UNSPECIFIED => code.to_string(),
                _ => result_label(code),
            })
            .linked(|bar| term_link(self.archive, self.base, Facet::Result, &bar.name))
            .detailed(|code| self.config.result_legend.get(code).cloned()),
            Chart::new("kinds", "按类型", "类型", &stats.kinds, stats.total),
        ]
    }

    fn pagination(&self, first: &str, current: usize, total: usize) -> Pagination {
        let link = |page: usize| self.base.link(&page_path(first, page));
        let mut pages = Vec::new();
        for number in 1..=total {
            let near = number.abs_diff(current) <= 2 || number == 1 || number == total;
            if near {
                pages.push(PageLink {
                    number,
                    url: link(number),
                    current: number == current,
                });
            } else if pages.last().is_some_and(|p| p.number != 0) {
                pages.push(PageLink {
                    number: 0,
                    url: String::new(),
                    current: false,
                });
            }
        }
        Pagination {
            current,
            total,
            prev: (current > 1).then(|| link(current - 1)),
            next: (current < total).then(|| link(current + 1)),
            pages,
        }
    }
}

/// One chart of `/stats/`: a template draws its bars as SVG and lists its
/// rows in a table beside it.
#[derive(Serialize)]
struct Chart {
    /// `years`, `departments`, `results`, `kinds`: for ids.
    key: &'static str,
    /// `按年度`
    title: &'static str,
    /// The table's first column heading: `年度`
    column: &'static str,
    rows: Vec<Bar>,
    /// A sentence under the chart, such as the departments left out.
    note: Option<String>,
}

#[derive(Serialize)]
struct Bar {
    /// The term's own text: `2021`, `A`, `常州市工业和信息化局`.
    name: String,
    /// How the chart names it: `2021年`, `A类`.
    label: String,
    /// What a result code means, from the legend; absent elsewhere.
    detail: Option<String>,
    count: usize,
    /// Share of all replies, in percent, one decimal.
    share: f64,
    /// The bar's length in percent of the chart's width: the largest count
    /// takes `BAR_MAX`, leaving room for its number after it.
    bar: f64,
    /// The term's list, for years and departments; empty otherwise.
    url: String,
}

/// How much of a chart's width the longest bar takes, in percent.
const BAR_MAX: f64 = 80.0;

impl Chart {
    /// Bars for `tallies`, each labelled with its own name, with no link.
    fn new(
        key: &'static str,
        title: &'static str,
        column: &'static str,
        tallies: &[Tally],
        total: usize,
    ) -> Chart {
        let max = tallies.iter().map(|t| t.count).max().unwrap_or(0);
        let rows = tallies
            .iter()
            .map(|tally| Bar {
                name: tally.name.clone(),
                label: tally.name.clone(),
                detail: None,
                count: tally.count,
                share: tenths(percent(tally.count, total)),
                bar: tenths(percent(tally.count, max) * BAR_MAX / 100.0),
                url: String::new(),
            })
            .collect();
        Chart {
            key,
            title,
            column,
            rows,
            note: None,
        }
    }

    fn labelled(mut self, label: impl Fn(&str) -> String) -> Chart {
        for row in &mut self.rows {
            row.label = label(&row.name);
        }
        self
    }

    fn detailed(mut self, detail: impl Fn(&str) -> Option<String>) -> Chart {
        for row in &mut self.rows {
            row.detail = detail(&row.name);
        }
        self
    }

    fn linked(mut self, url: impl Fn(&Bar) -> String) -> Chart {
        for row in &mut self.rows {
            row.url = url(row);
        }
        self
    }

    fn noted(mut self, note: Option<String>) -> Chart {
        self.note = note;
        self
    }
}

/// `part` of `whole` in percent; 0 of nothing is 0.
fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

/// Rounded to one decimal, so the HTML carries `62.5`, not `62.49999999`.
fn tenths(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

/// Feeds `hasher` a template value whole: each part's kind and contents,
/// a string with whether it is safe (not escaped when shown). What
/// serialising it would say, for a fraction of the cost: no JSON is
/// written, no string escaped.
fn hash_value(value: &Value, hasher: &mut hashing::Hasher) {
    let kind = value.kind();
    kind.hash(hasher);
    match kind {
        ValueKind::Undefined | ValueKind::None => {}
        ValueKind::Bool => value.as_bool().hash(hasher),
        ValueKind::U64 => value.as_u64().hash(hasher),
        ValueKind::I64 => value.as_i64().hash(hasher),
        ValueKind::U128 => value.as_u128().hash(hasher),
        ValueKind::I128 => value.as_i128().hash(hasher),
        ValueKind::F64 => value.as_f64().map(f64::to_bits).hash(hasher),
        ValueKind::String => (value.as_str(), value.is_safe()).hash(hasher),
        ValueKind::Bytes => value.as_bytes().hash(hasher),
        ValueKind::Array => {
            let items = value.as_array().unwrap_or_default();
            items.len().hash(hasher);
            for item in items {
                hash_value(item, hasher);
            }
        }
        ValueKind::Map => {
            let map = value.as_map();
            map.map(|map| map.len()).hash(hasher);
            for (key, value) in map.into_iter().flatten() {
                key.hash(hasher);
                hash_value(value, hasher);
            }
        }
        // A kind tera may add: as it serialises.
        _ => hasher.serialized(value),
    }
}

/// `A类`: how pages name a result class.
fn result_label(code: &str) -> String {
    format!("{code}类")
}

/// `departments/常州市工业和信息化局/`
pub(crate) fn term_path(facet: Facet, term: &Term) -> String {
    format!("{}/{}/", facet.key(), term.slug)
}

/// The first page of a list is the term's own folder; the rest `page/N/`.
fn page_path(first: &str, page: usize) -> String {
    if page == 1 {
        first.to_string()
    } else {
        format!("{first}page/{page}/")
    }
}

fn facet_view(archive: &Archive, base: &BaseUrl, facet: Facet) -> FacetView {
    FacetView {
        key: facet.key(),
        name: facet.name(),
        url: base.link(&format!("{}/", facet.key())),
        count: archive.terms(facet).len(),
    }
}

fn term_link(archive: &Archive, base: &BaseUrl, facet: Facet, name: &str) -> String {
    archive
        .term(facet, name)
        .map(|term| base.link(&term_path(facet, term)))
        .unwrap_or_default()
}

/// A reply's template data: a function of the reply and the config only
/// (its term links depend on slugs, which config.yaml sets), so it stays
/// valid while other replies change.
pub(crate) fn reply_value(
    reply: &Reply,
    config: &Config,
    base: &BaseUrl,
    archive: &Archive,
) -> Value {
    let page = Value::from_serializable(&reply_view(reply, config, base, archive));
    let mut data = page.into_map().unwrap_or_default();
    // Keys made as the page's own are, from static text: a map filled by
    // serde (a flattened struct) would hold each key as a string of its
    // own, 24 MiB more for the replies kept (`KEPT_REPLIES`).
    data.extend(
        (RowValues(reply).given())
            .map(|(key, given)| (key.into(), Value::from_serializable(&given))),
    );
    // Made again at its size: a map grown by inserts has up to twice the
    // room it needs.
    Value::from(data)
}

fn reply_view<'r>(
    reply: &'r Reply,
    config: &'r Config,
    base: &BaseUrl,
    archive: &Archive,
) -> ReplyView<'r> {
    let session_name = reply.stated.session.as_deref();
    let proposers: Vec<Link> = reply
        .stated
        .proposers
        .iter()
        .map(|name| Link {
            name,
            url: term_link(archive, base, Facet::Proposer, name),
        })
        .collect();
    // How such letters name proposers, for the short form below.
    let title = match reply.kind {
        Some(Kind::Suggestion) => "代表",
        Some(Kind::Proposal) => "委员",
        None => "",
    };
    let addressee = reply.addressee_line();
    let addressee_short = match &reply.stated.addressee {
        Some(given) => Some(shortened(given, SHORT_ADDRESSEE_CHARS)),
        None if reply.stated.proposers.len() > SHORT_PROPOSERS => {
            let first = reply.stated.proposers[..SHORT_PROPOSERS].join("、");
            let count = reply.stated.proposers.len();
            Some(match title {
                "" => format!("{first}等{count}人"),
                title => format!("{first}等{count}名{title}"),
            })
        }
        None => addressee.clone(),
    };
    let result = reply.stated.result.as_deref();
    ReplyView {
        url: base.link(&reply.path),
        path: &reply.path,
        department_url: term_link(archive, base, Facet::Department, &reply.department),
        date: reply.date.iso(),
        date_cn: reply.date.chinese(),
        day_known: matches!(reply.date, ReplyDate::Day(_)),
        year_url: term_link(archive, base, Facet::Year, &reply.date.year().to_string()),
        session_url: session_name.map(|s| term_link(archive, base, Facet::Session, s)),
        proposers,
        addressee,
        addressee_short,
        result_url: result.map(|r| term_link(archive, base, Facet::Result, r)),
        result_label: result
            .and_then(|r| config.result_legend.get(r))
            .map(String::as_str),
        published_cn: (reply.stated.published).map(|day| ReplyDate::Day(day).chinese()),
        assigned_cn: (reply.stated.assigned).map(|day| ReplyDate::Day(day).chinese()),
        summary: &reply.body.summary,
        extra: &reply.stated.extra,
    }
}

/// Proposers a list names before `等N名…`.
const SHORT_PROPOSERS: usize = 3;

/// Characters of an addressee as written that a list shows.
const SHORT_ADDRESSEE_CHARS: usize = 40;

/// `text` cut to `max` characters, with `…` if cut.
fn shortened(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

#[derive(Serialize)]
struct SiteView<'a> {
    title: &'a str,
    description: &'a str,
    language: &'a str,
    base_url: &'a str,
    base_path: &'a str,
    reply_count: usize,
    facets: Vec<FacetView>,
    legend: &'a indexmap::IndexMap<String, String>,
    gov: &'a crate::model::config::GovMeta,
}

fn site_value(archive: &Archive, config: &Config, base: &BaseUrl) -> Value {
    let facets = Facet::ALL
        .iter()
        .map(|&facet| facet_view(archive, base, facet))
        .collect();
    Value::from_serializable(&SiteView {
        title: &config.title,
        description: &config.description,
        language: &config.language,
        base_url: &config.base_url,
        base_path: &base.path,
        reply_count: archive.replies().len(),
        facets,
        legend: &config.result_legend,
        gov: &config.gov,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::reply::{sample_of_every_field, sample_value};

    /// Adding a field to `FIELDS` is proved here to reach the templates:
    /// every field a reply gives back is in its template data under its
    /// key, as the open data has it unless the page shows it otherwise.
    #[test]
    fn every_field_given_back_reaches_the_templates() {
        let config = Config::default();
        let archive = Archive::new(vec![sample_of_every_field()], &config).expect("an archive");
        let base = BaseUrl::parse("https://example.gov.cn/zxta/").expect("a base URL");
        let reply = &archive.replies()[0];
        let value = reply_value(reply, &config, &base, &archive);
        for field in FIELDS.iter() {
            let (Some(get), Some(shown)) = (field.get, value.get_from_path(field.key)) else {
                assert!(
                    field.get.is_none(),
                    "{} is not in the template data",
                    field.key
                );
                continue;
            };
            if !SHOWN_OTHERWISE.contains(&field.key) {
                let given = Value::from_serializable(&get(reply));
                assert_eq!(shown, &given, "{} as {}", field.key, sample_value(field));
                assert!(!shown.is_none(), "{} is empty", field.key);
            }
        }
    }
}
