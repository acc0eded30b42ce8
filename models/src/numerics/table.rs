//! The lookup table of one activation group, as a reference definition: which value a lookup
//! with a given weight-plane index must return ([`lookup`]: `T[idx]` for a plain table,
//! `U[idx]` for a symmetric one, both defined below).
//!
//! What other implementations share with this module is that value per index, not the stored
//! words. A plain table stores the same `2^g` entries `T` everywhere. For a symmetric table
//! this module stores the half whose index MSB is 0, `H[j] = U[j]`; the LUT tile of
//! `lutforge-sim` (cycle-stepped model) and the generated RTL store the other half,
//! `H1[j] = U[j + 2^(g-1)] = -H[!j & (2^(g-1) - 1)]`, and negate when the index MSB is 0, so
//! their lookups also return `U[idx]`. The relation between the two halves is tested here
//! (`msb_one_half_is_the_negated_complement_of_the_stored_half`); no test compares the sim
//! or RTL tables with this module.
//!
//! # Plain table (`symmetric = false`)
//!
//! For a group of `g` INT8 activations `a_0 .. a_(g-1)` (`a_i` is the activation at reduction
//! index `k = g*j + i` of group `j`), the table has `2^g` entries:
//!
//! ```text
//! T[idx] = sum_(i < g) bit_i(idx) * a_i          idx in 0 .. 2^g
//! ```
//!
//! where `bit_i(idx)` is bit `i` of `idx`, bit 0 the least significant. The index a weight
//! plane produces is `idx = sum_i bit_b(w_i) << i` ([`group_index`]): bit `i` of the index
//! comes from the weight that multiplies `a_i`. `T[0] = 0`; `|T| <= 128 g`.
//!
//! # Symmetric table (`symmetric = true`, the LUT Tensor Core trick)
//!
//! Each weight bit `b` in {0, 1} is read as the sign `s = 2b - 1` in {-1, +1}. Then
//!
//! ```text
//! U[idx] = sum_(i < g) (2 bit_i(idx) - 1) * a_i = 2 T[idx] - S,   S = sum_i a_i
//! ```
//!
//! and `U[~idx] = -U[idx]` (complementing every bit flips every sign). Only the `2^(g-1)`
//! entries whose MSB (bit `g-1`) is 0 are stored:
//!
//! ```text
//! H[j] = U[j]                                    j in 0 .. 2^(g-1)
//! lookup(idx) = H[idx]                           if bit g-1 of idx is 0
//!             = -H[(!idx) & (2^(g-1) - 1)]       if bit g-1 of idx is 1
//! ```
//!
//! A symmetric lookup returns `U[idx]`, not `T[idx]`; to get integer dot products back the
//! GEMM adds a correction: `T[idx] = (U[idx] + S) / 2`, see
//! [`super::gemm::symmetric_correction`]. Padding activations (zero) leave both tables
//! unchanged in value, so a short final group can be padded with zeros.

use super::error::{check_range, NumericsError};

/// Largest activation group the table functions accept (2^8 = 256 entries). The GEMM uses
/// g in 1..=4 in practice.
pub const MAX_GROUP: usize = 8;

/// Entries of the table for a group of `g` activations: `2^g`, or `2^(g-1)` when symmetric.
/// `g` must be in 1..=[`MAX_GROUP`].
pub fn table_len(g: usize, symmetric: bool) -> Result<usize, NumericsError> {
    check_range("g", g as i64, 1, MAX_GROUP as i64)?;
    Ok(if symmetric { 1 << (g - 1) } else { 1 << g })
}

/// Builds the table for one activation group (`acts_group.len()` = g, 1..=[`MAX_GROUP`]):
/// `T[idx]` (plain) or `H[j]` (symmetric), as defined in the module documentation.
pub fn build_table(acts_group: &[i8], symmetric: bool) -> Result<Vec<i32>, NumericsError> {
    let len = table_len(acts_group.len(), symmetric)?;
    Ok((0..len)
        .map(|idx| {
            acts_group
                .iter()
                .enumerate()
                .map(|(i, &a)| {
                    let bit = (idx >> i) & 1 == 1;
                    match (symmetric, bit) {
                        (_, true) => i32::from(a),
                        (false, false) => 0,
                        (true, false) => -i32::from(a),
                    }
                })
                .sum()
        })
        .collect())
}

