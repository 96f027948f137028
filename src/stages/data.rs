//! Open data: every published reply as `data/replies.json` (all metadata,
//! the URL and the plain text) and `data/replies.csv` (the metadata, for a
//! spreadsheet); every proposal as `data/proposals.json`, with its replies. These are data formats, not pages, so they are made here
//! with serde_json and csv, not through templates.
//!
//! Keys are the front matter's own names, in the same order in both files.
//! A value the reply does not give is `null` in JSON and empty in CSV, so
//! every record has every key. The JSON is one array with one reply per
//! line: valid JSON, and a line-by-line reader can stream it too. The CSV
//! starts with a UTF-8 byte order mark, without which Excel on Chinese
//! Windows reads UTF-8 as GBK, and quotes as RFC 4180 says.
//!
//! A CSV cell that a spreadsheet would take for a formula (it starts with
//! `=`, `+`, `-`, `@`, a tab or a carriage return: `=HYPERLINK(…)`,
//! `+cmd|…`) gets a `'` before it, which Excel and LibreOffice show as
//! text, as OWASP advises against CSV injection; the JSON keeps every value
//! as written.
//!
//! The CSV serialises in parallel, in chunks; the JSON, many times larger,
//! in parts made one after another as they are written (see `parts`).

use std::borrow::Cow;
use std::hash::{Hash, Hasher as _};
use std::sync::{Arc, LazyLock};

use rayon::prelude::*;

use serde::Serialize;
use serde::ser::SerializeMap as _;

use crate::ground::hashing;
use crate::ground::shelf::Shelf;
use crate::model::archive::Archive;
use crate::model::config::BaseUrl;
use crate::model::proposal::ProposalKey;
use crate::model::reply::{FIELDS, Field, Given, Kind, Reply, Role};

/// A file of open data. Made from every reply, not through a template:
/// `parts` makes it, `digest` says what it is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum DataFile {
    Json,
    Csv,
    Proposals,
}

impl DataFile {
    pub(crate) const ALL: [DataFile; 3] = [DataFile::Json, DataFile::Csv, DataFile::Proposals];

    /// Its path under the output folder.
    pub(crate) fn path(self) -> &'static str {
        match self {
            DataFile::Json => "data/replies.json",
            DataFile::Csv => "data/replies.csv",
            DataFile::Proposals => "data/proposals.json",
        }
    }
}

/// A column of both replies' files: a field's, where `FIELDS` puts it,
/// or one the build makes.
#[derive(Clone, Copy)]
enum Column {
    Field(&'static Field),
    /// The reply page's absolute URL.
    Url,
    /// `市政协十四届五次会议/提案/0152`: the same for every answer to one
    /// proposal; `null` when kind, session or number is not given.
    ProposalKey,
}

impl Column {
    /// The columns the build makes, and their places among the fields'.
    const MADE: [(usize, Column); 2] = [(20, Column::Url), (23, Column::ProposalKey)];

    /// The JSON's key.
    fn key(self) -> &'static str {
        match self {
            Column::Field(field) => field.key,
            Column::Url => "url",
            Column::ProposalKey => "proposal_key",
        }
    }

    /// The CSV's header: each column's Chinese name, for the office staff
    /// who open it in Excel. A field's is its alias, so a column is named
    /// as the field is in a reply.
    fn header(self) -> &'static str {
        match self {
            Column::Field(field) => field.alias,
            Column::Url => "网址",
            Column::ProposalKey => "提案标识",
        }
    }

    fn value<'r>(self, reply: &'r Reply, base: &BaseUrl) -> Given<'r> {
        match self {
            Column::Field(field) => field.get.map_or(Given::Text(None), |get| get(reply)),
            Column::Url => Given::Text(Some(base.absolute(&reply.path).into())),
            Column::ProposalKey => {
                Given::Text(ProposalKey::of(reply).map(|key| key.to_string().into()))
            }
        }
    }
}

/// The columns of both replies' files, in order. A column's place is
/// fixed: new ones go last, so that columns read by position keep theirs.
static COLUMNS: LazyLock<Vec<Column>> = LazyLock::new(|| {
    let mut placed: Vec<(usize, Column)> = (FIELDS.iter())
        .filter_map(|field| Some((field.column?, Column::Field(field))))
        .chain(Column::MADE)
        .collect();
    placed.sort_by_key(|(place, _)| *place);
    placed.into_iter().map(|(_, column)| column).collect()
});

