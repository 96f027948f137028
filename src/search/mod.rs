//! Full-text search for a static site: an index built once, in files a
//! browser fetches a few of per query (`themes/default/static/search.js` does that).
//!
//! Citizens search for names, 文号, proposal numbers and phrases, and expect
//! exactly the replies whose text contains what they typed, within one piece
//! of it as its page shows it: a field, a paragraph, a list item, a table
//! cell, a heading (`layout` puts a break between pieces). So every gram of
//! one to four normalised characters is indexed with the replies that hold it,
//! sharded by a hash of the gram: a query of up to four characters is one
//! exact list from one file. A longer query intersects the lists of 4-grams
//! covering it and then checks, with the positions of those 4-grams (in
//! separate files, fetched only for long queries), that they line up as the
//! phrase; common pairs' positions would be too big to ship, 4-grams' are not.
//!
//! The files, all under `search/`:
//! - `index.json`: sizes, the year and department lists, and what the index
//!   was made from (`reuse`);
//! - `g/{pack}.bin`, `p/{pack}.bin`: gram lists and positions (`postings`),
//!   shards packed a few dozen to a file (`shards::pack`);
//! - `d/{folder}/{id}.bin`: what a result shows, then the rest of the
//!   reply's body in compressed pieces (`docs`), 256 replies to a folder;
//! - `u/{k}.json`: URLs by id, for `dafuSearch`;
//! - `facets.bin`: year, department and result class of each reply, for the filters.
//!
//! The build runs in three parallel passes (`grams`, `postings`, `shards`)
//! over packed `u64` grams, with no allocation per gram; the first two
//! passes' output waits on disk (`spill`), and every file is handed on as soon as
//! it is made (`files`), so memory stays near what one partition needs.

mod alphabet;
mod docs;
mod docset;
mod files;
mod grams;
mod hash;
mod layout;
pub(crate) mod normalise;
mod patch;
mod positions;
mod postings;
mod radix;
mod reuse;
mod shards;
mod varint;

#[cfg(test)]
mod reader;

use indexmap::IndexMap;
use std::borrow::Cow;
use std::hash::{DefaultHasher, Hash};
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use crate::model::archive::Archive;
use crate::model::config::BaseUrl;
use crate::model::reply::{Given, Reply, SEARCHED, Search};
use serde::Serialize;

use crate::ground::page::Sink;
use crate::ground::spill::{self, Spill};
use crate::store::digest::Previous;
use alphabet::Alphabet;
pub(crate) use files::Indexed;
use files::{Files, SHARED};
use grams::{Packing, Partitions, Scratch};

/// One published reply as search sees it.
pub(crate) struct SearchDoc<'a> {
    /// The reply's page, as a link's `href` needs it (with the site's sub-path).
    pub url: &'a str,
    pub title: &'a str,
    pub doc_number: Option<&'a str>,
    pub department: &'a str,
    /// "2021-06-10", or "2021" when only the year is known: a `datetime`.
    pub date: &'a str,
    /// The date as the lists show it: "2021年6月10日", or "2021年".
    pub date_shown: &'a str,
    pub year: i32,
    /// Every other field the reply's page shows, as it shows it: each a
    /// separate field, since no match spans two fields.
    pub fields: Vec<Field<'a>>,
    /// Plain text of the body, each paragraph, list item, table cell and
    /// heading ended by `\n`.
    pub body: &'a str,
}

/// A reply of 2021 from 局 with no other fields, for tests of the index.
#[cfg(test)]
impl<'a> SearchDoc<'a> {
    pub(crate) fn sample(url: &'a str, title: &'a str, body: &'a str) -> SearchDoc<'a> {
        SearchDoc {
            url,
            title,
            doc_number: None,
            department: "局",
            date: "2021",
            date_shown: "2021年",
            year: 2021,
            fields: vec![],
            body,
        }
    }
}

/// A field a reply's page shows, and the label it shows it under (`提案人`),
/// which a result that matched the field shows with it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Field<'a> {
    pub label: &'a str,
    pub text: Cow<'a, str>,
}

impl<'a> Field<'a> {
    pub(crate) fn new(label: &'a str, text: impl Into<Cow<'a, str>>) -> Field<'a> {
        Field {
            label,
            text: text.into(),
        }
    }
}

/// What the index needs of a reply but its body.
pub(crate) struct Brief<'a> {
    pub url: &'a str,
    pub title: &'a str,
    pub doc_number: Option<&'a str>,
    pub department: &'a str,
    pub year: i32,
    /// The result class (办理结果), for the filter.
    pub result: Option<&'a str>,
}

/// The replies to index. Their bodies may wait on disk (see `body`), so
/// every pass takes them a range at a time, never all at once.
pub(crate) trait Corpus: Sync {
    /// How many replies.
    fn count(&self) -> usize;

    /// Reply `id` but its body, which is not read.
    fn brief(&self, id: usize) -> Brief<'_>;

    /// Feeds `hasher` what reply `id`'s part of the index is made of: its
    /// fields, and its body or what that is made of (see `reuse`).
    fn identity(&self, id: usize, hasher: &mut DefaultHasher);

    /// Where result class `code` stands in `result_legend`, the order of
    /// the filter's classes; a class the legend lacks comes after.
    fn class_rank(&self, _code: &str) -> usize {
        usize::MAX
    }

