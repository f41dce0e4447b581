//! The tolerant input reader: the publisher's own build output, read before sealing
//! (`otaseal seal ZIP`). It accepts what real tools write (directory entries, data descriptors,
//! extra fields, zip64 records, comments, a `./` prefix, UTF-8 names with or without bit 11, a
//! lone top folder) but trusts no byte before checking it: every entry's local header must agree
//! with its central header, entries may not overlap or run past the central directory, every
//! size is bounded before allocating, deflate is decoded as zlib decodes it and stopped at the
//! stated size, and every CRC-32 is checked. What it returns is then written in the strict
//! profile (`docs/FORMAT.md` §6.4).
//!
//! ```text
//! APPNOTE 6.3.x records read here (little-endian):
//!   end record       = 50 4B 05 06 | disk | cd disk | n here | n | cd size | cd offset | comment_len | comment
//!   zip64 locator    = 50 4B 06 07 | cd disk | zip64 end offset (8) | disks
//!   zip64 end record = 50 4B 06 06 | size (8) | made by | need | disk | cd disk | n here (8) | n (8)
//!                      | cd size (8) | cd offset (8) | ...
//!   central header   = 50 4B 01 02 | made by | need | flags | method | time | date | crc32 | csize
//!                      | usize | name_len | extra_len | comment_len | disk | int | ext | offset | name
//!                      | extra | comment
//!   local header     = 50 4B 03 04 | need | flags | method | time | date | crc32 | csize | usize
//!                      | name_len | extra_len | name | extra | data [| data descriptor]
//!   data descriptor  = [50 4B 07 08] | crc32 | csize | usize   (8-byte sizes with zip64)
//!   zip64 extra 0x0001: usize, csize, local offset (8 bytes each), only where the 32-bit field
//!                      is 0xffffffff, in that order
//!   Info-ZIP Unicode Path extra 0x7075: version 1 | crc32 of the header name | UTF-8 name
//! ```

use std::collections::HashMap;

use miniz_oxide::inflate::core::DecompressorOxide;
use miniz_oxide::inflate::TINFLStatus;

use super::format::*;
use super::path::{check_file_set, ArchivePath};
use super::reader::{check_external_attributes, inflate_step, DEFLATE_WINDOW};
use crate::error::{Error, Result};
use crate::limits::{self, Limits};

const CENTRAL_LEN: usize = 46;
const LOCAL_LEN: usize = 30;
const END_LEN: usize = 22;
const ZIP64_LOCATOR_LEN: usize = 20;
const ZIP64_END_MIN_LEN: usize = 56;
const EXTRA_ZIP64: u16 = 0x0001;
const EXTRA_UNICODE_PATH: u16 = 0x7075;
/// The end record may be followed by a comment of at most this many bytes.
const MAX_COMMENT: usize = u16::MAX as usize;

/// The files of an input zip, ready for the writer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputZip {
    /// Regular files in central-directory order, paths in NFC.
    pub files: Vec<(ArchivePath, Vec<u8>)>,
    /// The lone top folder that was removed (see [`read_input_zip`]), if any.
    pub rerooted: Option<String>,
    /// Directory entries that were skipped (their folders are implied by the file paths).
    pub directories: usize,
}

struct Central {
    name: String,
    raw_name: Vec<u8>,
    flags: u16,
    method: u16,
    crc: u32,
    csize: u64,
    usize: u64,
    offset: u64,
    directory: bool,
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    let mut v = [0u8; 8];
    v.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(v)
}

fn malformed(offset: usize, reason: &'static str) -> Error {
    Error::ZipMalformed { offset: offset as u64, reason }
}

/// `bytes[at..at + len]`, or `ZIP_MALFORMED` when it runs past the end.
fn slice<'a>(bytes: &'a [u8], at: u64, len: u64, what: &'static str) -> Result<&'a [u8]> {
    let start = usize::try_from(at).map_err(|_| malformed(bytes.len(), what))?;
    let len = usize::try_from(len).map_err(|_| malformed(start, what))?;
    let end = start.checked_add(len).filter(|&e| e <= bytes.len()).ok_or(malformed(start, what))?;
    Ok(&bytes[start..end])
}

