//! Vector quantization (VQ) and the 2D-table GEMM of activation-weight co-quantization, as
//! LUT-LLM runs it (He et al., arXiv 2511.06174; code LUT-FPGA/LUT-LLM; the `v` formats of
//! [`crate::quant`]).
//!
//! # Vectors and padding
//!
//! A sequence of K INT8 values is cut into `V = ceil(K / L)` vectors of L values
//! ([`vq_vectors`]); the last one, when L does not divide K, is **padded with zeros** before it is
//! encoded. Every vector becomes the index of its nearest centroid ([`vq_encode`]): least
//! squared Euclidean distance, computed exactly in `i32`, ties to the lowest index. A codebook
//! holds C centroids of L INT8 coordinates, row-major (centroid `c` is
//! `centroids[c*L .. (c+1)*L]`), with C in 1..=[`MAX_VQ_CENTROIDS`] and L in
//! 1..=[`MAX_VQ_LEN`]. Decoding ([`vq_decode`]) gives back `V * L` values, the padded positions
//! included: they hold the centroid's coordinates, not zeros, and the GEMM below multiplies them
//! like every other position, as a lookup engine that stores whole vectors does. Layers whose
//! K is a multiple of L (every LUT-LLM layer, L = 2) have no padding.
//!
//! Coordinates are INT8 codes here, so that every distance, table entry and sum is an exact
//! integer; the storage model of [`crate::quant`] counts a codebook as fp16 entries, as it does
//! the scalar codebook's.
//!
//! # Layouts
//!
//! For `C[M x N] = A[M x K] * W[K x N]` ([`GemmShape`]), vectors run along K on both sides:
//! activation indices are `M x V` row-major (vector `j` of row `m` covers `A[m][L*j ..]`),
//! weight indices `V x N` row-major (vector `j` of column `n` covers `W[L*j ..][n]`).
//!
//! # 2D-table GEMM
//!
//! ```text
//! T[a * C_w + w] = sum_(l < L) act_centroid[a][l] * weight_centroid[w][l]     (pair_table)
//! out[m][n]      = sum_(j < V) T[act_index[m][j] * C_w + weight_index[j][n]]  (vq_gemm)
//! ```
//!
//! `|T| <= 16 * 128 * 128 = 2^18`, exact in `i32`; the sums are exact in `i64`. The reference
//! [`vq_decoded_gemm`] decodes both sides and runs [`int_gemm`] over the padded length `V * L`;
//! the two are equal for every legal input.

use super::error::{check_range, NumericsError};
use super::gemm::{int_gemm, GemmShape};

/// Most centroids a VQ codebook may hold (an index fits one byte; the formats allow 2..=256).
pub const MAX_VQ_CENTROIDS: usize = 256;

/// Longest VQ vector.
pub const MAX_VQ_LEN: usize = 16;

/// One VQ operand of [`vq_gemm`]: its centroid indices (layout in the module documentation)
/// and its codebook (C x L INT8 coordinates, row-major).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VqOperand<'a> {
    /// Centroid indices, each below the number of centroids.
    pub indices: &'a [u8],
    /// The codebook, `C * L` coordinates.
    pub centroids: &'a [i8],
}

/// Vectors of length `len` that cover `k` values: `ceil(k / len)` (0 for `len == 0`).
pub fn vq_vectors(k: usize, len: usize) -> usize {
    if len == 0 {
        0
    } else {
        k.div_ceil(len)
    }
}

/// Centroids in `centroids` for vectors of `len` (`what` names the codebook in errors): checks
/// `len` in 1..=[`MAX_VQ_LEN`] and a whole number of 1..=[`MAX_VQ_CENTROIDS`] centroids.
fn centroid_count(
    what: &'static str,
    centroids: &[i8],
    len: usize,
) -> Result<usize, NumericsError> {
    check_range("len", len as i64, 1, MAX_VQ_LEN as i64)?;
    if centroids.len() % len != 0 {
        return Err(NumericsError::Param {
            what,
            value: centroids.len() as i64,
            message: format!("coordinates must be a whole number of centroids of {len}"),
        });
    }
    let count = centroids.len() / len;
    check_range(what, count as i64, 1, MAX_VQ_CENTROIDS as i64)?;
    Ok(count)
}

