//! Ternary weights packed three to a 5-bit code, and the 14-entry activation table a code
//! indexes, after TeLLMe (arXiv 2510.15926): `3^3 = 27` weight patterns are 13 canonical
//! non-zero patterns, their 13 negations and the zero pattern, so a code is a sign bit and a
//! 4-bit pattern index, and a table of 13 non-zero entries (plus the constant zero) serves all 27.
//!
//! # Canonical patterns
//!
//! A group `w = (w0, w1, w2)` of weights in {-1, 0, +1} is read as the balanced-ternary number
//!
//! ```text
//! v(w) = 9 w0 + 3 w1 + w2            in -13 ..= 13,    v(-w) = -v(w)
//! ```
//!
//! with `w0` the most significant trit. The canonical patterns are the 13 groups with
//! `v > 0`, which are exactly the groups whose first non-zero weight is `+1`; pattern `p` is
//! the group with `v = p` ([`PATTERNS`], `p` in 1..=13, in increasing `v`), and pattern 0 is the
//! zero group.
//!
//! # Codes
//!
//! ```text
//! code = sign << 4 | p          p = |v(w)|,  sign = 1 if v(w) < 0
//! ```
//!
//! [`PACKED_BITS_PER_GROUP`] = 5 bits per 3 weights (5/3 bits per weight). The 27 legal codes
//! are `0..=13` and `17..=29`; `14`, `15`, `16` (a negated zero) and every code above 29 are
//! rejected by [`unpack3`] and [`code_entry`], so each group has exactly one code.
//!
//! # Table
//!
//! For an activation group `a = (a0, a1, a2)` ([`group_table`]):
//!
//! ```text
//! table[p] = dot(PATTERNS[p], a)     p in 0 ..= 13,  table[0] = 0
//! lookup(code) = table[p]            if sign = 0
//!              = -table[p]           if sign = 1         ( = dot(unpack3(code), a) )
//! ```
//!
//! Each entry is summed as [`super::table`] sums its entries: the left fold, in ascending `i`,
//! of the terms `a_i` (weight `+1`) and `-a_i` (weight `-1`), with [`TableValue`] arithmetic;
//! an entry with no term is zero. With INT8 activations every entry lies in `-384..=384`
//! (`3 x 128`), so it is exact in any register of at least 10 bits.

use super::error::NumericsError;
use super::table::TableValue;

/// Weights per code.
pub const TERNARY_GROUP: usize = 3;

/// Bits of one packed code (3 weights): a sign bit and a 4-bit pattern index.
pub const PACKED_BITS_PER_GROUP: u32 = 5;

/// Packed bits per weight, `5/3`.
pub const PACKED_BITS_PER_WEIGHT: f64 = PACKED_BITS_PER_GROUP as f64 / TERNARY_GROUP as f64;

/// Entries of one activation group's table: the zero pattern and the 13 canonical patterns.
pub const TERNARY_TABLE_ENTRIES: usize = 14;

/// Canonical non-zero patterns, the entries of a table that need additions (all but entry 0).
pub const TERNARY_NONZERO_PATTERNS: usize = TERNARY_TABLE_ENTRIES - 1;

/// The sign bit of a code (bit 4).
pub const SIGN_BIT: u8 = 1 << 4;

/// `PATTERNS[p]` is canonical pattern `p` (`9 w0 + 3 w1 + w2 = p`); `PATTERNS[0]` is zero.
pub const PATTERNS: [[i8; 3]; TERNARY_TABLE_ENTRIES] = [
    [0, 0, 0],
    [0, 0, 1],
    [0, 1, -1],
    [0, 1, 0],
    [0, 1, 1],
    [1, -1, -1],
    [1, -1, 0],
    [1, -1, 1],
    [1, 0, -1],
    [1, 0, 0],
    [1, 0, 1],
    [1, 1, -1],
    [1, 1, 0],
    [1, 1, 1],
];

/// `Err(Param)` naming the weight at `index` unless it is -1, 0 or +1.
fn check_ternary(value: i8, index: usize) -> Result<(), NumericsError> {
    if (-1..=1).contains(&value) {
        Ok(())
    } else {
        Err(NumericsError::Param {
            what: "ternary weight",
            value: i64::from(value),
            message: format!("must be -1, 0 or +1 (index {index})"),
        })
    }
}

/// The 5-bit code of a group of three ternary weights (module documentation). A weight
/// outside {-1, 0, +1} is an error naming its index in `w`.
pub fn pack3(w: [i8; 3]) -> Result<u8, NumericsError> {
    for (index, &value) in w.iter().enumerate() {
        check_ternary(value, index)?;
    }
    let v = 9 * i32::from(w[0]) + 3 * i32::from(w[1]) + i32::from(w[2]);
    let sign = if v < 0 { SIGN_BIT } else { 0 };
    // |v| <= 13, so the cast is exact.
    Ok(sign | v.unsigned_abs() as u8)
}

/// The pattern index (0..=13) and whether the entry is negated, for a legal code; any other
/// code (pattern index 14 or 15, a negated zero, a bit above bit 4) is an error.
pub fn code_entry(code: u8) -> Result<(usize, bool), NumericsError> {
    let p = usize::from(code & !SIGN_BIT);
    let negated = code & SIGN_BIT != 0;
    if p >= TERNARY_TABLE_ENTRIES || (negated && p == 0) {
        return Err(NumericsError::Param {
            what: "packed ternary code",
            value: i64::from(code),
            message: "must be 0..=13 or 17..=29 (sign bit 4, pattern index 0..=13, no negated \
                      zero)"
                .to_string(),
        });
    }
    Ok((p, negated))
}