    /// Calls `f` with the replies of `range`, bodies and all.
    fn with<R>(&self, range: Range<usize>, f: impl FnOnce(&[SearchDoc]) -> R) -> anyhow::Result<R>;
}

impl Corpus for [SearchDoc<'_>] {
    fn count(&self) -> usize {
        self.len()
    }

    fn brief(&self, id: usize) -> Brief<'_> {
        let doc = &self[id];
        Brief {
            url: doc.url,
            title: doc.title,
            doc_number: doc.doc_number,
            department: doc.department,
            year: doc.year,
            // Documents made in memory, by tests, have no class to filter by.
            result: None,
        }
    }

    fn identity(&self, id: usize, hasher: &mut DefaultHasher) {
        self[id].hash_fields(hasher);
        self[id].body.hash(hasher);
    }

    fn with<R>(&self, range: Range<usize>, f: impl FnOnce(&[SearchDoc]) -> R) -> anyhow::Result<R> {
        Ok(f(&self[range]))
    }
}

impl SearchDoc<'_> {
    /// Feeds `hasher` every field but the body.
    fn hash_fields(&self, hasher: &mut DefaultHasher) {
        (self.url, self.title, self.doc_number, self.department).hash(hasher);
        (self.date, self.date_shown, self.year, &self.fields).hash(hasher);
    }
}

/// Replies a task reads at once: about half a megabyte of text.
const SPAN: usize = 64;

/// `range` cut into consecutive ranges of `size` (the last may be shorter).
fn spans(range: Range<usize>, size: usize) -> impl Iterator<Item = Range<usize>> {
    let end = range.end;
    range
        .step_by(size.max(1))
        .map(move |start| start..(start + size.max(1)).min(end))
}

/// The published replies of an archive, as search reads them.
struct Published<'a> {
    replies: &'a [Arc<Reply>],
    urls: Vec<String>,
    /// Each reply's date, ISO and as shown.
    dates: Vec<(String, String)>,
    /// What each result of `办理结果` means (`config.result_legend`).
    legend: &'a indexmap::IndexMap<String, String>,
}

impl Corpus for Published<'_> {
    fn count(&self) -> usize {
        self.replies.len()
    }

    fn brief(&self, id: usize) -> Brief<'_> {
        let reply = &self.replies[id];
        Brief {
            url: &self.urls[id],
            title: &reply.title,
            doc_number: reply.stated.doc_number.as_deref(),
            department: &reply.department,
            year: i32::from(reply.date.year()),
            result: reply.stated.result.as_deref(),
        }
    }

    fn identity(&self, id: usize, hasher: &mut DefaultHasher) {
        // The body's digest: reading it back would cost more than the rest.
        // The class is among the fields, so a change of it alone makes
        // the facets again too, as does its place in the legend.
        let reply = &self.replies[id];
        self.doc(id, reply, "").hash_fields(hasher);
        reply.body.digest.hash(hasher);
        let rank = reply
            .stated
            .result
            .as_deref()
            .map(|code| self.class_rank(code));
        rank.hash(hasher);
    }

    fn class_rank(&self, code: &str) -> usize {
        self.legend.get_index_of(code).unwrap_or(usize::MAX)
    }

    fn with<R>(&self, range: Range<usize>, f: impl FnOnce(&[SearchDoc]) -> R) -> anyhow::Result<R> {
        let replies = &self.replies[range.clone()];
        let bodies = replies
            .iter()
            .map(|reply| reply.body.text())
            .collect::<anyhow::Result<Vec<_>>>()?;
        let docs: Vec<SearchDoc> = range
            .zip(replies)
            .zip(&bodies)
            .map(|((id, reply), body)| self.doc(id, reply, body))
            .collect();
        Ok(f(&docs))
    }
}

impl Published<'_> {
    fn doc<'s>(&'s self, id: usize, reply: &'s Reply, body: &'s str) -> SearchDoc<'s> {
        SearchDoc {
            url: &self.urls[id],
            title: &reply.title,
            doc_number: reply.stated.doc_number.as_deref(),
            department: &reply.department,
            date: &self.dates[id].0,
            date_shown: &self.dates[id].1,
            year: i32::from(reply.date.year()),
            fields: shown_fields(reply, self.legend),
            body,
        }
    }
}

/// The index files of every published reply of the archive, each handed to
/// `sink` as it is made. `previous` is the folder the build writes over: if
/// it holds the index this build would make, that is kept (see `reuse`),
/// `sink` is not called and no file counts as changed. `legend` is what
/// each result of `办理结果` means, as the reply pages show it.
pub(crate) fn index(
    archive: &Archive,
    base: &BaseUrl,
    legend: &IndexMap<String, String>,
    previous: Option<&Previous>,
    sink: &dyn Sink,
) -> anyhow::Result<Indexed> {
    let replies = archive.replies();
    let docs = Published {
        replies,
        urls: replies.iter().map(|r| base.link(&r.path)).collect(),
        dates: replies
            .iter()
            .map(|r| (r.date.iso(), r.date.chinese()))
            .collect(),
        legend,
    };
    update_or_build(&docs, previous, sink)
}

