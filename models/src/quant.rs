//! Quantization schemes: weight, activation and KV-cache formats, written like `w2a8kv4`.
//!
//! # Grammar
//!
//! Case-insensitive, surrounding whitespace ignored, parts in this order:
//!
//! ```text
//! scheme := "w" WEIGHT "a" ACT [ "kv" KV ] [ "g" GROUP ] [ "z" ] [ "h" WEIGHT ]
//! WEIGHT := "1"            binary {-1, +1}
//!         | "1.58"         ternary {-1, 0, +1}
//!         | "2" | "3" | "4" | "8"   signed integer of that width
//!         | "16"           fp16 (unquantized)
//!         | ("c" | "cb") B codebook of 2^B entries, B in 1..=8 (e.g. `wc3`, `wcb3`)
//!         | "v" C "x" L    vector-quantized: each run of L weights along the input dimension is
//!                          the index of one of C centroids (e.g. `wv16x2`)
//! ACT    := "8" (INT8) | "16" (FP16) | "fp8" (FP8 E4M3)
//!         | "v" C "x" L    vector-quantized: each run of L activations is the index of one of
//!                          C centroids (e.g. `av64x2`)
//! C      := 2 | 4 | 8 | ... | 256    centroids, a power of two (the index is log2(C) bits)
//! L      := integer 1..=16           vector length
//! KV     := "4" | "8" | "16"        KV-cache INT4, INT8 or FP16; FP16 when omitted
//! GROUP  := integer 1..=1048576     weights per scale along the input dimension;
//!                                   omitted = one scale per output channel
//! "z"                               each group also stores a zero point (integer weights only)
//! "h" WEIGHT                        the LM head's format (per output channel, no zero point);
//!                                   fp16 when omitted
//! ```
//!
//! Vector quantization is LUT-LLM's activation-weight co-quantization (He et al., arXiv
//! 2511.06174; code LUT-FPGA/LUT-LLM): a product of an activation vector and a weight vector
//! becomes one read of a C_a x C_w table of centroid dot products (see
//! [`crate::numerics::vq`]). LUT-LLM's scheme is `wv16x2av64x2`. When the weights (or the LM
//! head) and the activations are both VQ they must have the same L (one table per pair of
//! vectors); VQ weights take no group size `g` (their codebook replaces the scale groups).
//!
//! The scheme quantizes the linear layers of the transformer blocks. The LM head stays fp16
//! unless `h` says otherwise, as GPTQ (Frantar et al., arXiv 2210.17323, 2022, Sec. 5: "we keep
//! the embeddings and the output layer in full precision") and BitNet b1.58 (whose
//! `quantization_config` covers only the BitLinear layers; its tied embedding is bf16) ship their
//! models; `h4` or `h8` describe a quantized head as llama.cpp's k-quants store one.
//!
//! Examples: `w2a8kv4`, `w1.58a8` (BitNet b1.58), `w4a16g128`, `w4a16g128z` (GPTQ/AWQ style),
//! `wc3afp8`, `w2a8kv4h4` (a 4-bit LM head), `wv16x2av64x2` (LUT-LLM). Both `a` and `w` are
//! required. A group size is not allowed with fp16 or VQ weights.
//! `Display` writes the canonical form, always with the `kv` part (`w1.58a8kv16`) and with the
//! `h` part only for a quantized head, and parses back to the same scheme.
//!
//! # Storage
//!
//! Scales are fp16 (2 bytes). A zero point is stored at the weight width, packed, as the
//! `qzeros` tensor of GPTQ/AWQ checkpoints does. A codebook scheme also stores one table of
//! 2^B fp16 entries per matrix, a VQ scheme one of C x L fp16 entries per matrix. Ternary
//! weights take 2 bits each, VQ weights log2(C)/L bits each (see
//! [`WeightFormat::storage_bits`]). A VQ row of K weights stores ceil(K/L) indices: its last
//! vector is zero-padded.

use std::fmt;
use std::str::FromStr;

use crate::config::ModelConfig;
use crate::error::ModelError;
use crate::limits::Limit;

/// Bytes of one fp16 scale, codebook entry or fp16 weight (IEEE 754 binary16).
const FP16_BYTES: u64 = 2;

/// Storage format of linear-layer weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WeightFormat {
    /// {-1, +1}, 1 bit.
    Binary,
    /// {-1, 0, +1}, 1.58 bits of information.
    Ternary,
    /// Signed integer of the given width (2, 3, 4 or 8 bits).
    Int(u8),
    /// IEEE half precision.
    Fp16,
    /// Non-uniform codebook of 2^bits entries (indices of `bits` bits).
    Codebook(u8),
    /// Vector-quantized: each `len` consecutive weights along the input dimension are the
    /// index of one of `centroids` vectors (a power of two in 2..=256; `len` in 1..=16).
    Vq {
        /// Centroids in the codebook (C).
        centroids: u16,
        /// Weights per vector (L).
        len: u8,
    },
}

/// Smallest and largest centroid count C of a VQ format (a power of two: 2^1 ..= 2^8).
const VQ_CENTROIDS: (u64, u64) = (2, 256);
/// Smallest and largest vector length L of a VQ format.
const VQ_LEN: (u64, u64) = (1, 16);

/// Bits of an index into `centroids` entries: ceil(log2(centroids)), log2(C) for the powers of
/// two a valid format has (0 for 0 or 1 entry).
fn index_bits(centroids: u16) -> u32 {
    u16::BITS - centroids.saturating_sub(1).leading_zeros()
}