/// Iterates `(id, data)` over an extra field; a truncated field is `ZIP_MALFORMED`.
fn extra_fields(extra: &[u8], at: usize) -> Result<Vec<(u16, &[u8])>> {
    let mut out = Vec::new();
    let mut rest = extra;
    while !rest.is_empty() {
        if rest.len() < 4 {
            return Err(malformed(at, "truncated extra field"));
        }
        let id = u16_at(rest, 0);
        let len = usize::from(u16_at(rest, 2));
        if rest.len() < 4 + len {
            return Err(malformed(at, "truncated extra field"));
        }
        out.push((id, &rest[4..4 + len]));
        rest = &rest[4 + len..];
    }
    Ok(out)
}

/// Replaces 0xffffffff fields by their zip64 values, in APPNOTE order.
fn apply_zip64(fields: &mut [&mut u64], extra: &[(u16, &[u8])], at: usize) -> Result<()> {
    let wanted: Vec<usize> = (0..fields.len()).filter(|&i| *fields[i] == u64::from(u32::MAX)).collect();
    if wanted.is_empty() {
        return Ok(());
    }
    let Some((_, data)) = extra.iter().find(|(id, _)| *id == EXTRA_ZIP64) else {
        return Err(malformed(at, "0xffffffff size or offset without a zip64 extra field"));
    };
    if data.len() < 8 * wanted.len() {
        return Err(malformed(at, "zip64 extra field too short"));
    }
    for (k, &i) in wanted.iter().enumerate() {
        *fields[i] = u64_at(data, 8 * k);
    }
    Ok(())
}

/// Finds the end record: the last signature whose comment length reaches exactly the end.
fn find_end(bytes: &[u8]) -> Result<usize> {
    if bytes.len() < END_LEN {
        return Err(malformed(0, "no end-of-central-directory record (not a zip?)"));
    }
    let lowest = bytes.len().saturating_sub(END_LEN + MAX_COMMENT);
    let mut at = bytes.len() - END_LEN;
    loop {
        if u32_at(bytes, at) == SIG_END && at + END_LEN + usize::from(u16_at(bytes, at + 20)) == bytes.len() {
            return Ok(at);
        }
        if at == lowest {
            return Err(malformed(0, "no end-of-central-directory record (not a zip?)"));
        }
        at -= 1;
    }
}

/// `(entries, cd size, cd offset, where the directory must end)` from the end record (and the
/// zip64 end record when the end record defers to it).
fn directory_bounds(bytes: &[u8], end: usize) -> Result<(u64, u64, u64, usize)> {
    let e = &bytes[end..];
    if u16_at(e, 4) != 0 || u16_at(e, 6) != 0 {
        return Err(Error::ZipUnsupportedFeature { path: String::new(), feature: "multiple disks" });
    }
    let mut entries = u64::from(u16_at(e, 10));
    let mut size = u64::from(u32_at(e, 12));
    let mut offset = u64::from(u32_at(e, 16));
    if u16_at(e, 8) != u16_at(e, 10) {
        return Err(malformed(end, "end record entry counts disagree"));
    }
    let has_locator = end >= ZIP64_LOCATOR_LEN && u32_at(bytes, end - ZIP64_LOCATOR_LEN) == SIG_ZIP64_LOCATOR;
    if !has_locator {
        return Ok((entries, size, offset, end));
    }
    let locator = end - ZIP64_LOCATOR_LEN;
    let z = slice(bytes, u64_at(bytes, locator + 8), ZIP64_END_MIN_LEN as u64, "zip64 end record")?;
    if u32_at(z, 0) != SIG_ZIP64_END || u32_at(bytes, locator + 4) != 0 || u32_at(bytes, locator + 16) > 1 {
        return Err(malformed(locator, "bad zip64 end record or locator"));
    }
    if u32_at(z, 16) != 0 || u32_at(z, 20) != 0 {
        return Err(Error::ZipUnsupportedFeature { path: String::new(), feature: "multiple disks" });
    }
    let z_entries = u64_at(z, 32);
    if u64_at(z, 24) != z_entries {
        return Err(malformed(locator, "zip64 end record entry counts disagree"));
    }
    let z_size = u64_at(z, 40);
    let z_offset = u64_at(z, 48);
    // A 32-bit field is either 0xffff.. (deferring to zip64) or equal to the zip64 value.
    let agree = |short: u64, full: u64, max: u64| short == max || short == full;
    if !agree(entries, z_entries, 0xffff) || !agree(size, z_size, 0xffff_ffff) || !agree(offset, z_offset, 0xffff_ffff)
    {
        return Err(malformed(end, "end record and zip64 end record disagree"));
    }
    entries = z_entries;
    size = z_size;
    offset = z_offset;
    let z_start = usize::try_from(u64_at(bytes, locator + 8)).map_err(|_| malformed(locator, "zip64 end record"))?;
    Ok((entries, size, offset, z_start))
}

