//! CRC-32 of ZIP (IEEE 802.3: reflected, polynomial 0xEDB88320, initial and final value all
//! ones), slice-by-16. The 16 KB of tables are computed on first use rather than stored: as
//! data they would be 16 KB of the wasm download that barely compresses.

use std::sync::OnceLock;

const POLYNOMIAL: u32 = 0xEDB8_8320;

type Tables = [[u32; 256]; 16];

/// `TABLES[0][b]`: the CRC of byte `b`; `TABLES[k][b]`: of byte `b` followed by `k` zero bytes.
fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mut t = [[0u32; 256]; 16];
        for b in 0..256u32 {
            let mut crc = b;
            for _ in 0..8 {
                crc = (crc >> 1) ^ (POLYNOMIAL & (crc & 1).wrapping_neg());
            }
            t[0][b as usize] = crc;
        }
        for k in 1..16 {
            for b in 0..256 {
                let previous = t[k - 1][b];
                t[k][b] = (previous >> 8) ^ t[0][(previous & 0xff) as usize];
            }
        }
        t
    })
}

/// `crc` advanced over 16 bytes. The terms that do not depend on `crc` come first, so that
/// they are computed ahead while the previous block's `crc` is still on its way (XOR is left
/// associative: the other order puts all sixteen on the loop's critical path, 40% slower).
#[inline(always)]
fn fold_16(t: &Tables, crc: u32, b: &[u8; 16]) -> u32 {
    let low = crc ^ u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    t[0][b[15] as usize]
        ^ t[1][b[14] as usize]
        ^ t[2][b[13] as usize]
        ^ t[3][b[12] as usize]
        ^ t[4][b[11] as usize]
        ^ t[5][b[10] as usize]
        ^ t[6][b[9] as usize]
        ^ t[7][b[8] as usize]
        ^ t[8][b[7] as usize]
        ^ t[9][b[6] as usize]
        ^ t[10][b[5] as usize]
        ^ t[11][b[4] as usize]
        ^ (t[12][(low >> 24) as usize]
            ^ t[13][(low >> 16 & 0xff) as usize]
            ^ t[14][(low >> 8 & 0xff) as usize]
            ^ t[15][(low & 0xff) as usize])
}

/// A running CRC-32.
#[derive(Clone)]
pub(crate) struct Crc32 {
    /// The register (the CRC before the final inversion).
    state: u32,
}

impl Crc32 {
    pub(crate) fn new() -> Self {
        Crc32 { state: !0 }
    }

    pub(crate) fn update(&mut self, mut data: &[u8]) {
        let t = tables();
        let mut crc = self.state;
        while let Some((block, rest)) = data.split_first_chunk::<16>() {
            crc = fold_16(t, crc, block);
            data = rest;
        }
        for &byte in data {
            crc = (crc >> 8) ^ t[0][((crc ^ u32::from(byte)) & 0xff) as usize];
        }
        self.state = crc;
    }

    pub(crate) fn finalize(&self) -> u32 {
        !self.state
    }
}

/// The CRC-32 of `data`.
pub(crate) fn hash(data: &[u8]) -> u32 {
    let mut crc = Crc32::new();
    crc.update(data);
    crc.finalize()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_value() {
        assert_eq!(hash(b"123456789"), 0xCBF4_3926);
        assert_eq!(hash(b""), 0);
    }

    /// Against crc32fast on pseudo-random data: every length to 300 at every alignment to 16,
    /// longer inputs, and split updates at every split point.
    #[test]
    fn agrees_with_crc32fast() {
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        let data: Vec<u8> = (0..70_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 32) as u8
            })
            .collect();
        for align in 0..16 {
            for len in 0..300 {
                let d = &data[align..align + len];
                assert_eq!(hash(d), crc32fast::hash(d), "align {align} len {len}");
            }
        }
        for len in [1000, 4095, 4096, 4097, 65_536, 69_000] {
            assert_eq!(hash(&data[3..3 + len]), crc32fast::hash(&data[3..3 + len]), "len {len}");
        }
        let d = &data[..200];
        for split in 0..=d.len() {
            let mut crc = Crc32::new();
            crc.update(&d[..split]);
            crc.update(&d[split..]);
            assert_eq!(crc.finalize(), crc32fast::hash(d), "split {split}");
        }
    }
}