/// Why the decimal `text` is not a VQ centroid count C, if it is not (`what` names the side:
/// `weight` or `activation`).
fn vq_centroid_problem(what: &str, text: &str) -> Option<String> {
    let (lo, hi) = VQ_CENTROIDS;
    match text.parse::<u64>() {
        Ok(c) if !c.is_power_of_two() => Some(format!(
            "{what} VQ centroid count `{text}` is not a power of two (2, 4, ..., 256)"
        )),
        Ok(c) if (lo..=hi).contains(&c) => None,
        // A power of two out of range, or digits too many for any integer type.
        _ => Some(format!(
            "{what} VQ centroid count `{text}` is not in {lo}..={hi}"
        )),
    }
}

/// Why the decimal `text` is not a VQ vector length L, if it is not.
fn vq_len_problem(what: &str, text: &str) -> Option<String> {
    let (lo, hi) = VQ_LEN;
    match text.parse::<u64>() {
        Ok(len) if (lo..=hi).contains(&len) => None,
        _ => Some(format!(
            "{what} VQ vector length `{text}` is not in {lo}..={hi}"
        )),
    }
}

/// Why `centroids` and `len` are not a valid VQ format, if they are not.
fn vq_problem(what: &str, centroids: u16, len: u8) -> Option<String> {
    vq_centroid_problem(what, &centroids.to_string())
        .or_else(|| vq_len_problem(what, &len.to_string()))
}

/// Why weights in `weight` cannot take a group size, if they cannot.
fn group_format_problem(weight: WeightFormat) -> Option<String> {
    match weight {
        WeightFormat::Fp16 => Some("fp16 weights (w16) take no group size".into()),
        WeightFormat::Vq { .. } => Some(format!(
            "VQ weights (w{weight}) take no group size: their codebook replaces the scale groups"
        )),
        _ => None,
    }
}

impl WeightFormat {
    /// Bits one weight occupies in memory.
    ///
    /// Ternary weights are stored in 2 bits each, as the I2_S layout of bitnet.cpp does
    /// (microsoft/BitNet; "Bitnet.cpp: Efficient Edge Inference for Ternary LLMs",
    /// arXiv 2502.11880, Sec. 3): the 1.58-bit information content is not packed further.
    /// A codebook weight is its `bits`-bit index. A VQ weight is its share of one vector's
    /// index, log2(C)/L bits (`wv16x2`: a 4-bit index per 2 weights, 2 bits each), not
    /// necessarily a whole number; the padding of a row's last vector and the codebook are
    /// counted by [`QuantScheme::weight_bytes`].
    pub fn storage_bits(&self) -> f64 {
        match *self {
            WeightFormat::Binary => 1.0,
            WeightFormat::Ternary => 2.0,
            WeightFormat::Int(bits) | WeightFormat::Codebook(bits) => f64::from(bits),
            WeightFormat::Fp16 => 16.0,
            WeightFormat::Vq { centroids, len } => {
                f64::from(index_bits(centroids)) / f64::from(len.max(1))
            }
        }
    }

    /// Bit planes a bit-serial LUT engine processes per weight: binary 1, ternary 2
    /// (two's complement {-1, 0, 1} in 2 bits), INT-k k, codebook index bits, fp16 16.
    /// A VQ weight has no bit planes; this is then the width of one vector index, log2(C)
    /// (every architecture family refuses VQ weights before asking for planes).
    pub fn compute_bit_planes(&self) -> u32 {
        match *self {
            WeightFormat::Binary => 1,
            WeightFormat::Ternary => 2,
            WeightFormat::Int(bits) | WeightFormat::Codebook(bits) => u32::from(bits),
            WeightFormat::Fp16 => 16,
            WeightFormat::Vq { centroids, .. } => index_bits(centroids),
        }
    }

    /// Weights per stored index: the VQ vector length L, 1 for every scalar format.
    pub fn vector_len(&self) -> u32 {
        match *self {
            WeightFormat::Vq { len, .. } => u32::from(len),
            _ => 1,
        }
    }

    /// True for every format except fp16.
    pub fn is_quantized(&self) -> bool {
        !matches!(self, WeightFormat::Fp16)
    }
}

impl fmt::Display for WeightFormat {
    /// The weight part of the grammar, without the leading `w`: `1`, `1.58`, `4`, `16`, `c3`,
    /// `v16x2`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            WeightFormat::Binary => write!(f, "1"),
            WeightFormat::Ternary => write!(f, "1.58"),
            WeightFormat::Int(bits) => write!(f, "{bits}"),
            WeightFormat::Fp16 => write!(f, "16"),
            WeightFormat::Codebook(bits) => write!(f, "c{bits}"),
            WeightFormat::Vq { centroids, len } => write!(f, "v{centroids}x{len}"),
        }
    }
}

/// Activation format fed to the matrix units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActFormat {
    /// Signed 8-bit integer.
    Int8,
    /// 8-bit float, E4M3.
    Fp8E4M3,
    /// IEEE half precision.
    Fp16,
    /// Vector-quantized: each `len` consecutive activations along the reduction dimension are
    /// the index of one of `centroids` vectors (a power of two in 2..=256; `len` in 1..=16).
    Vq {
        /// Centroids in the codebook (C).
        centroids: u16,
        /// Activations per vector (L).
        len: u8,
    },
}

impl ActFormat {
    /// Bits of one element of the stream the matrix unit reads: the activation's width, or for
    /// VQ the width of one centroid index, log2(C), which stands for [`ActFormat::vector_len`]
    /// activations. Bytes of a stream are `ceil(K / vector_len) * bits / 8` per row of K
    /// activations ([`ActFormat::storage_bits`] is the exact share of one activation).
    pub fn bits(&self) -> u32 {
        match *self {
            ActFormat::Int8 | ActFormat::Fp8E4M3 => 8,
            ActFormat::Fp16 => 16,
            ActFormat::Vq { centroids, .. } => index_bits(centroids),
        }
    }