/// The index of `docs`: kept as `previous` holds it if nothing changed,
/// brought up to date if a few replies did (see `patch`), else made.
fn update_or_build(
    docs: &(impl Corpus + ?Sized),
    previous: Option<&Previous>,
    sink: &dyn Sink,
) -> anyhow::Result<Indexed> {
    let identities = reuse::identities(docs);
    let source = reuse::fingerprint(&identities);
    if let Some(previous) = previous {
        if let Some(written) = reuse::kept(previous, &source, &identities) {
            return Ok(written);
        }
        let manifest = reuse::manifest(previous.folder).zip(previous.intact(reuse::MANIFEST));
        reuse::forget(previous.folder)?;
        if let Some((manifest, chars)) = &manifest {
            let patched = patch::update(
                previous,
                (manifest, *chars),
                docs,
                &identities,
                &source,
                sink,
            )?;
            if let Some(written) = patched {
                return Ok(written);
            }
        }
    }
    // The passes' output waits on the output's disk (see `spill`).
    let spill_dir = previous
        .and_then(|previous| previous.folder.parent())
        .map_or_else(std::env::temp_dir, Path::to_path_buf);
    build_index(docs, &identities, &source, &spill_dir, sink)
}

/// Every other field a reply page shows, as `reply.html` shows it, with its
/// label: each apart, so no match spans two. Which fields, in what order
/// and how is `FIELDS`' `search`.
fn shown_fields<'r>(reply: &'r Reply, legend: &IndexMap<String, String>) -> Vec<Field<'r>> {
    let mut fields = Vec::new();
    for field in SEARCHED.iter() {
        match field.search {
            Search::No => {}
            Search::Given(_) => match field.get.map(|get| get(reply)) {
                Some(Given::Text(Some(text))) => fields.push(Field::new(field.alias, text)),
                Some(Given::List(items)) => {
                    fields.extend(items.iter().map(|item| Field::new(field.alias, item)));
                }
                Some(Given::Year(year)) => fields.push(Field::new(field.alias, year.to_string())),
                Some(Given::Text(None)) | None => {}
            },
            Search::Shown(_, show) => fields.extend(
                show(field.alias, reply, legend)
                    .into_iter()
                    .map(|(label, text)| Field::new(label, text)),
            ),
        }
    }
    fields
}

/// Whether `path` is one of the index's files (`search/` also holds the
/// search page).
fn is_index_file(path: &str) -> bool {
    let Some(rest) = path.strip_prefix("search/") else {
        return false;
    };
    ["g/", "p/", "d/", "u/"]
        .iter()
        .any(|folder| rest.starts_with(folder))
        || rest == "facets.bin"
        || path == reuse::MANIFEST
}

/// Replies' units per gram shard: about 8,192 shards for 10,000 replies,
/// which keeps a shard near 6 KB.
const UNITS_PER_SHARD: u64 = 4096;
const MIN_SHARD_BITS: u32 = 4;
const MAX_SHARD_BITS: u32 = 13;
/// Shards are assembled in at least this many groups, in parallel.
const GROUP_BITS: u32 = 6;
/// Partitions of the second pass, at least: small enough that one
/// partition's records stay in cache, and many enough to keep the cores
/// busy evenly.
const PARTITIONS: usize = 256;

/// How much of the first pass's streams one piece of work holds at most,
/// in bytes: what bounds the build's memory, whatever the archive's size.
#[derive(Clone, Copy)]
struct Bounds {
    /// A chunk of replies of the first pass, before it is spilled.
    chunk: u64,
    /// A partition of the second pass: its records take about three
    /// times its streams.
    partition: u64,
    /// A group of shards of the third pass: its entries are about half
    /// the streams they come from, and it holds them three times over.
    group: u64,
}

/// A few megabytes each: more pieces cost more reads of the spill file.
const BOUNDS: Bounds = Bounds {
    chunk: 8 << 20,
    partition: 2 << 20,
    group: 8 << 20,
};

/// Bump when a file's format changes; `search.js` checks it.
pub(crate) const FORMAT: u32 = 5;

/// `search/index.json`.
#[derive(Serialize)]
struct Manifest<'a> {
    format: u32,
    docs: usize,
    shards: usize,
    /// Shards to a pack file (see `shards::pack`).
    pack: usize,
    gram: usize,
    head: u32,
    lead: usize,
    piece: usize,
    urls: usize,
    /// Replies per folder of data files.
    folder: usize,
    years: &'a [i32],
    departments: &'a [String],
    results: &'a [String],
    /// What the index was made from (see `reuse`).
    source: &'a str,
    /// Units of all replies, which decide the number of shards (`patch`
    /// needs it to know whether an edit would change that).
    units: u64,
}

/// What decides the index's layout but the replies' parts of it.
#[derive(Clone, Copy)]
struct Layout {
    /// Characters of the longest gram (see `alphabet`).
    gram: usize,
    shard_bits: u32,
    head_span: u32,
    units: u64,
    /// At least the number of distinct characters (see `patch`).
    chars: u64,
}

impl Layout {
    fn shard_bits(units: u64) -> u32 {
        (units / UNITS_PER_SHARD)
            .max(1)
            .next_power_of_two()
            .trailing_zeros()
            .clamp(MIN_SHARD_BITS, MAX_SHARD_BITS)
    }

    fn head_span(max_head: usize) -> u32 {
        (max_head as u32 + 1).next_power_of_two()
    }
}

