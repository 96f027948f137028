//! Bringing the index of the build before last up to date with a few
//! replies edited since, instead of making it again: after an editor's
//! usual edit (one reply's text) the index was most of a build's work, and
//! all but a few hundred of its files came out the same.
//!
//! An index entry is the union of each reply's part of it: the tier the
//! reply is in for that gram and, for a gram of full length, the reply's
//! positions block. So an edited reply's parts as they were (its data files
//! hold its fields and text) and as they are, each made by the same passes
//! as a whole build runs, over that reply alone, say which entries change
//! and how; only the shards holding those are read and written again. What
//! comes out is byte for byte what a whole build would make, which the tests
//! check. Where the layout would change (another number of replies, of
//! shards, another head span), a reply was added, removed or moved, or a
//! file is not as it was left, the index is made again.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;

use rayon::prelude::*;
use serde::Deserialize;

use super::alphabet::Alphabet;
use super::docs::{self, data_name};
use super::files::{Files, SHARED};
use super::grams::{self, Packing, Partitions, Scratch};
use super::layout::{for_each_unit, head_len};
use super::postings::{Shape, Worker};
use super::{
    Corpus, FORMAT, Field, Indexed, Layout, SearchDoc, docset, finish, positions, reuse, shards,
    varint,
};
use crate::ground::page::Sink;
use crate::store::digest::Previous;

/// Edited replies beyond which the index is made again: each costs two
/// passes over one reply and the shards its changes touch.
const MAX_EDITED: usize = 64;

/// The most distinct characters whose grams of four pack into 64 bits
/// (see `alphabet`).
const MAX_CHARS: u64 = 65_534;

/// The grams of full length: the only length the index is patched at.
const GRAM: usize = 4;

/// Updates the index in `previous`'s folder to `docs`, handing every file
/// that changes to `sink`; `None` if it must be made again. `manifest` is
/// the folder's, as it was before `reuse::forget` removed it, with the
/// digest it was recorded with; it is written again last.
pub(super) fn update(
    previous: &Previous,
    manifest: (&serde_json::Value, u64),
    docs: &(impl Corpus + ?Sized),
    identities: &[u64],
    source: &str,
    sink: &dyn Sink,
) -> anyhow::Result<Option<Indexed>> {
    let Some(old) = old_layout(manifest, docs.count()) else {
        return Ok(None);
    };
    let Some(recorded) = reuse::recorded(previous) else {
        return Ok(None);
    };
    let Some(edited) = edited(&recorded, identities) else {
        return Ok(None);
    };
    let before: Option<Vec<OldDoc>> = edited
        .iter()
        .map(|&id| OldDoc::read(previous, id))
        .collect();
    let Some(before) = before else {
        return Ok(None);
    };
    let Some(layout) = layout_after(old, docs, &edited, &before)? else {
        return Ok(None);
    };
    let Some(changes) = changes(docs, &edited, &before, layout)? else {
        return Ok(None);
    };
    let files = Files::new(sink);
    if !patch_shards(previous, &changes, layout, &files)? {
        // A shard could not be read back: make the index again, over
        // whatever was written.
        return Ok(None);
    }
    for &id in &edited {
        docs.with(id..id + 1, |now| {
            docs::doc_file(id, &now[0], identities[id], &files)
        })??;
    }
    let pack_bits = shards::pack_bits(layout.shard_bits);
    let digits = shards::hex_digits(1 << (layout.shard_bits - pack_bits));
    let touched: HashSet<String> = changes
        .keys()
        .flat_map(|&shard| shards::names(shard as usize >> pack_bits, digits))
        .collect();
    for (path, digest) in recorded {
        let rewritten = match docs::doc_of(&path) {
            Some(id) => edited.binary_search(&id).is_ok(),
            None => touched.contains(&path) || !is_shard(&path),
        };
        if !rewritten {
            files.keep(path, digest);
        }
    }
    docs::url_files(docs, &files)?;
    finish(docs, layout, source, &files)?;
    Ok(Some(files.finish()))
}

