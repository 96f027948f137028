//! A stable least-significant-digit radix sort of `u64` keys carrying a
//! `u32` each. The grams of a reply are sorted this way to group them:
//! stability keeps each gram's positions in text order, and for the few
//! thousand grams of a reply it is several times faster than a comparison
//! sort, which matters because every reply goes through it.

/// Bits sorted per pass: 11 sorts the 40-bit codes of a typical corpus
/// (10 bits a character) in four passes instead of five with bytes.
const DIGIT: u32 = 11;
const MASK: u64 = (1 << DIGIT) - 1;

/// Scratch space for `sort_pairs`, reused from one call to the next.
#[derive(Default)]
pub(super) struct Scratch {
    keys: Vec<u64>,
    vals: Vec<u32>,
    counts: Vec<[u32; 1 << DIGIT]>,
}

/// Sorts `keys` (only their low `key_bits` bits are looked at) and moves
/// `vals` along.
pub(super) fn sort_pairs(keys: &mut Vec<u64>, vals: &mut Vec<u32>, s: &mut Scratch, key_bits: u32) {
    let (tmp_keys, tmp_vals) = (&mut s.keys, &mut s.vals);
    debug_assert_eq!(keys.len(), vals.len());
    let n = keys.len();
    if n < 2 {
        return;
    }
    let passes = key_bits.div_ceil(DIGIT) as usize;
    let counts = &mut s.counts;
    counts.clear();
    counts.resize(passes, [0; 1 << DIGIT]);
    for &k in keys.iter() {
        for (p, c) in counts.iter_mut().enumerate() {
            c[((k >> (DIGIT as usize * p)) & MASK) as usize] += 1;
        }
    }
    tmp_keys.clear();
    tmp_keys.resize(n, 0);
    tmp_vals.clear();
    tmp_vals.resize(n, 0);
    for (p, count) in counts.iter_mut().enumerate().take(passes) {
        // A digit that every key shares moves nothing: skip the pass.
        if count.iter().any(|&c| c as usize == n) {
            continue;
        }
        let mut sum = 0;
        for c in count.iter_mut() {
            let here = *c;
            *c = sum;
            sum += here;
        }
        let shift = DIGIT as usize * p;
        for i in 0..n {
            let k = keys[i];
            let d = ((k >> shift) & MASK) as usize;
            let at = count[d] as usize;
            count[d] += 1;
            tmp_keys[at] = k;
            tmp_vals[at] = vals[i];
        }
        std::mem::swap(keys, tmp_keys);
        std::mem::swap(vals, tmp_vals);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_by_key_and_keeps_equal_keys_in_order() {
        let mut keys = vec![5u64 << 20, 3, 5 << 20, 0x1_0000_0003, 3, 0];
        let mut vals = vec![0u32, 1, 2, 3, 4, 5];
        sort_pairs(&mut keys, &mut vals, &mut Scratch::default(), 40);
        assert_eq!(keys, vec![0, 3, 3, 5 << 20, 5 << 20, 0x1_0000_0003]);
        assert_eq!(vals, vec![5, 1, 4, 0, 2, 3]);
    }
}