/// The facets and, last, the manifest, whose digest records `layout.chars`.
fn finish(
    docs: &(impl Corpus + ?Sized),
    layout: Layout,
    source: &str,
    files: &Files,
) -> anyhow::Result<()> {
    let facets = docs::facets(docs);
    let manifest = Manifest {
        format: FORMAT,
        docs: docs.count(),
        shards: 1 << layout.shard_bits,
        pack: 1 << shards::pack_bits(layout.shard_bits),
        gram: layout.gram,
        head: layout.head_span,
        lead: docs::LEAD_UNITS,
        piece: docs::PIECE_UNITS,
        urls: docs::URLS_PER_FILE,
        folder: docs::DOCS_PER_FOLDER,
        years: &facets.years,
        departments: &facets.departments,
        results: &facets.results,
        source,
        units: layout.units,
    };
    files.put("search/facets.bin".to_string(), facets.file, SHARED)?;
    files.put(
        reuse::MANIFEST.to_string(),
        serde_json::to_vec(&manifest).unwrap_or_default(),
        layout.chars,
    )
}

/// Every file of the index, as (path relative to the site root, bytes), e.g.
/// ("search/g/01a.bin", ...), handed to `sink` as soon as it is made, the
/// manifest last. `docs` are sorted newest first; a reply's id is its
/// position; `source` is their fingerprint. Equal input gives
/// byte-identical files.
pub(crate) fn build_index(
    docs: &(impl Corpus + ?Sized),
    identities: &[u64],
    source: &str,
    spill_dir: &Path,
    sink: &dyn Sink,
) -> anyhow::Result<Indexed> {
    build_within(docs, identities, source, spill_dir, sink, BOUNDS)
}

/// `build_index` in pieces of work within `bounds`, which change nothing
/// of what it makes.
fn build_within(
    docs: &(impl Corpus + ?Sized),
    identities: &[u64],
    source: &str,
    spill_dir: &Path,
    sink: &dyn Sink,
    bounds: Bounds,
) -> anyhow::Result<Indexed> {
    let files = Files::new(sink);
    let survey = Alphabet::survey(docs)?;
    let alphabet = survey.alphabet;
    let packing = Packing {
        bits: alphabet.bits(),
        gram: alphabet.gram(),
    };
    let layout = Layout {
        gram: packing.gram,
        shard_bits: Layout::shard_bits(survey.units),
        head_span: Layout::head_span(survey.max_head),
        units: survey.units,
        chars: alphabet.len() as u64 - 1,
    };
    let (head_span, shard_bits) = (layout.head_span, layout.shard_bits);
    // Consecutive replies go to one task each, so that each partition's
    // stream of a chunk lists replies in order; many per thread, so that a
    // chunk's streams are a few megabytes before they are spilled, and
    // never more than `bounds.chunk`.
    let streams = survey.units as f64 * grams::BYTES_PER_UNIT;
    let per_doc = streams / docs.count().max(1) as f64;
    let chunk = docs
        .count()
        .div_ceil(rayon::current_num_threads() * 16)
        .min((bounds.chunk as f64 / per_doc) as usize)
        .max(1);
    let partitions = Partitions::balanced(
        &alphabet,
        PARTITIONS.max((streams / bounds.partition as f64).ceil() as usize),
    );

    let total_docs = docs.count().max(1) as u64;
    let plan = grams::Plan {
        alphabet: &alphabet,
        packing,
        head_span,
        partitions: &partitions,
    };
    let spill = Spill::new(spill_dir, rust_i18n::t!("spill.search_index").into_owned())?;
    let chunk_ranges: Vec<Range<usize>> = spans(0..docs.count(), chunk).collect();
    let chunks: Vec<spill::Spilled> = chunk_ranges
        .into_par_iter()
        .map(|range| {
            let mut s = Scratch::default();
            let units = survey.units * range.len() as u64 / total_docs;
            let mut out = grams::ChunkGrams::new(&partitions, units);
            for span in spans(range, SPAN) {
                let first = span.start;
                docs.with(span, |docs| {
                    for (i, doc) in docs.iter().enumerate() {
                        let id = (first + i) as u32;
                        grams::doc_grams(id, doc, &plan, &mut s, &mut out);
                    }
                })?;
            }
            spill.put(&out.parts)
        })
        .collect::<anyhow::Result<_>>()?;
    // A group writes whole packs, and holds about half the streams' bytes
    // of its shards.
    let most_groups = shard_bits - shards::pack_bits(shard_bits);
    let groups = (spill.end() / 2).div_ceil(bounds.group).max(1);
    let shape = postings::Shape {
        packing,
        docs: docs.count(),
        chunk_docs: chunk,
        shard_bits,
        group_bits: (groups.next_power_of_two().trailing_zeros())
            .max(GROUP_BITS)
            .min(most_groups),
    };
    // The second pass's output waits on disk too, entries and all: a
    // shard needs every partition's share, so nothing is assembled before
    // the last partition is done. A run of partitions holds whole first
    // characters, in order (see `Worker::partition`).
    let parts: Vec<Vec<shards::Part>> = partitions
        .runs()
        .into_par_iter()
        .map_init(
            || postings::Worker::new(&shape),
            |w, run| {
                run.map(|p| {
                    let streams = chunks
                        .iter()
                        .map(|c| spill.get(c, p))
                        .collect::<anyhow::Result<Vec<Vec<u8>>>>()?;
                    let outs = w.partition(&streams, &alphabet, &shape, partitions.goes_on(p));
                    shards::Part::spill(outs, &spill)
                })
                .collect()
            },
        )
        .collect::<anyhow::Result<_>>()?;
    let parts: Vec<shards::Part> = parts.into_iter().flatten().collect();
    shards::assemble(&parts, &spill, shape.shard_bits, shape.group_bits, &files)?;
    drop(spill);

    docs::doc_files(docs, identities, &files)?;
    finish(docs, layout, source, &files)?;
    Ok(files.finish())
}

