//! The second pass of the index build, one partition (a range of grams by
//! their first two characters, see `Partitions`) at a time: reads the grams
//! of every reply in that range back from their streams, groups them by
//! gram, and writes each gram's entry for its shard, with the shorter grams
//! aggregated from the longer ones.
//!
//! An entry in a gram shard (`g/`): `varint(key length)`, the key (the gram
//! in UTF-8), `varint(payload length)`, then the payload: for a gram of full
//! length the byte length of its entry in the position shard, then
//! a byte whose bit `t` says that tier `t` is present, then each present
//! tier's set of reply ids (see `docset`). Tier `t` holds the replies whose
//! score `7 - t` is `4` if the gram is in the title or 文号, plus `0`–`3` for
//! how often it occurs (1, 2–3, 4–7, 8 or more times).
//!
//! An entry in a position shard (`p/`): the key as above, `varint(length)`,
//! then for each reply holding the gram, by ascending id, its positions
//! block (see `positions`).

use std::ops::Range;

use super::alphabet::Alphabet;
use super::docset;
use super::grams::Packing;
use super::hash::gram_hash;
use super::varint;

/// The numbers the second pass needs.
pub(super) struct Shape {
    pub packing: Packing,
    pub docs: usize,
    /// Replies per chunk of the first pass.
    pub chunk_docs: usize,
    pub shard_bits: u32,
    pub group_bits: u32,
}

/// One gram's entry in the arenas of its group of shards.
pub(super) struct Entry {
    pub shard: u32,
    pub g: Range<usize>,
    pub p: Range<usize>,
}

/// The entries of one group of shards that one partition produced; its
/// bytes are those of the final files, so assembling a shard only copies.
#[derive(Default)]
pub(super) struct GroupOut {
    pub g: Vec<u8>,
    pub p: Vec<u8>,
    pub entries: Vec<Entry>,
}

/// One reply holding one gram: which gram (`gid`), which reply, `tf << 1 |
/// in_head`, and where its positions start in its chunk's stream of this
/// partition (a few hundred kilobytes for all chunks: it stays in cache).
#[derive(Clone, Copy, Default)]
struct Rec {
    gid: u32,
    doc: u32,
    info: u32,
    pos: u32,
}

/// Buffers one thread reuses from one partition to the next: allocating
/// them afresh for each would cost more in page faults than the work.
pub(super) struct Worker {
    table: CodeTable,
    grouped: Vec<Rec>,
    starts: Vec<u32>,
    by_code: Vec<u32>,
    levels: Vec<Level>,
    tiers: [Vec<u32>; 8],
    key: Vec<u8>,
    payload: Vec<u8>,
}

impl Worker {
    pub(super) fn new(shape: &Shape) -> Worker {
        Worker {
            table: CodeTable::with_capacity(1024),
            grouped: Vec::new(),
            starts: Vec::new(),
            by_code: Vec::new(),
            levels: (1..shape.packing.gram)
                .map(|k| Level::new(k, shape.docs))
                .collect(),
            tiers: Default::default(),
            key: Vec::new(),
            payload: Vec::new(),
        }
    }

