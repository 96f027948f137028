//! Where a 4-gram occurs in one reply, in the few bits a long query must
//! download to check that its 4-grams line up: `varint(count << 5 | k)`,
//! then the gaps between positions (the first from -1), each Rice-coded
//! with parameter `k` (the quotient `gap >> k` in unary as ones closed by a
//! zero, then the `k` low bits), packed from the low bit of each byte up and
//! padded to a byte.
//!
//! Rice codes suit gaps that scatter around a mean, as a word's occurrences
//! in a text do; `k` near log2 of 0.69 times the mean gap is close to the best
//! (Golomb's rule), and takes a fifth less than varints for common grams.

use super::varint;

/// Appends the block of `positions` (ascending, not empty) to `out`.
pub(super) fn put(out: &mut Vec<u8>, positions: &[u32]) {
    let count = positions.len() as u64;
    let last = u64::from(positions.last().copied().unwrap_or(0));
    let mean = (last + 1) * 11 / (16 * count.max(1));
    let k = if mean == 0 {
        0
    } else {
        (63 - mean.leading_zeros()).min(31)
    };
    varint::put(out, (count << 5) | u64::from(k));
    let mut bits = Bits { out, acc: 0, n: 0 };
    let mut prev: i64 = -1;
    for &p in positions {
        let gap = (i64::from(p) - prev - 1) as u64;
        prev = i64::from(p);
        let mut q = gap >> k;
        while q >= 32 {
            bits.put(u32::MAX as u64, 32);
            q -= 32;
        }
        bits.put((1 << q) - 1, q as u32 + 1);
        bits.put(gap & ((1 << k) - 1), k);
    }
    bits.flush();
}

struct Bits<'a> {
    out: &'a mut Vec<u8>,
    acc: u64,
    n: u32,
}

impl Bits<'_> {
    /// Appends the low `n` bits of `v` (`n` at most 32), writing out four
    /// bytes at a time.
    fn put(&mut self, v: u64, n: u32) {
        self.acc |= v << self.n;
        self.n += n;
        if self.n >= 32 {
            self.out.extend_from_slice(&(self.acc as u32).to_le_bytes());
            self.acc >>= 32;
            self.n -= 32;
        }
    }

    fn flush(&mut self) {
        let bytes = self.acc.to_le_bytes();
        self.out
            .extend_from_slice(&bytes[..self.n.div_ceil(8) as usize]);
    }
}

/// Reads one block written by `put`, advancing `at`.
pub(super) fn get(bytes: &[u8], at: &mut usize) -> Option<Vec<u32>> {
    let head = varint::get(bytes, at)?;
    let (count, k) = (head >> 5, (head & 31) as u32);
    let mut bit = *at * 8;
    let mut read = || -> Option<u64> {
        let b = bytes.get(bit / 8)? >> (bit % 8) & 1;
        bit += 1;
        Some(u64::from(b))
    };
    let mut out = Vec::new();
    let mut prev: i64 = -1;
    for _ in 0..count {
        let mut q = 0;
        while read()? == 1 {
            q += 1;
        }
        let mut low = 0;
        for i in 0..k {
            low |= read()? << i;
        }
        prev += ((q << k) | low) as i64 + 1;
        out.push(prev as u32);
    }
    *at = bit.div_ceil(8);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_round_trip() {
        for ps in [
            vec![0],
            vec![5],
            vec![64, 65, 3000, 3001, 9000],
            (0..200).map(|i| i * 37 + 70).collect(),
        ] {
            let mut out = vec![0xAA];
            put(&mut out, &ps);
            let mut at = 1;
            assert_eq!(get(&out, &mut at).as_deref(), Some(ps.as_slice()));
            assert_eq!(at, out.len());
        }
    }

    #[test]
    fn common_grams_take_less_than_varints() {
        let ps: Vec<u32> = (0..20).map(|i| 100 + i * 150 + (i * 7919) % 97).collect();
        let mut rice = Vec::new();
        put(&mut rice, &ps);
        let varints: usize = ps
            .windows(2)
            .map(|w| varint::len(u64::from(w[1] - w[0])))
            .sum::<usize>()
            + 2;
        assert!(rice.len() < varints, "{} vs {}", rice.len(), varints);
    }
}
