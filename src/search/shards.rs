//! The third pass of the index build: each group of shards takes its
//! entries from every partition, reads their bytes back from the spill
//! file, orders them by key (so that equal input gives equal files whatever
//! the threads did), and becomes its packs of shards (`pack`). Only the
//! groups being assembled are in memory, and a group's bytes are dropped as
//! soon as its files exist.

use rayon::prelude::*;

use super::files::{Files, SHARED};
use super::postings::{Entry, GroupOut};
use super::varint;
use crate::ground::spill::{Spill, Spilled};

/// One partition's output, spilled whole: per group of shards, its gram
/// bytes, position bytes and entries. Nothing of it stays in memory but
/// where it is, since the entries of every partition of a large archive
/// would take more than any partition.
pub(super) struct Part {
    arenas: Spilled,
}

/// Bytes of an entry as spilled: its shard and the lengths of its gram and
/// position bytes, each a little-endian `u32`; an entry's bytes follow the
/// one before's in its arenas.
const ENTRY_BYTES: usize = 12;

impl Part {
    /// Spills `outs`, one per group.
    pub(super) fn spill(outs: Vec<GroupOut>, spill: &Spill) -> anyhow::Result<Part> {
        let mut arenas = Vec::with_capacity(outs.len() * 3);
        for out in outs {
            let mut entries = Vec::with_capacity(out.entries.len() * ENTRY_BYTES);
            for e in &out.entries {
                for n in [e.shard, e.g.len() as u32, e.p.len() as u32] {
                    entries.extend_from_slice(&n.to_le_bytes());
                }
            }
            arenas.extend([out.g, out.p, entries]);
        }
        Ok(Part {
            arenas: spill.put(&arenas)?,
        })
    }

    /// Group `g`'s output, read back.
    fn group(&self, g: usize, spill: &Spill) -> anyhow::Result<GroupOut> {
        let word = |bytes: &[u8]| u32::from_le_bytes(bytes.try_into().unwrap_or_default());
        let (mut g_at, mut p_at) = (0, 0);
        let entries = spill
            .get(&self.arenas, 3 * g + 2)?
            .chunks_exact(ENTRY_BYTES)
            .map(|e| {
                let (g_len, p_len) = (word(&e[4..8]) as usize, word(&e[8..]) as usize);
                let entry = Entry {
                    shard: word(&e[..4]),
                    g: g_at..g_at + g_len,
                    p: p_at..p_at + p_len,
                };
                (g_at, p_at) = (entry.g.end, entry.p.end);
                entry
            })
            .collect();
        Ok(GroupOut {
            g: spill.get(&self.arenas, 3 * g)?,
            p: spill.get(&self.arenas, 3 * g + 1)?,
            entries,
        })
    }
}

/// The gram and position packs, each handed on as soon as its group is
/// made.
pub(super) fn assemble(
    partitions: &[Part],
    spill: &Spill,
    shard_bits: u32,
    group_bits: u32,
    files: &Files,
) -> anyhow::Result<()> {
    let per_group = 1usize << (shard_bits - group_bits);
    let per_pack = 1usize << pack_bits(shard_bits);
    let digits = hex_digits(1 << (shard_bits - pack_bits(shard_bits)));
    (0..1usize << group_bits).into_par_iter().try_for_each(|g| {
        let outs = partitions
            .iter()
            .map(|part| part.group(g, spill))
            .collect::<anyhow::Result<Vec<GroupOut>>>()?;
        let first = g * per_group;
        let mut shards: Vec<Vec<(&GroupOut, &Entry)>> = vec![Vec::new(); per_group];
        for out in &outs {
            for e in &out.entries {
                shards[e.shard as usize - first].push((out, e));
            }
        }
        let mut g_parts = Vec::with_capacity(per_group);
        let mut p_parts = Vec::with_capacity(per_group);
        for mut entries in shards {
            entries.sort_unstable_by(|a, b| key(&a.0.g, &a.1.g).cmp(key(&b.0.g, &b.1.g)));
            let mut g_bytes = Vec::with_capacity(entries.iter().map(|(_, e)| e.g.len()).sum());
            let mut p_bytes = Vec::with_capacity(entries.iter().map(|(_, e)| e.p.len()).sum());
            for (out, e) in &entries {
                g_bytes.extend_from_slice(&out.g[e.g.clone()]);
                p_bytes.extend_from_slice(&out.p[e.p.clone()]);
            }
            g_parts.push(g_bytes);
            p_parts.push(p_bytes);
        }
        for (k, (g_pack, p_pack)) in g_parts
            .chunks(per_pack)
            .zip(p_parts.chunks(per_pack))
            .enumerate()
        {
            let [g_name, p_name] = names(first / per_pack + k, digits);
            files.put(g_name, pack(g_pack), SHARED)?;
            files.put(p_name, pack(p_pack), SHARED)?;
        }
        Ok(())
    })
}

/// Shards to a pack, at most, as a power of two. A pack is one file of
/// consecutive shards' gram lists (or their positions): with a file per
/// shard the index was 16,000 files at 10,000 replies, which some hosts
/// and upload tools refuse; in packs of 32 it is 512. `search.js` reads a
/// shard with two range requests (its place in the pack's header, then its
/// bytes), or the whole pack where a server ignores ranges: 100 KB to
/// 1 MB at 10,000 replies.
const PACK_BITS: u32 = 5;