    /// Every entry of one partition, sorted into groups of shards, from
    /// that partition's stream of each chunk of the first pass, in chunk
    /// order. The caller drops the streams once this returns, so the first
    /// pass's output shrinks as the second pass's grows. With `goes_on`, the
    /// next partition, which this worker takes next, holds more grams of
    /// the first character this one ends with: its one-character gram is
    /// left open, to be written when that character ends.
    pub(super) fn partition(
        &mut self,
        streams: &[Vec<u8>],
        alphabet: &Alphabet,
        shape: &Shape,
        goes_on: bool,
    ) -> Vec<GroupOut> {
        let packing = shape.packing;
        let n = packing.gram;
        self.read(streams, packing);
        let codes = &self.table.codes;
        let starts = &self.starts;
        self.by_code.clear();
        self.by_code.extend(0..codes.len() as u32);
        self.by_code.sort_unstable_by_key(|&g| codes[g as usize]);

        let mut out = Emitter {
            shape,
            alphabet,
            groups: (0..1 << shape.group_bits)
                .map(|_| GroupOut::default())
                .collect(),
            tiers: &mut self.tiers,
            key: &mut self.key,
            payload: &mut self.payload,
        };
        for &gid in &self.by_code {
            let code = codes[gid as usize];
            // Shorter grams end where their prefix changes: the deepest first.
            for level in self.levels.iter_mut().rev() {
                let prefix = packing.prefix(code, level.k);
                if level.prefix != Some(prefix) {
                    level.flush(&mut out, packing);
                    level.prefix = Some(prefix);
                }
            }
            let recs =
                &self.grouped[starts[gid as usize] as usize..starts[gid as usize + 1] as usize];
            for level in self.levels.iter_mut() {
                for r in recs {
                    level.add(r.doc, r.info);
                }
            }
            if packing.is_gram(code, n) {
                out.emit(
                    code,
                    n,
                    recs.iter().map(|r| (r.doc, r.info)),
                    Some((
                        Positions {
                            streams,
                            chunk_docs: shape.chunk_docs,
                        },
                        recs,
                    )),
                );
            }
        }
        // A partition ends between two second characters at most, so only
        // the one-character gram may go on.
        let open = usize::from(goes_on);
        for level in self.levels[open..].iter_mut().rev() {
            level.flush(&mut out, packing);
            level.prefix = None;
        }
        out.groups
    }

    /// Reads the partition's stream of every chunk into records grouped by
    /// gram, in reply order within a gram (`starts[gid]` is where gram
    /// `gid`'s begin), numbering grams as they come. The streams are read
    /// twice, to count each gram's records and then to put each in its
    /// place: one list of records, not a list in stream order and a copy
    /// sorted, since a partition of a common first character holds many
    /// millions at 100,000 replies. Positions are copied while the streams
    /// are read in order: reading them later, gram by gram, would miss the
    /// cache.
    fn read(&mut self, streams: &[Vec<u8>], packing: Packing) {
        self.table.clear();
        let starts = &mut self.starts;
        starts.clear();
        starts.push(0);
        let table = &mut self.table;
        for_each_rec(streams, packing, |code, _| {
            let gid = table.id(code) as usize;
            if gid + 1 == starts.len() {
                starts.push(0);
            }
            starts[gid + 1] += 1;
        });
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        let grouped = &mut self.grouped;
        grouped.clear();
        grouped.resize(starts[starts.len() - 1] as usize, Rec::default());
        for_each_rec(streams, packing, |code, mut rec| {
            rec.gid = table.id(code);
            // `starts[gid]` moves to the gram's end here, and back below.
            let at = &mut starts[rec.gid as usize];
            grouped[*at as usize] = rec;
            *at += 1;
        });
        for g in (1..starts.len()).rev() {
            starts[g] = starts[g - 1];
        }
        starts[0] = 0;
    }
}

/// Each record of the streams, in order, with its gram's packed code (its
/// `gid` not yet set).
fn for_each_rec(streams: &[Vec<u8>], packing: Packing, mut f: impl FnMut(u64, Rec)) {
    for stream in streams {
        let mut at = 0;
        while at < stream.len() {
            let Some(doc) = varint::get(stream, &mut at) else {
                break;
            };
            let mut prev = 0u64;
            loop {
                let delta = varint::get(stream, &mut at).unwrap_or(0);
                if delta == 0 {
                    break;
                }
                let info = varint::get(stream, &mut at).unwrap_or(0);
                let code = prev + delta;
                prev = code;
                let pos = at as u32;
                if packing.is_gram(code, packing.gram) {
                    let len = varint::get(stream, &mut at).unwrap_or(0) as usize;
                    at = (at + len).min(stream.len());
                }
                let rec = Rec {
                    gid: 0,
                    doc: doc as u32,
                    info: info.min(u64::from(u32::MAX)) as u32,
                    pos,
                };
                f(code, rec);
            }
        }
    }
}