/// The name as the tolerant reader understands it: Info-ZIP's Unicode Path field when its CRC
/// matches the header name, else the header name as UTF-8 (flagged or not: the writer marks
/// it). Then NFC, and a leading `./` (bsdtar) removed.
fn input_name(raw: &[u8], extra: &[(u16, &[u8])], at: usize) -> Result<String> {
    let mut name = None;
    if let Some((_, data)) = extra.iter().find(|(id, _)| *id == EXTRA_UNICODE_PATH) {
        if data.len() >= 5 && data[0] == 1 && u32_at(data, 1) == super::crc32::hash(raw) {
            name = Some(
                std::str::from_utf8(&data[5..]).map_err(|_| malformed(at, "Unicode Path extra field is not UTF-8"))?,
            );
        }
    }
    let name = match name {
        Some(n) => n,
        None => {
            std::str::from_utf8(raw).map_err(|_| Error::PathNotUtf8 { path: String::from_utf8_lossy(raw).into() })?
        }
    };
    let mut name: &str = name;
    while let Some(rest) = name.strip_prefix("./") {
        name = rest;
    }
    Ok(super::unicode::nfc(name))
}

fn read_central(bytes: &[u8], at: usize, cd_end: usize) -> Result<(Central, usize)> {
    let fixed = slice(bytes, at as u64, CENTRAL_LEN as u64, "central header runs past the directory")?;
    if u32_at(fixed, 0) != SIG_CENTRAL {
        return Err(malformed(at, "bad central header signature"));
    }
    let name_len = usize::from(u16_at(fixed, 28));
    let extra_len = usize::from(u16_at(fixed, 30));
    let comment_len = usize::from(u16_at(fixed, 32));
    let next = at + CENTRAL_LEN + name_len + extra_len + comment_len;
    if next > cd_end {
        return Err(malformed(at, "central header runs past the directory"));
    }
    let raw_name = bytes[at + CENTRAL_LEN..at + CENTRAL_LEN + name_len].to_vec();
    let extra = extra_fields(&bytes[at + CENTRAL_LEN + name_len..at + CENTRAL_LEN + name_len + extra_len], at)?;
    if u16_at(fixed, 34) != 0 {
        return Err(Error::ZipUnsupportedFeature {
            path: String::from_utf8_lossy(&raw_name).into(),
            feature: "multiple disks",
        });
    }
    let mut usize_ = u64::from(u32_at(fixed, 24));
    let mut csize = u64::from(u32_at(fixed, 20));
    let mut offset = u64::from(u32_at(fixed, 42));
    apply_zip64(&mut [&mut usize_, &mut csize, &mut offset], &extra, at)?;
    let name = input_name(&raw_name, &extra, at)?;
    let external = u32_at(fixed, 38);
    let unix_type = (external >> 16) & UNIX_FILE_TYPE_MASK;
    let directory = name.is_empty()
        || name.ends_with('/')
        || unix_type == UNIX_DIRECTORY
        || (unix_type == 0 && external & DOS_DIRECTORY != 0);
    if !directory {
        check_external_attributes(&name, external)?;
    } else if unix_type == UNIX_SYMLINK {
        return Err(Error::ZipSymlink { path: name });
    } else if (unix_type != 0 && unix_type != UNIX_DIRECTORY) || usize_ != 0 {
        return Err(Error::ZipNotAFile { path: name });
    }
    let central = Central {
        name,
        raw_name,
        flags: u16_at(fixed, 8),
        method: u16_at(fixed, 10),
        crc: u32_at(fixed, 16),
        csize,
        usize: usize_,
        offset,
        directory,
    };
    Ok((central, next))
}