    /// Activations per stream element: the VQ vector length L, 1 for every scalar format.
    pub fn vector_len(&self) -> u32 {
        match *self {
            ActFormat::Vq { len, .. } => u32::from(len),
            _ => 1,
        }
    }

    /// Bits one activation occupies: [`ActFormat::bits`] / [`ActFormat::vector_len`], log2(C)/L
    /// for VQ (`av64x2`: 3), exact for a row whose length is a multiple of L.
    pub fn storage_bits(&self) -> f64 {
        f64::from(self.bits()) / f64::from(self.vector_len().max(1))
    }
}

impl fmt::Display for ActFormat {
    /// The activation part of the grammar, without the leading `a`: `8`, `fp8`, `16`, `v64x2`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ActFormat::Int8 => write!(f, "8"),
            ActFormat::Fp8E4M3 => write!(f, "fp8"),
            ActFormat::Fp16 => write!(f, "16"),
            ActFormat::Vq { centroids, len } => write!(f, "v{centroids}x{len}"),
        }
    }
}

/// KV-cache storage format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KvFormat {
    /// 4-bit integer (with per-group scales).
    Int4,
    /// 8-bit integer.
    Int8,
    /// IEEE half precision.
    Fp16,
}

impl KvFormat {
    /// Bits per cached key or value element (scales not included).
    pub fn bits(&self) -> u32 {
        match self {
            KvFormat::Int4 => 4,
            KvFormat::Int8 => 8,
            KvFormat::Fp16 => 16,
        }
    }
}

impl fmt::Display for KvFormat {
    /// The KV part of the grammar, without the leading `kv`: `4`, `8`, `16`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.bits())
    }
}

/// A complete quantization scheme. `group_size` is the number of weights sharing one scale
/// (and zero point); `None` means one scale per output channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct QuantScheme {
    /// Weight format.
    pub weight: WeightFormat,
    /// Activation format.
    pub act: ActFormat,
    /// KV-cache format.
    pub kv: KvFormat,
    /// Weights per scale group (range [`QuantScheme::GROUP_SIZE`]); `None` = per output
    /// channel.
    pub group_size: Option<u32>,
    /// Whether each group also stores a zero point (asymmetric quantization).
    pub zero_point: bool,
    /// Format of the LM head (fp16 unless the scheme quantizes it; see the module doc).
    pub head: WeightFormat,
}

impl QuantScheme {
    /// Range of `group_size`: a group longer than the widest row ([`ModelConfig::HIDDEN_SIZE`]
    /// and [`ModelConfig::INTERMEDIATE_SIZE`] reach 2^20) is one scale per row.
    pub const GROUP_SIZE: Limit = Limit::new(1.0, 1_048_576.0, "weights", "");

    /// Unquantized fp16 weights, activations and KV cache: `w16a16kv16`.
    pub const FP16: QuantScheme = QuantScheme {
        weight: WeightFormat::Fp16,
        act: ActFormat::Fp16,
        kv: KvFormat::Fp16,
        group_size: None,
        zero_point: false,
        head: WeightFormat::Fp16,
    };

    /// BitNet b1.58: ternary weights, INT8 activations, fp16 KV cache: `w1.58a8kv16`
    /// ("The Era of 1-bit LLMs", arXiv 2402.17764).
    pub const BITNET_B158: QuantScheme = QuantScheme {
        weight: WeightFormat::Ternary,
        act: ActFormat::Int8,
        kv: KvFormat::Fp16,
        group_size: None,
        zero_point: false,
        head: WeightFormat::Fp16,
    };

    /// The format a model is published in: ternary `w1.58a8kv16` for `bitnet`, fp16
    /// `w16a16kv16` for every other family.
    pub(crate) fn native_for(config: &ModelConfig) -> QuantScheme {
        if config.model_type == "bitnet" {
            QuantScheme::BITNET_B158
        } else {
            QuantScheme::FP16
        }
    }

    /// The scheme the LM head runs in: its own weight format, per output channel, without zero
    /// points; an fp16 head reads fp16 activations (it is not a quantized layer), a quantized
    /// head reads the scheme's activation format.
    pub fn head_scheme(&self) -> QuantScheme {
        QuantScheme {
            weight: self.head,
            act: if self.head == WeightFormat::Fp16 {
                ActFormat::Fp16
            } else {
                self.act
            },
            kv: self.kv,
            group_size: None,
            zero_point: false,
            head: self.head,
        }
    }

    /// Checks what the parser guarantees, for a scheme built field by field: integer weights of
    /// 2, 3, 4 or 8 bits, codebooks of 1..=8 index bits, VQ formats of a power-of-two C in
    /// 2..=256 and an L in 1..=16, `group_size` in [`QuantScheme::GROUP_SIZE`] and absent for
    /// fp16 and VQ weights, a zero point only with integer weights, and the same L for VQ
    /// activations and VQ weights (or LM head).
    pub fn validate(&self) -> Result<(), ModelError> {
        let bad = |message: String| ModelError::BadQuant {
            text: self.to_string(),
            message,
        };
        for (part, format) in [("weights", self.weight), ("LM head", self.head)] {
            match format {
                WeightFormat::Int(bits) if ![2, 3, 4, 8].contains(&bits) => {
                    return Err(bad(format!(
                        "{part}: weight width {bits} is not one of 1, 1.58, 2, 3, 4, 8, 16 \
                         (or c<bits> for a codebook)"
                    )))
                }
                WeightFormat::Codebook(bits) if !(1..=8).contains(&bits) => {
                    return Err(bad(format!(
                        "{part}: codebook index width `{bits}` is not one of 1..=8"
                    )))
                }
                WeightFormat::Vq { centroids, len } => {
                    if let Some(problem) = vq_problem("weight", centroids, len) {
                        return Err(bad(format!("{part}: {problem}")));
                    }
                }
                _ => {}
            }
        }
        if let ActFormat::Vq { centroids, len } = self.act {
            if let Some(problem) = vq_problem("activation", centroids, len) {
                return Err(bad(problem));
            }
        }
        if let Some(group) = self.group_size {
            if let Some(problem) = group_format_problem(self.weight) {
                return Err(bad(problem));
            }
            QuantScheme::GROUP_SIZE
                .check_u64(u64::from(group))
                .map_err(|message| bad(format!("group size `{group}` {message}")))?;
        }
        if self.zero_point && !matches!(self.weight, WeightFormat::Int(_)) {
            return Err(bad(format!(
                "a zero point (`z`) needs integer weights (w2, w3, w4, w8), not w{}",
                self.weight
            )));
        }
        match self.pairing_problem() {
            Some(problem) => Err(bad(problem)),
            None => Ok(()),
        }
    }

