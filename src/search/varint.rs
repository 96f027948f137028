//! LEB128 unsigned integers, the only number format of the index files:
//! seven bits a byte, low bits first, the high bit set on all but the last.

/// Appends `v` to `out`.
pub(super) fn put(out: &mut Vec<u8>, v: u64) {
    // Sized up front, so the vector checks its capacity once a number, not
    // once a byte: this runs for every gram and position of the corpus.
    let n = len(v);
    out.extend((0..n).map(|i| {
        let b = (v >> (7 * i)) as u8 & 0x7f;
        if i + 1 < n { b | 0x80 } else { b }
    }));
}

/// Appends a few bytes: positions are copied a handful of bytes at a time,
/// where a call to `memcpy` costs more than the copy.
pub(super) fn append(out: &mut Vec<u8>, bytes: &[u8]) {
    if bytes.len() <= 8 {
        out.extend(bytes.iter().copied());
    } else {
        out.extend_from_slice(bytes);
    }
}

/// How many bytes `put` writes for `v`.
pub(super) fn len(v: u64) -> usize {
    // ((bits + 6) * 37) >> 8 is bits / 7 rounded up for 1..=64 bits,
    // without a division.
    let bits = 64 - (v | 1).leading_zeros() as usize;
    ((bits + 6) * 37) >> 8
}

/// Reads one number at `*at`, advancing it; `None` on truncated input.
pub(super) fn get(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let mut v = 0u64;
    let mut shift = 0;
    loop {
        let b = *bytes.get(*at)?;
        *at += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b < 0x80 {
            return Some(v);
        }
        shift += 7;
        if shift > 63 {
            return None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip_and_len_matches_put() {
        let mut all = vec![
            0,
            1,
            127,
            128,
            300,
            16_383,
            16_384,
            u32::MAX as u64,
            u64::MAX,
        ];
        all.extend((0..64).flat_map(|b| [1u64 << b, (1u64 << b) - 1]));
        for v in all {
            let mut out = Vec::new();
            put(&mut out, v);
            assert_eq!(out.len(), len(v), "{v}");
            let mut at = 0;
            assert_eq!(get(&out, &mut at), Some(v));
            assert_eq!(at, out.len());
        }
    }

    #[test]
    fn truncated_input_is_none() {
        let mut at = 0;
        assert_eq!(get(&[0x80, 0x80], &mut at), None);
    }
}
