//! The first pass of the index build, one reply at a time: every gram of up
//! to `gram` characters that starts at each position, found by sorting one
//! packed code per position, then written as a compact byte stream that the
//! second pass (`postings`) reads back grouped by first character.
//!
//! A code packs the characters starting at a position, padded with id 0 where
//! a field ends sooner; its prefixes are the shorter grams at that position.
//! So one sorted list of codes per reply yields the grams of every length,
//! with no allocation per gram.

use super::SearchDoc;
use super::alphabet::Alphabet;
use super::layout::for_each_unit;
use super::positions;
use super::radix::{self, sort_pairs};
use super::varint;

/// How grams are packed into a `u64`.
#[derive(Clone, Copy)]
pub(super) struct Packing {
    pub bits: u32,
    pub gram: usize,
}

impl Packing {
    /// The first `k` characters of a code, as a smaller code.
    pub(super) fn prefix(self, code: u64, k: usize) -> u64 {
        code >> (self.bits as usize * (self.gram - k))
    }

    /// Whether the prefix of `k` characters is a real gram, not padding.
    pub(super) fn is_gram(self, code: u64, k: usize) -> bool {
        self.prefix(code, k) & ((1 << self.bits) - 1) != 0
    }

    /// The ids of the first `k` characters.
    pub(super) fn ids(self, code: u64, k: usize) -> impl Iterator<Item = u32> + Clone {
        let bits = self.bits as usize;
        let gram = self.gram;
        let mask = (1u64 << bits) - 1;
        (0..k).map(move |j| ((code >> (bits * (gram - 1 - j))) & mask) as u32)
    }
}

/// Where the second pass cuts the work: partition `p` holds the grams whose
/// first character id is in `starts[p]..starts[p + 1]`.
pub(super) struct Partitions {
    pub starts: Vec<u32>,
    /// The share of all characters that starts a gram of each partition.
    pub shares: Vec<f64>,
}

impl Partitions {
    /// About `count` partitions with similar numbers of gram occurrences, by
    /// first character.
    pub(super) fn balanced(alphabet: &Alphabet, count: usize) -> Partitions {
        let total: u64 = (1..alphabet.len() as u32)
            .map(|id| alphabet.count(id))
            .sum();
        let per = total.div_ceil(count.max(1) as u64).max(1);
        let mut starts = vec![1];
        let mut shares = Vec::new();
        let mut acc = 0;
        for id in 1..alphabet.len() as u32 {
            if acc >= per {
                starts.push(id);
                shares.push(acc as f64 / total as f64);
                acc = 0;
            }
            acc += alphabet.count(id);
        }
        starts.push(alphabet.len().max(1) as u32);
        shares.push(acc as f64 / total.max(1) as f64);
        Partitions { starts, shares }
    }

    pub(super) fn len(&self) -> usize {
        self.starts.len() - 1
    }

    /// The partition of a first character id.
    pub(super) fn of(&self, first: u32) -> usize {
        self.starts
            .partition_point(|&s| s <= first)
            .saturating_sub(1)
            .min(self.len() - 1)
    }
}

/// The grams of a run of consecutive replies, one byte stream per
/// partition, so that the second pass reads each partition's share in
/// order instead of jumping into every reply. A stream holds, for each reply
/// with grams in that partition: `varint(reply id)`, then for each distinct
/// code in code order `varint(code - previous code)` (the first code is
/// taken from 0; codes are never 0, so a 0 ends the reply), `varint(tf << 1
/// | in_head)`, and for full-length grams the byte length of their
/// positions block and the block (see `positions`).
pub(super) struct ChunkGrams {
    pub parts: Vec<Vec<u8>>,
}

impl ChunkGrams {
    /// Empty streams, each with room for about what `units` units of text
    /// put in it, so that they are not copied again and again as they grow.
    pub(super) fn new(partitions: &Partitions, units: u64) -> ChunkGrams {
        ChunkGrams {
            parts: partitions
                .shares
                .iter()
                .map(|share| Vec::with_capacity((units as f64 * share * BYTES_PER_UNIT) as usize))
                .collect(),
        }
    }
}

/// About how many stream bytes a unit of text makes (5.9 in a generated
/// corpus of 10,000 replies): a little more, so that streams rarely grow.
const BYTES_PER_UNIT: f64 = 6.2;

/// Buffers reused from one reply to the next by a thread.
#[derive(Default)]
pub(super) struct Scratch {
    units: Vec<u32>,
    codes: Vec<u64>,
    positions: Vec<u32>,
    sort: radix::Scratch,
    block: Vec<u8>,
}

/// What the first pass needs to know of the whole corpus.
pub(super) struct Plan<'a> {
    pub alphabet: &'a Alphabet,
    pub packing: Packing,
    /// Added to positions after the head (see `layout`).
    pub head_span: u32,
    pub partitions: &'a Partitions,
}

/// Finds the grams of reply `id` and appends them to `out`.
pub(super) fn doc_grams(
    id: u32,
    doc: &SearchDoc,
    plan: &Plan,
    s: &mut Scratch,
    out: &mut ChunkGrams,
) {
    let Plan {
        alphabet,
        packing,
        head_span,
        partitions,
    } = *plan;
    s.units.clear();
    let head = for_each_unit(doc, |u| s.units.push(u.map_or(0, |c| alphabet.id(c))));
    let units = &s.units;
    let bits = packing.bits as usize;
    let n = packing.gram;
    // The code at a position is its unit followed by the code of the next
    // position minus its last unit, so one backward sweep packs them all;
    // a break (id 0) has code 0, which ends the grams before it.
    s.codes.clear();
    s.codes.resize(units.len(), 0);
    let top = bits * (n - 1);
    let mut next = 0u64;
    for i in (0..units.len()).rev() {
        let u = u64::from(units[i]);
        next = if u == 0 {
            0
        } else {
            (u << top) | (next >> bits)
        };
        s.codes[i] = next;
    }
    s.positions.clear();
    let mut kept = 0;
    for (i, &u) in units.iter().enumerate() {
        if u != 0 {
            s.codes[kept] = s.codes[i];
            let at = i as u32;
            s.positions.push(if i < head { at } else { at + head_span });
            kept += 1;
        }
    }
    s.codes.truncate(kept);
    sort_pairs(
        &mut s.codes,
        &mut s.positions,
        &mut s.sort,
        packing.bits * n as u32,
    );

    let mut part = usize::MAX;
    let mut prev = 0u64;
    let mut i = 0;
    while i < s.codes.len() {
        let code = s.codes[i];
        let mut end = i + 1;
        while end < s.codes.len() && s.codes[end] == code {
            end += 1;
        }
        let first = packing.prefix(code, 1) as u32;
        if part == usize::MAX || first >= partitions.starts[part + 1] {
            if part != usize::MAX {
                varint::put(&mut out.parts[part], 0);
            }
            part = partitions.of(first);
            varint::put(&mut out.parts[part], u64::from(id));
            prev = 0;
        }
        let stream = &mut out.parts[part];
        let positions = &s.positions[i..end];
        let tf = (end - i) as u64;
        let in_head = u64::from(positions[0] < head_span);
        varint::put(stream, code - prev);
        varint::put(stream, (tf << 1) | in_head);
        if packing.is_gram(code, n) {
            // The block as it will be shipped, after its length, so that the
            // second pass copies it without decoding it.
            s.block.clear();
            positions::put(&mut s.block, positions);
            varint::put(stream, s.block.len() as u64);
            varint::append(stream, &s.block);
        }
        prev = code;
        i = end;
    }
    if part != usize::MAX {
        varint::put(&mut out.parts[part], 0);
    }
}
