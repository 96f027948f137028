//! A sorted set of reply ids, written in whichever of two forms is smaller:
//! differences as varints (rare grams), or a bitmap from the first id (a
//! character found in most replies costs one bit a reply instead of a byte).
//!
//! `varint(n << 1 | form)`, then for form 0 the first id and the gaps minus
//! one, each a varint; for form 1 the first id, the bitmap's byte length,
//! and the bitmap (bit `j` of byte `k` is id `first + 8k + j`).

use super::varint;

/// Appends the set `ids` (sorted, distinct, not empty) to `out`.
pub(super) fn put(out: &mut Vec<u8>, ids: &[u32]) {
    let (Some(&first), Some(&last)) = (ids.first(), ids.last()) else {
        varint::put(out, 0);
        return;
    };
    let n = ids.len() as u64;
    let mut deltas = varint::len(u64::from(first));
    for w in ids.windows(2) {
        deltas += varint::len(u64::from(w[1] - w[0] - 1));
    }
    let bitmap_bytes = ((last - first) / 8 + 1) as usize;
    let bitmap = varint::len(bitmap_bytes as u64) + bitmap_bytes;
    if bitmap < deltas {
        varint::put(out, (n << 1) | 1);
        varint::put(out, u64::from(first));
        varint::put(out, bitmap_bytes as u64);
        let start = out.len();
        out.resize(start + bitmap_bytes, 0);
        for &id in ids {
            let bit = (id - first) as usize;
            out[start + bit / 8] |= 1 << (bit % 8);
        }
    } else {
        varint::put(out, n << 1);
        varint::put(out, u64::from(first));
        for w in ids.windows(2) {
            varint::put(out, u64::from(w[1] - w[0] - 1));
        }
    }
}

/// Reads a set written by `put`, appending its ids to `ids`.
pub(super) fn get(bytes: &[u8], at: &mut usize, ids: &mut Vec<u32>) -> Option<()> {
    let head = varint::get(bytes, at)?;
    let n = (head >> 1) as usize;
    if n == 0 {
        return Some(());
    }
    let first = varint::get(bytes, at)? as u32;
    if head & 1 == 1 {
        let len = varint::get(bytes, at)? as usize;
        let map = bytes.get(*at..*at + len)?;
        *at += len;
        for (k, &b) in map.iter().enumerate() {
            for j in 0..8 {
                if b & (1 << j) != 0 {
                    ids.push(first + (k * 8 + j) as u32);
                }
            }
        }
    } else {
        ids.push(first);
        let mut last = first;
        for _ in 1..n {
            last += varint::get(bytes, at)? as u32 + 1;
            ids.push(last);
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(ids: &[u32]) -> usize {
        let mut out = Vec::new();
        put(&mut out, ids);
        let (mut at, mut back) = (0, Vec::new());
        get(&out, &mut at, &mut back).unwrap();
        assert_eq!(back, ids);
        assert_eq!(at, out.len());
        out.len()
    }

    #[test]
    fn sparse_sets_are_gaps_and_dense_sets_are_bitmaps() {
        assert_eq!(round_trip(&[7, 300, 301, 9000]), 1 + 1 + 2 + 1 + 2);
        let dense: Vec<u32> = (100..1100).filter(|i| i % 3 != 0).collect();
        assert!(round_trip(&dense) < 140);
        assert_eq!(round_trip(&[]), 1);
        assert_eq!(round_trip(&[0]), 2);
    }
}
