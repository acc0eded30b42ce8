//! The lookup table of one activation group: the one definition of its entries, the order in
//! which each entry is summed, and the lookup with the symmetric mirror.
//!
//! The LUT tile's cycle-stepped model (`lutforge-sim`) builds its tables with [`fill_table`]
//! and maps indices with [`lookup_entry`]; the RTL generator (`lutforge-rtl`) builds each
//! entry's adder chain from [`entry_terms`]; the reference GEMMs here use [`build_table`] and
//! [`lookup`]. The arithmetic is a type parameter ([`TableValue`]): wrapping integers, or FP16
//! with the rounding of [`super::fp`].
//!
//! # Plain table (`symmetric = false`)
//!
//! For a group of `g` activations `a_0 .. a_(g-1)` (`a_i` is the activation at reduction index
//! `k = g*j + i` of group `j`), `2^g` entries:
//!
//! ```text
//! T[idx] = sum_(i < g) bit_i(idx) * a_i          idx in 0 .. 2^g
//! ```
//!
//! where `bit_i(idx)` is bit `i` of `idx`, bit 0 the least significant. The index a weight plane
//! produces is `idx = sum_i bit_p(w_i) << i` ([`group_index`]). `T[0] = 0`.
//!
//! # Symmetric table (`symmetric = true`, the LUT Tensor Core trick)
//!
//! Each index bit is read as the sign `s_i = 2 bit_i - 1` in {-1, +1}:
//!
//! ```text
//! U[idx] = sum_(i < g) s_i * a_i = 2 T[idx] - S,   S = sum_i a_i,   U[~idx] = -U[idx]
//! ```
//!
//! Only the `2^(g-1)` entries whose index MSB (bit `g-1`) is 1 are stored:
//!
//! ```text
//! H[j] = U[j + 2^(g-1)] = a_(g-1) + sum_(i < g-1) (bit_i(j) ? a_i : -a_i)     j in 0 .. 2^(g-1)
//! lookup(idx) = H[idx & (2^(g-1) - 1)]            if bit g-1 of idx is 1
//!             = -H[!idx & (2^(g-1) - 1)]          if bit g-1 of idx is 0 (the mirrored half)
//! ```
//!
//! `H[2^(g-1) - 1] = S`, the group's activation sum (the symmetric correction's row-sum term).
//!
//! # Summation order
//!
//! Entry `e` is the left fold of its [`entry_terms`]: symmetric, `a_(g-1)` then `±a_i` for
//! `i = 0 .. g-2`; plain, the `a_i` of the set index bits in ascending `i` (an entry with no term
//! is zero). Integer sums are exact (or wrap, identically in any order); FP16 sums round after
//! each add, so this order is part of the definition.

use super::error::{check_range, NumericsError};
use super::fp;

/// Largest activation group the table functions accept (2^8 = 256 entries).
pub const MAX_GROUP: usize = 8;

/// The arithmetic of table entries.
pub trait TableValue: Copy {
    /// Whether addition is associative (then [`fill_table`] may sum in any order).
    const ASSOCIATIVE: bool;
    /// The additive identity (an entry with no term).
    fn zero() -> Self;
    /// `self + other`.
    fn plus(self, other: Self) -> Self;
    /// `-self`.
    fn negated(self) -> Self;
}

macro_rules! wrapping_value {
    ($($t:ty),*) => {$(
        impl TableValue for $t {
            const ASSOCIATIVE: bool = true;
            fn zero() -> Self {
                0
            }
            fn plus(self, other: Self) -> Self {
                self.wrapping_add(other)
            }
            fn negated(self) -> Self {
                self.wrapping_neg()
            }
        }
    )*};
}
wrapping_value!(i32, i64, i128);

/// An FP16 bit pattern with [`fp::add`] as its addition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Fp16(pub u32);

impl TableValue for Fp16 {
    const ASSOCIATIVE: bool = false;
    fn zero() -> Self {
        Fp16(0)
    }
    fn plus(self, other: Self) -> Self {
        Fp16(fp::add(fp::FP16, self.0, other.0))
    }
    fn negated(self) -> Self {
        Fp16(fp::neg(fp::FP16, self.0))
    }
}

/// Entries of the table for a group of `g` activations: `2^g`, or `2^(g-1)` when symmetric.
/// `g` must be in 1..=[`MAX_GROUP`].
pub fn table_len(g: usize, symmetric: bool) -> Result<usize, NumericsError> {
    check_range("g", g as i64, 1, MAX_GROUP as i64)?;
    Ok(if symmetric { 1 << (g - 1) } else { 1 << g })
}

/// The terms of entry `e` in summation order: `(i, negated)` stands for `a_i` or `-a_i`.
pub fn entry_terms(g: usize, symmetric: bool, e: usize) -> Vec<(usize, bool)> {
    if symmetric {
        std::iter::once((g - 1, false))
            .chain((0..g - 1).map(|i| (i, e >> i & 1 == 0)))
            .collect()
    } else {
        (0..g)
            .filter(|i| e >> i & 1 == 1)
            .map(|i| (i, false))
            .collect()
    }
}