/// Where the positions of records are: in the partition's stream of the
/// chunk that holds the record's reply.
#[derive(Clone, Copy)]
struct Positions<'a> {
    streams: &'a [Vec<u8>],
    chunk_docs: usize,
}

/// Writes entries into the arenas of their groups.
struct Emitter<'a> {
    shape: &'a Shape,
    alphabet: &'a Alphabet,
    groups: Vec<GroupOut>,
    tiers: &'a mut [Vec<u32>; 8],
    key: &'a mut Vec<u8>,
    payload: &'a mut Vec<u8>,
}

impl Emitter<'_> {
    /// Writes the entry of the gram made of the first `k` ids of `code`,
    /// held by `docs` (ascending, with `tf << 1 | in_head`); full-length
    /// grams also pass their records to copy positions from.
    fn emit(
        &mut self,
        code: u64,
        k: usize,
        docs: impl Iterator<Item = (u32, u32)>,
        positions: Option<(Positions, &[Rec])>,
    ) {
        let packing = self.shape.packing;
        self.key.clear();
        let mut buf = [0u8; 4];
        let cps = packing.ids(code, k).map(|id| self.alphabet.code_point(id));
        for cp in cps.clone() {
            let c = char::from_u32(cp).unwrap_or('\u{fffd}');
            self.key
                .extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
        let shard = gram_hash(cps) & ((1 << self.shape.shard_bits) - 1);
        let group =
            &mut self.groups[(shard >> (self.shape.shard_bits - self.shape.group_bits)) as usize];

        for t in self.tiers.iter_mut() {
            t.clear();
        }
        for (doc, info) in docs {
            let tf = info >> 1;
            let class = match tf {
                0 | 1 => 0,
                2..=3 => 1,
                4..=7 => 2,
                _ => 3,
            };
            let score = (info & 1) * 4 + class;
            self.tiers[7 - score as usize].push(doc);
        }

        let p_start = group.p.len();
        if let Some((from, recs)) = positions {
            let bytes = |r: &Rec| {
                let stream = &from.streams[r.doc as usize / from.chunk_docs];
                let mut at = r.pos as usize;
                let len = varint::get(stream, &mut at).unwrap_or(0) as usize;
                stream.get(at..at + len).unwrap_or_default()
            };
            let len: usize = recs.iter().map(|r| bytes(r).len()).sum();
            varint::put(&mut group.p, self.key.len() as u64);
            group.p.extend_from_slice(self.key);
            varint::put(&mut group.p, len as u64);
            group.p.reserve(len);
            for r in recs {
                varint::append(&mut group.p, bytes(r));
            }
        }
        let p_end = group.p.len();

        self.payload.clear();
        if positions.is_some() {
            varint::put(self.payload, (p_end - p_start) as u64);
        }
        let mask = self
            .tiers
            .iter()
            .enumerate()
            .filter(|(_, t)| !t.is_empty())
            .fold(0u8, |m, (i, _)| m | 1 << i);
        self.payload.push(mask);
        for t in self.tiers.iter().filter(|t| !t.is_empty()) {
            docset::put(self.payload, t);
        }
        let g_start = group.g.len();
        varint::put(&mut group.g, self.key.len() as u64);
        group.g.extend_from_slice(self.key);
        varint::put(&mut group.g, self.payload.len() as u64);
        group.g.extend_from_slice(self.payload);
        group.entries.push(Entry {
            shard,
            g: g_start..group.g.len(),
            p: p_start..p_end,
        });
    }
}

