//! A reader of the index files written the way `search.js` reads them, for
//! tests: it answers queries from the files alone, so a test can compare the
//! answer with a plain substring search over the same replies.

use std::collections::{BTreeMap, HashMap};

use super::docset;
use super::hash::gram_hash;
use super::normalise::normalise_char;
use super::positions;
use super::shards::{hex_digits, unpack};
use super::varint;

pub(super) struct Index {
    files: HashMap<String, Vec<u8>>,
    shards: usize,
    /// Shards to a pack file.
    pack: usize,
    gram: usize,
    head: u32,
}

impl Index {
    pub(super) fn new(files: Vec<(String, Vec<u8>)>) -> Index {
        let files: HashMap<String, Vec<u8>> = files.into_iter().collect();
        let manifest: serde_json::Value =
            serde_json::from_slice(&files["search/index.json"]).expect("index.json is JSON");
        let num = |k: &str| manifest[k].as_u64().expect("a number") as usize;
        Index {
            shards: num("shards"),
            pack: num("pack"),
            gram: num("gram"),
            head: num("head") as u32,
            files,
        }
    }

    pub(super) fn file(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(Vec::as_slice)
    }

    /// Reply ids matching every term of `query`, best first.
    pub(super) fn search(&self, query: &str) -> Vec<u32> {
        let mut total: Option<BTreeMap<u32, u32>> = None;
        for term in terms(query) {
            let scores = self.term(&term);
            total = Some(match total {
                None => scores,
                Some(t) => t
                    .into_iter()
                    .filter_map(|(d, s)| scores.get(&d).map(|x| (d, s + x)))
                    .collect(),
            });
        }
        let mut ranked: Vec<(u32, u32)> = total.unwrap_or_default().into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.into_iter().map(|(d, _)| d).collect()
    }

    /// Reply id → score of one normalised term.
    fn term(&self, term: &[char]) -> BTreeMap<u32, u32> {
        let n = self.gram;
        if term.len() <= n {
            return self.lookup(term).map(|e| e.scores).unwrap_or_default();
        }
        let mut offsets: Vec<usize> = (0..term.len() - n).step_by(n).collect();
        offsets.push(term.len() - n);
        let mut entries = Vec::new();
        for &o in &offsets {
            match self.lookup(&term[o..o + n]) {
                Some(e) => entries.push((o, e)),
                None => return BTreeMap::new(),
            }
        }
        let candidates: Vec<u32> = entries[0]
            .1
            .scores
            .keys()
            .copied()
            .filter(|d| entries.iter().all(|(_, e)| e.scores.contains_key(d)))
            .collect();
        let positions: Vec<(usize, HashMap<u32, Vec<u32>>)> = entries
            .iter()
            .map(|(o, e)| (*o, self.positions(&term[*o..*o + n], e, &candidates)))
            .collect();
        let mut out = BTreeMap::new();
        for d in candidates {
            let (mut count, mut head) = (0u32, false);
            for &p in &positions[0].1[&d] {
                if positions
                    .iter()
                    .all(|(o, ps)| ps[&d].binary_search(&(p + *o as u32)).is_ok())
                {
                    count += 1;
                    head |= p < self.head;
                }
            }
            if count > 0 {
                out.insert(d, u32::from(head) * 4 + class(count));
            }
        }
        out
    }

    fn lookup(&self, gram: &[char]) -> Option<Entry> {
        let (g, _) = self.shards_of(gram);
        let payload = find(g, &key(gram))?;
        let mut at = 0;
        let pos_len = if gram.len() == self.gram {
            varint::get(payload, &mut at)? as usize
        } else {
            0
        };
        let mask = *payload.get(at)?;
        at += 1;
        let mut scores = BTreeMap::new();
        for t in 0..8 {
            if mask & (1 << t) != 0 {
                let mut ids = Vec::new();
                docset::get(payload, &mut at, &mut ids)?;
                for d in ids {
                    scores.insert(d, 7 - t);
                }
            }
        }
        Some(Entry { scores, pos_len })
    }

    fn positions(&self, gram: &[char], entry: &Entry, want: &[u32]) -> HashMap<u32, Vec<u32>> {
        let (_, p) = self.shards_of(gram);
        let block = find(p, &key(gram)).expect("positions of an indexed gram");
        let k = key(gram).len();
        let whole = varint::len(k as u64) + k + varint::len(block.len() as u64) + block.len();
        assert_eq!(
            entry.pos_len, whole,
            "the gram entry knows its positions' size"
        );
        let mut at = 0;
        let mut out = HashMap::new();
        for &d in entry.scores.keys() {
            let ps = positions::get(block, &mut at).expect("a positions block");
            if want.binary_search(&d).is_ok() {
                out.insert(d, ps);
            }
        }
        assert_eq!(at, block.len());
        out
    }

    /// The gram and position shards `gram` is in, out of their packs.
    fn shards_of(&self, gram: &[char]) -> (&[u8], &[u8]) {
        let shard = gram_hash(gram.iter().map(|&c| c as u32)) as usize & (self.shards - 1);
        let packs = self.shards / self.pack;
        let name = format!("{:0w$x}", shard / self.pack, w = hex_digits(packs));
        let part = |folder: &str| {
            let pack = &self.files[&format!("search/{folder}/{name}.bin")];
            unpack(pack, self.pack).expect("a pack")[shard % self.pack]
        };
        (part("g"), part("p"))
    }
}

struct Entry {
    scores: BTreeMap<u32, u32>,
    pos_len: usize,
}

/// A query's terms: runs of characters that normalise to something.
pub(super) fn terms(query: &str) -> Vec<Vec<char>> {
    query
        .split(|c| normalise_char(c).is_none())
        .filter(|t| !t.is_empty())
        .map(|t| t.chars().filter_map(normalise_char).collect())
        .collect()
}

fn class(count: u32) -> u32 {
    match count {
        0 | 1 => 0,
        2..=3 => 1,
        4..=7 => 2,
        _ => 3,
    }
}

fn key(gram: &[char]) -> Vec<u8> {
    gram.iter().collect::<String>().into_bytes()
}

/// The payload of the entry with `key` in a shard file.
fn find<'b>(bytes: &'b [u8], key: &[u8]) -> Option<&'b [u8]> {
    let mut at = 0;
    while at < bytes.len() {
        let klen = varint::get(bytes, &mut at)? as usize;
        let k = bytes.get(at..at + klen)?;
        at += klen;
        let plen = varint::get(bytes, &mut at)? as usize;
        let payload = bytes.get(at..at + plen)?;
        at += plen;
        if k == key {
            return Some(payload);
        }
    }
    None
}