/// One reply as open data: a value for every column, a missing one
/// `null`, in the order of the columns; for the JSON, its text last.
struct Record<'a> {
    reply: &'a Reply,
    base: &'a BaseUrl,
    body_text: Option<&'a str>,
}

impl<'a> Record<'a> {
    /// `body_text` is for the JSON only.
    fn new(reply: &'a Reply, base: &'a BaseUrl, body_text: Option<&'a str>) -> Self {
        Record {
            reply,
            base,
            body_text,
        }
    }

    /// The CSV row, in the order of the columns; lists joined with 、.
    fn csv_row(&self) -> Vec<String> {
        (COLUMNS.iter())
            .map(|column| match column.value(self.reply, self.base) {
                Given::Text(text) => text.map(Cow::into_owned).unwrap_or_default(),
                Given::List(items) => items.join("、"),
                Given::Year(year) => year.to_string(),
            })
            .map(as_text)
            .collect()
    }
}

impl Serialize for Record<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for column in COLUMNS.iter() {
            map.serialize_entry(column.key(), &column.value(self.reply, self.base))?;
        }
        if let Some(text) = self.body_text {
            map.serialize_entry("body_text", text)?;
        }
        map.end()
    }
}

/// A CSV cell as a spreadsheet shows it as text: one that would start a
/// formula gets a `'` before it.
fn as_text(cell: String) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell
    }
}

/// Replies in one part of the JSON (a couple of megabytes), and in one task
/// of the CSV.
const CHUNK: usize = 256;

/// What data file `file` is made of, in 64 bits (see `digest`): what every
/// file shares (`shared`), and each record but its text and, for the JSON,
/// what each text is made of.
pub(crate) fn digest(file: DataFile, archive: &Archive, base: &BaseUrl, shared: u64) -> u64 {
    let per_reply = |of: fn(&Reply, &BaseUrl) -> u64| -> Vec<u64> {
        (archive.replies().par_iter())
            .map(|reply| of(reply, base))
            .collect()
    };
    let mut hasher = hashing::Hasher::default();
    shared.hash(&mut hasher);
    file.path().hash(&mut hasher);
    match file {
        DataFile::Json => per_reply(line_digest).hash(&mut hasher),
        DataFile::Csv => per_reply(csv_digest).hash(&mut hasher),
        // A few hundred bytes a proposal: hashed as it is written.
        DataFile::Proposals => hasher.serialized(&proposal_records(archive, base)),
    }
    hasher.finish()
}

/// What a reply's row of the CSV is made of: its record but the text.
fn csv_digest(reply: &Reply, base: &BaseUrl) -> u64 {
    let mut hasher = hashing::Hasher::default();
    hasher.serialized(&Record::new(reply, base, None));
    hasher.finish()
}

/// What reply's line of the JSON is made of, in 64 bits: its record but
/// the text, and what the text is made of.
fn line_digest(reply: &Reply, base: &BaseUrl) -> u64 {
    let mut hasher = hashing::Hasher::default();
    hasher.serialized(&Record::new(reply, base, None));
    reply.body.digest.hash(&mut hasher);
    hasher.finish()
}

/// The bytes of one data file in parts, each made when it is taken, so that
/// a build can write the JSON (90 MB at 10,000 replies) without holding it.
/// A part fails if a reply's text cannot be read back (see `body`).
pub(crate) fn parts<'a>(
    file: DataFile,
    archive: &'a Archive,
    base: &'a BaseUrl,
    lines: Option<&'a Shelf>,
) -> Box<dyn Iterator<Item = anyhow::Result<Vec<u8>>> + Send + 'a> {
    match file {
        DataFile::Json => Box::new(json(archive.replies(), base, lines)),
        DataFile::Csv => Box::new(csv(archive.replies(), base).map(Ok)),
        DataFile::Proposals => Box::new(std::iter::once(Ok(proposals(archive, base)))),
    }
}

