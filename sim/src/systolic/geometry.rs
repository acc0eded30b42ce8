//! Layer geometry, operand addresses and SCALE-Sim's fold schedule.
//!
//! SCALE-Sim lowers every layer to three operand matrices: the ifmap matrix (one row per output
//! pixel, one column per element of the convolution window), the filter matrix (window x filters)
//! and the ofmap matrix (output pixels x filters). A GEMM `M x K` times `K x N` is the convolution
//! of an `M x K` image with `N` filters of size `1 x K`. The array maps two of the three matrix
//! dimensions onto its rows and columns (which two depends on the dataflow) and streams the third;
//! when a mapped dimension exceeds the array it is cut into *folds*, visited column-fold-major.
//!
//! Every row of every fold's demand (what the array reads or writes in one cycle) touches a
//! contiguous run of array columns, so the whole schedule is described in closed form here; the
//! memory model in [`super::replay`] walks it without materialising any matrix.

use super::config::Dataflow;

/// One layer in SCALE-Sim's convolution form (GEMMs are converted by [`Layer::gemm`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layer {
    /// Layer name, as written in the topology file.
    pub name: String,
    /// Input feature map height, pixels.
    pub ifmap_h: u64,
    /// Input feature map width, pixels.
    pub ifmap_w: u64,
    /// Filter height, pixels (at most `ifmap_h`).
    pub filter_h: u64,
    /// Filter width, pixels (at most `ifmap_w`).
    pub filter_w: u64,
    /// Input channels.
    pub channels: u64,
    /// Output channels (filters).
    pub num_filters: u64,
    /// Vertical stride, pixels.
    pub stride_h: u64,
    /// Horizontal stride, pixels.
    pub stride_w: u64,
}

impl Layer {
    /// The convolution SCALE-Sim runs for the GEMM `(m x k) * (k x n)`.
    pub fn gemm(name: &str, m: u64, n: u64, k: u64) -> Layer {
        Layer {
            name: name.to_string(),
            ifmap_h: m,
            ifmap_w: k,
            filter_h: 1,
            filter_w: k,
            channels: 1,
            num_filters: n,
            stride_h: 1,
            stride_w: 1,
        }
    }

    /// Output feature map height: `ceil((ifmap_h - filter_h + stride_h) / stride_h)`.
    pub fn ofmap_h(&self) -> u64 {
        (self.ifmap_h - self.filter_h + self.stride_h).div_ceil(self.stride_h)
    }

    /// Output feature map width.
    pub fn ofmap_w(&self) -> u64 {
        (self.ifmap_w - self.filter_w + self.stride_w).div_ceil(self.stride_w)
    }

    /// Output pixels per filter (rows of the ifmap and ofmap operand matrices).
    pub fn ofmap_px(&self) -> u64 {
        self.ofmap_h() * self.ofmap_w()
    }

    /// Convolution window size (columns of the ifmap matrix, rows of the filter matrix).
    pub fn window(&self) -> u64 {
        self.filter_h * self.filter_w * self.channels
    }

    /// Multiply-accumulates of the layer.
    pub fn macs(&self) -> u64 {
        self.ofmap_px() * self.num_filters * self.window()
    }

    /// Number of distinct ifmap addresses (the ifmap address space).
    pub fn ifmap_elems(&self) -> u64 {
        self.ifmap_h * self.ifmap_w * self.channels
    }

    /// Number of distinct filter addresses.
    pub fn filter_elems(&self) -> u64 {
        self.window() * self.num_filters
    }
}

/// Ifmap address generator: entry `(pixel, window element)` of the ifmap operand matrix, without
/// the configured offset, or `None` where the window runs off the image (SCALE-Sim's `-1`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct IfmapAddr {
    ofmap_w: u64,
    stride_h: u64,
    stride_w: u64,
    ifmap_h: u64,
    ifmap_w: u64,
    channels: u64,
    filter_w: u64,
    /// True when every entry is valid and `addr = pixel * window + element` (all GEMMs).
    dense_window: Option<u64>,
}

impl IfmapAddr {
    pub(crate) fn new(layer: &Layer) -> IfmapAddr {
        let is_gemm_like = layer.filter_h == 1
            && layer.channels == 1
            && layer.filter_w == layer.ifmap_w
            && layer.stride_h == 1;
        IfmapAddr {
            ofmap_w: layer.ofmap_w(),
            stride_h: layer.stride_h,
            stride_w: layer.stride_w,
            ifmap_h: layer.ifmap_h,
            ifmap_w: layer.ifmap_w,
            channels: layer.channels,
            filter_w: layer.filter_w,
            dense_window: is_gemm_like.then_some(layer.window()),
        }
    }