/// The layout of the index in the folder, from its manifest and the digest
/// its manifest was recorded with (the bound on its distinct characters),
/// if it is one this module patches.
fn old_layout((manifest, chars): (&serde_json::Value, u64), count: usize) -> Option<Layout> {
    let number = |key: &str| manifest[key].as_u64();
    let shards = number("shards")?;
    let fits = number("format")? == u64::from(FORMAT)
        && number("docs")? == count as u64
        && number("gram")? == GRAM as u64
        && number("lead")? == docs::LEAD_UNITS as u64
        && number("piece")? == docs::PIECE_UNITS as u64
        && number("urls")? == docs::URLS_PER_FILE as u64
        && number("folder")? == docs::DOCS_PER_FOLDER as u64
        && shards.is_power_of_two()
        && number("pack")? == 1 << shards::pack_bits(shards.trailing_zeros());
    let layout = Layout {
        gram: GRAM,
        shard_bits: shards.trailing_zeros(),
        head_span: u32::try_from(number("head")?).ok()?,
        units: number("units")?,
        chars,
    };
    fits.then_some(layout)
}

/// The layout a whole build would choose, from the old one and the edited
/// replies as they were and are, if it is the old one.
fn layout_after(
    old: Layout,
    docs: &(impl Corpus + ?Sized),
    edited: &[usize],
    before: &[OldDoc],
) -> anyhow::Result<Option<Layout>> {
    let mut layout = old;
    for (&id, was) in edited.iter().zip(before) {
        let (units, chars) = docs.with(id..id + 1, |now| measure(&now[0]))?;
        layout.units = layout.units - measure(&was.doc()).0 + units;
        layout.chars += chars;
    }
    let head = |id: usize| {
        let brief = docs.brief(id);
        head_len(brief.title, brief.doc_number)
    };
    // The span holds the longest head. The others' heads are as they were,
    // no longer than it held; an edited reply's head that still needs it
    // settles the question without measuring 10,000 heads.
    let longest_edited = edited.iter().map(|&id| head(id)).max().unwrap_or(0);
    let max_head = if Layout::head_span(longest_edited) == old.head_span {
        longest_edited
    } else {
        (0..docs.count()).map(head).max().unwrap_or(0)
    };
    let same = Layout::shard_bits(layout.units) == old.shard_bits
        && Layout::head_span(max_head) == old.head_span
        && layout.chars <= MAX_CHARS;
    Ok(same.then_some(layout))
}

/// Every entry an edited reply's part of changed in, by shard and key.
fn changes(
    docs: &(impl Corpus + ?Sized),
    edited: &[usize],
    before: &[OldDoc],
    layout: Layout,
) -> anyhow::Result<Option<BTreeMap<u32, Changes>>> {
    let count = docs.count();
    let mut changes: BTreeMap<u32, Changes> = BTreeMap::new();
    for (&id, was) in edited.iter().zip(before) {
        let then = parts_of(&was.doc(), id as u32, count, layout);
        let now = docs.with(id..id + 1, |now| {
            parts_of(&now[0], id as u32, count, layout)
        })?;
        let (Some(mut then), Some(now)) = (then, now) else {
            return Ok(None);
        };
        let mut change = |shard: u32, key: Vec<u8>, part: Option<Part>| {
            let keys = changes.entry(shard).or_default();
            keys.entry(key).or_default().push((id as u32, part));
        };
        for (key, part) in now {
            if then.remove(&key).is_none_or(|was| was != part) {
                change(part.shard, key, Some(part));
            }
        }
        for (key, gone) in then {
            change(gone.shard, key, None);
        }
    }
    Ok(Some(changes))
}

/// Writes each pack holding a changed shard with the changes made; false
/// if one cannot be read back as the index's format says.
fn patch_shards(
    previous: &Previous,
    changes: &BTreeMap<u32, Changes>,
    layout: Layout,
    files: &Files,
) -> anyhow::Result<bool> {
    let pack_bits = shards::pack_bits(layout.shard_bits);
    let per_pack = 1usize << pack_bits;
    let digits = shards::hex_digits(1 << (layout.shard_bits - pack_bits));
    let mut by_pack: BTreeMap<usize, Vec<(usize, &Changes)>> = BTreeMap::new();
    for (&shard, keys) in changes {
        let shard = shard as usize;
        by_pack
            .entry(shard >> pack_bits)
            .or_default()
            .push((shard % per_pack, keys));
    }
    let patched: Vec<bool> = by_pack
        .par_iter()
        .map(|(&pack, shards_changed)| {
            let [g_name, p_name] = shards::names(pack, digits);
            let read = |name: &str| fs::read(previous.folder.join(name)).ok();
            let Some((g, p)) = read(&g_name)
                .zip(read(&p_name))
                .and_then(|(g, p)| patch_pack(&g, &p, per_pack, shards_changed))
            else {
                return Ok(false);
            };
            files.put(g_name, g, SHARED)?;
            files.put(p_name, p, SHARED)?;
            Ok(true)
        })
        .collect::<anyhow::Result<_>>()?;
    Ok(patched.into_iter().all(|done| done))
}

