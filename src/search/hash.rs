//! Which shard a gram lives in: a 32-bit hash of its code points.
//!
//! `search.js` computes the same hash (`gramHash`, then `shardName`) to know which file to
//! fetch, so this must stay simple enough to write in ES5 without 64-bit
//! integers: FNV-1a over the code points, then MurmurHash3's finaliser,
//! because FNV alone leaves the low bits (which pick the shard) poorly mixed.

/// The hash of a gram given as code points.
pub(super) fn gram_hash(code_points: impl IntoIterator<Item = u32>) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for cp in code_points {
        h ^= cp;
        h = h.wrapping_mul(0x0100_0193);
    }
    fmix32(h)
}

fn fmix32(mut h: u32) -> u32 {
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^= h >> 16;
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pinned values: `search.js` must produce the same numbers, and a
    /// change here would silently send every query to the wrong shard.
    #[test]
    fn the_hash_of_known_grams_does_not_change() {
        assert_eq!(gram_hash("中小企业".chars().map(u32::from)), 0xe6dd_7d39);
        assert_eq!(gram_hash("a".chars().map(u32::from)), 0x1a80_b1b3);
    }
}
