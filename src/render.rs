//! Rendering: what pages the archive has (`PageSpec`), what each is made from
//! (`Input`), and its bytes through the theme's templates, in parallel.
//!
//! Knows nothing of where pages are written. Each reply's template data is
//! serialised once into a Tera value (reference-counted inside), so a list of
//! 20 replies on a term page clones 20 pointers, not 20 documents.

use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Value};

use crate::archive::{Archive, Facet, Term};
use crate::config::{BaseUrl, Config};
use crate::problem::Problem;
use crate::reply::{Kind, Reply};
use crate::theme::Theme;

/// One output file: its path under the output folder and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// Every page the archive renders through a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PageSpec {
    Home,
    NotFound,
    Search,
    Reply(usize),
    Facet(Facet),
    /// A term's list: the facet, the term's index in it, the 1-based page number.
    Term(Facet, usize, usize),
}

/// What a page was made from; `serve` re-renders the pages whose inputs a
/// change touches.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Input<'a> {
    Reply(&'a str),
    Term(Facet, &'a str),
    /// A facet's terms: their names, slugs and counts, as its index lists them.
    Facet(Facet),
    /// Lists, counts or links drawn from every reply.
    Everything,
}

pub struct Renderer<'a> {
    archive: &'a Archive,
    theme: &'a Theme,
    config: &'a Config,
    base: &'a BaseUrl,
    site: Value,
    replies: Vec<Value>,
}

/// A reply as templates see it: every field, the links to its terms, and
/// the addressee line, all computed once.
#[derive(Serialize)]
struct ReplyView<'a> {
    url: String,
    path: &'a str,
    title: &'a str,
    department: &'a str,
    department_url: String,
    date: String,
    date_cn: String,
    year: i16,
    year_url: String,
    doc_number: Option<&'a str>,
    session: Option<&'a str>,
    session_url: Option<String>,
    proposal_id: Option<&'a str>,
    kind: Option<Kind>,
    proposal_title: Option<&'a str>,
    proposers: Vec<Link<'a>>,
    /// 周国平委员 / 王爱珍代表: how the letter addresses the proposers.
    addressee: Option<String>,
    role: crate::reply::Role,
    result: Option<&'a str>,
    result_label: Option<&'a str>,
    signer: Option<&'a str>,
    handler: Option<&'a str>,
    phone: Option<&'a str>,
    cc: &'a [String],
    index_number: Option<&'a str>,
    topic: Option<&'a str>,
    keywords: &'a [String],
    published: String,
    extra: &'a std::collections::BTreeMap<String, serde_yaml::Value>,
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

#[derive(Serialize)]
struct PageLink {
    number: usize,
    url: String,
    current: bool,
}

impl<'a> Renderer<'a> {
    pub fn new(
        archive: &'a Archive,
        theme: &'a Theme,
        config: &'a Config,
        base: &'a BaseUrl,
    ) -> Self {
        let replies = archive
            .replies()
            .par_iter()
            .map(|reply| reply_value(reply, config, base, archive))
            .collect();
        Renderer::from_values(archive, theme, config, base, replies)
    }

    /// A renderer given each reply's [`reply_value`], in archive order: `serve`
    /// keeps them between rebuilds and recomputes only a changed reply's.
    pub fn from_values(
        archive: &'a Archive,
        theme: &'a Theme,
        config: &'a Config,
        base: &'a BaseUrl,
        replies: Vec<Value>,
    ) -> Self {
        debug_assert_eq!(replies.len(), archive.replies().len());
        let site = site_value(archive, config, base);
        Renderer {
            archive,
            theme,
            config,
            base,
            site,
            replies,
        }
    }

    /// The `site` every template gets. Every page shows some of it (the
    /// footer counts the replies), so when it changes every page does.
    pub fn site(&self) -> &Value {
        &self.site
    }