/// The three weights of a legal code; inverse of [`pack3`].
pub fn unpack3(code: u8) -> Result<[i8; 3], NumericsError> {
    let (p, negated) = code_entry(code)?;
    let pattern = PATTERNS[p];
    Ok(if negated {
        pattern.map(|w| -w)
    } else {
        pattern
    })
}

/// Packs `weights` (each -1, 0 or +1) three at a time into codes, weight `3j + i` being `w_i`
/// of code `j`; a short last group is padded with zero weights. A weight outside {-1, 0, +1}
/// is an error naming its index in `weights`.
pub fn pack_weights(weights: &[i8]) -> Result<Vec<u8>, NumericsError> {
    for (index, &value) in weights.iter().enumerate() {
        check_ternary(value, index)?;
    }
    weights
        .chunks(TERNARY_GROUP)
        .map(|chunk| {
            let mut w = [0i8; 3];
            w[..chunk.len()].copy_from_slice(chunk);
            pack3(w)
        })
        .collect()
}

/// The signed sum of one pattern over an activation group: the left fold, in ascending `i`, of
/// `a_i` where `pattern[i] > 0` and `-a_i` where `pattern[i] < 0` (zero with no term).
/// For a ternary pattern it is `dot(pattern, a)`.
pub fn pattern_sum(pattern: [i8; 3], a: [i8; 3]) -> i32 {
    pattern
        .iter()
        .zip(a)
        .filter(|(&w, _)| w != 0)
        .map(|(&w, act)| {
            let act = i32::from(act);
            if w < 0 {
                act.negated()
            } else {
                act
            }
        })
        .reduce(TableValue::plus)
        .unwrap_or_else(<i32 as TableValue>::zero)
}

/// The table of one activation group: `table[p] = pattern_sum(PATTERNS[p], a)`, which is
/// `dot(PATTERNS[p], a)` (module documentation).
pub fn group_table(a: [i8; 3]) -> [i32; TERNARY_TABLE_ENTRIES] {
    PATTERNS.map(|pattern| pattern_sum(pattern, a))
}

/// The value a lookup with `code` reads from a [`group_table`]: `±table[p]`, which equals
/// `dot(unpack3(code), a)`.
pub fn lookup_packed(table: &[i32; TERNARY_TABLE_ENTRIES], code: u8) -> Result<i32, NumericsError> {
    let (p, negated) = code_entry(code)?;
    Ok(if negated { -table[p] } else { table[p] })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn all_groups() -> impl Iterator<Item = [i8; 3]> {
        (0..27).map(|n: i32| [(n / 9 - 1) as i8, (n / 3 % 3 - 1) as i8, (n % 3 - 1) as i8])
    }

    fn dot(w: [i8; 3], a: [i8; 3]) -> i32 {
        w.iter()
            .zip(a)
            .map(|(&w, a)| i32::from(w) * i32::from(a))
            .sum()
    }

    #[test]
    fn patterns_are_the_positive_balanced_ternary_values_in_order() {
        for (p, w) in PATTERNS.iter().enumerate() {
            let v = 9 * i32::from(w[0]) + 3 * i32::from(w[1]) + i32::from(w[2]);
            assert_eq!(v, p as i32);
            // Canonical: the first non-zero weight is +1.
            assert_eq!(w.iter().copied().find(|&x| x != 0).unwrap_or(1), 1);
        }
    }

    #[test]
    fn every_group_round_trips_and_the_27_codes_are_distinct() {
        let mut codes: Vec<u8> = all_groups().map(|w| pack3(w).unwrap()).collect();
        for w in all_groups() {
            let code = pack3(w).unwrap();
            assert!(code < 1 << PACKED_BITS_PER_GROUP);
            assert_eq!(unpack3(code).unwrap(), w, "code {code}");
        }
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), 27);
        let legal: Vec<u8> = (0..=13).chain(17..=29).collect();
        assert_eq!(codes, legal);
    }

    #[test]
    fn invalid_codes_and_weights_are_rejected() {
        for code in [14u8, 15, 16, 30, 31, 32, 255] {
            assert!(unpack3(code).is_err(), "code {code}");
        }
        assert_eq!(
            unpack3(16).unwrap_err().to_string(),
            "`packed ternary code` = 16 is out of range: must be 0..=13 or 17..=29 (sign bit 4, \
             pattern index 0..=13, no negated zero)"
        );
        assert_eq!(
            pack_weights(&[1, 0, -1, 2]).unwrap_err().to_string(),
            "`ternary weight` = 2 is out of range: must be -1, 0 or +1 (index 3)"
        );
        assert!(pack3([0, -2, 0]).is_err());
    }

    #[test]
    fn pack_weights_pads_the_last_group_with_zeros() {
        let codes = pack_weights(&[1, -1, 0, -1, 1]).unwrap();
        assert_eq!(codes.len(), 2);
        assert_eq!(unpack3(codes[0]).unwrap(), [1, -1, 0]);
        assert_eq!(unpack3(codes[1]).unwrap(), [-1, 1, 0]);
        assert!(pack_weights(&[]).unwrap().is_empty());
        assert_eq!(
            PACKED_BITS_PER_WEIGHT * 3.0,
            f64::from(PACKED_BITS_PER_GROUP)
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// A lookup with any group's code reads the group's dot product with the activations.
        #[test]
        fn lookup_equals_the_direct_dot(a in any::<[i8; 3]>()) {
            let table = group_table(a);
            prop_assert_eq!(table[0], 0);
            for w in all_groups() {
                let value = lookup_packed(&table, pack3(w).unwrap()).unwrap();
                prop_assert_eq!(value, dot(w, a));
                prop_assert!(value.abs() <= 384);
            }
        }
    }
}
