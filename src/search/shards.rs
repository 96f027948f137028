//! The third pass of the index build: each group of shards takes its
//! entries from every partition, orders them by key (so that equal input
//! gives equal files whatever the threads did), and becomes its files. A
//! group's arenas are dropped as soon as its files exist, so the index is
//! never held twice.

use rayon::prelude::*;

use super::files::Files;
use super::postings::{Entry, GroupOut};
use super::varint;

/// The gram and position shard files, each handed on as soon as it is made.
pub fn assemble(
    partitions: Vec<Vec<GroupOut>>,
    shard_bits: u32,
    group_bits: u32,
    files: &Files,
) -> anyhow::Result<()> {
    let groups = 1usize << group_bits;
    let mut by_group: Vec<Vec<GroupOut>> = (0..groups).map(|_| Vec::new()).collect();
    for part in partitions {
        for (g, out) in part.into_iter().enumerate() {
            by_group[g].push(out);
        }
    }
    let per_group = 1usize << (shard_bits - group_bits);
    let digits = hex_digits(1 << shard_bits);
    by_group
        .into_par_iter()
        .enumerate()
        .try_for_each(|(g, outs)| {
            let first = g * per_group;
            let mut shards: Vec<Vec<(&GroupOut, &Entry)>> = vec![Vec::new(); per_group];
            for out in &outs {
                for e in &out.entries {
                    shards[e.shard as usize - first].push((out, e));
                }
            }
            for (i, mut entries) in shards.into_iter().enumerate() {
                entries.sort_unstable_by(|a, b| key(&a.0.g, &a.1.g).cmp(key(&b.0.g, &b.1.g)));
                let mut g_bytes = Vec::with_capacity(entries.iter().map(|(_, e)| e.g.len()).sum());
                let mut p_bytes = Vec::with_capacity(entries.iter().map(|(_, e)| e.p.len()).sum());
                for (out, e) in &entries {
                    g_bytes.extend_from_slice(&out.g[e.g.clone()]);
                    p_bytes.extend_from_slice(&out.p[e.p.clone()]);
                }
                let [g_name, p_name] = names(first + i, digits);
                files.put(g_name, g_bytes)?;
                files.put(p_name, p_bytes)?;
            }
            Ok(())
        })
}

/// The paths of shard `shard`'s gram and position files, its number written
/// in `digits` hex digits.
pub fn names(shard: usize, digits: usize) -> [String; 2] {
    let name = format!("{shard:0digits$x}");
    [
        format!("search/g/{name}.bin"),
        format!("search/p/{name}.bin"),
    ]
}

/// The number of hex digits of the largest shard number, the width of every
/// shard's file name (`search.js` pads the same way).
pub fn hex_digits(shards: usize) -> usize {
    format!("{:x}", shards.saturating_sub(1).max(1)).len()
}

/// The key of the entry at `range` in `bytes`.
fn key<'b>(bytes: &'b [u8], range: &std::ops::Range<usize>) -> &'b [u8] {
    let mut at = range.start;
    let len = varint::get(bytes, &mut at).unwrap_or(0) as usize;
    &bytes[at..at + len]
}
