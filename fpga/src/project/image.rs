//! The off-chip weight image (`weights.bin`): a header, a directory of matrices, and each
//! matrix's packed index stream split into one plane per AXI port.
//!
//! # Stream geometry ([`VectorStream`])
//!
//! A matrix engine reads index vectors (`codes` codes of `code_bits` each; TLMM: 28 codes of 5
//! bits, 140 bits) over `ports` AXI ports of `port_bits` each; one beat is one word of every
//! port, `ports x port_bits` bits, port 0 in the least significant bits. Vector `v` of a stream
//! starts at stream bit
//!
//! ```text
//! per_beat = beat_bits / vector_bits                 (vectors per beat, when >= 1)
//! start(v) = (v / per_beat) * beat_bits + (v % per_beat) * vector_bits
//!          = v * ceil(vector_bits / beat_bits) * beat_bits      (a vector wider than a beat)
//! ```
//!
//! and its code `r` occupies stream bits `start(v) + r * code_bits ..` upwards (least
//! significant bit first). So whole vectors are packed into a beat and the spare high bits of
//! each beat are zero (TeLLMe's loader: five 140-bit vectors per 768-bit beat, bits 700..767
//! spare; UCI-CORSA TeLLMe `load_weight.hpp`, arXiv 2510.15926). A stream of `n` vectors is
//! `beats(n)` beats, as `tlmm_weight_bytes` in `sim/src/fpga_dataflow/engines.rs` counts them.
//!
//! Stream bit `g` lies in beat `g / beat_bits`, port `(g % beat_bits) / port_bits`, bit
//! `g % port_bits` of that port's word. Each port reads its own plane: the port's words of
//! every beat, in beat order, each word little-endian (bit `i` is bit `i % 8` of byte `i / 8`,
//! AXI's byte-lane order), so a port's reads are one contiguous burst sequence.
//!
//! # File layout (all integers little-endian)
//!
//! ```text
//! offset  size  header
//!      0     8  magic "LFWIMG01"
//!      8     4  format version (1)
//!     12     4  header bytes (128)
//!     16     4  directory entries
//!     20     4  bytes per directory entry (64)
//!     24     4  alignment of every plane, bytes (4096)
//!     28     4  codes per vector
//!     32     4  bits per code
//!     36     4  AXI ports
//!     40     4  bits per port word
//!     44     4  layers in the image
//!     48     4  layers of the model
//!     52     4  weights per code (3: ternary groups)
//!     56     8  seed of the synthetic values
//!     64     8  total file bytes
//!     72    56  zero
//!
//! offset 128 + 64 i: directory entry i
//!      0    16  name, ASCII, zero-padded ("L00.q_proj", "L03.e01.up_proj")
//!     16     4  layer
//!     20     4  matrix (0 q, 1 k, 2 v, 3 o, 4 gate, 5 up, 6 down)
//!     24     4  expert (0 for a dense FFN and for attention)
//!     28     4  rows n (outputs)
//!     32     4  columns k (reduction)
//!     36     4  row chunks (the loads of a preload; 1 for a streamed load)
//!     40     8  offset of plane (chunk 0, port 0), bytes from the file start
//!     48     8  plane stride, bytes: plane (chunk c, port p) is at offset + (c * ports + p) * stride
//!     56     4  scale (f32): the matrix's dequantization scale
//!     60     4  zero
//! ```
//!
//! Planes start at multiples of the alignment (4 KiB: an AXI burst never crosses a 4 KiB
//! boundary, AMBA AXI spec), zero-padded between. Chunk `c` of a matrix of `n` rows holds rows
//! `share(n, chunks, 0) + ... + share(n, chunks, c - 1)` onwards, `share(n, chunks, c)` of them
//! (the even split of `sim/src/fpga_dataflow/engines.rs`), and within a chunk the vectors are
//! block-major: vector `b * rows + o` is block `b` of row `o` of the chunk, the order the
//! engine consumes them (all of a block's outputs before the next block).

use std::io::{self, Write};

/// Magic bytes at the start of a weight image.
pub const MAGIC: &[u8; 8] = b"LFWIMG01";
/// Format version written in the header.
pub const VERSION: u32 = 1;
/// Header size, bytes.
pub const HEADER_BYTES: u64 = 128;
/// Directory entry size, bytes.
pub const ENTRY_BYTES: u64 = 64;
/// Alignment of every plane, bytes: an AXI burst must not cross a 4 KiB boundary (AMBA AXI
/// protocol specification, ARM IHI 0022, "transactions must not cross a 4KB boundary").
pub const ALIGN: u64 = 4096;
/// Longest matrix name a directory entry holds, bytes.
pub const NAME_BYTES: usize = 16;