    /// Why VQ activations and VQ weights (or a VQ LM head) cannot be co-quantized, if they
    /// cannot: each product of an activation vector and a weight vector is one table read, so
    /// both sides need the same vector length.
    fn pairing_problem(&self) -> Option<String> {
        let ActFormat::Vq { len: act_len, .. } = self.act else {
            return None;
        };
        [("", 'w', self.weight), ("LM head: ", 'h', self.head)]
            .into_iter()
            .find_map(|(part, letter, weight)| match weight {
                WeightFormat::Vq { len, .. } if len != act_len => Some(format!(
                    "{part}VQ weights {letter}{weight} and activations a{} need the same vector \
                     length (co-quantization), not {len} and {act_len}",
                    self.act
                )),
                _ => None,
            })
    }

    /// Metadata bytes per weight amortized over a group: one fp16 scale, plus a zero point
    /// at the weight width when `zero_point`, divided by `group_size`.
    ///
    /// Per-channel schemes (`group_size == None`) and fp16 weights return 0.0 here: their
    /// per-row scale depends on the row length; [`QuantScheme::weight_bytes`] counts it.
    pub fn scale_bytes_per_weight(&self) -> f64 {
        match (self.weight, self.group_size) {
            (WeightFormat::Fp16, _) | (_, None) => 0.0,
            (_, Some(group)) => {
                let zero_bits = if self.zero_point {
                    self.weight.storage_bits()
                } else {
                    0.0
                };
                (FP16_BYTES as f64 + zero_bits / 8.0) / f64::from(group)
            }
        }
    }

    /// Effective bits per weight: storage bits plus amortized group metadata.
    pub fn bits_per_weight(&self) -> f64 {
        self.weight.storage_bits() + 8.0 * self.scale_bytes_per_weight()
    }

    /// Exact bytes of a `rows x cols` weight matrix in this scheme, where `rows` is the number
    /// of output channels and `cols` the input (reduction) dimension along which groups run.
    ///
    /// = ceil(rows*cols*storage_bits / 8)            packed weights; for VQ
    ///   ceil(rows * ceil(cols / L) * log2(C) / 8)   (each row's last vector zero-padded)
    /// + 2 * rows * groups_per_row                   fp16 scales (groups_per_row =
    ///   ceil(cols / group_size), or 1 per channel)
    /// + ceil(rows * groups_per_row * bits / 8)      packed zero points, when `zero_point`
    /// + 2 * 2^B                                     the codebook, for `Codebook(B)`
    /// + 2 * C * L                                   the codebook, for `Vq { C, L }`.
    ///
    /// fp16 weights carry no metadata. Saturates at `u64::MAX`; see
    /// [`QuantScheme::try_weight_bytes`] for a checked count.
    pub fn weight_bytes(&self, rows: u64, cols: u64) -> u64 {
        self.try_weight_bytes(rows, cols).unwrap_or(u64::MAX)
    }

    /// [`QuantScheme::weight_bytes`], or `None` when the count does not fit in a `u64`.
    pub fn try_weight_bytes(&self, rows: u64, cols: u64) -> Option<u64> {
        let rows = u128::from(rows);
        let cols = u128::from(cols);
        // Every format stores a whole number of bits per element: per weight (ternary: 2), or
        // per vector of L weights for VQ (a log2(C)-bit index).
        let bits = u128::from(self.weight.compute_bit_planes());
        let per_row = cols.div_ceil(u128::from(self.weight.vector_len().max(1)));
        let packed = rows
            .saturating_mul(per_row)
            .saturating_mul(bits)
            .div_ceil(8);
        let meta = if self.weight.is_quantized() {
            let groups_per_row = match self.group_size {
                // A group of 0 is refused by `validate`; `max(1)` only keeps this total.
                Some(group) => cols.div_ceil(u128::from(group.max(1))),
                None => 1,
            };
            let groups = rows.saturating_mul(groups_per_row);
            let scales = groups.saturating_mul(u128::from(FP16_BYTES));
            let zeros = if self.zero_point {
                groups.saturating_mul(bits).div_ceil(8)
            } else {
                0
            };
            let codebook = match self.weight {
                // Valid codebooks have b <= 8; larger ones only must not overflow the shift.
                WeightFormat::Codebook(b) if b < 120 => u128::from(FP16_BYTES) << b,
                WeightFormat::Codebook(_) => u128::MAX,
                WeightFormat::Vq { centroids, len } => {
                    u128::from(FP16_BYTES) * u128::from(centroids) * u128::from(len)
                }
                _ => 0,
            };
            scales.saturating_add(zeros).saturating_add(codebook)
        } else {
            0
        };
        // The u128 terms saturate only far beyond u64::MAX, so a saturated term fails here too.
        u64::try_from(packed.saturating_add(meta)).ok()
    }
}