/// `Err(Param)` at the first index not below `count`.
fn check_indices(what: &'static str, indices: &[u8], count: usize) -> Result<(), NumericsError> {
    match indices.iter().find(|&&i| usize::from(i) >= count) {
        Some(&i) => check_range(what, i64::from(i), 0, count as i64 - 1),
        None => Ok(()),
    }
}

/// The index of the nearest centroid (C x `len` INT8 coordinates) for every vector of `values`,
/// the last vector zero-padded; ties go to the lowest index. Returns
/// [`vq_vectors`]`(values.len(), len)` indices.
pub fn vq_encode(values: &[i8], centroids: &[i8], len: usize) -> Result<Vec<u8>, NumericsError> {
    centroid_count("centroids", centroids, len)?;
    let mut padded = vec![0_i32; len];
    Ok(values
        .chunks(len)
        .map(|chunk| {
            padded.fill(0);
            for (p, &v) in padded.iter_mut().zip(chunk) {
                *p = i32::from(v);
            }
            let distance = |c: &[i8]| -> i32 {
                padded
                    .iter()
                    .zip(c)
                    .map(|(&v, &x)| (v - i32::from(x)).pow(2))
                    .sum()
            };
            let mut best = (0_usize, i32::MAX);
            for (i, c) in centroids.chunks_exact(len).enumerate() {
                let d = distance(c);
                if d < best.1 {
                    best = (i, d);
                }
            }
            // At most MAX_VQ_CENTROIDS = 256 centroids, checked above.
            best.0 as u8
        })
        .collect())
}

/// The centroids of `indices`, concatenated: `indices.len() * len` values (a padded last
/// vector decodes to its whole centroid).
pub fn vq_decode(indices: &[u8], centroids: &[i8], len: usize) -> Result<Vec<i8>, NumericsError> {
    let count = centroid_count("centroids", centroids, len)?;
    check_indices("index", indices, count)?;
    Ok(indices
        .iter()
        .flat_map(|&i| &centroids[usize::from(i) * len..(usize::from(i) + 1) * len])
        .copied()
        .collect())
}

/// The 2D table of every pair of centroids: `T[a * C_w + w]` = the dot product of activation
/// centroid `a` and weight centroid `w` (both codebooks of vectors of `len`), `C_a * C_w`
/// entries, exact.
pub fn pair_table(
    act_centroids: &[i8],
    weight_centroids: &[i8],
    len: usize,
) -> Result<Vec<i32>, NumericsError> {
    centroid_count("act centroids", act_centroids, len)?;
    centroid_count("weight centroids", weight_centroids, len)?;
    Ok(act_centroids
        .chunks_exact(len)
        .flat_map(|a| {
            weight_centroids.chunks_exact(len).map(move |w| {
                a.iter()
                    .zip(w)
                    .map(|(&x, &y)| i32::from(x) * i32::from(y))
                    .sum()
            })
        })
        .collect())
}

/// One output row by table lookups: `out[n] = sum_j table[act_indices[j] * C_w +
/// weight_indices[j * n_cols + n]]`, where `table` is a [`pair_table`] of `C_w` =
/// `weight_centroids` columns, `act_indices` one row's V indices and `weight_indices` the
/// `V x n_cols` weight indices.
pub fn vq_gemv(
    table: &[i32],
    weight_centroids: usize,
    act_indices: &[u8],
    weight_indices: &[u8],
    n_cols: usize,
) -> Result<Vec<i64>, NumericsError> {
    check_range(
        "weight centroids",
        weight_centroids as i64,
        1,
        MAX_VQ_CENTROIDS as i64,
    )?;
    if table.len() % weight_centroids != 0 {
        return Err(NumericsError::Param {
            what: "table length",
            value: table.len() as i64,
            message: format!("must be a multiple of the {weight_centroids} weight centroids"),
        });
    }
    let act_count = table.len() / weight_centroids;
    let expected = act_indices
        .len()
        .checked_mul(n_cols)
        .ok_or(NumericsError::Param {
            what: "shape",
            value: i64::MAX,
            message: "vectors * n must fit in memory".to_string(),
        })?;
    if weight_indices.len() != expected {
        return Err(NumericsError::Length {
            what: "weight indices",
            expected,
            got: weight_indices.len(),
        });
    }
    check_indices("act index", act_indices, act_count)?;
    check_indices("weight index", weight_indices, weight_centroids)?;
    let mut out = vec![0_i64; n_cols];
    for (&a, row) in act_indices
        .iter()
        .zip(weight_indices.chunks_exact(n_cols.max(1)))
    {
        let entries = &table[usize::from(a) * weight_centroids..][..weight_centroids];
        for (o, &w) in out.iter_mut().zip(row) {
            *o += i64::from(entries[usize::from(w)]);
        }
    }
    Ok(out)
}

