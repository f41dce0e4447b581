//! The deterministic zip writer: the one archive shape the strict reader accepts.
//!
//! ```text
//! APPNOTE 6.3.x subset written here, little-endian:
//!   per entry, sorted by path bytes:
//!     local header  = 50 4B 03 04 | need 20 | flags 0x0800 | method 0 or 8 | time 0 | date 0x0021
//!                     | crc32 | csize | usize | name_len | extra_len 0 | name | data
//!   central header  = 50 4B 01 02 | made-by 0x031E | need 20 | flags | method | time | date
//!                     | crc32 | csize | usize | name_len | 0 | 0 | disk 0 | int 0
//!                     | ext (0o100644 << 16) | local offset | name
//!   end record      = 50 4B 05 06 | 0 | 0 | n | n | cd size | cd offset | comment_len 0
//! ```
//! Deflate (method 8) is used only when it is smaller than the stored bytes; times are fixed
//! (1980-01-01 00:00), so the same files give the same bytes.

use super::format::*;
use super::path::ArchivePath;
use crate::digest::Sha256Digest;
use crate::error::{Error, Result};

/// Deflate level: miniz's default, a good size/speed balance for web assets.
const DEFLATE_LEVEL: u8 = 6;

/// One file as written, with what the manifest signs for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenFile {
    pub path: ArchivePath,
    pub size: u64,
    pub sha256: Sha256Digest,
}

fn u32_field(what: &'static str, value: usize) -> Result<u32> {
    u32::try_from(value).map_err(|_| Error::LimitExceeded {
        limit: what,
        max: u64::from(u32::MAX),
        actual: value as u64,
    })
}

/// Writes a deterministic zip of `files` (sorted by path; duplicate paths refused).
pub fn write_zip(files: &[(ArchivePath, Vec<u8>)]) -> Result<(Vec<u8>, Vec<WrittenFile>)> {
    let mut order: Vec<&(ArchivePath, Vec<u8>)> = files.iter().collect();
    order.sort_by(|a, b| a.0.as_str().as_bytes().cmp(b.0.as_str().as_bytes()));
    if order.len() > usize::from(u16::MAX) {
        return Err(Error::LimitExceeded {
            limit: "zip entries (no zip64)",
            max: u64::from(u16::MAX),
            actual: order.len() as u64,
        });
    }
    super::path::check_file_set(order.iter().map(|(path, _)| path))?;

    let mut out = Vec::new();
    let mut central = Vec::new();
    let mut written = Vec::with_capacity(order.len());
    for (path, data) in order {
        let name = path.as_str().as_bytes();
        let crc = super::crc32::hash(data);
        let deflated = miniz_oxide::deflate::compress_to_vec(data, DEFLATE_LEVEL);
        let (method, body): (u16, &[u8]) =
            if deflated.len() < data.len() { (METHOD_DEFLATE, &deflated) } else { (METHOD_STORED, data) };
        let offset = u32_field("zip offset (no zip64)", out.len())?;
        let csize = u32_field("zip entry size (no zip64)", body.len())?;
        let usize_ = u32_field("zip entry size (no zip64)", data.len())?;
        let name_len = u16::try_from(name.len()).map_err(|_| Error::LimitExceeded {
            limit: "max_path_bytes",
            max: u64::from(u16::MAX),
            actual: name.len() as u64,
        })?;

        out.extend_from_slice(&SIG_LOCAL.to_le_bytes());
        for v in [VERSION_NEEDED, FLAG_UTF8, method, DOS_TIME, DOS_DATE] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for v in [crc, csize, usize_] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&name_len.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name);
        out.extend_from_slice(body);

        central.extend_from_slice(&SIG_CENTRAL.to_le_bytes());
        for v in [VERSION_MADE_BY_UNIX, VERSION_NEEDED, FLAG_UTF8, method, DOS_TIME, DOS_DATE] {
            central.extend_from_slice(&v.to_le_bytes());
        }
        for v in [crc, csize, usize_] {
            central.extend_from_slice(&v.to_le_bytes());
        }
        for v in [name_len, 0, 0, 0, 0] {
            central.extend_from_slice(&v.to_le_bytes());
        }
        central.extend_from_slice(&EXTERNAL_ATTR_REGULAR_0644.to_le_bytes());
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name);

        written.push(WrittenFile { path: path.clone(), size: data.len() as u64, sha256: Sha256Digest::of(data) });
    }
    let cd_offset = u32_field("zip offset (no zip64)", out.len())?;
    let cd_size = u32_field("zip central directory size", central.len())?;
    out.extend_from_slice(&central);
    let count = written.len() as u16;
    out.extend_from_slice(&SIG_END.to_le_bytes());
    for v in [0u16, 0, count, count] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&cd_size.to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    Ok((out, written))
}