impl fmt::Display for QuantScheme {
    /// Canonical form, e.g. `w4a16kv16g128z`; parses back to the same scheme.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "w{}a{}kv{}", self.weight, self.act, self.kv)?;
        if let Some(group) = self.group_size {
            write!(f, "g{group}")?;
        }
        if self.zero_point {
            write!(f, "z")?;
        }
        if self.head != WeightFormat::Fp16 {
            write!(f, "h{}", self.head)?;
        }
        Ok(())
    }
}

/// A cursor over the lower-cased scheme text.
struct Cursor<'a> {
    rest: &'a str,
}

impl<'a> Cursor<'a> {
    /// Consumes `prefix` if the text continues with it.
    fn eat(&mut self, prefix: &str) -> bool {
        match self.rest.strip_prefix(prefix) {
            Some(rest) => {
                self.rest = rest;
                true
            }
            None => false,
        }
    }

    /// Consumes the longest run of characters satisfying `pred`.
    fn take_while(&mut self, pred: impl Fn(char) -> bool) -> &'a str {
        let end = self
            .rest
            .char_indices()
            .find(|&(_, c)| !pred(c))
            .map_or(self.rest.len(), |(i, _)| i);
        let (head, tail) = self.rest.split_at(end);
        self.rest = tail;
        head
    }
}

impl FromStr for QuantScheme {
    type Err = ModelError;

    /// Parses the grammar in the module documentation.
    fn from_str(text: &str) -> Result<QuantScheme, ModelError> {
        let bad = |message: String| ModelError::BadQuant {
            text: text.to_string(),
            message,
        };
        let lower = text.trim().to_ascii_lowercase();
        let mut cur = Cursor { rest: &lower };

        if !cur.eat("w") {
            return Err(bad(
                "must start with `w` and the weight width (e.g. `w4a16`, `w1.58a8`)".into(),
            ));
        }
        let weight = parse_weight(&mut cur).map_err(bad)?;

        if !cur.eat("a") {
            return Err(bad(format!(
                "expected `a` and the activation format after the weight width, found `{}`",
                or_end(cur.rest)
            )));
        }
        let act = if cur.eat("fp8") {
            ActFormat::Fp8E4M3
        } else if cur.eat("v") {
            let (centroids, len) = parse_vq(&mut cur, "activation").map_err(bad)?;
            ActFormat::Vq { centroids, len }
        } else {
            match cur.take_while(|c| c.is_ascii_digit()) {
                "8" => ActFormat::Int8,
                "16" => ActFormat::Fp16,
                "" => return Err(bad("missing activation format after `a`".into())),
                other => {
                    return Err(bad(format!(
                        "activation width {other} is not one of 8, 16, fp8"
                    )))
                }
            }
        };

        let kv = if cur.eat("kv") {
            match cur.take_while(|c| c.is_ascii_digit()) {
                "4" => KvFormat::Int4,
                "8" => KvFormat::Int8,
                "16" => KvFormat::Fp16,
                "" => return Err(bad("missing KV-cache width after `kv`".into())),
                other => {
                    return Err(bad(format!(
                        "KV-cache width {other} is not one of 4, 8, 16"
                    )))
                }
            }
        } else {
            KvFormat::Fp16
        };

        let group_size = if cur.eat("g") {
            let digits = cur.take_while(|c| c.is_ascii_digit());
            let out_of_range = || {
                bad(format!(
                    "group size `{digits}` {}",
                    QuantScheme::GROUP_SIZE.message()
                ))
            };
            match digits.parse::<u64>() {
                Ok(0) => {
                    return Err(bad(format!(
                        "group size `{digits}` is not a positive integer"
                    )))
                }
                Ok(group) => match QuantScheme::GROUP_SIZE
                    .check_u64(group)
                    .ok()
                    .and_then(|g| u32::try_from(g).ok())
                {
                    Some(group) => Some(group),
                    None => return Err(out_of_range()),
                },
                // Only digits reach here: a number too large for u64.
                Err(_) if !digits.is_empty() => return Err(out_of_range()),
                Err(_) => {
                    return Err(bad(format!(
                        "group size `{digits}` is not a positive integer"
                    )))
                }
            }
        } else {
            None
        };
        let zero_point = cur.eat("z");
        let head = if cur.eat("h") {
            parse_weight(&mut cur).map_err(|m| bad(format!("LM head: {m}")))?
        } else {
            WeightFormat::Fp16
        };

        if !cur.rest.is_empty() {
            return Err(bad(format!(
                "unexpected `{}`; expected w<bits>a<bits>[kv<bits>][g<size>][z][h<bits>]",
                cur.rest
            )));
        }
        if let Some(problem) = group_size.and_then(|_| group_format_problem(weight)) {
            return Err(bad(problem));
        }
        if zero_point && !matches!(weight, WeightFormat::Int(_)) {
            return Err(bad(format!(
                "a zero point (`z`) needs integer weights (w2, w3, w4, w8), not w{weight}"
            )));
        }
        let scheme = QuantScheme {
            weight,
            act,
            kv,
            group_size,
            zero_point,
            head,
        };
        match scheme.pairing_problem() {
            Some(problem) => Err(bad(problem)),
            None => Ok(scheme),
        }
    }
}

