//! The files that show results, as opposed to finding them: one data file
//! per reply (a line of what a result line shows and the start of the body
//! for its snippet, then the rest of the body in pieces, fetched with a
//! range request only when a match lies further in), the URLs in buckets
//! for `dafuSearch`, and each reply's year and department for the filters.
//!
//! Bodies are cut by units as `layout` counts them (normalised characters and
//! the breaks between pieces), not bytes, so that `search.js` can tell from a
//! match's position which piece holds it. Each piece after the line is
//! compressed apart (raw deflate, which a browser's `DecompressionStream`
//! reads): the pieces were the largest part of the index, and Chinese text
//! takes about half its bytes compressed. The line stays plain, so that a
//! browser without `DecompressionStream` still shows every result, with the
//! start of its body.

use std::io::{Read, Write};

use flate2::Compression;
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;
use rayon::prelude::*;
use serde::Serialize;

use super::files::{Files, SHARED};
use super::layout::body_unit;
use super::{Corpus, SPAN, SearchDoc, spans};

/// Units of the body kept in a reply's data file, enough for a snippet when
/// the match is near the start, as most matches of common words are.
pub(super) const LEAD_UNITS: usize = 200;
/// Units of the body in each further piece. Most replies' bodies fit in
/// one (half are under 2,900 units at 10,000 generated replies): with
/// pieces of 1,500 units the index was 50,000 files, now 38,000, and as a
/// page of results shows ten, a query fetches less than before (median 95.4
/// → 92.1 KB, largest 558.7 → 539.9 KB at 10,000 replies).
pub(super) const PIECE_UNITS: usize = 4000;
/// URLs per bucket file.
pub(super) const URLS_PER_FILE: usize = 256;
/// Replies per folder of data files (`d/{id / DOCS_PER_FOLDER}/`): at
/// 100,000 replies one folder would hold 330,000 files, slow to create
/// files in and to list, and more than some upload tools take.
pub(super) const DOCS_PER_FOLDER: usize = 256;

/// The first line of `search/d/{folder}/{id}.bin`: what a result shows.
/// Short keys: there is one per reply, and ten are fetched for a page of
/// results.
#[derive(Serialize)]
struct DocFile<'a> {
    /// URL.
    u: &'a str,
    /// Title.
    t: &'a str,
    /// 文号, or empty.
    n: &'a str,
    /// Date as the lists show it (`2021年6月10日`).
    a: &'a str,
    /// Date as a `datetime` (`2021-06-10`, or `2021`).
    i: &'a str,
    /// The fields after the head, in index order, department first.
    f: Vec<&'a str>,
    /// The label the reply's page shows each of `f` under.
    l: Vec<&'a str>,
    /// The start of the body.
    b: &'a str,
    /// The byte length of each piece of the body after `b`, compressed,
    /// which follow the line one after another.
    z: Vec<usize>,
}

/// Every data file of every reply, handed on reply by reply, each made
/// with its reply's identity, and the URL buckets.
pub(super) fn doc_files(
    docs: &(impl Corpus + ?Sized),
    identities: &[u64],
    files: &Files,
) -> anyhow::Result<()> {
    let ranges: Vec<_> = spans(0..docs.count(), SPAN).collect();
    ranges.into_par_iter().try_for_each(|range| {
        let first = range.start;
        docs.with(range, |docs| {
            docs.iter().enumerate().try_for_each(|(i, doc)| {
                let id = first + i;
                doc_file(id, doc, identities[id], files)
            })
        })?
    })?;
    url_files(docs, files)
}

/// The URLs in buckets, for `dafuSearch`.
pub(super) fn url_files(docs: &(impl Corpus + ?Sized), files: &Files) -> anyhow::Result<()> {
    for (k, range) in spans(0..docs.count(), URLS_PER_FILE).enumerate() {
        let urls: Vec<&str> = range.map(|id| docs.brief(id).url).collect();
        files.put(urls_name(k), json(&urls), SHARED)?;
    }
    Ok(())
}