#[cfg(test)]
mod tests {
    use super::normalise::normalise;
    use super::reader::{Index, terms};
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn every_searched_field_of_the_table_is_in_the_searched_text_in_its_place() {
        let reply = crate::model::reply::sample_of_every_field();
        let legend = IndexMap::new();
        let fields = shown_fields(&reply, &legend);
        let mut last = 0;
        for field in SEARCHED.iter() {
            let items = match (field.get.map(|get| get(&reply)), &field.search) {
                (_, Search::Shown(_, show)) => show(field.alias, &reply, &legend),
                (Some(Given::List(items)), _) => (items.iter())
                    .map(|item| (field.alias, item.as_str().into()))
                    .collect(),
                (Some(given), _) => {
                    let text = crate::model::reply::given_text(given).unwrap();
                    vec![(field.alias, text.into())]
                }
                (None, _) => panic!("{} is searched but has no value", field.key),
            };
            assert!(!items.is_empty(), "{} gives nothing to search", field.key);
            for (label, text) in items {
                let at = (fields.iter())
                    .position(|f| *f == Field::new(label, text.clone()))
                    .unwrap_or_else(|| panic!("{label} {text} is not searched: {fields:?}"));
                assert!(at >= last, "{} is searched out of its place", field.key);
                last = at;
            }
        }
        assert_eq!(
            fields.len(),
            last + 1,
            "the searched text holds only the searched fields"
        );
    }

    #[test]
    fn every_field_a_reply_page_shows_is_searched_as_it_shows_it() {
        let reply = crate::model::reply::sample(
            "a",
            "department: 甲局\ndate: 2021-06-10\nsession: 市十七届人大五次会议\nproposal_id: \"0152\"\n\
             proposal_title: 案由\nproposers: [陈海军, 李二]\nsigner: 薛庆林\nhandler: 黄文明\n\
             phone: \"85681230\"\ncc: [市政协提案委]\nindex_number: QX-2021-0999\n\
             topic: 工业\nkeywords: [中小企业, 稳岗]\nresult: A\nrole: 会办\n\
             cc_report: [省政府办公厅]",
        );
        let legend = crate::model::config::Config::default().result_legend;
        let fields = shown_fields(&reply, &legend);
        for (label, shown) in [
            ("主送", "陈海军、李二代表"),
            ("会议", "市十七届人大五次会议"),
            ("编号", "建议第0152号"),
            ("案由", "案由"),
            ("代表", "陈海军"),
            ("代表", "李二"),
            ("办理方式", "会办"),
            ("办理结果", "A类（所提问题已经解决或基本解决）"),
            ("签发人", "薛庆林"),
            ("经办人", "黄文明"),
            ("联系电话", "85681230"),
            ("抄报", "省政府办公厅"),
            ("抄送", "市政协提案委"),
            ("索引号", "QX-2021-0999"),
            ("主题分类", "工业"),
            ("主题词", "中小企业"),
            ("主题词", "稳岗"),
        ] {
            assert!(
                fields.contains(&Field::new(label, shown)),
                "{label} {shown} is not searched: {fields:?}"
            );
        }
    }

    #[test]
    fn an_addressee_the_letter_gives_is_searched_as_given() {
        let reply = crate::model::reply::sample(
            "a",
            "department: 甲局\ndate: 2021-06-10\nproposers: [周国平]\naddressee: 周国平等委员",
        );
        let fields = shown_fields(&reply, &IndexMap::new());
        assert_eq!(fields[0], Field::new("主送", "周国平等委员"));
        assert!(
            fields.iter().all(|field| field.label != "办理方式"),
            "a role the reply does not state is not shown, so not searched"
        );
        assert!(fields.contains(&Field::new("提案人", "周国平")));
    }

    /// The index's files in memory, sorted by path.
    fn build_index(docs: &[SearchDoc]) -> Vec<(String, Vec<u8>)> {
        built_within(docs, BOUNDS)
    }

    /// The index's files in memory, sorted by path, made in pieces of work
    /// within `bounds`.
    fn built_within(docs: &[SearchDoc], bounds: Bounds) -> Vec<(String, Vec<u8>)> {
        let files = Mutex::new(Vec::new());
        let ids = reuse::identities(docs);
        let sink = |path, bytes| {
            files.lock().unwrap().push((path, bytes));
            Ok(true)
        };
        let temp = std::env::temp_dir();
        let written = build_within(docs, &ids, "test", &temp, &sink, bounds).unwrap();
        let mut files = files.into_inner().unwrap();
        files.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(written.changed, files.len());
        files
    }

    /// Replies made of few characters, so that grams repeat and the 4-grams
    /// of a longer query often occur apart without the query itself.
    #[derive(Clone)]
    struct Corpus {
        bodies: Vec<String>,
        titles: Vec<String>,
        numbers: Vec<String>,
        people: Vec<String>,
    }