    /// True when every entry is valid and distinct entries have distinct addresses
    /// (`addr = pixel * window + element`, all GEMMs).
    #[inline]
    pub(crate) fn is_dense(&self) -> bool {
        self.dense_window.is_some()
    }

    /// The address of ifmap-matrix entry `(i, j)`.
    #[inline]
    pub(crate) fn get(&self, i: u64, j: u64) -> Option<u64> {
        if let Some(window) = self.dense_window {
            return Some(i * window + j);
        }
        let (ofmap_row, ofmap_col) = (i / self.ofmap_w, i % self.ofmap_w);
        let (i_row, i_col) = (ofmap_row * self.stride_h, ofmap_col * self.stride_w);
        let window_addr = (i_row * self.ifmap_w + i_col) * self.channels;
        let per_row = self.filter_w * self.channels;
        let (c_row, k) = (j / per_row, j % per_row);
        let (c_col, c_ch) = (k / self.channels, k % self.channels);
        if c_row + i_row < self.ifmap_h && c_col + i_col < self.ifmap_w {
            Some((c_row * self.ifmap_w + c_col) * self.channels + c_ch + window_addr)
        } else {
            None
        }
    }
}

/// The three operands the memory system serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operand {
    Ifmap,
    Filter,
    Ofmap,
}

/// The operand-matrix dimensions a dataflow maps: `sr` onto array rows, `sc` onto array
/// columns, `t` streamed in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mapping {
    /// Dataflow.
    pub dataflow: Dataflow,
    /// Array rows.
    pub rows: u64,
    /// Array columns.
    pub cols: u64,
    /// Spatial dimension mapped onto rows.
    pub sr: u64,
    /// Spatial dimension mapped onto columns.
    pub sc: u64,
    /// Temporal dimension.
    pub t: u64,
    /// Folds along the rows, `ceil(sr / rows)`.
    pub row_folds: u64,
    /// Folds along the columns, `ceil(sc / cols)`.
    pub col_folds: u64,
}

impl Mapping {
    /// SCALE-Sim's mapping of `layer` onto a `rows x cols` array.
    pub fn new(dataflow: Dataflow, rows: u64, cols: u64, layer: &Layer) -> Mapping {
        Mapping::from_dims(
            dataflow,
            rows,
            cols,
            layer.ofmap_px(),
            layer.num_filters,
            layer.window(),
        )
    }

    /// The mapping of a GEMM-shaped problem: `px` output rows, `filters` output columns and a
    /// reduction depth `window`.
    pub fn from_dims(
        dataflow: Dataflow,
        rows: u64,
        cols: u64,
        px: u64,
        filters: u64,
        window: u64,
    ) -> Mapping {
        let (sr, sc, t) = match dataflow {
            Dataflow::Os => (px, filters, window),
            Dataflow::Ws => (window, filters, px),
            Dataflow::Is => (window, px, filters),
        };
        Mapping {
            dataflow,
            rows,
            cols,
            sr,
            sc,
            t,
            row_folds: sr.div_ceil(rows),
            col_folds: sc.div_ceil(cols),
        }
    }

    /// Demand rows (cycles) of one fold; the same for every fold and operand.
    pub fn fold_cycles(&self) -> u64 {
        let (r, c, t) = (self.rows, self.cols, self.t);
        match self.dataflow {
            Dataflow::Os => t + r + c - 2,
            Dataflow::Ws | Dataflow::Is => 2 * r + c + t - 2,
        }
    }

    /// Cycles of all folds when the stationary operand is double-buffered (weight-stationary
    /// with a second weight register per PE): the first fold's `rows` shift-in cycles; each fold
    /// but the last then takes `max(t, rows)` cycles (its `t` input rows stream while the next
    /// fold's weights shift in); the last streams its `t` rows and drains the skew of
    /// `rows + cols - 2` cycles. One fold takes [`Mapping::fold_cycles`]; `n` folds never more
    /// than `n` times that.
    pub fn double_buffered_cycles(&self) -> u64 {
        let (r, c, t) = (self.rows, self.cols, self.t);
        r + (self.folds() - 1) * t.max(r) + t + r + c - 2
    }

    /// Number of folds.
    pub fn folds(&self) -> u64 {
        self.row_folds * self.col_folds
    }