/// Where the entry's data starts: the local header's signature and its name and extra lengths.
fn data_start(bytes: &[u8], c: &Central) -> Result<u64> {
    let fixed = slice(bytes, c.offset, LOCAL_LEN as u64, "local header out of range")?;
    if u32_at(fixed, 0) != SIG_LOCAL {
        return Err(malformed(
            usize::try_from(c.offset).unwrap_or(usize::MAX),
            "central header points to no local header",
        ));
    }
    Ok(c.offset + LOCAL_LEN as u64 + u64::from(u16_at(fixed, 26)) + u64::from(u16_at(fixed, 28)))
}

/// Checks the local header against the central one; returns where the data starts.
/// Offsets below count from the signature: need 4, flags 6, method 8, time 10, date 12, crc 14,
/// csize 18, usize 22, name_len 26, extra_len 28.
fn check_local(bytes: &[u8], c: &Central) -> Result<u64> {
    let at = usize::try_from(c.offset).unwrap_or(usize::MAX);
    let fixed = slice(bytes, c.offset, LOCAL_LEN as u64, "local header out of range")?;
    let mismatch = |field| Error::ZipHeaderMismatch { path: c.name.clone(), field };
    if u32_at(fixed, 0) != SIG_LOCAL {
        return Err(malformed(at, "central header points to no local header"));
    }
    // Bits that change how the bytes are read must agree (bit 11 and level hints may not).
    let flags = u16_at(fixed, 6);
    let meaning = FLAG_ENCRYPTED | FLAG_DATA_DESCRIPTOR | FLAG_STRONG_ENCRYPTION | FLAG_PATCH_DATA;
    if flags & meaning != c.flags & meaning {
        return Err(mismatch("flags"));
    }
    if u16_at(fixed, 8) != c.method {
        return Err(mismatch("method"));
    }
    let name_len = u64::from(u16_at(fixed, 26));
    let extra_len = u64::from(u16_at(fixed, 28));
    let name = slice(bytes, c.offset + LOCAL_LEN as u64, name_len, "local header out of range")?;
    if name != c.raw_name.as_slice() {
        return Err(mismatch("name"));
    }
    let extra_bytes = slice(bytes, c.offset + LOCAL_LEN as u64 + name_len, extra_len, "local header out of range")?;
    if flags & FLAG_DATA_DESCRIPTOR == 0 {
        let extra = extra_fields(extra_bytes, at)?;
        let mut usize_ = u64::from(u32_at(fixed, 22));
        let mut csize = u64::from(u32_at(fixed, 18));
        apply_zip64(&mut [&mut usize_, &mut csize], &extra, at)?;
        if u32_at(fixed, 14) != c.crc {
            return Err(mismatch("crc32"));
        }
        if csize != c.csize {
            return Err(mismatch("compressed size"));
        }
        if usize_ != c.usize {
            return Err(mismatch("uncompressed size"));
        }
    }
    Ok(c.offset + LOCAL_LEN as u64 + name_len + extra_len)
}

/// With bit 3 the sizes and CRC follow the data: they must equal the central header's.
fn check_descriptor(bytes: &[u8], c: &Central, data_end: u64) -> Result<u64> {
    let mismatch = || Error::ZipHeaderMismatch { path: c.name.clone(), field: "data descriptor" };
    let mut at = data_end;
    if slice(bytes, at, 4, "data descriptor").is_ok_and(|s| u32_at(s, 0) == SIG_DATA_DESCRIPTOR) {
        at += 4;
    }
    let crc = slice(bytes, at, 4, "data descriptor out of range")?;
    if u32_at(crc, 0) != c.crc {
        return Err(mismatch());
    }
    // 4-byte sizes, or 8-byte ones (zip64); the one that matches the directory.
    if let Ok(s) = slice(bytes, at + 4, 8, "data descriptor") {
        if u64::from(u32_at(s, 0)) == c.csize && u64::from(u32_at(s, 4)) == c.usize {
            return Ok(at + 12);
        }
    }
    if let Ok(s) = slice(bytes, at + 4, 16, "data descriptor") {
        if u64_at(s, 0) == c.csize && u64_at(s, 8) == c.usize {
            return Ok(at + 20);
        }
    }
    Err(mismatch())
}