/// Fills `out` (`table_len(acts.len(), symmetric)` entries) with the table of `acts`: each entry
/// the fold of its [`entry_terms`]. Returns the additions a unit summing each entry's terms
/// spends (`entries * (g - 1)`, the precompute unit's count). For associative arithmetic the
/// entries are formed by doubling (each from the one without its highest index bit, one add
/// each), which gives the same values.
///
/// # Panics
///
/// If `out` does not have the table's length or `g` is outside 1..=[`MAX_GROUP`].
pub fn fill_table<T: TableValue>(acts: &[T], symmetric: bool, out: &mut [T]) -> u64 {
    let g = acts.len();
    assert!((1..=MAX_GROUP).contains(&g) && out.len() == 1 << (g - usize::from(symmetric)));
    if T::ASSOCIATIVE {
        // Entry 0, and what setting index bit `i` adds.
        let mut step = [T::zero(); MAX_GROUP];
        let mut base = T::zero();
        if symmetric {
            base = acts[g - 1];
            for (st, &v) in step.iter_mut().zip(&acts[..g - 1]) {
                *st = v.plus(v);
                base = base.plus(v.negated());
            }
        } else {
            step[..g].copy_from_slice(acts);
        }
        out[0] = base;
        let mut h = 1;
        for &st in step.iter().take(out.len().trailing_zeros() as usize) {
            let (low, high) = out.split_at_mut(h);
            for (t, &l) in high[..h].iter_mut().zip(low.iter()) {
                *t = l.plus(st);
            }
            h *= 2;
        }
    } else {
        for (e, slot) in out.iter_mut().enumerate() {
            *slot = entry_terms(g, symmetric, e)
                .into_iter()
                .map(|(i, n)| if n { acts[i].negated() } else { acts[i] })
                .reduce(T::plus)
                .unwrap_or_else(T::zero);
        }
    }
    (out.len() * (g - 1)) as u64
}

/// The table of one activation group (`acts.len()` = g), as defined in the module documentation.
pub fn build_table<T: TableValue>(acts: &[T], symmetric: bool) -> Result<Vec<T>, NumericsError> {
    let len = table_len(acts.len(), symmetric)?;
    let mut out = vec![T::zero(); len];
    fill_table(acts, symmetric, &mut out);
    Ok(out)
}

/// Which stored entry a lookup with index `idx` (`g` bits) reads, and whether the mirrored half
/// is taken (the entry is then negated).
pub fn lookup_entry(g: usize, symmetric: bool, idx: usize) -> (usize, bool) {
    if !symmetric {
        return (idx, false);
    }
    let mask = (1 << (g - 1)) - 1;
    if idx >> (g - 1) & 1 == 1 {
        (idx & mask, false)
    } else {
        (!idx & mask, true)
    }
}

/// Reads index `idx` (0 .. 2^g) from a table made by [`build_table`] with the same `symmetric`;
/// `g` is implied by the table length. Returns `T[idx]` (plain) or `U[idx]` (symmetric).
pub fn lookup<T: TableValue>(table: &[T], idx: usize, symmetric: bool) -> Result<T, NumericsError> {
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
    check_range("index", idx as i64, 0, full as i64 - 1)?;
    let g = full.trailing_zeros() as usize;
    let (e, mirrored) = lookup_entry(g, symmetric, idx);
    Ok(if mirrored {
        table[e].negated()
    } else {
        table[e]
    })
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

    #[test]
    fn small_tables() {
        assert_eq!(build_table(&[3i64, -5], false).unwrap(), vec![0, 3, -5, -2]);
        // H[j] = U[j + 2]: -3-5, 3-5.
        let h = build_table(&[3i64, -5], true).unwrap();
        assert_eq!(h, vec![-8, -2]);
        assert_eq!(lookup(&h, 0, true).unwrap(), 2);
        assert_eq!(lookup(&h, 1, true).unwrap(), 8);
        assert_eq!(lookup(&h, 2, true).unwrap(), -8);
        assert_eq!(lookup(&h, 3, true).unwrap(), -2);
        assert!(lookup(&h, 4, true).is_err());
        assert!(lookup(&[0i64, 1, 2], 0, false).is_err());
        assert!(build_table::<i64>(&[], false).is_err());
        assert_eq!(lookup(&[7i64], 0, true).unwrap(), -7);
        assert_eq!(group_index(&[1, 0, 1]), 5);
        assert_eq!(
            entry_terms(3, true, 0b01),
            vec![(2, false), (0, false), (1, true)]
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn symmetric_lookup_is_the_signed_sum(acts in prop::collection::vec(-128i64..128, 2..=MAX_GROUP)) {
            let g = acts.len();
            let plain = build_table(&acts, false).unwrap();
            let half = build_table(&acts, true).unwrap();
            let s: i64 = acts.iter().sum();
            prop_assert_eq!(half[(1 << (g - 1)) - 1], s);
            for idx in 0..(1usize << g) {
                let signed: i64 = (0..g).map(|i| if idx >> i & 1 == 1 { acts[i] } else { -acts[i] }).sum();
                let u = lookup(&half, idx, true).unwrap();
                prop_assert_eq!(u, signed);
                prop_assert_eq!(u, 2 * lookup(&plain, idx, false).unwrap() - s);
                prop_assert_eq!(lookup(&half, !idx & ((1 << g) - 1), true).unwrap(), -u);
            }
        }

        /// Doubling (the associative path) and the fold of `entry_terms` give the same integers.
        #[test]
        fn doubling_equals_the_fold(acts in prop::collection::vec(any::<i32>(), 2..=MAX_GROUP), symmetric: bool) {
            let fast = build_table(&acts, symmetric).unwrap();
            for (e, &v) in fast.iter().enumerate() {
                let fold = entry_terms(acts.len(), symmetric, e)
                    .into_iter()
                    .map(|(i, n)| if n { acts[i].wrapping_neg() } else { acts[i] })
                    .fold(0i32, i32::wrapping_add);
                prop_assert_eq!(v, fold);
            }
        }
    }
}