    /// Array rows used by row fold `fr`.
    pub fn rows_used(&self, fr: u64) -> u64 {
        (self.sr - fr * self.rows).min(self.rows)
    }

    /// Array columns used by column fold `fc`.
    pub fn cols_used(&self, fc: u64) -> u64 {
        (self.sc - fc * self.cols).min(self.cols)
    }

    /// The denominator SCALE-Sim uses for one fold's compute utilization.
    pub(crate) fn util_cycles(&self) -> u64 {
        let (r, c, t) = (self.rows, self.cols, self.t);
        match self.dataflow {
            Dataflow::Os => t + r + c - 2,
            Dataflow::Ws | Dataflow::Is => 2 * r + 2 * c + t - 3,
        }
    }

    /// Mapping efficiency and compute utilization, each averaged over folds exactly as SCALE-Sim
    /// 3.0.0 does (sequential float sums in fold order), as fractions.
    pub fn efficiencies(&self) -> (f64, f64) {
        let array = (self.rows * self.cols) as f64;
        let util_den = (self.rows * self.cols * self.util_cycles()) as f64;
        let (mut map_sum, mut util_sum) = (0.0f64, 0.0f64);
        for fc in 0..self.col_folds {
            let cu = self.cols_used(fc);
            for fr in 0..self.row_folds {
                let used = self.rows_used(fr) * cu;
                map_sum += used as f64 / array;
                util_sum += (used * self.t) as f64 / util_den;
            }
        }
        let n = self.folds() as f64;
        (map_sum / n, util_sum / n)
    }

    /// SRAM reads (ifmap, filter) and writes (ofmap) the array issues, in words, as SCALE-Sim
    /// counts them. `compat` keeps SCALE-Sim's output-stationary write count, which adds
    /// `rows + cols` phantom writes per fold.
    pub fn sram_accesses(&self, compat: bool) -> (u64, u64, u64) {
        let (sr, sc, t) = (self.sr, self.sc, self.t);
        match self.dataflow {
            Dataflow::Ws => (self.col_folds * t * sr, sr * sc, self.row_folds * t * sc),
            Dataflow::Os => {
                let phantom = if compat {
                    self.folds() * (self.rows + self.cols)
                } else {
                    0
                };
                (
                    self.col_folds * t * sr,
                    self.row_folds * t * sc,
                    sr * sc + phantom,
                )
            }
            Dataflow::Is => (sr * sc, self.col_folds * t * sr, self.row_folds * t * sc),
        }
    }
}

/// A run of demanded array columns `lo..hi` in one demand row, and how to name their addresses.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RowSpan {
    pub lo: u64,
    pub hi: u64,
    /// Operand-matrix entry of column `c` is `(a0 + a_c * c, b0 + b_c * c)` (wrapping arithmetic
    /// encodes the descending index of skewed rows).
    pub a0: u64,
    pub a_c: u64,
    pub b0: u64,
    pub b_c: u64,
}

impl RowSpan {
    pub(crate) fn len(&self) -> u64 {
        self.hi.saturating_sub(self.lo)
    }

    /// Operand-matrix coordinates of column `c`.
    #[inline]
    pub(crate) fn entry(&self, c: u64) -> (u64, u64) {
        (
            self.a0.wrapping_add(self.a_c.wrapping_mul(c)),
            self.b0.wrapping_add(self.b_c.wrapping_mul(c)),
        )
    }
}

/// Columns `c < used` of a skewed row `t` whose pre-skew row `t - c` lies in `start..start+len`.
#[inline]
fn skew_cols(t: u64, start: u64, len: u64, used: u64) -> (u64, u64) {
    // c in (t - (start + len), t - start], i.e. lo = t + 1 - (start + len), hi = t - start + 1.
    let lo = (t + 1).saturating_sub(start + len);
    let hi = if t + 1 >= start {
        (t + 1 - start).min(used)
    } else {
        0
    };
    (lo, hi.max(lo).min(used.max(lo)))
}

const NEG1: u64 = u64::MAX; // -1 in wrapping arithmetic