    /// Every page of the site, in a stable order.
    pub fn plan(&self) -> Vec<PageSpec> {
        let mut specs = vec![PageSpec::Home, PageSpec::NotFound, PageSpec::Search];
        specs.extend((0..self.archive.replies().len()).map(PageSpec::Reply));
        for facet in Facet::ALL {
            specs.push(PageSpec::Facet(facet));
            for (index, term) in self.archive.terms(facet).iter().enumerate() {
                let pages = term.replies.len().div_ceil(self.config.per_page).max(1);
                specs.extend((1..=pages).map(|page| PageSpec::Term(facet, index, page)));
            }
        }
        specs
    }

    /// What a page is made from.
    pub fn inputs(&self, spec: PageSpec) -> Vec<Input<'a>> {
        match spec {
            PageSpec::Reply(id) => {
                let reply = &self.archive.replies()[id];
                vec![Input::Reply(&reply.path)]
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
                inputs
            }
            PageSpec::Facet(facet) => vec![Input::Facet(facet)],
            PageSpec::Home | PageSpec::NotFound | PageSpec::Search => vec![Input::Everything],
        }
    }

    /// Renders the given pages in parallel; every failure is reported.
    pub fn render_all(&self, specs: &[PageSpec]) -> Result<Vec<Page>, Vec<Problem>> {
        let results: Vec<Result<Page, Problem>> =
            specs.par_iter().map(|&spec| self.render(spec)).collect();
        let mut pages = Vec::with_capacity(results.len());
        let mut problems = Vec::new();
        for result in results {
            match result {
                Ok(page) => pages.push(page),
                Err(problem) if !problems.contains(&problem) => problems.push(problem),
                Err(_) => {}
            }
        }
        if problems.is_empty() {
            Ok(pages)
        } else {
            Err(problems)
        }
    }

    /// Where a page is written, under the output folder.
    pub fn path(&self, spec: PageSpec) -> String {
        match spec {
            PageSpec::Home => "index.html".to_string(),
            PageSpec::NotFound => "404.html".to_string(),
            PageSpec::Search => "search/index.html".to_string(),
            PageSpec::Reply(id) => format!("{}index.html", self.archive.replies()[id].path),
            PageSpec::Facet(facet) => format!("{}/index.html", facet.key()),
            PageSpec::Term(facet, index, page) => {
                let first = term_path(facet, &self.archive.terms(facet)[index]);
                format!("{}index.html", page_path(&first, page))
            }
        }
    }

    pub fn render(&self, spec: PageSpec) -> Result<Page, Problem> {
        let mut context = Context::new();
        context.insert_value("site", self.site.clone());
        let template = match spec {
            PageSpec::Home => {
                let latest = self.config.latest.min(self.replies.len());
                context.insert_value("replies", Value::from(self.replies[..latest].to_vec()));
                "index.html"
            }
            PageSpec::NotFound => "404.html",
            PageSpec::Search => "search.html",
            PageSpec::Reply(id) => {
                let reply = &self.archive.replies()[id];
                context.insert_value("reply", self.replies[id].clone());
                context.insert_value("body", Value::safe_string(&reply.body.html));
                "reply.html"
            }
            PageSpec::Facet(facet) => {
                let terms: Vec<TermView> = self
                    .archive
                    .terms(facet)
                    .iter()
                    .map(|term| self.term_view(facet, term))
                    .collect();
                context.insert("facet", &self.facet_view(facet));
                context.insert("terms", &terms);
                "facet.html"
            }
            PageSpec::Term(facet, index, page) => {
                let term = &self.archive.terms(facet)[index];
                let replies: Vec<Value> = self
                    .page_of(term, page)
                    .map(|&id| self.replies[id].clone())
                    .collect();
                let total = term.replies.len().div_ceil(self.config.per_page).max(1);
                let first = term_path(facet, term);
                context.insert("facet", &self.facet_view(facet));
                context.insert("term", &self.term_view(facet, term));
                context.insert_value("replies", Value::from(replies));
                context.insert("pagination", &self.pagination(&first, page, total));
                "term.html"
            }
        };
        let html = self.theme.render(template, &context)?;
        Ok(Page {
            path: self.path(spec),
            bytes: html.into_bytes(),
        })
    }

    /// The ids of the replies on one page of a term's list.
    fn page_of<'t>(&self, term: &'t Term, page: usize) -> impl Iterator<Item = &'t usize> {
        let per_page = self.config.per_page;
        term.replies
            .iter()
            .skip((page - 1) * per_page)
            .take(per_page)
    }

    fn facet_view(&self, facet: Facet) -> FacetView {
        FacetView {
            key: facet.key(),
            name: facet.name(),
            url: self.base.link(&format!("{}/", facet.key())),
            count: self.archive.terms(facet).len(),
        }
    }

    fn term_view<'t>(&self, facet: Facet, term: &'t Term) -> TermView<'t> {
        TermView {
            name: &term.name,
            label: match facet {
                Facet::Year => format!("{}年", term.name),
                _ => term.name.clone(),
            },
            url: self.base.link(&term_path(facet, term)),
            count: term.replies.len(),
        }
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