/// A pack's gram and position files with the changes of its shards (each
/// by its place in the pack) made.
fn patch_pack(
    g: &[u8],
    p: &[u8],
    per_pack: usize,
    changed: &[(usize, &Changes)],
) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut g_parts: Vec<Vec<u8>> = shards::unpack(g, per_pack)?
        .into_iter()
        .map(<[u8]>::to_vec)
        .collect();
    let mut p_parts: Vec<Vec<u8>> = shards::unpack(p, per_pack)?
        .into_iter()
        .map(<[u8]>::to_vec)
        .collect();
    for &(i, keys) in changed {
        let (g, p) = patch(&g_parts[i], &p_parts[i], keys)?;
        g_parts[i] = g;
        p_parts[i] = p;
    }
    Some((shards::pack(&g_parts), shards::pack(&p_parts)))
}

/// The ids whose replies changed since the folder's index was made, from
/// the identities its data files were recorded with (`recorded`), if every
/// reply has its data file, not too many changed, and at least one did not
/// (its identity equal, the same dafu made the index).
fn edited(recorded: &[(String, u64)], identities: &[u64]) -> Option<Vec<usize>> {
    let mut was: Vec<Option<u64>> = vec![None; identities.len()];
    for (path, digest) in recorded {
        if let Some(id) = docs::doc_of(path) {
            *was.get_mut(id)? = Some(*digest);
        }
    }
    let mut edited = Vec::new();
    for (id, (&identity, was)) in identities.iter().zip(was).enumerate() {
        if was? != identity {
            edited.push(id);
            if edited.len() > MAX_EDITED {
                return None;
            }
        }
    }
    (edited.len() < identities.len()).then_some(edited)
}

fn is_shard(path: &str) -> bool {
    path.starts_with("search/g/") || path.starts_with("search/p/")
}

/// A reply as its data files in the folder hold it.
#[derive(Deserialize)]
struct OldFile {
    u: String,
    t: String,
    n: String,
    a: String,
    i: String,
    f: Vec<String>,
    l: Vec<String>,
    b: String,
    z: Vec<usize>,
}

struct OldDoc {
    file: OldFile,
    body: String,
}

impl OldDoc {
    fn read(previous: &Previous, id: usize) -> Option<OldDoc> {
        let bytes = fs::read(previous.folder.join(data_name(id))).ok()?;
        let line = bytes.iter().position(|&b| b == b'\n')?;
        let file: OldFile = serde_json::from_slice(&bytes[..line]).ok()?;
        let mut body = file.b.clone();
        body.push_str(&docs::rest_of_body(&bytes[line + 1..], &file.z)?);
        // A label for every field, as `docs` writes them.
        (!file.f.is_empty() && file.l.len() == file.f.len()).then_some(OldDoc { file, body })
    }

    fn doc(&self) -> SearchDoc<'_> {
        let f = &self.file;
        SearchDoc {
            url: &f.u,
            title: &f.t,
            doc_number: Some(f.n.as_str()).filter(|n| !n.is_empty()),
            department: &f.f[0],
            date: &f.i,
            date_shown: &f.a,
            // The year is in the facets, not in any entry.
            year: 0,
            fields: f.f[1..]
                .iter()
                .zip(f.l.iter().skip(1))
                .map(|(text, label)| Field::new(label, text.as_str()))
                .collect(),
            body: &self.body,
        }
    }
}

/// A reply's units, and its distinct characters.
fn measure(doc: &SearchDoc) -> (u64, u64) {
    let mut units = 0;
    let mut chars = HashSet::new();
    for_each_unit(doc, |unit| {
        units += 1;
        chars.extend(unit);
    });
    (units, chars.len() as u64)
}