    fn corpus(n: usize) -> Corpus {
        let chars: Vec<char> = "中小企业发展工作常州市0123 Ａb\n".chars().collect();
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move |m: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % m as u64) as usize
        };
        let mut c = Corpus {
            bodies: vec![],
            titles: vec![],
            numbers: vec![],
            people: vec![],
        };
        for i in 0..n {
            let len = 20 + next(300);
            c.bodies
                .push((0..len).map(|_| chars[next(chars.len())]).collect());
            c.titles.push(format!("关于第{:04}号的答复", i % 7));
            c.numbers
                .push(format!("常工信复〔{}〕第{}号", 2015 + i % 3, i));
            c.people
                .push(["周国平", "周国", "王小企"][i % 3].to_string());
        }
        c
    }

    fn docs(c: &Corpus) -> Vec<SearchDoc<'_>> {
        (0..c.bodies.len())
            .map(|i| SearchDoc {
                url: "/r/",
                title: &c.titles[i],
                doc_number: (i % 5 != 0).then(|| c.numbers[i].as_str()),
                department: if i % 2 == 0 {
                    "常州市工业和信息化局"
                } else {
                    "财政局"
                },
                date: "2021-06-10",
                date_shown: "2021年6月10日",
                year: 2021 - (i / 10) as i32,
                fields: vec![
                    Field::new("会议", "市政协十四届五次会议"),
                    Field::new("提案人", c.people[i].as_str()),
                    Field::new("联系电话", "85681230"),
                ],
                body: &c.bodies[i],
            })
            .collect()
    }

    /// What a plain substring search finds: replies where every term is in
    /// one field or one line of the body.
    fn expected(docs: &[SearchDoc], query: &str) -> Vec<u32> {
        let terms: Vec<String> = terms(query)
            .into_iter()
            .map(|t| t.into_iter().collect())
            .collect();
        let mut out: Vec<u32> = (0..docs.len() as u32)
            .filter(|&i| {
                let d = &docs[i as usize];
                let fields: Vec<String> = layout::fields(d)
                    .chain(d.body.split('\n'))
                    .map(normalise)
                    .collect();
                !terms.is_empty()
                    && terms
                        .iter()
                        .all(|t| fields.iter().any(|f| f.contains(t.as_str())))
            })
            .collect();
        out.sort_unstable();
        out
    }

    fn sorted(mut v: Vec<u32>) -> Vec<u32> {
        v.sort_unstable();
        v
    }

    #[test]
    fn every_query_finds_exactly_the_replies_that_contain_it() {
        let c = corpus(300);
        let docs = docs(&c);
        let index = Index::new(build_index(&docs));
        let mut queries: Vec<String> = vec![
            "中",
            "企业",
            "发展工",
            "中小企业",
            "业发展工作",
            "中小企业发展工作",
            "常州市工业和信息化局",
            "周国平",
            "周国",
            "第0152号",
            "015",
            "常工信复〔2016〕第28号",
            "2016〕第2",
            "ab",
            "ＡＢ",
            "市政协十四届五次会议",
            "周国平 财政局",
            "企业 0123",
            "不存在",
            "",
            "  ",
            "局常",
            "答复常",
        ]
        .into_iter()
        .map(String::from)
        .collect();
        // Substrings of bodies of every length up to 20, spaces and all.
        for (i, b) in c.bodies.iter().enumerate().take(60) {
            let chars: Vec<char> = b.chars().collect();
            let len = 1 + i % 20;
            let start = (i * 7) % chars.len().saturating_sub(len).max(1);
            queries.push(
                chars[start..(start + len).min(chars.len())]
                    .iter()
                    .collect(),
            );
        }
        let mut long_with_false_candidates = 0;
        for q in &queries {
            let want = expected(&docs, q);
            let got = index.search(q);
            assert_eq!(sorted(got), want, "query {q:?}");
            if normalise(q).chars().count() > 4 && want.len() < docs.len() {
                long_with_false_candidates += 1;
            }
        }
        assert!(long_with_false_candidates > 10);
    }

    #[test]
    fn a_match_never_spans_two_fields() {
        let c = corpus(20);
        let docs = docs(&c);
        let index = Index::new(build_index(&docs));
        // 局 ends the department and 市 starts the next field.
        assert!(index.search("局市政协").is_empty());
        assert!(index.search("信息化局市").is_empty());
    }

    #[test]
    fn a_match_never_spans_two_cells_items_or_paragraphs() {
        // The plain text of a table row `| 项目 | 6387 | 53.3% |`, then a
        // list item and the paragraph after it.
        let body = "项目\n6387\n53.3%\n落实成效。\n建立机制。\n";
        let doc = SearchDoc::sample("/r/", "答复", body);
        let index = Index::new(build_index(&[doc]));
        for across in ["8753", "638753.3%", "目6387", "实成效。建立", "效。建"] {
            assert!(index.search(across).is_empty(), "{across} spans two pieces");
        }
        for within in ["6387", "53.3%", "落实成效。", "建立机制", "6387 53.3%"] {
            assert_eq!(index.search(within), vec![0], "{within}");
        }
    }

    #[test]
    fn title_and_doc_number_matches_rank_first_then_frequency_then_newest() {
        let bodies = ["税", "税税税税", "无", "税税"];
        let docs: Vec<SearchDoc> = bodies
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let title = if i == 2 {
                    "关于税的答复"
                } else {
                    "答复"
                };
                SearchDoc::sample("/r/", title, b)
            })
            .collect();
        let index = Index::new(build_index(&docs));
        assert_eq!(index.search("税"), vec![2, 1, 3, 0]);
        assert_eq!(index.search("关于税的答复"), vec![2]);
    }

    #[test]
    fn the_same_replies_give_the_same_bytes() {
        let c = corpus(120);
        let a = build_index(&docs(&c));
        let b = build_index(&docs(&c));
        assert!(a == b);
        let mut names: Vec<&str> = a.iter().map(|(p, _)| p.as_str()).collect();
        names.dedup();
        assert_eq!(names.len(), a.len(), "no file is written twice");
    }

    #[test]
    fn the_index_is_the_same_however_small_its_pieces_of_work() {
        // A reply to a chunk, every first character cut by every second
        // one, every pack assembled apart: what a large archive's common
        // characters go through.
        let c = corpus(150);
        let least = Bounds {
            chunk: 1,
            partition: 1,
            group: 1,
        };
        assert!(build_index(&docs(&c)) == built_within(&docs(&c), least));
    }

    #[test]
    fn every_gram_is_in_the_shard_its_hash_names_and_shards_are_sorted() {
        let c = corpus(80);
        let files = build_index(&docs(&c));
        let manifest: serde_json::Value = serde_json::from_slice(
            &files
                .iter()
                .find(|(p, _)| p == "search/index.json")
                .unwrap()
                .1,
        )
        .unwrap();
        let shards = manifest["shards"].as_u64().unwrap() as u32;
        let pack = manifest["pack"].as_u64().unwrap() as u32;
        let mut grams = 0;
        for (path, bytes) in files.iter().filter(|(p, _)| p.starts_with("search/g/")) {
            let first =
                pack * u32::from_str_radix(&path["search/g/".len()..path.len() - 4], 16).unwrap();
            for (i, bytes) in shards::unpack(bytes, pack as usize)
                .unwrap()
                .into_iter()
                .enumerate()
            {
                let shard = first + i as u32;
                let (mut at, mut last): (usize, Vec<u8>) = (0, Vec::new());
                while at < bytes.len() {
                    let klen = varint::get(bytes, &mut at).unwrap() as usize;
                    let key = bytes[at..at + klen].to_vec();
                    at += klen;
                    at += varint::get(bytes, &mut at).unwrap() as usize;
                    let gram = std::str::from_utf8(&key).unwrap();
                    assert_eq!(
                        hash::gram_hash(gram.chars().map(u32::from)) % shards,
                        shard,
                        "{gram}"
                    );
                    assert!(
                        key > last,
                        "{gram} after {:?}",
                        String::from_utf8_lossy(&last)
                    );
                    last = key;
                    grams += 1;
                }
                assert_eq!(at, bytes.len());
            }
        }
        assert!(grams > 1000);
        let packs = shards / pack;
        assert!(files.iter().any(|(p, _)| p
            == &format!(
                "search/p/{:0w$x}.bin",
                packs - 1,
                w = shards::hex_digits(packs as usize)
            )));
    }

    #[test]
    fn an_empty_archive_has_an_index_that_finds_nothing() {
        let files = build_index(&[]);
        let index = Index::new(files);
        assert!(index.search("税").is_empty());
    }

    #[test]
    fn each_reply_has_a_data_file_and_the_body_continues_in_pieces() {
        let body = "字".repeat(docs::LEAD_UNITS + 10);
        let d = SearchDoc {
            url: "/zxta/2021/a/",
            title: "题",
            doc_number: Some("文号"),
            department: "局",
            date: "2021-06-10",
            date_shown: "2021年6月10日",
            year: 2021,
            fields: vec![Field::new("提案人", "周国平")],
            body: &body,
        };
        let index = Index::new(build_index(&[d]));
        let file = index.file("search/d/0/0.bin").unwrap();
        let line = file.iter().position(|&b| b == b'\n').unwrap();
        let data: serde_json::Value = serde_json::from_slice(&file[..line]).unwrap();
        assert_eq!(data["u"], "/zxta/2021/a/");
        assert_eq!(data["a"], "2021年6月10日");
        assert_eq!(data["i"], "2021-06-10");
        assert_eq!(data["f"], serde_json::json!(["局", "周国平"]));
        assert_eq!(data["l"], serde_json::json!(["办理单位", "提案人"]));
        assert_eq!(data["b"], "字".repeat(docs::LEAD_UNITS));
        let z: Vec<usize> = serde_json::from_value(data["z"].clone()).unwrap();
        assert_eq!(z, vec![file.len() - line - 1]);
        assert_eq!(
            docs::rest_of_body(&file[line + 1..], &z).unwrap(),
            "字".repeat(10)
        );
        let urls: Vec<String> =
            serde_json::from_slice(index.file("search/u/0.json").unwrap()).unwrap();
        assert_eq!(urls, vec!["/zxta/2021/a/"]);
    }

    /// Builds `docs` over the index in `out` as a build does (kept, brought
    /// up to date or made again; a file written only if it differs; what
    /// the index no longer has removed; the digests recorded), and returns
    /// how many files were handed on.
    fn build_over(out: &Path, docs: &[SearchDoc]) -> usize {
        use crate::store::digest::Digests;
        let previous = Previous {
            folder: out,
            digests: Digests::take(out, out.parent().unwrap()).unwrap(),
        };
        let handed = std::sync::atomic::AtomicUsize::new(0);
        let written = update_or_build(docs, Some(&previous), &|path, bytes| {
            handed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let path = out.join(path);
            std::fs::create_dir_all(path.parent().unwrap())?;
            let same = std::fs::read(&path).is_ok_and(|old| old == bytes);
            if !same {
                std::fs::write(&path, &bytes)?;
            }
            Ok(!same)
        })
        .unwrap();
        let keep: std::collections::HashSet<std::path::PathBuf> = written
            .made
            .iter()
            .map(|made| out.join(&made.path))
            .collect();
        for entry in walkdir::WalkDir::new(out.join("search")) {
            let path = entry.unwrap().into_path();
            if path.is_file() && !keep.contains(&path) {
                std::fs::remove_file(path).unwrap();
            }
        }
        (previous.digests)
            .write(
                out,
                out,
                out.parent().unwrap(),
                &written.made,
                &Default::default(),
            )
            .unwrap();
        handed.into_inner()
    }

    /// The index files under `out`, as `build_index` lists them.
    fn files_in(out: &Path) -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(out.join("search"))
            .into_iter()
            .map(|e| e.unwrap().into_path())
            .filter(|p| p.is_file())
            .map(|p| {
                let name = p.strip_prefix(out).unwrap().to_string_lossy().into_owned();
                (name, std::fs::read(p).unwrap())
            })
            .collect();
        files.sort_unstable();
        files
    }

    /// Asserts two lists of files are the same, naming those that differ.
    fn assert_same(got: &[(String, Vec<u8>)], want: &[(String, Vec<u8>)], what: &str) {
        let names = |files: &[(String, Vec<u8>)]| -> Vec<String> {
            files.iter().map(|(p, _)| p.clone()).collect()
        };
        assert_eq!(names(got), names(want), "after {what}: the files");
        let differ: Vec<&str> = got
            .iter()
            .zip(want)
            .filter(|(a, b)| a.1 != b.1)
            .map(|(a, _)| a.0.as_str())
            .collect();
        assert!(differ.is_empty(), "after {what}: {differ:?} differ");
    }

    /// The index made afresh, with the fingerprint a build gives it.
    fn made_afresh(docs: &[SearchDoc]) -> Vec<(String, Vec<u8>)> {
        let ids = reuse::identities(docs);
        let source = reuse::fingerprint(&ids);
        let files = Mutex::new(Vec::new());
        super::build_index(
            docs,
            &ids,
            &source,
            &std::env::temp_dir(),
            &|path, bytes| {
                files.lock().unwrap().push((path, bytes));
                Ok(true)
            },
        )
        .unwrap();
        let mut files = files.into_inner().unwrap();
        files.sort_unstable();
        files
    }

    /// The byte offset of a text's middle character.
    fn middle(text: &str) -> usize {
        let half = text.chars().count() / 2;
        text.char_indices()
            .nth(half)
            .map_or(text.len(), |(at, _)| at)
    }

    #[test]
    fn an_index_brought_up_to_date_is_the_index_made_afresh() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let mut c = corpus(300);
        c.bodies[20] = c.bodies[20].repeat(40);
        let all = build_over(&out, &docs(&c));
        assert_same(&files_in(&out), &made_afresh(&docs(&c)), "the first build");

        type Edit = fn(&mut Corpus);
        let edits: [(&str, Edit, bool); 9] = [
            (
                "a sentence added at the end",
                |c| c.bodies[10].push_str("中小企业发展工作。"),
                true,
            ),
            (
                "words put in the middle of a long text, and at the end of another",
                |c| {
                    let body = &mut c.bodies[20];
                    body.insert_str(middle(body), "常州市业发展");
                    c.bodies[21].push_str("稳岗返还");
                },
                true,
            ),
            (
                "half a text cut",
                |c| {
                    let body = &mut c.bodies[30];
                    body.truncate(middle(body));
                },
                true,
            ),
            (
                "a proposer renamed",
                |c| c.people[40] = "周国强".to_string(),
                true,
            ),
            (
                "a shorter title",
                |c| c.titles[50] = "答复".to_string(),
                true,
            ),
            ("nothing", |_| {}, false),
            (
                "the longest title made longer than the head span",
                |c| c.titles[60] = "关于稳岗返还的答复".repeat(12),
                false,
            ),
            (
                "the longest title cut back, so the head span shrinks",
                |c| c.titles[60] = "答复".to_string(),
                false,
            ),
            (
                "a reply added",
                |c| {
                    c.bodies.push("新增的答复。".to_string());
                    c.titles.push("关于新增的答复".to_string());
                    c.numbers.push("常工信复〔2022〕第1号".to_string());
                    c.people.push("周国平".to_string());
                },
                false,
            ),
        ];
        for (what, edit, patched) in edits {
            edit(&mut c);
            // Twice: over the index before the edit, then over its own.
            let handed = build_over(&out, &docs(&c));
            assert_same(&files_in(&out), &made_afresh(&docs(&c)), what);
            if patched {
                assert!(
                    handed * 4 < all,
                    "{what}: {handed} of {all} files made again"
                );
            }
            assert_eq!(build_over(&out, &docs(&c)), 0, "{what}: kept");
        }
    }
}
