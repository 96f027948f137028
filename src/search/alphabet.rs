//! The characters of a corpus, numbered densely so that a gram of up to four
//! of them packs into one `u64` (sorting and grouping `u64`s is what makes
//! the index build fast). Ids follow code point order, so sorting packed
//! grams sorts them as their UTF-8 keys sort; id 0 means "no character".

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::layout::for_each_unit;
use super::{Corpus, SPAN, spans};

pub(super) struct Alphabet {
    /// Code point → id, 0 where the character does not occur.
    ids: ByCodePoint,
    /// Id → code point; index 0 is unused.
    chars: Vec<u32>,
    /// How often each id occurs, to balance the work between threads.
    counts: Vec<u64>,
    /// Bits of one id in a packed gram.
    bits: u32,
    /// The longest gram indexed: four, unless the corpus has more than
    /// 65,535 distinct characters, when four ids no longer fit in 64 bits.
    gram: usize,
}

/// What the first pass over the corpus learns besides the alphabet.
pub(super) struct Survey {
    pub alphabet: Alphabet,
    /// The longest head (title and 文号, in units) of any reply.
    pub max_head: usize,
    /// All units of all replies.
    pub units: u64,
}

impl Alphabet {
    /// Reads every reply once, in parallel, counting characters.
    pub(super) fn survey(docs: &(impl Corpus + ?Sized)) -> anyhow::Result<Survey> {
        // One tally per thread, not per rayon job.
        let chunk = docs.count().div_ceil(rayon::current_num_threads()).max(1);
        let ranges: Vec<_> = spans(0..docs.count(), chunk).collect();
        let parts: Vec<Tally> = ranges
            .into_par_iter()
            .map(|range| {
                let mut tally = Tally::default();
                for span in spans(range, SPAN) {
                    docs.with(span, |docs| {
                        for doc in docs {
                            let head = for_each_unit(doc, |u| tally.add(u));
                            tally.max_head = tally.max_head.max(head);
                        }
                    })?;
                }
                Ok(tally)
            })
            .collect::<anyhow::Result<_>>()?;
        let (max_head, units) = parts.iter().fold((0, 0), |(h, u), part| {
            (h.max(part.max_head), u + part.units)
        });
        // Only the characters seen are visited, not every code point.
        let mut seen: Vec<u32> = parts.iter().flat_map(|part| part.seen.clone()).collect();
        seen.sort_unstable();
        seen.dedup();
        let mut ids = ByCodePoint::default();
        let mut chars = vec![0u32];
        let mut by_id = vec![0u64];
        for cp in seen {
            *ids.at(cp) = chars.len() as u32;
            chars.push(cp);
            by_id.push(
                parts
                    .iter()
                    .map(|part| u64::from(part.counts.get(cp)))
                    .sum(),
            );
        }
        let bits = (32 - (chars.len() as u32).leading_zeros()).max(1);
        let gram = (64 / bits as usize).min(4);
        Ok(Survey {
            alphabet: Alphabet {
                ids,
                chars,
                counts: by_id,
                bits,
                gram,
            },
            max_head,
            units,
        })
    }

    pub(super) fn id(&self, c: char) -> u32 {
        self.ids.get(c as u32)
    }

    pub(super) fn code_point(&self, id: u32) -> u32 {
        self.chars[id as usize]
    }

    /// Number of ids including the unused 0.
    pub(super) fn len(&self) -> usize {
        self.chars.len()
    }

    pub(super) fn count(&self, id: u32) -> u64 {
        self.counts[id as usize]
    }

    pub(super) fn bits(&self) -> u32 {
        self.bits
    }

    pub(super) fn gram(&self) -> usize {
        self.gram
    }
}

/// One thread's count of the characters of its replies.
#[derive(Default)]
struct Tally {
    counts: ByCodePoint,
    /// The code points counted, in the order first seen.
    seen: Vec<u32>,
    max_head: usize,
    units: u64,
}

impl Tally {
    fn add(&mut self, unit: Option<char>) {
        self.units += 1;
        if let Some(c) = unit {
            let count = self.counts.at(c as u32);
            if *count == 0 {
                self.seen.push(c as u32);
            }
            *count = count.saturating_add(1);
        }
    }
}

/// A number for each code point, 0 by default: in a table for the Basic
/// Multilingual Plane, where nearly every character of a reply is, and in a
/// map above it. A table of all 1.1 million code points is 4 MB, and making
/// one for each reply a patched edit indexes cost more than the reply.
struct ByCodePoint {
    low: Vec<u32>,
    high: FxHashMap<u32, u32>,
}

impl Default for ByCodePoint {
    fn default() -> ByCodePoint {
        ByCodePoint {
            low: vec![0; 0x1_0000],
            high: FxHashMap::default(),
        }
    }
}

impl ByCodePoint {
    fn get(&self, cp: u32) -> u32 {
        match self.low.get(cp as usize) {
            Some(&n) => n,
            None => self.high.get(&cp).copied().unwrap_or(0),
        }
    }

    fn at(&mut self, cp: u32) -> &mut u32 {
        match self.low.get_mut(cp as usize) {
            Some(n) => n,
            None => self.high.entry(cp).or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::SearchDoc;
    use super::*;

    #[test]
    fn characters_above_the_basic_plane_are_numbered_in_code_point_order() {
        let doc = SearchDoc::sample("/a/", "𠀀答复", "答😀复𠀀");
        let alphabet = Alphabet::survey(std::slice::from_ref(&doc))
            .unwrap()
            .alphabet;
        let ids: Vec<u32> = ['复', '答', '局', '😀', '𠀀']
            .iter()
            .map(|&c| alphabet.id(c))
            .collect();
        assert!(ids.iter().all(|&id| id != 0), "{ids:?}");
        for (&c, &id) in ['复', '答', '局', '😀', '𠀀'].iter().zip(&ids) {
            assert_eq!(alphabet.code_point(id), c as u32);
        }
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        let by_code_point: Vec<u32> = {
            let mut chars = ['复', '答', '局', '😀', '𠀀'];
            chars.sort_unstable();
            chars.iter().map(|&c| alphabet.id(c)).collect()
        };
        assert_eq!(sorted, by_code_point);
        assert_eq!(alphabet.count(alphabet.id('𠀀')), 2);
        assert_eq!(alphabet.id('无'), 0);
        assert_eq!(alphabet.id('🙂'), 0);
    }
}