/// Parses `C "x" L` of a VQ format (after its `v`); `what` names the side in errors.
fn parse_vq(cur: &mut Cursor<'_>, what: &str) -> Result<(u16, u8), String> {
    let centroids = cur.take_while(|c| c.is_ascii_digit());
    if centroids.is_empty() {
        return Err(format!(
            "missing {what} VQ centroid count after `v` (e.g. `v16x2`)"
        ));
    }
    if let Some(problem) = vq_centroid_problem(what, centroids) {
        return Err(problem);
    }
    if !cur.eat("x") {
        return Err(format!(
            "expected `x` and the {what} VQ vector length after `v{centroids}`, found `{}`",
            or_end(cur.rest)
        ));
    }
    let len = cur.take_while(|c| c.is_ascii_digit());
    if len.is_empty() {
        return Err(format!("missing {what} VQ vector length after `x`"));
    }
    if let Some(problem) = vq_len_problem(what, len) {
        return Err(problem);
    }
    // Both checked above: C in 2..=256, L in 1..=16.
    match (centroids.parse::<u16>(), len.parse::<u8>()) {
        (Ok(centroids), Ok(len)) => Ok((centroids, len)),
        _ => Err(format!(
            "{what} VQ format `v{centroids}x{len}` is out of range"
        )),
    }
}

/// Parses a WEIGHT token of the grammar (after `w` or `h`).
fn parse_weight(cur: &mut Cursor<'_>) -> Result<WeightFormat, String> {
    if cur.eat("v") {
        let (centroids, len) = parse_vq(cur, "weight")?;
        return Ok(WeightFormat::Vq { centroids, len });
    }
    if cur.eat("cb") || cur.eat("c") {
        let digits = cur.take_while(|c| c.is_ascii_digit());
        return match digits.parse::<u8>() {
            Ok(bits) if (1..=8).contains(&bits) => Ok(WeightFormat::Codebook(bits)),
            _ => Err(format!(
                "codebook index width `{digits}` is not one of 1..=8"
            )),
        };
    }
    match cur.take_while(|c| c.is_ascii_digit() || c == '.') {
        "1" => Ok(WeightFormat::Binary),
        "1.58" => Ok(WeightFormat::Ternary),
        "2" => Ok(WeightFormat::Int(2)),
        "3" => Ok(WeightFormat::Int(3)),
        "4" => Ok(WeightFormat::Int(4)),
        "8" => Ok(WeightFormat::Int(8)),
        "16" => Ok(WeightFormat::Fp16),
        "" => Err("missing weight width".into()),
        other => Err(format!(
            "weight width {other} is not one of 1, 1.58, 2, 3, 4, 8, 16 (or c<bits> for a codebook)"
        )),
    }
}