/// Reads entry `index` (0 .. 2^g) from a table made by [`build_table`] with the same
/// `symmetric`; `g` is implied by the table length. Returns `T[index]` (plain) or
/// `U[index]` (symmetric, sign taken from the index MSB).
pub fn lookup(table: &[i32], index: usize, symmetric: bool) -> Result<i32, NumericsError> {
    let len = table.len();
    if !len.is_power_of_two() || (!symmetric && len < 2) {
        return Err(NumericsError::Param {
            what: "table length",
            value: len as i64,
            message: if symmetric {
                "must be 2^(g-1) for g in 1..=8".to_string()
            } else {
                "must be 2^g for g in 1..=8".to_string()
            },
        });
    }
    let full = if symmetric { 2 * len } else { len };
    check_range("index", index as i64, 0, full as i64 - 1)?;
    if !symmetric {
        return Ok(table[index]);
    }
    let half = len;
    if index & half == 0 {
        Ok(table[index])
    } else {
        Ok(-table[!index & (half - 1)])
    }
}

/// The table index one weight plane selects: `sum_i bits[i] << i`, where `bits[i]` (0 or 1)
/// is the plane bit of the weight multiplying activation `i` of the group.
pub fn group_index(bits: &[u8]) -> usize {
    bits.iter()
        .enumerate()
        .map(|(i, &b)| usize::from(b & 1) << i)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `H1[j]`, the half with index MSB 1 as the sim's stepped model and the RTL store it:
    /// `a_(g-1) + sum_(i < g-1) (bit_i(j) ? a_i : -a_i)`, written out independently of
    /// [`build_table`].
    fn h1_at(acts: &[i8], j: usize) -> i32 {
        let g = acts.len();
        i32::from(acts[g - 1])
            + (0..g - 1)
                .map(|i| {
                    let a = i32::from(acts[i]);
                    if (j >> i) & 1 == 1 {
                        a
                    } else {
                        -a
                    }
                })
                .sum::<i32>()
    }

    #[test]
    fn small_tables() {
        assert_eq!(build_table(&[3, -5], false).unwrap(), vec![0, 3, -5, -2]);
        // U[idx] for idx = 0b00, 0b01: -3+5, 3+5
        assert_eq!(build_table(&[3, -5], true).unwrap(), vec![2, 8]);
        let h = build_table(&[3, -5], true).unwrap();
        assert_eq!(lookup(&h, 2, true).unwrap(), -3 - 5);
        assert_eq!(lookup(&h, 3, true).unwrap(), 3 - 5);
        assert!(lookup(&h, 4, true).is_err());
        assert!(lookup(&[0, 1, 2], 0, false).is_err());
        assert!(build_table(&[], false).is_err());
        assert_eq!(group_index(&[1, 0, 1]), 5);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn msb_one_half_is_the_negated_complement_of_the_stored_half(
            acts in prop::collection::vec(any::<i8>(), 1..=MAX_GROUP)
        ) {
            let g = acts.len();
            let half = 1usize << (g - 1);
            let h = build_table(&acts, true).unwrap();
            let plain = build_table(&acts, false).unwrap();
            let s: i32 = acts.iter().map(|&a| i32::from(a)).sum();
            for j in 0..half {
                let h1 = h1_at(&acts, j);
                prop_assert_eq!(h1, 2 * plain[j + half] - s, "H1[{}] is U[{}]", j, j + half);
                prop_assert_eq!(h1, -h[!j & (half - 1)], "H1[{}] = -H[~{}]", j, j);
                // lookup() on this module's half returns H1 wherever the index MSB is 1.
                prop_assert_eq!(lookup(&h, j + half, true).unwrap(), h1);
            }
        }

        #[test]
        fn symmetric_matches_definition(acts in prop::collection::vec(any::<i8>(), 1..=MAX_GROUP)) {
            let g = acts.len();
            let plain = build_table(&acts, false).unwrap();
            let half = build_table(&acts, true).unwrap();
            let s: i32 = acts.iter().map(|&a| i32::from(a)).sum();
            for idx in 0..(1usize << g) {
                let t = lookup(&plain, idx, false).unwrap();
                let u = lookup(&half, idx, true).unwrap();
                prop_assert_eq!(u, 2 * t - s);
                prop_assert_eq!(lookup(&half, !idx & ((1 << g) - 1), true).unwrap(), -u);
            }
        }
    }
}