/// How a stream of index vectors is packed into AXI beats (module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VectorStream {
    /// Codes per vector.
    pub codes: u32,
    /// Bits per code.
    pub code_bits: u32,
    /// AXI ports.
    pub ports: u32,
    /// Bits of one port's word (a multiple of 8).
    pub port_bits: u32,
}

impl VectorStream {
    /// Bits of one vector.
    pub fn vector_bits(&self) -> u64 {
        u64::from(self.codes) * u64::from(self.code_bits)
    }

    /// Bits of one beat (every port's word).
    pub fn beat_bits(&self) -> u64 {
        u64::from(self.ports) * u64::from(self.port_bits)
    }

    /// Bytes of one port's word.
    pub fn port_bytes(&self) -> u64 {
        u64::from(self.port_bits) / 8
    }

    /// Beats a stream of `vectors` vectors takes.
    pub fn beats(&self, vectors: u64) -> u64 {
        let (vb, bb) = (self.vector_bits(), self.beat_bits());
        if vb <= bb {
            vectors.div_ceil(bb / vb)
        } else {
            vectors * vb.div_ceil(bb)
        }
    }

    /// Stream bit where vector `v` starts.
    pub fn start_bit(&self, v: u64) -> u64 {
        let (vb, bb) = (self.vector_bits(), self.beat_bits());
        if vb <= bb {
            let per_beat = bb / vb;
            (v / per_beat) * bb + (v % per_beat) * vb
        } else {
            v * vb.div_ceil(bb) * bb
        }
    }

    /// Packs `vectors` vectors into one plane per port (`beats(vectors) * port_bytes` bytes
    /// each); `code(v, r)` is code `r` of vector `v` (only its low `code_bits` bits are used).
    pub fn pack(&self, vectors: u64, mut code: impl FnMut(u64, u32) -> u32) -> Vec<Vec<u8>> {
        let beats = self.beats(vectors);
        let port_bytes = self.port_bytes() as usize;
        let mut planes = vec![vec![0u8; beats as usize * port_bytes]; self.ports as usize];
        let (bb, pb) = (self.beat_bits(), u64::from(self.port_bits));
        let mask = if self.code_bits >= 32 {
            u32::MAX
        } else {
            (1u32 << self.code_bits) - 1
        };
        for v in 0..vectors {
            let start = self.start_bit(v);
            for r in 0..self.codes {
                let mut value = code(v, r) & mask;
                let mut g = start + u64::from(r) * u64::from(self.code_bits);
                let mut left = self.code_bits;
                while left > 0 {
                    let beat = g / bb;
                    let within = g % bb;
                    let port = (within / pb) as usize;
                    let bit = within % pb;
                    let take = left.min(8 - (bit % 8) as u32).min((pb - bit) as u32);
                    let byte = beat as usize * port_bytes + (bit / 8) as usize;
                    let part = (value & ((1u32 << take) - 1)) as u8;
                    planes[port][byte] |= part << (bit % 8);
                    value >>= take;
                    g += u64::from(take);
                    left -= take;
                }
            }
        }
        planes
    }

    /// Code `r` of vector `v` read back from `planes` (the inverse of [`VectorStream::pack`]).
    pub fn read(&self, planes: &[Vec<u8>], v: u64, r: u32) -> u32 {
        let (bb, pb) = (self.beat_bits(), u64::from(self.port_bits));
        let port_bytes = self.port_bytes() as usize;
        let first = self.start_bit(v) + u64::from(r) * u64::from(self.code_bits);
        let mut value = 0u32;
        for i in 0..self.code_bits {
            let g = first + u64::from(i);
            let within = g % bb;
            let port = (within / pb) as usize;
            let bit = within % pb;
            let byte = (g / bb) as usize * port_bytes + (bit / 8) as usize;
            value |= u32::from((planes[port][byte] >> (bit % 8)) & 1) << i;
        }
        value
    }
}