/// Inflates exactly `usize` bytes from `data` as zlib would, or fails.
fn inflate_exact(name: &str, data: &[u8], usize_: u64) -> Result<Vec<u8>> {
    let failed = || Error::ZipInflateFailed { path: name.to_string() };
    let cap = usize::try_from(usize_).map_err(|_| failed())?;
    let mut out = Vec::with_capacity(cap);
    let mut state = Box::new(DecompressorOxide::new());
    let mut scratch = vec![0u8; DEFLATE_WINDOW * 2];
    let mut history = 0;
    let mut input = data;
    loop {
        let (status, consumed, (start, end)) = inflate_step(&mut state, input, &mut scratch, &mut history);
        input = &input[consumed..];
        if out.len() + (end - start) > cap {
            return Err(Error::SizeMismatch {
                path: name.into(),
                expected: usize_,
                actual: (out.len() + end - start) as u64,
            });
        }
        out.extend_from_slice(&scratch[start..end]);
        match status {
            TINFLStatus::Done if input.is_empty() => break,
            TINFLStatus::HasMoreOutput | TINFLStatus::NeedsMoreInput if consumed > 0 || end > start => {}
            _ => return Err(failed()),
        }
    }
    if out.len() != cap {
        return Err(Error::SizeMismatch { path: name.into(), expected: usize_, actual: out.len() as u64 });
    }
    Ok(out)
}

/// Reads an input zip (see the module docs) into files for the writer, bounded by `limits`
/// (`max_files`, `max_file_bytes`, `max_total_bytes`, `max_path_bytes`). A lone top folder
/// (every file under one folder, nothing else at the root) is removed, as both native
/// installers would; then the file list must pass the strict rules of §6.2 and §6.3.
pub fn read_input_zip(bytes: &[u8], limits: &Limits) -> Result<InputZip> {
    limits::check("max_bundle_bytes", limits.max_bundle_bytes, bytes.len() as u64)?;
    let end = find_end(bytes)?;
    let (entries, cd_size, cd_offset, cd_must_end) = directory_bounds(bytes, end)?;
    let cd_start = usize::try_from(cd_offset).map_err(|_| malformed(end, "central directory offset"))?;
    if cd_start.checked_add(usize::try_from(cd_size).unwrap_or(usize::MAX)) != Some(cd_must_end) {
        return Err(malformed(end, "central directory size and offset do not meet the end record (prepended data?)"));
    }
    // Each central header takes at least 46 bytes: this bounds the count before allocating.
    if entries > cd_size / CENTRAL_LEN as u64 {
        return Err(malformed(end, "more entries than the central directory can hold"));
    }
    let mut centrals = Vec::new();
    let mut at = cd_start;
    for _ in 0..entries {
        let (central, next) = read_central(bytes, at, cd_must_end)?;
        centrals.push(central);
        at = next;
    }
    if at != cd_must_end {
        return Err(malformed(at, "central directory holds more than its entry count"));
    }

    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut spans: Vec<(u64, u64, String)> = Vec::new();
    let mut seen: HashMap<String, ()> = HashMap::new();
    let mut directories = 0;
    let mut total: u64 = 0;
    for c in &centrals {
        let feature = |feature| Error::ZipUnsupportedFeature { path: c.name.clone(), feature };
        if c.flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION) != 0 {
            return Err(Error::ZipEncryptedEntry { path: c.name.clone() });
        }
        if c.flags & FLAG_PATCH_DATA != 0 {
            return Err(feature("patch data"));
        }
        // The bytes are located and bounded first; nothing decoded is used until the local
        // header, data descriptor, span and CRC all agreed (end of this loop).
        let data_start = data_start(bytes, c)?;
        let raw = slice(bytes, data_start, c.csize, "entry data runs past the end of the file")?;
        let agree = |spans: &mut Vec<(u64, u64, String)>| -> Result<()> {
            let data_start = check_local(bytes, c)?;
            let data_end = data_start + c.csize;
            let span_end =
                if c.flags & FLAG_DATA_DESCRIPTOR != 0 { check_descriptor(bytes, c, data_end)? } else { data_end };
            if span_end > cd_offset {
                return Err(malformed(c.offset as usize, "entry runs into the central directory"));
            }
            spans.push((c.offset, span_end, c.name.clone()));
            Ok(())
        };
        if c.directory {
            agree(&mut spans)?;
            let dir = c.name.trim_end_matches('/');
            if !dir.is_empty() {
                ArchivePath::new(dir, limits.max_path_bytes)?;
            }
            directories += 1;
            continue;
        }
        if seen.insert(c.name.clone(), ()).is_some() {
            return Err(Error::ZipDuplicateEntry { path: c.name.clone() });
        }
        ArchivePath::new(&c.name, limits.max_path_bytes)?;
        limits::check("max_files", limits.max_files, files.len() as u64 + 1)?;
        limits::check("max_file_bytes", limits.max_file_bytes, c.usize)?;
        total = total.saturating_add(c.usize);
        limits::check("max_total_bytes", limits.max_total_bytes, total)?;
        let data = match c.method {
            METHOD_STORED if c.csize == c.usize => raw.to_vec(),
            METHOD_STORED => return Err(malformed(c.offset as usize, "stored entry with different compressed size")),
            METHOD_DEFLATE => inflate_exact(&c.name, raw, c.usize)?,
            method => return Err(Error::ZipUnsupportedMethod { path: c.name.clone(), method }),
        };
        agree(&mut spans)?;
        if super::crc32::hash(&data) != c.crc {
            return Err(Error::ZipCrcMismatch { path: c.name.clone() });
        }
        files.push((c.name.clone(), data));
    }
    // Entries may not share bytes (overlapping-entry zip bombs).
    spans.sort();
    for pair in spans.windows(2) {
        if pair[1].0 < pair[0].1 {
            return Err(malformed(pair[1].0 as usize, "entries overlap"));
        }
    }
    if files.is_empty() {
        return Err(malformed(end, "no files"));
    }
    let rerooted = lone_top_folder(&files, centrals.iter().map(|c| c.name.as_str()));
    if let Some(top) = &rerooted {
        let prefix = top.len() + 1;
        for (name, _) in &mut files {
            *name = name[prefix..].to_string();
        }
    }
    let files: Vec<(ArchivePath, Vec<u8>)> = files
        .into_iter()
        .map(|(name, data)| Ok((ArchivePath::new(&name, limits.max_path_bytes)?, data)))
        .collect::<Result<_>>()?;
    check_file_set(files.iter().map(|(p, _)| p))?;
    Ok(InputZip { files, rerooted, directories })
}