impl Mapping {
    /// The demanded columns of operand `op` in row `t` of fold `(fc, fr)`, with the operand
    /// matrix entry each column reads (ifmap: `(pixel, window)`; filter: `(window, filter)`;
    /// ofmap: unused).
    #[inline]
    pub(crate) fn row_span(&self, op: Operand, fc: u64, fr: u64, t: u64) -> RowSpan {
        let (r, c) = (self.rows, self.cols);
        let (ru, cu) = (self.rows_used(fr), self.cols_used(fc));
        let (r0, c0) = (fr * r, fc * c);
        let empty = RowSpan {
            lo: 0,
            hi: 0,
            a0: 0,
            a_c: 0,
            b0: 0,
            b_c: 0,
        };
        match (self.dataflow, op) {
            // ws: ifmap skewed over R columns, rows R..R+T hold pixels; column c = window r0+c.
            (Dataflow::Ws, Operand::Ifmap) => {
                let (lo, hi) = skew_cols(t, r, self.t, ru);
                // pixel = t - c - R
                RowSpan {
                    lo,
                    hi,
                    a0: t.wrapping_sub(r),
                    a_c: NEG1,
                    b0: r0,
                    b_c: 1,
                }
            }
            (Dataflow::Ws, Operand::Filter) => {
                if t >= r || r - 1 - t >= ru {
                    return empty;
                }
                RowSpan {
                    lo: 0,
                    hi: cu,
                    a0: r0 + (r - 1 - t),
                    a_c: 0,
                    b0: c0,
                    b_c: 1,
                }
            }
            (Dataflow::Ws, Operand::Ofmap) | (Dataflow::Is, Operand::Ofmap) => {
                let (lo, hi) = skew_cols(t, 2 * r - 1, self.t, cu);
                RowSpan { lo, hi, ..empty }
            }
            // os: ifmap column c = pixel r0+c, pre-skew row = window element.
            (Dataflow::Os, Operand::Ifmap) => {
                let (lo, hi) = skew_cols(t, 0, self.t, ru);
                RowSpan {
                    lo,
                    hi,
                    a0: r0,
                    a_c: 1,
                    b0: t,
                    b_c: NEG1,
                }
            }
            (Dataflow::Os, Operand::Filter) => {
                let (lo, hi) = skew_cols(t, 0, self.t, cu);
                RowSpan {
                    lo,
                    hi,
                    a0: t,
                    a_c: NEG1,
                    b0: c0,
                    b_c: 1,
                }
            }
            (Dataflow::Os, Operand::Ofmap) => {
                let (lo, hi) = skew_cols(t, self.t - 1 + (r - ru), ru, cu);
                RowSpan { lo, hi, ..empty }
            }
            // is: ifmap flipped block, no skew; column c = pixel c0+c, row = window element.
            (Dataflow::Is, Operand::Ifmap) => {
                if t >= r || r - 1 - t >= ru {
                    return empty;
                }
                RowSpan {
                    lo: 0,
                    hi: cu,
                    a0: c0,
                    a_c: 1,
                    b0: r0 + (r - 1 - t),
                    b_c: 0,
                }
            }
            (Dataflow::Is, Operand::Filter) => {
                let (lo, hi) = skew_cols(t, r, self.t, ru);
                RowSpan {
                    lo,
                    hi,
                    a0: r0,
                    a_c: 1,
                    b0: t.wrapping_sub(r),
                    b_c: NEG1,
                }
            }
        }
    }