/// The image header's fields that are not derived from the directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageHeader {
    /// Stream geometry shared by every matrix.
    pub stream: VectorStream,
    /// Decoder layers the image holds (the first ones).
    pub layers: u32,
    /// Decoder layers of the model.
    pub model_layers: u32,
    /// Weights per code (3 for ternary groups).
    pub weights_per_code: u32,
    /// Seed the synthetic values were drawn from.
    pub seed: u64,
}

/// One matrix of the image, before placement.
#[derive(Debug, Clone, PartialEq)]
pub struct MatrixEntry {
    /// Name, at most [`NAME_BYTES`] ASCII bytes.
    pub name: String,
    /// Decoder layer.
    pub layer: u32,
    /// Matrix id (0 q, 1 k, 2 v, 3 o, 4 gate, 5 up, 6 down).
    pub matrix: u32,
    /// Expert (0 when dense).
    pub expert: u32,
    /// Output rows.
    pub rows: u32,
    /// Reduction columns.
    pub cols: u32,
    /// Row chunks.
    pub chunks: u32,
    /// Bytes of the largest plane of any chunk (before alignment).
    pub max_plane_bytes: u64,
    /// Dequantization scale.
    pub scale: f32,
}

/// A directory entry placed in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    /// The matrix.
    pub entry: MatrixEntry,
    /// Offset of plane (chunk 0, port 0), bytes.
    pub offset: u64,
    /// Distance between consecutive planes, bytes (a multiple of [`ALIGN`]).
    pub stride: u64,
}

/// `x` rounded up to a multiple of [`ALIGN`].
pub fn align(x: u64) -> u64 {
    x.div_ceil(ALIGN) * ALIGN
}

/// Places `entries` one after another after the header and directory: every plane aligned.
/// Returns the placed entries and the total file size.
pub fn place(header: &ImageHeader, entries: Vec<MatrixEntry>) -> (Vec<Placed>, u64) {
    let mut at = align(HEADER_BYTES + ENTRY_BYTES * entries.len() as u64);
    let ports = u64::from(header.stream.ports);
    let placed = entries
        .into_iter()
        .map(|entry| {
            let stride = align(entry.max_plane_bytes.max(1));
            let offset = at;
            at += stride * u64::from(entry.chunks) * ports;
            Placed {
                entry,
                offset,
                stride,
            }
        })
        .collect();
    (placed, at)
}

/// The header and directory bytes (the first `align(HEADER + ENTRY * n)` bytes of the file,
/// zero-padded).
pub fn header_bytes(header: &ImageHeader, placed: &[Placed], total: u64) -> Vec<u8> {
    let mut b =
        Vec::with_capacity(align(HEADER_BYTES + ENTRY_BYTES * placed.len() as u64) as usize);
    let u32s = |b: &mut Vec<u8>, xs: &[u32]| xs.iter().for_each(|x| b.extend(x.to_le_bytes()));
    b.extend(MAGIC);
    u32s(
        &mut b,
        &[
            VERSION,
            HEADER_BYTES as u32,
            placed.len() as u32,
            ENTRY_BYTES as u32,
            ALIGN as u32,
            header.stream.codes,
            header.stream.code_bits,
            header.stream.ports,
            header.stream.port_bits,
            header.layers,
            header.model_layers,
            header.weights_per_code,
        ],
    );
    b.extend(header.seed.to_le_bytes());
    b.extend(total.to_le_bytes());
    b.resize(HEADER_BYTES as usize, 0);
    for p in placed {
        let e = &p.entry;
        let mut name = [0u8; NAME_BYTES];
        let n = e.name.len().min(NAME_BYTES);
        name[..n].copy_from_slice(&e.name.as_bytes()[..n]);
        b.extend(name);
        u32s(
            &mut b,
            &[e.layer, e.matrix, e.expert, e.rows, e.cols, e.chunks],
        );
        b.extend(p.offset.to_le_bytes());
        b.extend(p.stride.to_le_bytes());
        b.extend(e.scale.to_le_bytes());
        b.extend(0u32.to_le_bytes());
    }
    b.resize(
        align(HEADER_BYTES + ENTRY_BYTES * placed.len() as u64) as usize,
        0,
    );
    b
}