/// Checks both operands against `shape` and `len`; returns `(V, C_w)`.
fn check_operands(
    acts: VqOperand<'_>,
    weights: VqOperand<'_>,
    shape: GemmShape,
    len: usize,
) -> Result<(usize, usize), NumericsError> {
    let act_count = centroid_count("act centroids", acts.centroids, len)?;
    let weight_count = centroid_count("weight centroids", weights.centroids, len)?;
    let vectors = vq_vectors(shape.k, len);
    let too_large = || NumericsError::Param {
        what: "shape",
        value: i64::MAX,
        message: "m*V, V*n and m*n must fit in memory".to_string(),
    };
    shape.m.checked_mul(shape.n).ok_or_else(too_large)?;
    for (what, rows, cols, got) in [
        ("act indices", shape.m, vectors, acts.indices.len()),
        ("weight indices", vectors, shape.n, weights.indices.len()),
    ] {
        let expected = rows.checked_mul(cols).ok_or_else(too_large)?;
        if expected != got {
            return Err(NumericsError::Length {
                what,
                expected,
                got,
            });
        }
    }
    check_indices("act index", acts.indices, act_count)?;
    check_indices("weight index", weights.indices, weight_count)?;
    Ok((vectors, weight_count))
}

/// `C = A * W` of two VQ operands by 2D table lookups (module documentation): one
/// [`pair_table`], then one [`vq_gemv`] per row. Equal to [`vq_decoded_gemm`] for every legal
/// input.
pub fn vq_gemm(
    acts: VqOperand<'_>,
    weights: VqOperand<'_>,
    shape: GemmShape,
    len: usize,
) -> Result<Vec<i64>, NumericsError> {
    let (vectors, weight_count) = check_operands(acts, weights, shape, len)?;
    let table = pair_table(acts.centroids, weights.centroids, len)?;
    let mut out = Vec::with_capacity(shape.m * shape.n);
    for row in acts.indices.chunks_exact(vectors.max(1)).take(shape.m) {
        out.extend(vq_gemv(
            &table,
            weight_count,
            row,
            weights.indices,
            shape.n,
        )?);
    }
    // K = 0: no vectors, every output is an empty sum.
    out.resize(shape.m * shape.n, 0);
    Ok(out)
}

