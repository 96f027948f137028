//! The first pass of the index build, one reply at a time: every gram of up
//! to `gram` characters that starts at each position, found by sorting one
//! packed code per position, then written as a compact byte stream that the
//! second pass (`postings`) reads back a partition of grams at a time
//! (`Partitions`).
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
/// first two character ids, packed as a 2-gram (`Packing::prefix(code, 2)`),
/// are in `starts[p]..starts[p + 1]`. Most partitions hold a few whole first
/// characters; one too common for a partition of its own (`，`, `的`) is cut
/// by its second character, so that no partition grows with the archive.
pub(super) struct Partitions {
    pub starts: Vec<u64>,
    /// The share of all characters that starts a gram of each partition.
    pub shares: Vec<f64>,
    /// Bits of one id (see `Packing`).
    bits: u32,
}

impl Partitions {
    /// About `count` partitions with similar numbers of gram occurrences.
    /// A character's share by second character is guessed from how often
    /// each character occurs anywhere: the cut need not be even, only
    /// bounded.
    pub(super) fn balanced(alphabet: &Alphabet, count: usize) -> Partitions {
        let bits = alphabet.bits();
        let ids = 1..alphabet.len() as u32;
        let total: u64 = ids.clone().map(|id| alphabet.count(id)).sum();
        let per = total.div_ceil(count.max(1) as u64).max(1);
        let share = |n: u64| n as f64 / total.max(1) as f64;
        let mut cuts = Partitions {
            starts: vec![1 << bits],
            shares: Vec::new(),
            bits,
        };
        let mut acc = 0;
        for id in ids.clone() {
            let here = alphabet.count(id);
            let first = u64::from(id) << bits;
            if acc >= per || (here > per && acc > 0) {
                cuts.cut(first, share(acc));
                acc = 0;
            }
            if here <= per {
                acc += here;
                continue;
            }
            let pieces = here.div_ceil(per);
            let (mut piece, mut seen) = (1, 0);
            for second in ids.clone() {
                seen += alphabet.count(second);
                if piece < pieces && seen * pieces >= piece * total {
                    cuts.cut(first | u64::from(second + 1), share(here / pieces));
                    piece += 1;
                }
            }
            acc = here - here / pieces * (piece - 1);
        }
        cuts.starts.push((alphabet.len().max(1) as u64) << bits);
        cuts.shares.push(share(acc));
        cuts
    }

    /// Ends the last partition before `start`.
    fn cut(&mut self, start: u64, share: f64) {
        self.starts.push(start);
        self.shares.push(share);
    }

    pub(super) fn len(&self) -> usize {
        self.starts.len() - 1
    }

    /// The partition of a gram whose first two ids pack into `lead`.
    pub(super) fn of(&self, lead: u64) -> usize {
        self.starts
            .partition_point(|&s| s <= lead)
            .saturating_sub(1)
            .min(self.len() - 1)
    }

    /// Whether partition `p + 1` goes on with the first character that
    /// partition `p` ends with.
    pub(super) fn goes_on(&self, p: usize) -> bool {
        p + 1 < self.len() && self.starts[p + 1] & ((1 << self.bits) - 1) != 0
    }

    /// The partitions in runs that each hold whole first characters: one
    /// worker takes a run in order, since a character's one-character gram
    /// gathers every partition of it.
    pub(super) fn runs(&self) -> Vec<std::ops::Range<usize>> {
        let mut runs = Vec::new();
        let mut start = 0;
        for p in 0..self.len() {
            if !self.goes_on(p) {
                runs.push(start..p + 1);
                start = p + 1;
            }
        }
        runs
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
pub(super) const BYTES_PER_UNIT: f64 = 6.2;

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
        let lead = packing.prefix(code, 2);
        if part == usize::MAX || lead >= partitions.starts[part + 1] {
            if part != usize::MAX {
                varint::put(&mut out.parts[part], 0);
            }
            part = partitions.of(lead);
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

#[cfg(test)]
mod tests {
    use super::super::SearchDoc;
    use super::*;

    #[test]
    fn a_character_too_common_for_one_partition_is_cut_by_the_next() {
        let body = "。甲。乙。丙。丁".repeat(50);
        let doc = SearchDoc::sample("/a/", "答复", &body);
        let alphabet = Alphabet::survey(std::slice::from_ref(&doc))
            .unwrap()
            .alphabet;
        let bits = alphabet.bits();
        let partitions = Partitions::balanced(&alphabet, 8);
        let stop = u64::from(alphabet.id('。'));
        let of_stop: Vec<usize> = (0..partitions.len())
            .filter(|&p| partitions.starts[p] >> bits == stop)
            .collect();
        assert!(of_stop.len() > 1, "{:?}", partitions.starts);
        let last = of_stop[of_stop.len() - 1];
        assert!(
            of_stop[..of_stop.len() - 1]
                .iter()
                .all(|&p| partitions.goes_on(p))
        );
        assert!(
            !partitions.goes_on(last),
            "the next character starts afresh"
        );
        let runs = partitions.runs();
        let run = runs.iter().find(|run| run.contains(&last)).unwrap();
        assert_eq!(*run, of_stop[0]..last + 1, "the stops are one run");
        assert_eq!(
            runs.iter().map(|run| run.len()).sum::<usize>(),
            partitions.len(),
            "every partition in one run"
        );
        let first_of = |lead: u64| partitions.starts[partitions.of(lead)] >> bits;
        for second in ['甲', '乙', '丙', '丁'] {
            let lead = (stop << bits) | u64::from(alphabet.id(second));
            assert_eq!(first_of(lead), stop, "。{second} is among the stops");
        }
    }
}