/// Writes one matrix's planes (`planes[c][p]`: chunk `c`, port `p`) at its place, padding
/// each plane to the entry's stride. `written` is the number of bytes already written to
/// `out`, which must equal `placed.offset`.
pub fn write_planes(
    out: &mut impl Write,
    placed: &Placed,
    planes: &[Vec<Vec<u8>>],
    written: &mut u64,
) -> io::Result<()> {
    if *written != placed.offset {
        return Err(io::Error::other(format!(
            "{}: at byte {written}, expected {}",
            placed.entry.name, placed.offset
        )));
    }
    let zeros = vec![0u8; ALIGN as usize];
    for chunk in planes {
        for plane in chunk {
            out.write_all(plane)?;
            let mut pad = placed.stride - plane.len() as u64;
            while pad > 0 {
                let n = pad.min(ALIGN);
                out.write_all(&zeros[..n as usize])?;
                pad -= n;
            }
            *written += placed.stride;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// TeLLMe's geometry: 28 five-bit codes, three 256-bit ports.
    const TELLME: VectorStream = VectorStream {
        codes: 28,
        code_bits: 5,
        ports: 3,
        port_bits: 256,
    };

    #[test]
    fn five_vectors_per_768_bit_beat() {
        assert_eq!(TELLME.vector_bits(), 140);
        assert_eq!(TELLME.beats(5), 1);
        assert_eq!(TELLME.beats(6), 2);
        assert_eq!(TELLME.start_bit(4), 560);
        assert_eq!(TELLME.start_bit(5), 768);
        // 1536 rows x 19 blocks (TeLLMe's q_proj): 5837 beats of 96 bytes.
        assert_eq!(TELLME.beats(1536 * 19) * TELLME.beat_bits() / 8, 560_352);
    }

    #[test]
    fn codes_round_trip_across_port_and_byte_boundaries() {
        let code = |v: u64, r: u32| ((v * 31 + u64::from(r) * 7) % 30) as u32;
        let planes = TELLME.pack(23, code);
        assert_eq!(planes.len(), 3);
        assert_eq!(planes[0].len() as u64, TELLME.beats(23) * 32);
        for v in 0..23 {
            for r in 0..28 {
                assert_eq!(TELLME.read(&planes, v, r), code(v, r), "v {v} r {r}");
            }
        }
        // Vector 1, code 23 starts at bit 140 + 115 = 255: bit 0 in port 0, bits 1..4 in port 1.
        let one = TELLME.pack(2, |v, r| if v == 1 && r == 23 { 0b10111 } else { 0 });
        assert_eq!(one[0][31], 0x80);
        assert_eq!(one[1][0], 0b1011);
        // The spare bits 700..767 of every beat stay zero.
        let full = TELLME.pack(5, |_, _| 31);
        assert_eq!(full[2][(700 - 512) / 8], 0x0f);
        assert!(full[2][(704 - 512) / 8..].iter().all(|&b| b == 0));
    }

    #[test]
    fn a_vector_wider_than_a_beat_takes_whole_beats() {
        let s = VectorStream {
            codes: 28,
            code_bits: 5,
            ports: 1,
            port_bits: 64,
        };
        assert_eq!(s.beats(3), 9);
        assert_eq!(s.start_bit(2), 384);
        let planes = s.pack(3, |v, r| (v as u32 + r) % 32);
        assert_eq!(s.read(&planes, 2, 27), 29);
    }

    #[test]
    fn placement_aligns_every_plane() {
        let header = ImageHeader {
            stream: TELLME,
            layers: 1,
            model_layers: 24,
            weights_per_code: 3,
            seed: 1,
        };
        let entry = |name: &str, plane: u64, chunks: u32| MatrixEntry {
            name: name.into(),
            layer: 0,
            matrix: 0,
            expert: 0,
            rows: 1,
            cols: 1,
            chunks,
            max_plane_bytes: plane,
            scale: 1.0,
        };
        let (placed, total) = place(&header, vec![entry("a", 5000, 1), entry("b", 10, 2)]);
        assert_eq!(placed[0].offset, 4096);
        assert_eq!(placed[0].stride, 8192);
        assert_eq!(placed[1].offset, 4096 + 3 * 8192);
        assert_eq!(total, placed[1].offset + 2 * 3 * 4096);
        let bytes = header_bytes(&header, &placed, total);
        assert_eq!(bytes.len(), 4096);
        assert_eq!(&bytes[..8], MAGIC);
        assert_eq!(u64::from_le_bytes(bytes[64..72].try_into().unwrap()), total);
        let e1 = &bytes[128 + 64..128 + 128];
        assert_eq!(&e1[..2], b"b\0");
        assert_eq!(
            u64::from_le_bytes(e1[40..48].try_into().unwrap()),
            placed[1].offset
        );
    }
}