/// The reference for [`vq_gemm`]: both operands decoded to their centroids (`M x V*L`
/// activations, `V*L x N` weights, padding included) and multiplied by [`int_gemm`].
pub fn vq_decoded_gemm(
    acts: VqOperand<'_>,
    weights: VqOperand<'_>,
    shape: GemmShape,
    len: usize,
) -> Result<Vec<i64>, NumericsError> {
    let (vectors, _) = check_operands(acts, weights, shape, len)?;
    let decoded_acts = vq_decode(acts.indices, acts.centroids, len)?;
    let n = shape.n;
    let padded_k = vectors * len;
    let mut decoded_weights = vec![0_i32; padded_k * n];
    for (j, row) in weights.indices.chunks_exact(n.max(1)).enumerate() {
        for (col, &w) in row.iter().enumerate() {
            let centroid = &weights.centroids[usize::from(w) * len..][..len];
            for (l, &x) in centroid.iter().enumerate() {
                decoded_weights[(j * len + l) * n + col] = i32::from(x);
            }
        }
    }
    int_gemm(
        &decoded_acts,
        &decoded_weights,
        GemmShape {
            m: shape.m,
            k: padded_k,
            n,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn example() {
        // Two activation centroids, two weight centroids, L = 2.
        let act_c = [1, 2, -3, 0];
        let weight_c = [0, 1, 2, -1];
        assert_eq!(pair_table(&act_c, &weight_c, 2).unwrap(), vec![2, 0, 0, -6]);
        // [1, 1, -3, 1, 9] -> vectors (1,1) (-3,1) (9,0), the last one padded: (9,0) is 68
        // from (1,2) and 144 from (-3,0).
        assert_eq!(
            vq_encode(&[1, 1, -3, 1, 9], &act_c, 2).unwrap(),
            vec![0, 1, 0]
        );
        // Ties go to the lowest index: (0,0) is 2 from both (1,1) and (-1,-1).
        assert_eq!(vq_encode(&[0, 0], &[1, 1, -1, -1], 2).unwrap(), vec![0]);
        assert_eq!(vq_decode(&[1, 0], &act_c, 2).unwrap(), vec![-3, 0, 1, 2]);
        // M = 1, K = 3 (V = 2, the last vector padded), N = 2.
        let shape = GemmShape { m: 1, k: 3, n: 2 };
        let acts = VqOperand {
            indices: &[0, 1],
            centroids: &act_c,
        };
        let weights = VqOperand {
            indices: &[0, 1, 1, 1],
            centroids: &weight_c,
        };
        // Row: T[0][0] + T[1][1] = 2 - 6, T[0][1] + T[1][1] = 0 - 6.
        assert_eq!(vq_gemm(acts, weights, shape, 2).unwrap(), vec![-4, -6]);
        assert_eq!(
            vq_decoded_gemm(acts, weights, shape, 2).unwrap(),
            vec![-4, -6]
        );
    }

    #[test]
    fn rejects_bad_input() {
        let c = [0_i8; 4];
        assert!(vq_encode(&[1], &c, 0).is_err());
        assert!(vq_encode(&[1], &c, 17).is_err());
        assert!(vq_encode(&[1], &c, 3).is_err());
        assert!(vq_encode(&[1], &[], 2).is_err());
        assert!(vq_encode(&[1], &[0; 257], 1).is_err());
        assert_eq!(
            vq_decode(&[2], &c, 2).unwrap_err().to_string(),
            "`index` = 2 is out of range: must be in 0..=1"
        );
        let shape = GemmShape { m: 1, k: 4, n: 1 };
        let op = |indices| VqOperand {
            indices,
            centroids: &c,
        };
        assert!(matches!(
            vq_gemm(op(&[0]), op(&[0, 0]), shape, 2),
            Err(NumericsError::Length { .. })
        ));
        assert!(vq_gemm(op(&[0, 2]), op(&[0, 0]), shape, 2).is_err());
        assert!(vq_gemv(&[0; 6], 4, &[0], &[0], 1).is_err());
        assert!(vq_gemv(&[0; 4], 2, &[2], &[0], 1).is_err());
        assert!(vq_gemv(&[0; 4], 0, &[0], &[0], 1).is_err());
    }

    #[test]
    fn empty_reduction_and_output() {
        let c = [1_i8, 2];
        let op = |indices| VqOperand {
            indices,
            centroids: &c,
        };
        let shape = GemmShape { m: 2, k: 0, n: 3 };
        assert_eq!(vq_gemm(op(&[]), op(&[]), shape, 2).unwrap(), vec![0; 6]);
        assert_eq!(
            vq_decoded_gemm(op(&[]), op(&[]), shape, 2).unwrap(),
            vec![0; 6]
        );
        let shape = GemmShape { m: 2, k: 2, n: 0 };
        assert_eq!(
            vq_gemm(op(&[0, 0]), op(&[]), shape, 2).unwrap(),
            Vec::<i64>::new()
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// The chosen centroid is a nearest one, and the first of the nearest; the last vector
        /// is encoded as if zeros completed it.
        #[test]
        fn encode_picks_the_first_nearest(
            (len, centroids) in (1usize..=MAX_VQ_LEN).prop_flat_map(|len| {
                (Just(len), prop::collection::vec(any::<i8>(), len..=8 * len)
                    .prop_map(move |mut c| { c.truncate(c.len() / len * len); c }))
            }),
            values in prop::collection::vec(any::<i8>(), 0..40),
        ) {
            let idx = vq_encode(&values, &centroids, len).unwrap();
            prop_assert_eq!(idx.len(), vq_vectors(values.len(), len));
            let mut padded = values.clone();
            padded.resize(idx.len() * len, 0);
            prop_assert_eq!(&vq_encode(&padded, &centroids, len).unwrap(), &idx);
            let dist = |v: &[i8], c: &[i8]| -> i64 {
                v.iter().zip(c).map(|(&a, &b)| (i64::from(a) - i64::from(b)).pow(2)).sum()
            };
            for (v, &i) in padded.chunks(len).zip(&idx) {
                let i = usize::from(i);
                let d = dist(v, &centroids[i * len..][..len]);
                for (other, c) in centroids.chunks_exact(len).enumerate() {
                    let e = dist(v, c);
                    prop_assert!(d < e || (d == e && i <= other));
                }
            }
        }
    }
}