/// The remaining text, or `end of text` when there is none.
fn or_end(rest: &str) -> &str {
    if rest.is_empty() {
        "end of text"
    } else {
        rest
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse(text: &str) -> QuantScheme {
        text.parse().unwrap()
    }

    #[test]
    fn parses_examples() {
        let s = parse("w2a8kv4");
        assert_eq!(s.weight, WeightFormat::Int(2));
        assert_eq!(s.act, ActFormat::Int8);
        assert_eq!(s.kv, KvFormat::Int4);
        assert_eq!(s.group_size, None);
        assert_eq!(parse("w1.58a8"), QuantScheme::BITNET_B158);
        assert_eq!(parse("W16A16"), QuantScheme::FP16);
        let g = parse("w4a16g128z");
        assert_eq!(g.group_size, Some(128));
        assert!(g.zero_point);
        assert_eq!(parse("wc3afp8").weight, WeightFormat::Codebook(3));
        assert_eq!(parse("wcb3afp8").act, ActFormat::Fp8E4M3);
        assert_eq!(parse("w1a8").weight, WeightFormat::Binary);
        assert_eq!(parse("w2a8kv4").head, WeightFormat::Fp16);
        assert_eq!(parse("w2a8kv4h4").head, WeightFormat::Int(4));
        assert_eq!(parse("w4a16g128zh8").head, WeightFormat::Int(8));
        assert!("w2a8h".parse::<QuantScheme>().is_err());
        assert!("w2a8h5".parse::<QuantScheme>().is_err());
    }

    #[test]
    fn parses_vq() {
        let lut_llm = parse("wv16x2av64x2");
        assert_eq!(
            lut_llm.weight,
            WeightFormat::Vq {
                centroids: 16,
                len: 2
            }
        );
        assert_eq!(
            lut_llm.act,
            ActFormat::Vq {
                centroids: 64,
                len: 2
            }
        );
        assert_eq!(lut_llm.kv, KvFormat::Fp16);
        assert_eq!(parse("WV16X2AV64X2KV4").kv, KvFormat::Int4);
        assert_eq!(lut_llm.to_string(), "wv16x2av64x2kv16");
        assert_eq!(parse("wv0016x2a8").to_string(), "wv16x2a8kv16");
        // Either side alone, and a VQ LM head (same L as the activations).
        assert_eq!(parse("w4av64x2").act.vector_len(), 2);
        assert_eq!(parse("wv256x16a16").weight.vector_len(), 16);
        assert_eq!(
            parse("w2av16x4hv8x4").head,
            WeightFormat::Vq {
                centroids: 8,
                len: 4
            }
        );
        assert_eq!(parse("w2a8hv8x3").to_string(), "w2a8kv16hv8x3");
        let err = |text: &str| match text.parse::<QuantScheme>() {
            Err(ModelError::BadQuant { message, .. }) => message,
            other => panic!("{text}: {other:?}"),
        };
        assert_eq!(
            err("wv12x2a8"),
            "weight VQ centroid count `12` is not a power of two (2, 4, ..., 256)"
        );
        assert_eq!(
            err("w4av48x2"),
            "activation VQ centroid count `48` is not a power of two (2, 4, ..., 256)"
        );
        assert_eq!(
            err("wv1x2a8"),
            "weight VQ centroid count `1` is not in 2..=256"
        );
        assert_eq!(
            err("wv512x2a8"),
            "weight VQ centroid count `512` is not in 2..=256"
        );
        assert_eq!(
            err("wv0x2a8"),
            "weight VQ centroid count `0` is not a power of two (2, 4, ..., 256)"
        );
        assert_eq!(
            err("wv16x0a8"),
            "weight VQ vector length `0` is not in 1..=16"
        );
        assert_eq!(
            err("wv16x17a8"),
            "weight VQ vector length `17` is not in 1..=16"
        );
        assert_eq!(
            err("wv16a8"),
            "expected `x` and the weight VQ vector length after `v16`, found `a8`"
        );
        assert_eq!(
            err("wva8"),
            "missing weight VQ centroid count after `v` (e.g. `v16x2`)"
        );
        assert_eq!(err("wv16xa8"), "missing weight VQ vector length after `x`");
        assert_eq!(
            err("wv16x2av64x4"),
            "VQ weights wv16x2 and activations av64x4 need the same vector length \
             (co-quantization), not 2 and 4"
        );
        assert_eq!(
            err("w2av64x2hv16x4"),
            "LM head: VQ weights hv16x4 and activations av64x2 need the same vector length \
             (co-quantization), not 4 and 2"
        );
        assert_eq!(
            err("wv16x2a8g128"),
            "VQ weights (wv16x2) take no group size: their codebook replaces the scale groups"
        );
        assert_eq!(
            err("wv16x2a8z"),
            "a zero point (`z`) needs integer weights (w2, w3, w4, w8), not wv16x2"
        );
        assert_eq!(
            err("w2a8hv12x2"),
            "LM head: weight VQ centroid count `12` is not a power of two (2, 4, ..., 256)"
        );
    }

    #[test]
    fn display_is_canonical() {
        assert_eq!(QuantScheme::BITNET_B158.to_string(), "w1.58a8kv16");
        assert_eq!(QuantScheme::FP16.to_string(), "w16a16kv16");
        assert_eq!(parse("w4a16g128z").to_string(), "w4a16kv16g128z");
        assert_eq!(parse("wcb3afp8kv4").to_string(), "wc3afp8kv4");
        assert_eq!(parse("w2a8h4").to_string(), "w2a8kv16h4");
    }

    #[test]
    fn storage_and_planes() {
        assert_eq!(WeightFormat::Ternary.storage_bits(), 2.0);
        assert_eq!(WeightFormat::Ternary.compute_bit_planes(), 2);
        assert_eq!(WeightFormat::Binary.compute_bit_planes(), 1);
        assert_eq!(WeightFormat::Int(3).storage_bits(), 3.0);
        assert_eq!(WeightFormat::Codebook(4).compute_bit_planes(), 4);
        assert_eq!(WeightFormat::Fp16.compute_bit_planes(), 16);
        assert_eq!(ActFormat::Fp8E4M3.bits(), 8);
        assert_eq!(KvFormat::Int4.bits(), 4);
        let vq = |centroids, len| WeightFormat::Vq { centroids, len };
        assert_eq!(vq(16, 2).storage_bits(), 2.0);
        assert_eq!(vq(64, 4).storage_bits(), 1.5);
        assert_eq!(vq(16, 2).compute_bit_planes(), 4);
        assert_eq!(vq(16, 2).vector_len(), 2);
        assert!(vq(16, 2).is_quantized());
        let act = ActFormat::Vq {
            centroids: 64,
            len: 2,
        };
        assert_eq!(
            (act.bits(), act.vector_len(), act.storage_bits()),
            (6, 2, 3.0)
        );
        assert_eq!(ActFormat::Int8.vector_len(), 1);
        assert_eq!(ActFormat::Fp16.storage_bits(), 16.0);
        // Formats built by hand out of range still give numbers.
        assert_eq!(vq(0, 0).storage_bits(), 0.0);
        assert_eq!(vq(12, 2).compute_bit_planes(), 4);
    }

    #[test]
    fn scale_bytes() {
        assert_eq!(parse("w4a16g128").scale_bytes_per_weight(), 2.0 / 128.0);
        assert_eq!(parse("w4a16g128z").scale_bytes_per_weight(), 2.5 / 128.0);
        assert_eq!(parse("w4a16").scale_bytes_per_weight(), 0.0);
        assert_eq!(parse("w16a16").scale_bytes_per_weight(), 0.0);
        assert!((parse("w4a16g128").bits_per_weight() - 4.125).abs() < 1e-12);
    }

    #[test]
    fn weight_bytes_exact() {
        // 4096 x 4096 INT4, g128, zero points: 8 MiB weights + 4096*32 scales*2 B
        // + 4096*32 zero points * 4 bit / 8.
        let s = parse("w4a16g128z");
        assert_eq!(
            s.weight_bytes(4096, 4096),
            4096 * 4096 / 2 + 4096 * 32 * 2 + 4096 * 32 / 2
        );
        // per channel ternary: 2 bits each plus one fp16 scale per row.
        assert_eq!(
            QuantScheme::BITNET_B158.weight_bytes(10, 7),
            (10 * 7 * 2_u64).div_ceil(8) + 20
        );
        assert_eq!(QuantScheme::FP16.weight_bytes(3, 5), 30);
        // partial last group counts as a group; codebook table is 2 * 2^3 bytes.
        assert_eq!(
            parse("wc3a8g64").weight_bytes(2, 100),
            (2 * 100 * 3_u64).div_ceil(8) + 2 * 2 * 2 + 16
        );
        assert_eq!(QuantScheme::FP16.weight_bytes(u64::MAX, u64::MAX), u64::MAX);
        assert_eq!(QuantScheme::FP16.try_weight_bytes(u64::MAX, u64::MAX), None);
        assert_eq!(
            QuantScheme::FP16.try_weight_bytes(1 << 31, 1 << 31),
            Some(1 << 63)
        );
        assert_eq!(QuantScheme::FP16.try_weight_bytes(1 << 32, 1 << 31), None);
        // VQ: ceil(7 / 2) = 4 indices of 4 bits per row, one fp16 scale per row, and the
        // codebook of 16 x 2 fp16 entries.
        assert_eq!(
            parse("wv16x2av64x2").weight_bytes(3, 7),
            (3 * 4 * 4_u64).div_ceil(8) + 3 * 2 + 16 * 2 * 2
        );
        assert_eq!(
            parse("wv256x16a8").weight_bytes(4096, 4096),
            4096 * 256 + 4096 * 2 + 256 * 16 * 2
        );
        assert_eq!(parse("wv16x2a8").bits_per_weight(), 2.0);
        // Schemes the parser cannot produce still give a number, never a panic.
        let odd = QuantScheme {
            weight: WeightFormat::Codebook(200),
            group_size: Some(0),
            ..parse("wc3a8")
        };
        assert_eq!(odd.try_weight_bytes(4, 4), None);
        assert!(odd.validate().is_err());
    }

    #[test]
    fn validate_accepts_what_parses_and_refuses_the_rest() {
        for text in [
            "w2a8kv4",
            "w1.58a8",
            "w4a16g128z",
            "wc3afp8",
            "w16a16",
            "wv16x2av64x2",
        ] {
            assert_eq!(parse(text).validate(), Ok(()), "{text}");
        }
        let mut s = parse("w4a16g128");
        s.group_size = Some(0);
        assert_eq!(
            s.validate().unwrap_err().to_string(),
            "unknown quantization scheme `w4a16kv16g0`: group size `0` must be between 1 and \
             1048576 weights"
        );
        s.group_size = None;
        s.weight = WeightFormat::Int(5);
        assert!(s.validate().is_err());
        let mut s = parse("w16a16");
        s.group_size = Some(64);
        assert!(s.validate().is_err());
        let mut s = parse("w1a8");
        s.zero_point = true;
        assert!(s.validate().is_err());
        // VQ: the parser's rules, for schemes built field by field.
        let mut s = parse("wv16x2av64x2");
        s.weight = WeightFormat::Vq {
            centroids: 12,
            len: 2,
        };
        assert_eq!(
            s.validate().unwrap_err().to_string(),
            "unknown quantization scheme `wv12x2av64x2kv16`: weights: weight VQ centroid count \
             `12` is not a power of two (2, 4, ..., 256)"
        );
        s.weight = WeightFormat::Vq {
            centroids: 16,
            len: 17,
        };
        assert!(s.validate().is_err());
        s.weight = WeightFormat::Vq {
            centroids: 16,
            len: 4,
        };
        assert!(s
            .validate()
            .unwrap_err()
            .to_string()
            .contains("same vector length"));
        let mut s = parse("wv16x2av64x2");
        s.act = ActFormat::Vq {
            centroids: 1024,
            len: 2,
        };
        assert!(s.validate().is_err());
        let mut s = parse("wv16x2a8");
        s.group_size = Some(128);
        assert!(s.validate().is_err());
        let mut s = parse("w2av16x2");
        s.head = WeightFormat::Vq {
            centroids: 16,
            len: 3,
        };
        assert!(s.validate().is_err());
    }

    fn arb_scheme() -> impl Strategy<Value = QuantScheme> {
        let format = || {
            prop_oneof![
                Just(WeightFormat::Binary),
                Just(WeightFormat::Ternary),
                prop::sample::select(vec![2u8, 3, 4, 8]).prop_map(WeightFormat::Int),
                Just(WeightFormat::Fp16),
                (1u8..=8).prop_map(WeightFormat::Codebook),
                (1u32..=8, 1u8..=16).prop_map(|(b, len)| WeightFormat::Vq {
                    centroids: 1 << b,
                    len
                }),
            ]
        };
        let weight = format();
        let act = prop_oneof![
            prop::sample::select(vec![ActFormat::Int8, ActFormat::Fp8E4M3, ActFormat::Fp16]),
            (1u32..=8, 1u8..=16).prop_map(|(b, len)| ActFormat::Vq {
                centroids: 1 << b,
                len
            }),
        ];
        let kv = prop::sample::select(vec![KvFormat::Int4, KvFormat::Int8, KvFormat::Fp16]);
        (
            weight,
            act,
            kv,
            prop::option::of(1u32..=4096),
            any::<bool>(),
            format(),
        )
            .prop_map(|(weight, act, kv, group, zero, head)| {
                // Co-quantization: a VQ weight (or head) takes the VQ activations' L.
                let paired = |w: WeightFormat| match (w, act) {
                    (WeightFormat::Vq { centroids, .. }, ActFormat::Vq { len, .. }) => {
                        WeightFormat::Vq { centroids, len }
                    }
                    _ => w,
                };
                let weight = paired(weight);
                QuantScheme {
                    weight,
                    act,
                    kv,
                    group_size: group.filter(|_| group_format_problem(weight).is_none()),
                    zero_point: zero && matches!(weight, WeightFormat::Int(_)),
                    head: paired(head),
                }
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn display_round_trips(scheme in arb_scheme()) {
            let text = scheme.to_string();
            prop_assert_eq!(scheme.validate(), Ok(()));
            prop_assert_eq!(text.parse::<QuantScheme>(), Ok(scheme));
        }

        #[test]
        fn parse_never_panics(text in "[wakvgzhcbfpx0-9.]{0,12}") {
            let _ = text.parse::<QuantScheme>();
        }
    }
}
