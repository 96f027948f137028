//! The characters of a corpus, numbered densely so that a gram of up to four
//! of them packs into one `u64` (sorting and grouping `u64`s is what makes
//! the index build fast). Ids follow code point order, so sorting packed
//! grams sorts them as their UTF-8 keys sort; id 0 means "no character".

use rayon::prelude::*;

use super::layout::for_each_unit;
use super::{Corpus, SPAN, spans};

const CODE_POINTS: usize = 0x11_0000;

pub struct Alphabet {
    /// Code point → id, 0 where the character does not occur.
    ids: Vec<u32>,
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
pub struct Survey {
    pub alphabet: Alphabet,
    /// The longest head (title and 文号, in units) of any reply.
    pub max_head: usize,
    /// All units of all replies.
    pub units: u64,
}

impl Alphabet {
    /// Reads every reply once, in parallel, counting characters.
    pub fn survey(docs: &(impl Corpus + ?Sized)) -> anyhow::Result<Survey> {
        // One table per thread, not per rayon job: a table is 4 MB.
        let chunk = docs.count().div_ceil(rayon::current_num_threads()).max(1);
        let ranges: Vec<_> = spans(0..docs.count(), chunk).collect();
        let parts: Vec<(Vec<u32>, usize, u64)> = ranges
            .into_par_iter()
            .map(|range| {
                let mut counts = vec![0u32; CODE_POINTS];
                let (mut max_head, mut units) = (0, 0u64);
                for span in spans(range, SPAN) {
                    docs.with(span, |docs| {
                        for doc in docs {
                            let head = for_each_unit(doc, |u| {
                                units += 1;
                                if let Some(c) = u {
                                    counts[c as usize] = counts[c as usize].saturating_add(1);
                                }
                            });
                            max_head = max_head.max(head);
                        }
                    })?;
                }
                Ok((counts, max_head, units))
            })
            .collect::<anyhow::Result<_>>()?;
        let mut counts = vec![0u64; CODE_POINTS];
        let (mut max_head, mut units) = (0, 0);
        for (part, h, u) in parts {
            for (total, n) in counts.iter_mut().zip(part) {
                *total += u64::from(n);
            }
            max_head = max_head.max(h);
            units += u;
        }
        let mut ids = vec![0u32; CODE_POINTS];
        let mut chars = vec![0u32];
        let mut by_id = vec![0u64];
        for (cp, &n) in counts.iter().enumerate() {
            if n > 0 {
                ids[cp] = chars.len() as u32;
                chars.push(cp as u32);
                by_id.push(n);
            }
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

    pub fn id(&self, c: char) -> u32 {
        self.ids[c as usize]
    }

    pub fn code_point(&self, id: u32) -> u32 {
        self.chars[id as usize]
    }

    /// Number of ids including the unused 0.
    pub fn len(&self) -> usize {
        self.chars.len()
    }

    pub fn count(&self, id: u32) -> u64 {
        self.counts[id as usize]
    }

    pub fn bits(&self) -> u32 {
        self.bits
    }

    pub fn gram(&self) -> usize {
        self.gram
    }
}