/// One proposal as open data: its key and what identifies it, and its
/// published replies in the proposal page's order.
#[derive(Serialize)]
struct ProposalRecord<'a> {
    proposal_key: String,
    kind: Kind,
    session: &'a str,
    proposal_id: &'a str,
    proposal_title: Option<&'a str>,
    proposers: &'a [String],
    /// The proposal's class: see `Proposal::result`.
    result: Option<&'a str>,
    url: String,
    replies: Vec<AnswerRecord<'a>>,
}

/// A reply as its proposal's record lists it; the rest of it is in
/// `replies.json` under the same URL.
#[derive(Serialize)]
struct AnswerRecord<'a> {
    url: String,
    department: &'a str,
    role: Option<Role>,
    doc_number: Option<&'a str>,
    result: Option<&'a str>,
}

fn proposal_records<'a>(archive: &'a Archive, base: &BaseUrl) -> Vec<ProposalRecord<'a>> {
    let replies = archive.replies();
    (archive.proposals().iter().enumerate())
        .map(|(index, proposal)| ProposalRecord {
            proposal_key: proposal.key.to_string(),
            kind: proposal.key.kind,
            session: &proposal.key.session,
            proposal_id: &proposal.key.number,
            proposal_title: proposal.title(replies),
            proposers: proposal.proposers(replies),
            result: proposal.result(replies),
            url: base.absolute(archive.proposal_path(index)),
            replies: (proposal.replies.iter())
                .map(|&id| {
                    let reply = &replies[id];
                    AnswerRecord {
                        url: base.absolute(&reply.path),
                        department: &reply.department,
                        role: reply.stated.role,
                        doc_number: reply.stated.doc_number.as_deref(),
                        result: reply.stated.result.as_deref(),
                    }
                })
                .collect(),
        })
        .collect()
}

/// `data/proposals.json`: one array, a proposal a line, like `replies.json`.
fn proposals(archive: &Archive, base: &BaseUrl) -> Vec<u8> {
    let records = proposal_records(archive, base);
    let mut out = Vec::with_capacity(records.len() * 512 + 4);
    out.push(b'[');
    for (i, record) in records.iter().enumerate() {
        out.extend_from_slice(if i == 0 { b"\n" } else { b",\n" });
        serde_json::to_writer(&mut out, record)
            .expect("a record serialises: it holds only strings and numbers");
    }
    out.extend_from_slice(if records.is_empty() { b"]\n" } else { b"\n]\n" });
    out
}

/// The JSON, each line found on the shelf of `lines` if there, else made
/// and put there.
fn json<'a>(
    replies: &'a [Arc<Reply>],
    base: &'a BaseUrl,
    lines: Option<&'a Shelf>,
) -> impl Iterator<Item = anyhow::Result<Vec<u8>>> + Send + 'a {
    let (open, close): (&[u8], &[u8]) = if replies.is_empty() {
        (b"[]\n", b"")
    } else {
        (b"[\n", b"\n]\n")
    };
    let part = move |k: usize, chunk: &[Arc<Reply>]| -> anyhow::Result<Vec<u8>> {
        let mut out = Vec::new();
        for (i, reply) in chunk.iter().enumerate() {
            if k > 0 || i > 0 {
                out.extend_from_slice(b",\n");
            }
            out.extend_from_slice(&line(reply, base, lines)?);
        }
        Ok(out)
    };
    std::iter::once(Ok(open.to_vec()))
        .chain(in_parts(replies, part))
        .chain(std::iter::once(Ok(close.to_vec())))
}

/// `part` of each `CHUNK` replies in turn, with its number: a few parts
/// made at once, in parallel, then handed on in order. The file is
/// written by one thread, but need not be made by one, nor held whole (at
/// 100,000 replies the CSV alone is 40 MB).
fn in_parts<'a, P: Send + 'a>(
    replies: &'a [Arc<Reply>],
    part: impl Fn(usize, &'a [Arc<Reply>]) -> P + Send + Sync + 'a,
) -> impl Iterator<Item = P> + Send + 'a {
    let per_batch = rayon::current_num_threads() * 2;
    let batches = replies.len().div_ceil(CHUNK * per_batch);
    (0..batches).flat_map(move |b| {
        let start = b * per_batch * CHUNK;
        let end = (start + per_batch * CHUNK).min(replies.len());
        replies[start..end]
            .par_chunks(CHUNK)
            .enumerate()
            .map(|(i, chunk)| part(b * per_batch + i, chunk))
            .collect::<Vec<_>>()
    })
}