    /// The prefetch order SCALE-Sim's USER-bandwidth read buffer installs for `op`, as
    /// operand-matrix entries (`None` for padding), in order.
    pub(crate) fn prefetch_order(&self, op: Operand, mut f: impl FnMut(Option<(u64, u64)>)) {
        let (r, c) = (self.rows, self.cols);
        // (rows, width, rolled, entry(row, col))
        let (rows, width, rolled) = match (self.dataflow, op) {
            (Dataflow::Ws, Operand::Ifmap) => (self.row_folds * self.t, r, true),
            (Dataflow::Ws, Operand::Filter) => (self.col_folds * self.sr, c, false),
            (Dataflow::Os, Operand::Ifmap) => (self.row_folds * self.t, r, true),
            (Dataflow::Os, Operand::Filter) => (self.col_folds * self.t, c, true),
            (Dataflow::Is, Operand::Ifmap) => (self.col_folds * self.sr, c, false),
            (Dataflow::Is, Operand::Filter) => (self.row_folds * self.t, r, true),
            (_, Operand::Ofmap) => return,
        };
        let entry = |row: u64, col: u64| -> Option<(u64, u64)> {
            match (self.dataflow, op) {
                (Dataflow::Ws, Operand::Ifmap) => {
                    let (fr, tau) = (row / self.t, row % self.t);
                    let w = fr * r + col;
                    (w < self.sr).then_some((tau, w))
                }
                (Dataflow::Ws, Operand::Filter) => {
                    let (fc, i) = (row / self.sr, row % self.sr);
                    let n = fc * c + col;
                    (n < self.sc).then_some((i, n))
                }
                (Dataflow::Os, Operand::Ifmap) => {
                    let (fr, tau) = (row / self.t, row % self.t);
                    let px = fr * r + col;
                    (px < self.sr).then_some((px, tau))
                }
                (Dataflow::Os, Operand::Filter) => {
                    let (fc, tau) = (row / self.t, row % self.t);
                    let n = fc * c + col;
                    (n < self.sc).then_some((tau, n))
                }
                (Dataflow::Is, Operand::Ifmap) => {
                    let (fc, i) = (row / self.sr, row % self.sr);
                    let px = fc * c + col;
                    (px < self.sc).then_some((px, i))
                }
                (Dataflow::Is, Operand::Filter) => {
                    let (fr, tau) = (row / self.t, row % self.t);
                    let w = fr * r + col;
                    (w < self.sr).then_some((w, tau))
                }
                (_, Operand::Ofmap) => None,
            }
        };
        if !rolled {
            for row in 0..rows {
                for col in 0..width {
                    f(entry(row, col));
                }
            }
            return;
        }
        // Anti-diagonals, bottom-left first, as SCALE-Sim's "roll out along the diagonal".
        for diag in 0..rows + width {
            let max_row = diag.min(rows - 1);
            let min_row = (diag + 1).saturating_sub(width);
            if max_row < min_row {
                continue;
            }
            let mut row = max_row;
            loop {
                f(entry(row, diag - row));
                if row == min_row {
                    break;
                }
                row -= 1;
            }
        }
    }

    /// Total entries (including padding) of the prefetch matrix of `op`.
    pub(crate) fn prefetch_len(&self, op: Operand) -> u64 {
        match (self.dataflow, op) {
            (Dataflow::Ws, Operand::Ifmap) | (Dataflow::Os, Operand::Ifmap) => {
                self.row_folds * self.t * self.rows
            }
            (Dataflow::Ws, Operand::Filter) => self.col_folds * self.sr * self.cols,
            (Dataflow::Os, Operand::Filter) => self.col_folds * self.t * self.cols,
            (Dataflow::Is, Operand::Ifmap) => self.col_folds * self.sr * self.cols,
            (Dataflow::Is, Operand::Filter) => self.row_folds * self.t * self.rows,
            (_, Operand::Ofmap) => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gemm_layer_is_a_one_row_convolution() {
        let l = Layer::gemm("g", 40, 20, 30);
        assert_eq!(
            (l.ofmap_h(), l.ofmap_w(), l.window(), l.macs()),
            (40, 1, 30, 40 * 20 * 30)
        );
        let a = IfmapAddr::new(&l);
        assert_eq!(a.get(3, 7), Some(3 * 30 + 7));
    }

    #[test]
    fn conv_windows_off_the_edge_are_padding() {
        let l = Layer {
            name: "c".into(),
            ifmap_h: 9,
            ifmap_w: 9,
            filter_h: 3,
            filter_w: 3,
            channels: 3,
            num_filters: 5,
            stride_h: 2,
            stride_w: 2,
        };
        assert_eq!(l.ofmap_h(), 4);
        let a = IfmapAddr::new(&l);
        assert_eq!(a.get(0, 0), Some(0));
        // Pixel (0,1) starts at column 2; window element (0,1,0) -> column 3.
        assert_eq!(a.get(1, 3), Some(9));
        let l2 = Layer {
            ifmap_h: 8,
            ifmap_w: 8,
            ..l
        };
        // ofmap_h = ceil(7/2) = 4: the last window starts at row 6 and runs off the 8-row image.
        let a2 = IfmapAddr::new(&l2);
        assert_eq!(a2.get(15, 3 * 3 * 3 - 1), None);
    }

    #[test]
    fn skew_columns() {
        // pre rows 2..5 (start 2, len 3), 4 columns used.
        assert_eq!(skew_cols(0, 2, 3, 4), (0, 0));
        let (lo, hi) = skew_cols(2, 2, 3, 4);
        assert_eq!((lo, hi), (0, 1));
        let (lo, hi) = skew_cols(5, 2, 3, 4);
        assert_eq!((lo, hi), (1, 4));
        let (lo, hi) = skew_cols(9, 2, 3, 4);
        assert_eq!(hi.saturating_sub(lo), 0);
    }
}