/// One reply's data file: its line of data, then the pieces of its body.
pub(super) fn doc_file(
    id: usize,
    doc: &SearchDoc,
    identity: u64,
    files: &Files,
) -> anyhow::Result<()> {
    let cuts = body_cuts(doc.body);
    let lead_end = cuts.first().copied().unwrap_or(doc.body.len());
    let ends = cuts.iter().skip(1).copied().chain([doc.body.len()]);
    let mut f = Vec::with_capacity(doc.fields.len() + 1);
    let mut l = Vec::with_capacity(doc.fields.len() + 1);
    f.push(doc.department);
    l.push("办理单位");
    for field in &doc.fields {
        f.push(&field.text);
        l.push(field.label);
    }
    let pieces = cuts
        .iter()
        .zip(ends)
        .map(|(&start, end)| deflate(&doc.body.as_bytes()[start..end]))
        .collect::<std::io::Result<Vec<_>>>()?;
    let file = DocFile {
        u: doc.url,
        t: doc.title,
        n: doc.doc_number.unwrap_or(""),
        a: doc.date_shown,
        i: doc.date,
        f,
        l,
        b: &doc.body[..lead_end],
        z: pieces.iter().map(Vec::len).collect(),
    };
    // JSON escapes every line break in a string: the line ends at the first.
    let mut bytes = json(&file);
    bytes.push(b'\n');
    for piece in pieces {
        bytes.extend_from_slice(&piece);
    }
    files.put(data_name(id), bytes, identity)
}

/// A piece of the body as the data file holds it. Level 2: on the pieces
/// of 10,000 generated replies (77 MB) it took a third less time than zlib's
/// default 6 for 3 % more bytes; 1 (zlib-rs's quick strategy) left 35 % more.
fn deflate(text: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = DeflateEncoder::new(Vec::with_capacity(text.len() / 2), Compression::new(2));
    encoder.write_all(text)?;
    encoder.finish()
}

/// The body after the line of a data file, from its compressed pieces
/// (`lengths`, the line's `z`), or `None` if they do not read as written.
pub(crate) fn rest_of_body(pieces: &[u8], lengths: &[usize]) -> Option<String> {
    let mut text = Vec::with_capacity(pieces.len() * 2);
    let mut at: usize = 0;
    for &length in lengths {
        let piece = pieces.get(at..at.checked_add(length)?)?;
        DeflateDecoder::new(piece).read_to_end(&mut text).ok()?;
        at += length;
    }
    (at == pieces.len()).then_some(())?;
    String::from_utf8(text).ok()
}

/// The reply a data file is of: `search/d/0/5.bin` → 5.
pub(super) fn doc_of(path: &str) -> Option<usize> {
    let name = path.strip_prefix("search/d/")?.rsplit('/').next()?;
    name.strip_suffix(".bin")?.parse().ok()
}

pub(super) fn data_name(id: usize) -> String {
    format!("search/d/{}/{id}.bin", id / DOCS_PER_FOLDER)
}

fn urls_name(k: usize) -> String {
    format!("search/u/{k}.json")
}

/// Byte offsets where the body's pieces after the lead start: before the
/// unit numbered `LEAD_UNITS`, then every `PIECE_UNITS` units, counting
/// units and breaks as `layout` does.
fn body_cuts(body: &str) -> Vec<usize> {
    let mut cuts = Vec::new();
    let mut next = LEAD_UNITS;
    let mut units = 0;
    for (at, c) in body.char_indices() {
        if body_unit(c).is_some() {
            if units == next {
                cuts.push(at);
                next += PIECE_UNITS;
            }
            units += 1;
        }
    }
    cuts
}

/// The site-wide facts `search.js` reads first, and the per-reply facets.
pub(super) struct Facets {
    pub years: Vec<i32>,
    pub departments: Vec<String>,
    /// Result classes in the legend's order (`Corpus::class_rank`), then
    /// those it lacks: 甲 before 乙, A before B.
    pub results: Vec<String>,
    /// `search/facets.bin`: a byte per reply (index into `years`), then a
    /// little-endian `u16` per reply (index into `departments`), then a
    /// byte per reply (0 for none, else 1 + index into `results`).
    pub file: Vec<u8>,
}