/// What changes in one shard: by key, each reply's new part, or `None`
/// where it leaves the entry.
type Changes = BTreeMap<Vec<u8>, Vec<(u32, Option<Part>)>>;

/// One reply's part of one entry.
#[derive(Debug, PartialEq, Eq)]
struct Part {
    shard: u32,
    tier: u8,
    /// The positions block, for a gram of full length.
    block: Option<Vec<u8>>,
}

/// Reply `id`'s part of every entry it is in, by key: the entries the two
/// passes of a whole build make of a corpus of this reply alone.
fn parts_of(
    doc: &SearchDoc,
    id: u32,
    count: usize,
    layout: Layout,
) -> Option<HashMap<Vec<u8>, Part>> {
    let alphabet = Alphabet::survey(std::slice::from_ref(doc)).ok()?.alphabet;
    let packing = Packing {
        bits: alphabet.bits(),
        gram: alphabet.gram(),
    };
    if packing.gram != GRAM {
        return None;
    }
    let partitions = Partitions::balanced(&alphabet, 1);
    let plan = grams::Plan {
        alphabet: &alphabet,
        packing,
        head_span: layout.head_span,
        partitions: &partitions,
    };
    let mut out = grams::ChunkGrams::new(&partitions, 0);
    grams::doc_grams(id, doc, &plan, &mut Scratch::default(), &mut out);
    let shape = Shape {
        packing,
        docs: count,
        chunk_docs: count,
        shard_bits: layout.shard_bits,
        group_bits: 0,
    };
    let groups = Worker::new(&shape).partition(&out.parts, &alphabet, &shape, false);
    let mut parts = HashMap::new();
    for group in &groups {
        for entry in &group.entries {
            let g = Entry::parse(&group.g[entry.g.clone()], &mut 0)?;
            let block = match entry.p.is_empty() {
                true => None,
                false => Some(
                    Entry::parse(&group.p[entry.p.clone()], &mut 0)?
                        .body
                        .to_vec(),
                ),
            };
            let mut at = g.tiers_start()?;
            let mask = *g.body.get(at)?;
            at += 1;
            let mut ids = Vec::new();
            docset::get(g.body, &mut at, &mut ids)?;
            if ids != [id] || mask.count_ones() != 1 {
                return None;
            }
            let part = Part {
                shard: entry.shard,
                tier: mask.trailing_zeros() as u8,
                block,
            };
            parts.insert(g.key.to_vec(), part);
        }
    }
    Some(parts)
}

/// An entry of a shard: its key, and its payload (in a gram shard) or its
/// replies' positions blocks (in a position shard).
struct Entry<'b> {
    key: &'b [u8],
    body: &'b [u8],
}

impl<'b> Entry<'b> {
    fn parse(bytes: &'b [u8], at: &mut usize) -> Option<Entry<'b>> {
        let key = field(bytes, at)?;
        let body = field(bytes, at)?;
        Some(Entry { key, body })
    }

    fn is_full(&self) -> bool {
        std::str::from_utf8(self.key).is_ok_and(|k| k.chars().count() == GRAM)
    }

    /// Where a gram entry's tiers start: after the length of its position
    /// entry, for a gram of full length.
    fn tiers_start(&self) -> Option<usize> {
        let mut at = 0;
        if self.is_full() {
            varint::get(self.body, &mut at)?;
        }
        Some(at)
    }
}

/// `varint(length)` then that many bytes.
fn field<'b>(bytes: &'b [u8], at: &mut usize) -> Option<&'b [u8]> {
    let len = usize::try_from(varint::get(bytes, at)?).ok()?;
    let field = bytes.get(*at..*at + len)?;
    *at += len;
    Some(field)
}