/// Shards to a pack of an index of `1 << shard_bits` shards, as a power of
/// two.
pub(super) fn pack_bits(shard_bits: u32) -> u32 {
    PACK_BITS.min(shard_bits)
}

/// A pack of `parts`: a header of one more little-endian `u32` than there
/// are parts, each part's offset from the start of the file and last the
/// file's length, then the parts one after another.
pub(super) fn pack(parts: &[Vec<u8>]) -> Vec<u8> {
    let header = 4 * (parts.len() + 1);
    let mut bytes = Vec::with_capacity(header + parts.iter().map(Vec::len).sum::<usize>());
    let mut at = header;
    for part in parts.iter().map(Vec::len).chain([0]) {
        // A pack holds a few megabytes even at 100,000 replies.
        bytes.extend_from_slice(&(at as u32).to_le_bytes());
        at += part;
    }
    for part in parts {
        bytes.extend_from_slice(part);
    }
    bytes
}

/// The `count` parts of a pack, if it is one.
pub(super) fn unpack(bytes: &[u8], count: usize) -> Option<Vec<&[u8]>> {
    let offset = |i: usize| -> Option<usize> {
        let word = bytes.get(4 * i..4 * i + 4)?;
        Some(u32::from_le_bytes(word.try_into().ok()?) as usize)
    };
    if offset(0)? != 4 * (count + 1) || offset(count)? != bytes.len() {
        return None;
    }
    (0..count)
        .map(|i| bytes.get(offset(i)?..offset(i + 1)?))
        .collect()
}

/// The paths of pack `pack`'s gram and position files, its number written
/// in `digits` hex digits.
pub(super) fn names(pack: usize, digits: usize) -> [String; 2] {
    let name = format!("{pack:0digits$x}");
    [
        format!("search/g/{name}.bin"),
        format!("search/p/{name}.bin"),
    ]
}

/// Whether `files` (index files, sorted by path) hold every pack's two
/// files of an index of `packs` packs, and no other pack.
pub(super) fn all_present(files: &[(String, u64)], packs: usize) -> bool {
    let digits = hex_digits(packs);
    ["search/g/", "search/p/"].iter().all(|folder| {
        let start = files.partition_point(|(path, _)| path.as_str() < *folder);
        let run = files[start..]
            .iter()
            .take_while(|(path, _)| path.starts_with(folder));
        let mut count = 0;
        let in_order = run.enumerate().all(|(pack, (path, _))| {
            count += 1;
            // As `names` makes it, without making it.
            let stem = path[folder.len()..].strip_suffix(".bin").unwrap_or("");
            stem.len() == digits
                && stem.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
                && usize::from_str_radix(stem, 16) == Ok(pack)
        });
        in_order && count == packs
    })
}

/// The number of hex digits of the largest pack number, the width of every
/// pack's file name (`search.js` pads the same way).
pub(super) fn hex_digits(packs: usize) -> usize {
    format!("{:x}", packs.saturating_sub(1).max(1)).len()
}

/// The key of the entry at `range` in `bytes`.
fn key<'b>(bytes: &'b [u8], range: &std::ops::Range<usize>) -> &'b [u8] {
    let mut at = range.start;
    let len = varint::get(bytes, &mut at).unwrap_or(0) as usize;
    &bytes[at..at + len]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(names: &[&str]) -> Vec<(String, u64)> {
        let mut files: Vec<(String, u64)> = names.iter().map(|n| (n.to_string(), 0)).collect();
        files.sort_unstable();
        files
    }

    #[test]
    fn a_pack_gives_back_its_parts() {
        let parts = vec![b"ab".to_vec(), Vec::new(), b"cde".to_vec()];
        let bytes = pack(&parts);
        assert_eq!(&bytes[..4], &16u32.to_le_bytes());
        let back: Vec<Vec<u8>> = unpack(&bytes, 3)
            .unwrap()
            .into_iter()
            .map(<[u8]>::to_vec)
            .collect();
        assert_eq!(back, parts);
        assert!(unpack(&bytes, 2).is_none(), "another count");
        assert!(unpack(&bytes[..bytes.len() - 1], 3).is_none(), "cut short");
    }

    #[test]
    fn every_pack_and_no_other_is_present() {
        let mut whole: Vec<String> = (0..16)
            .flat_map(|shard| names(shard, hex_digits(16)))
            .collect();
        whole.push("search/d/0/0.json".to_string());
        let whole: Vec<&str> = whole.iter().map(String::as_str).collect();
        assert!(all_present(&files(&whole), 16));
        assert!(!all_present(&files(&whole), 32), "too few");
        assert!(!all_present(&files(&whole), 8), "too many");

        let missing: Vec<&str> = whole
            .iter()
            .copied()
            .filter(|n| *n != "search/p/7.bin")
            .collect();
        assert!(!all_present(&files(&missing), 16));
        // `whole` with one name written another way.
        let renamed = |from: &str, to: &'static str| -> Vec<&str> {
            whole
                .iter()
                .map(|&n| if n == from { to } else { n })
                .collect()
        };
        assert!(!all_present(
            &files(&renamed("search/g/a.bin", "search/g/A.bin")),
            16
        ));
        assert!(!all_present(
            &files(&renamed("search/g/3.bin", "search/g/03.bin")),
            16
        ));
    }
}