/// Where a class the legend lacks stands among the others: 甲乙丙丁, as
/// written in the order of the heavenly stems, else as text (A, B, C).
fn class_order(code: &str) -> (usize, &str) {
    const STEMS: &str = "甲乙丙丁戊己庚辛壬癸";
    let stem = code
        .chars()
        .next()
        .and_then(|c| STEMS.chars().position(|s| s == c));
    (stem.unwrap_or(usize::MAX), code)
}

pub(super) fn facets(docs: &(impl Corpus + ?Sized)) -> Facets {
    let pairs: Vec<(i32, &str)> = (0..docs.count())
        .map(|id| {
            let brief = docs.brief(id);
            (brief.year, brief.department)
        })
        .collect();
    let mut years: Vec<i32> = pairs.iter().map(|&(year, _)| year).collect();
    years.sort_unstable_by(|a, b| b.cmp(a));
    years.dedup();
    let mut counts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for &(_, department) in &pairs {
        *counts.entry(department).or_default() += 1;
    }
    let mut departments: Vec<(&str, usize)> = counts.into_iter().collect();
    // Most replies first, as a select lists them; then by name, for stable output.
    departments.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let index: std::collections::HashMap<&str, usize> = departments
        .iter()
        .enumerate()
        .map(|(i, (d, _))| (*d, i))
        .collect();
    let mut file = Vec::with_capacity(pairs.len() * 3);
    for &(year, _) in &pairs {
        let y = years.iter().position(|&y| y == year).unwrap_or(0);
        file.push(y.min(255) as u8);
    }
    for &(_, department) in &pairs {
        let i = index.get(department).copied().unwrap_or(0);
        file.extend_from_slice(&(i.min(u16::MAX as usize) as u16).to_le_bytes());
    }
    let classes: Vec<Option<&str>> = (0..docs.count()).map(|id| docs.brief(id).result).collect();
    let mut results: Vec<&str> = classes.iter().flatten().copied().collect();
    results.sort_unstable_by_key(|code| (docs.class_rank(code), class_order(code)));
    results.dedup();
    results.truncate(255);
    for class in classes {
        let i = class.and_then(|c| results.iter().position(|&r| r == c));
        file.push(i.map_or(0, |i| i as u8 + 1));
    }
    Facets {
        results: results.into_iter().map(String::from).collect(),
        years,
        departments: departments
            .into_iter()
            .map(|(d, _)| d.to_string())
            .collect(),
        file,
    }
}

fn json<T: Serialize>(value: &T) -> Vec<u8> {
    // Serialising plain strings and numbers cannot fail.
    serde_json::to_vec(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_is_cut_by_units_after_the_lead() {
        let body: String = "字".repeat(LEAD_UNITS + PIECE_UNITS + 5);
        let cuts = body_cuts(&body);
        assert_eq!(cuts, vec![LEAD_UNITS * 3, (LEAD_UNITS + PIECE_UNITS) * 3]);
        assert!(body_cuts("短").is_empty());
    }

    #[test]
    fn data_files_go_in_folders_of_256_replies() {
        assert_eq!(doc_of(&data_name(513)), Some(513));
        assert_eq!(doc_of("search/g/01a.bin"), None);
        assert_eq!(data_name(0), "search/d/0/0.bin");
        assert_eq!(data_name(255), "search/d/0/255.bin");
        assert_eq!(data_name(256), "search/d/1/256.bin");
    }

    #[test]
    fn whitespace_before_a_cut_stays_in_the_piece_before() {
        let body = format!("{}  末", "a".repeat(LEAD_UNITS));
        assert_eq!(body_cuts(&body), vec![LEAD_UNITS + 2]);
    }

    #[test]
    fn the_end_of_a_paragraph_is_a_unit_of_the_body() {
        let body = format!("{}\n末", "a".repeat(LEAD_UNITS - 1));
        assert_eq!(body_cuts(&body), vec![LEAD_UNITS]);
    }
}