/// The replies holding the current prefix of `k` characters, with their
/// summed counts, gathered while the longer grams sharing it go by.
struct Level {
    k: usize,
    prefix: Option<u64>,
    info: Vec<u32>,
    seen: Vec<u64>,
    lo: usize,
    hi: usize,
    docs: Vec<(u32, u32)>,
}

impl Level {
    fn new(k: usize, docs: usize) -> Level {
        Level {
            k,
            prefix: None,
            info: vec![0; docs],
            seen: vec![0; docs.div_ceil(64)],
            lo: usize::MAX,
            hi: 0,
            docs: Vec::new(),
        }
    }

    fn add(&mut self, doc: u32, info: u32) {
        let d = doc as usize;
        let tf = (self.info[d] >> 1)
            .saturating_add(info >> 1)
            .min(u32::MAX >> 1);
        self.info[d] = (tf << 1) | (self.info[d] & 1) | (info & 1);
        self.seen[d / 64] |= 1 << (d % 64);
        self.lo = self.lo.min(d / 64);
        self.hi = self.hi.max(d / 64);
    }

    /// Emits the gathered prefix, if it is a gram, and starts afresh; the
    /// bitmap yields the replies in order without sorting them.
    fn flush(&mut self, out: &mut Emitter, packing: Packing) {
        if self.lo > self.hi {
            return;
        }
        let (lo, hi) = (self.lo, self.hi);
        let shift = packing.bits as usize * (packing.gram - self.k);
        let emit = self
            .prefix
            .is_some_and(|p| packing.is_gram(p << shift, self.k));
        let (seen, info) = (&mut self.seen, &mut self.info);
        let docs = (lo..=hi).flat_map(|w| {
            let mut bits = std::mem::take(&mut seen[w]);
            std::iter::from_fn(move || {
                if bits == 0 {
                    return None;
                }
                let b = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                Some(w * 64 + b)
            })
        });
        if emit {
            let code = self.prefix.unwrap_or(0) << shift;
            let mut list = std::mem::take(&mut self.docs);
            list.extend(docs.map(|d| (d as u32, std::mem::take(&mut info[d]))));
            out.emit(code, self.k, list.drain(..), None);
            self.docs = list;
        } else {
            for d in docs {
                info[d] = 0;
            }
        }
        self.lo = usize::MAX;
        self.hi = 0;
    }
}

/// Packed code → dense gram id, open addressing: grams of one partition
/// number in the thousands, and this lookup runs once per gram occurrence.
struct CodeTable {
    slots: Vec<u32>,
    codes: Vec<u64>,
    mask: usize,
}

impl CodeTable {
    fn with_capacity(n: usize) -> CodeTable {
        let size = (n * 2).next_power_of_two();
        CodeTable {
            slots: vec![u32::MAX; size],
            codes: Vec::with_capacity(n),
            mask: size - 1,
        }
    }

    fn clear(&mut self) {
        self.codes.clear();
        self.slots.fill(u32::MAX);
    }

    fn id(&mut self, code: u64) -> u32 {
        if self.codes.len() * 2 >= self.slots.len() {
            self.grow();
        }
        let mut i = Self::slot(code, self.mask);
        loop {
            let s = self.slots[i];
            if s == u32::MAX {
                let id = self.codes.len() as u32;
                self.slots[i] = id;
                self.codes.push(code);
                return id;
            }
            if self.codes[s as usize] == code {
                return s;
            }
            i = (i + 1) & self.mask;
        }
    }

    fn slot(code: u64, mask: usize) -> usize {
        (code.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32) as usize & mask
    }

    fn grow(&mut self) {
        let size = self.slots.len() * 2;
        self.mask = size - 1;
        self.slots = vec![u32::MAX; size];
        for (id, &code) in self.codes.iter().enumerate() {
            let mut i = Self::slot(code, self.mask);
            while self.slots[i] != u32::MAX {
                i = (i + 1) & self.mask;
            }
            self.slots[i] = id as u32;
        }
    }
}