/// One shard's gram and position files with `changes` made, by key: each
/// reply's part replaced (or removed, for `None`).
fn patch(g: &[u8], p: &[u8], changes: &Changes) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut out = (
        Vec::with_capacity(g.len() + 256),
        Vec::with_capacity(p.len() + 1024),
    );
    let (mut g_at, mut p_at) = (0, 0);
    let mut pending = changes.iter().peekable();
    while g_at < g.len() {
        let start = g_at;
        let entry = Entry::parse(g, &mut g_at)?;
        let p_range = if entry.is_full() {
            let p_start = p_at;
            if Entry::parse(p, &mut p_at)?.key != entry.key {
                return None;
            }
            Some(p_start..p_at)
        } else {
            None
        };
        while let Some((key, edits)) = pending.next_if(|(key, _)| key.as_slice() < entry.key) {
            put_entry(&mut out, key, Entry::tiers_of(None)?, edits)?;
        }
        match pending.next_if(|(key, _)| key.as_slice() == entry.key) {
            Some((key, edits)) => {
                let old = Entry::tiers_of(Some((&entry, p_range.map(|r| &p[r]))))?;
                put_entry(&mut out, key, old, edits)?;
            }
            None => {
                out.0.extend_from_slice(&g[start..g_at]);
                if let Some(r) = p_range {
                    out.1.extend_from_slice(&p[r]);
                }
            }
        }
    }
    for (key, edits) in pending {
        put_entry(&mut out, key, Entry::tiers_of(None)?, edits)?;
    }
    (p_at == p.len()).then_some(out)
}

/// An entry's replies by tier, and each reply's positions block by id.
type Tiers = ([Vec<u32>; 8], BTreeMap<u32, Vec<u8>>);

impl Entry<'_> {
    /// The tiers and blocks of an entry (and its position entry), or none.
    fn tiers_of(entry: Option<(&Entry, Option<&[u8]>)>) -> Option<Tiers> {
        let mut tiers: [Vec<u32>; 8] = Default::default();
        let mut blocks = BTreeMap::new();
        let Some((entry, p)) = entry else {
            return Some((tiers, blocks));
        };
        let mut at = entry.tiers_start()?;
        let mask = *entry.body.get(at)?;
        at += 1;
        for (t, tier) in tiers.iter_mut().enumerate() {
            if mask & (1 << t) != 0 {
                docset::get(entry.body, &mut at, tier)?;
            }
        }
        if let Some(p) = p {
            let bytes = Entry::parse(p, &mut 0)?.body;
            let mut ids: Vec<u32> = tiers.iter().flatten().copied().collect();
            ids.sort_unstable();
            let mut at = 0;
            for id in ids {
                let start = at;
                positions::get(bytes, &mut at)?;
                blocks.insert(id, bytes[start..at].to_vec());
            }
        }
        Some((tiers, blocks))
    }
}

/// Writes the entry of `key` with `edits` made to `old`, unless no reply is
/// left in it.
fn put_entry(
    out: &mut (Vec<u8>, Vec<u8>),
    key: &[u8],
    (mut tiers, mut blocks): Tiers,
    edits: &[(u32, Option<Part>)],
) -> Option<()> {
    for (id, part) in edits {
        for tier in tiers.iter_mut() {
            tier.retain(|doc| doc != id);
        }
        blocks.remove(id);
        if let Some(part) = part {
            let tier = tiers.get_mut(usize::from(part.tier))?;
            let at = tier.partition_point(|doc| doc < id);
            tier.insert(at, *id);
            if let Some(block) = &part.block {
                blocks.insert(*id, block.clone());
            }
        }
    }
    if tiers.iter().all(Vec::is_empty) {
        return Some(());
    }
    let full = std::str::from_utf8(key).is_ok_and(|k| k.chars().count() == GRAM);
    let mut payload = Vec::new();
    if full {
        let start = out.1.len();
        varint::put(&mut out.1, key.len() as u64);
        out.1.extend_from_slice(key);
        varint::put(
            &mut out.1,
            blocks.values().map(Vec::len).sum::<usize>() as u64,
        );
        for block in blocks.values() {
            out.1.extend_from_slice(block);
        }
        varint::put(&mut payload, (out.1.len() - start) as u64);
    }
    let mask = tiers
        .iter()
        .enumerate()
        .filter(|(_, tier)| !tier.is_empty())
        .fold(0u8, |mask, (t, _)| mask | 1 << t);
    payload.push(mask);
    for tier in tiers.iter().filter(|tier| !tier.is_empty()) {
        docset::put(&mut payload, tier);
    }
    varint::put(&mut out.0, key.len() as u64);
    out.0.extend_from_slice(key);
    varint::put(&mut out.0, payload.len() as u64);
    out.0.extend_from_slice(&payload);
    Some(())
}