/// A reply's line of the JSON (without the comma between lines), from the
/// shelf `lines` if it is there.
fn line(reply: &Reply, base: &BaseUrl, lines: Option<&Shelf>) -> anyhow::Result<Vec<u8>> {
    let Some(shelf) = lines else {
        return make_line(reply, base);
    };
    let digest = line_digest(reply, base);
    if let Some(spot) = shelf.find(digest) {
        return shelf.spill().get(&spot, 0);
    }
    let made = make_line(reply, base)?;
    shelf.put(digest, &[&made])?;
    Ok(made)
}

fn make_line(reply: &Reply, base: &BaseUrl) -> anyhow::Result<Vec<u8>> {
    let text = reply.body.text()?;
    // The text and about a kilobyte of metadata: no regrowth.
    let mut made = Vec::with_capacity(text.len() + 1024);
    serde_json::to_writer(&mut made, &Record::new(reply, base, Some(&text)))
        .expect("a record serialises: it holds only strings and numbers");
    Ok(made)
}

/// The CSV in parts: its byte order mark and header row, then the rows of
/// each `CHUNK` replies.
fn csv<'a>(
    replies: &'a [Arc<Reply>],
    base: &'a BaseUrl,
) -> impl Iterator<Item = Vec<u8>> + Send + 'a {
    let mut writer = csv_writer("\u{feff}".as_bytes().to_vec());
    writer
        .write_record(COLUMNS.iter().map(|column| column.header()))
        .expect("writing to memory does not fail");
    let header = writer
        .into_inner()
        .expect("writing to memory does not fail");
    let rows = move |_, chunk: &[Arc<Reply>]| {
        let mut writer = csv_writer(Vec::with_capacity(chunk.len() * 512));
        for reply in chunk {
            writer
                .write_record(Record::new(reply, base, None).csv_row())
                .expect("writing to memory does not fail");
        }
        writer
            .into_inner()
            .expect("writing to memory does not fail")
    };
    std::iter::once(header).chain(in_parts(replies, rows))
}

fn csv_writer(out: Vec<u8>) -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::reply::{given_text, sample_of_every_field};

    #[test]
    fn every_exported_field_has_its_column_in_the_json_and_the_csv() {
        let places: Vec<usize> = (FIELDS.iter())
            .filter_map(|field| field.column)
            .chain(Column::MADE.map(|(place, _)| place))
            .collect();
        let mut sorted = places.clone();
        sorted.sort_unstable();
        assert_eq!(
            sorted,
            (0..places.len()).collect::<Vec<_>>(),
            "a column's place is taken twice or skipped"
        );

        let reply = sample_of_every_field();
        let base = BaseUrl::parse("https://example.gov.cn/zxta/").unwrap();
        let record = Record::new(&reply, &base, Some("正文。"));
        let line = serde_json::to_string(&record).unwrap();
        let json: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&line).unwrap();
        let header: Vec<&str> = COLUMNS.iter().map(|column| column.header()).collect();
        let row = record.csv_row();
        for field in FIELDS.iter().filter(|field| field.column.is_some()) {
            let column = (COLUMNS.iter())
                .position(|column| column.key() == field.key)
                .unwrap();
            assert_eq!(
                header[column], field.alias,
                "the CSV names {} otherwise",
                field.key
            );
            let value = given_text((field.get.unwrap())(&reply)).unwrap();
            assert_eq!(row[column], value, "the CSV's {}", field.key);
            let json_value = match &json[field.key] {
                serde_json::Value::Array(items) => items
                    .iter()
                    .map(|item| item.as_str().unwrap())
                    .collect::<Vec<_>>()
                    .join("、"),
                serde_json::Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            assert_eq!(json_value, value, "the JSON's {}", field.key);
        }
        // The JSON's keys come in the columns' order, then the text.
        let keys: Vec<&str> = COLUMNS.iter().map(|column| column.key()).collect();
        let at: Vec<Option<usize>> = (keys.iter().chain(&["body_text"]))
            .map(|key| line.find(&format!("\"{key}\":")))
            .collect();
        assert!(at.iter().all(Option::is_some), "{line}");
        assert!(at.is_sorted(), "{line}");
        assert_eq!(json.len(), keys.len() + 1);
    }
}