/// `departments/常州市工业和信息化局/`
pub fn term_path(facet: Facet, term: &Term) -> String {
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

fn term_link(archive: &Archive, base: &BaseUrl, facet: Facet, name: &str) -> String {
    archive
        .term(facet, name)
        .map(|term| base.link(&term_path(facet, term)))
        .unwrap_or_default()
}

/// A reply's template data: a function of the reply and the config only
/// (its term links depend on slugs, which config.yaml sets), so it stays
/// valid while other replies change.
pub fn reply_value(reply: &Reply, config: &Config, base: &BaseUrl, archive: &Archive) -> Value {
    Value::from_serializable(&reply_view(reply, config, base, archive))
}

fn reply_view<'r>(
    reply: &'r Reply,
    config: &'r Config,
    base: &BaseUrl,
    archive: &Archive,
) -> ReplyView<'r> {
    let session_name = reply.session.as_deref();
    let proposers: Vec<Link> = reply
        .proposers
        .iter()
        .map(|name| Link {
            name,
            url: term_link(archive, base, Facet::Proposer, name),
        })
        .collect();
    let addressee = (!reply.proposers.is_empty()).then(|| {
        let title = match reply.kind {
            Some(Kind::Suggestion) => "代表",
            Some(Kind::Proposal) => "委员",
            None => "",
        };
        format!("{}{title}", reply.proposers.join("、"))
    });
    let result = reply.result.as_deref();
    ReplyView {
        url: base.link(&reply.path),
        path: &reply.path,
        title: &reply.title,
        department: &reply.department,
        department_url: term_link(archive, base, Facet::Department, &reply.department),
        date: reply.date.iso(),
        date_cn: reply.date.chinese(),
        year: reply.date.year(),
        year_url: term_link(archive, base, Facet::Year, &reply.date.year().to_string()),
        doc_number: reply.doc_number.as_deref(),
        session: session_name,
        session_url: session_name.map(|s| term_link(archive, base, Facet::Session, s)),
        proposal_id: reply.proposal_id.as_deref(),
        kind: reply.kind,
        proposal_title: reply.proposal_title.as_deref(),
        proposers,
        addressee,
        role: reply.role,
        result,
        result_label: result
            .and_then(|r| config.result_legend.get(r))
            .map(String::as_str),
        signer: reply.signer.as_deref(),
        handler: reply.handler.as_deref(),
        phone: reply.phone.as_deref(),
        cc: &reply.cc,
        index_number: reply.index_number.as_deref(),
        topic: reply.topic.as_deref(),
        keywords: &reply.keywords,
        published: reply.published_date(),
        extra: &reply.extra,
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
    legend: &'a std::collections::BTreeMap<String, String>,
    gov: &'a crate::config::GovMeta,
}

fn site_value(archive: &Archive, config: &Config, base: &BaseUrl) -> Value {
    let facets = Facet::ALL
        .iter()
        .map(|&facet| FacetView {
            key: facet.key(),
            name: facet.name(),
            url: base.link(&format!("{}/", facet.key())),
            count: archive.terms(facet).len(),
        })
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