/// The folder every entry is under when the root holds nothing else (no file, no other folder,
/// not even an empty one, no dot-name): both native installers would re-root such a zip, so the
/// sealer does it once.
fn lone_top_folder<'a>(files: &[(String, Vec<u8>)], all_names: impl Iterator<Item = &'a str>) -> Option<String> {
    let (first, _) = files.first()?;
    let (top, _) = first.split_once('/')?;
    let under = |name: &str| name.split_once('/').is_some_and(|(t, _)| t == top);
    let mut all_names = all_names;
    (files.iter().all(|(name, _)| under(name)) && all_names.all(|n| n.is_empty() || under(n) || n == top))
        .then(|| top.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lone_top_folder_only_when_alone() {
        let f = |names: &[&str]| {
            lone_top_folder(&names.iter().map(|n| (n.to_string(), vec![])).collect::<Vec<_>>(), names.iter().copied())
        };
        assert_eq!(f(&["dist/index.html", "dist/a/b.js"]), Some("dist".into()));
        assert_eq!(f(&["dist/index.html", ".DS_Store"]), None);
        assert_eq!(f(&["dist/index.html", "other/x"]), None);
        assert_eq!(f(&["index.html"]), None);
        assert_eq!(
            lone_top_folder(&[("dist/index.html".into(), vec![])], ["dist/", "dist/index.html", "empty/"].into_iter()),
            None
        );
        assert_eq!(
            lone_top_folder(&[("dist/index.html".into(), vec![])], ["", "dist/", "dist/index.html"].into_iter()),
            Some("dist".into())
        );
    }
}
