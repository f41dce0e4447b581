//! The strict, streaming zip reader. It is fed plaintext zip bytes in chunks of any size, reads
//! local headers front to back (never trusting the central directory to find data), inflates
//! and hashes each entry as it arrives, and then requires the central directory and end record
//! to agree with what was read, byte for byte where they overlap.
//!
//! Accepted profile (`docs/FORMAT.md` §6): stored or deflate, no encryption, no data
//! descriptors, no zip64, no extra fields, no comments, one disk, regular files only, names
//! that are valid archive paths, each exactly once (also after case folding), each signed.

use std::collections::HashMap;

use miniz_oxide::inflate::core::inflate_flags::{TINFL_FLAG_HAS_MORE_INPUT, TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF};
use miniz_oxide::inflate::core::{decompress, DecompressorOxide};
use miniz_oxide::inflate::TINFLStatus;

use super::format::*;
use super::path::ArchivePath;
use super::sink::FileSink;
use crate::digest::Sha256Stream;
use crate::error::{Error, Result};
use crate::limits::{self, Limits};
use crate::manifest::FileEntry;

/// Deflate's window: the farthest a back-reference may reach (RFC 1951 §3.2.5).
pub(crate) const DEFLATE_WINDOW: usize = 32 * 1024;
/// Output produced per inflate call, after the window of history kept in front of it.
const INFLATE_CHUNK: usize = 32 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
struct LocalRecord {
    offset: u64,
    name: String,
    version_needed: u16,
    flags: u16,
    method: u16,
    time: u16,
    date: u16,
    crc: u32,
    csize: u32,
    usize: u32,
}

struct Entry {
    record: LocalRecord,
    file_index: usize,
    remaining: u64,
    inflater: Option<Box<DecompressorOxide>>,
    /// Bytes of earlier output kept at the start of the scratch buffer (at most the window).
    history: usize,
    ended: bool,
    hasher: Sha256Stream,
    crc: super::crc32::Crc32,
    produced: u64,
}

enum State {
    Signature,
    LocalFixed,
    LocalName { fixed: [u8; LOCAL_FIXED_LEN] },
    Data(Box<Entry>),
    CentralFixed,
    CentralTail { fixed: [u8; CENTRAL_FIXED_LEN] },
    EndFixed,
    Done,
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Streaming strict zip reader bound to the signed file list.
pub(crate) struct ZipReader {
    files: Vec<FileEntry>,
    by_path: HashMap<String, usize>,
    seen_folded: HashMap<String, String>,
    seen: Vec<bool>,
    locals: Vec<LocalRecord>,
    centrals_read: usize,
    central_start: Option<u64>,
    offset: u64,
    state: State,
    buf: Vec<u8>,
    scratch: Vec<u8>,
    limits: Limits,
}

impl ZipReader {
    pub(crate) fn new(files: Vec<FileEntry>, limits: Limits) -> Self {
        let by_path = files.iter().enumerate().map(|(i, f)| (f.path.as_str().to_string(), i)).collect();
        let seen = vec![false; files.len()];
        ZipReader {
            files,
            by_path,
            seen_folded: HashMap::new(),
            seen,
            locals: Vec::new(),
            centrals_read: 0,
            central_start: None,
            offset: 0,
            state: State::Signature,
            buf: Vec::new(),
            scratch: Vec::new(),
            limits,
        }
    }

    fn malformed(&self, reason: &'static str) -> Error {
        Error::ZipMalformed { offset: self.offset, reason }
    }

    /// Moves bytes from `data` into `buf` until it holds `n`; true when it does.
    fn fill(&mut self, data: &mut &[u8], n: usize) -> bool {
        let take = (n - self.buf.len()).min(data.len());
        self.buf.extend_from_slice(&data[..take]);
        *data = &data[take..];
        self.offset += take as u64;
        self.buf.len() == n
    }

    /// Feeds plaintext zip bytes.
    pub(crate) fn push(&mut self, mut data: &[u8], sink: &mut dyn FileSink) -> Result<()> {
        loop {
            if let State::Data(entry) = &mut self.state {
                if entry.remaining == 0 {
                    let State::Data(entry) = std::mem::replace(&mut self.state, State::Signature) else {
                        return Err(self.malformed("internal state"));
                    };
                    self.end_entry(*entry, sink)?;
                    continue;
                }
                if data.is_empty() {
                    return Ok(());
                }
                let take = usize::try_from(entry.remaining).unwrap_or(usize::MAX).min(data.len());
                let (now, rest) = data.split_at(take);
                data = rest;
                entry.remaining -= take as u64;
                self.offset += take as u64;
                if self.scratch.is_empty() {
                    self.scratch = vec![0; DEFLATE_WINDOW + INFLATE_CHUNK];
                }
                feed_entry(entry, &self.files, now, &mut self.scratch, sink)?;
                continue;
            }
            if data.is_empty() {
                return Ok(());
            }
            match std::mem::replace(&mut self.state, State::Signature) {
                State::Signature => {
                    if !self.fill(&mut data, 4) {
                        continue;
                    }
                    let sig = u32_at(&self.buf, 0);
                    self.buf.clear();
                    self.state = self.after_signature(sig)?;
                }
                State::LocalFixed => {
                    if !self.fill(&mut data, LOCAL_FIXED_LEN) {
                        self.state = State::LocalFixed;
                        continue;
                    }
                    let mut fixed = [0u8; LOCAL_FIXED_LEN];
                    fixed.copy_from_slice(&self.buf);
                    self.buf.clear();
                    self.state = State::LocalName { fixed };
                }
                State::LocalName { fixed } => {
                    let need = usize::from(u16_at(&fixed, 22)) + usize::from(u16_at(&fixed, 24));
                    if !self.fill(&mut data, need) {
                        self.state = State::LocalName { fixed };
                        continue;
                    }
                    let tail = std::mem::take(&mut self.buf);
                    let entry = self.begin_entry(&fixed, &tail, sink)?;
                    self.state = State::Data(Box::new(entry));
                }
                State::CentralFixed => {
                    if !self.fill(&mut data, CENTRAL_FIXED_LEN) {
                        self.state = State::CentralFixed;
                        continue;
                    }
                    let mut fixed = [0u8; CENTRAL_FIXED_LEN];
                    fixed.copy_from_slice(&self.buf);
                    self.buf.clear();
                    self.state = State::CentralTail { fixed };
                }
                State::CentralTail { fixed } => {
                    let need = usize::from(u16_at(&fixed, 24))
                        + usize::from(u16_at(&fixed, 26))
                        + usize::from(u16_at(&fixed, 28));
                    if !self.fill(&mut data, need) {
                        self.state = State::CentralTail { fixed };
                        continue;
                    }
                    let tail = std::mem::take(&mut self.buf);
                    self.check_central(&fixed, &tail)?;
                    self.state = State::Signature;
                }
                State::EndFixed => {
                    if !self.fill(&mut data, END_FIXED_LEN) {
                        self.state = State::EndFixed;
                        continue;
                    }
                    let fixed = std::mem::take(&mut self.buf);
                    self.check_end(&fixed)?;
                    self.state = State::Done;
                }
                State::Done => {
                    self.state = State::Done;
                    return Err(Error::ZipTrailingData);
                }
                State::Data(_) => return Err(self.malformed("internal state")),
            }
        }
    }

    /// Called at end of input: the end record must have been read.
    pub(crate) fn finish(&mut self) -> Result<()> {
        match self.state {
            State::Done => Ok(()),
            _ => Err(self.malformed("archive ends before its end record")),
        }
    }

    fn after_signature(&mut self, sig: u32) -> Result<State> {
        let at_start = self.offset == 4;
        let in_central = self.central_start.is_some();
        match sig {
            SIG_LOCAL if !in_central => Ok(State::LocalFixed),
            SIG_LOCAL => Err(self.malformed("local header after the central directory")),
            SIG_CENTRAL if !at_start => {
                self.enter_central()?;
                Ok(State::CentralFixed)
            }
            SIG_END => {
                self.enter_central()?;
                Ok(State::EndFixed)
            }
            _ if at_start => Err(Error::ZipPrependedData),
            SIG_ZIP64_END | SIG_ZIP64_LOCATOR => {
                Err(Error::ZipUnsupportedFeature { path: String::new(), feature: "zip64" })
            }
            SIG_DATA_DESCRIPTOR => {
                Err(Error::ZipUnsupportedFeature { path: String::new(), feature: "data descriptor" })
            }
            _ => Err(self.malformed("unknown record signature")),
        }
    }

    /// The central directory starts: no more local entries may follow, so every signed file
    /// must have been seen.
    fn enter_central(&mut self) -> Result<()> {
        if self.central_start.is_none() {
            self.central_start = Some(self.offset - 4);
            if let Some(i) = self.seen.iter().position(|s| !s) {
                return Err(Error::ZipMissingFile { path: self.files[i].path.to_string() });
            }
        }
        Ok(())
    }

    fn begin_entry(&mut self, fixed: &[u8; LOCAL_FIXED_LEN], tail: &[u8], sink: &mut dyn FileSink) -> Result<Entry> {
        let name_len = usize::from(u16_at(fixed, 22));
        let extra_len = u16_at(fixed, 24);
        let header_len = 4 + LOCAL_FIXED_LEN + tail.len();
        let record = LocalRecord {
            offset: self.offset - header_len as u64,
            name: String::from_utf8_lossy(&tail[..name_len]).into_owned(),
            version_needed: u16_at(fixed, 0),
            flags: u16_at(fixed, 2),
            method: u16_at(fixed, 4),
            time: u16_at(fixed, 6),
            date: u16_at(fixed, 8),
            crc: u32_at(fixed, 10),
            csize: u32_at(fixed, 14),
            usize: u32_at(fixed, 18),
        };
        let name = checked_name(&tail[..name_len], record.flags, &self.limits)?;
        let path = name.to_string();
        let feature = |feature| Error::ZipUnsupportedFeature { path: path.clone(), feature };
        if record.flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION) != 0 {
            return Err(Error::ZipEncryptedEntry { path });
        }
        if record.flags & FLAG_DATA_DESCRIPTOR != 0 {
            return Err(feature("data descriptor"));
        }
        if record.flags & !(FLAG_UTF8 | FLAG_DEFLATE_OPTIONS) != 0 {
            return Err(feature("general purpose flags"));
        }
        if record.csize == u32::MAX || record.usize == u32::MAX {
            return Err(feature("zip64"));
        }
        if record.version_needed > VERSION_NEEDED {
            return Err(feature("version needed to extract above 2.0"));
        }
        if extra_len != 0 {
            return Err(feature("extra field"));
        }
        if record.method != METHOD_STORED && record.method != METHOD_DEFLATE {
            return Err(Error::ZipUnsupportedMethod { path, method: record.method });
        }
        let folded = name.folded();
        if let Some(other) = self.seen_folded.get(&folded) {
            return Err(if *other == path {
                Error::ZipDuplicateEntry { path }
            } else {
                Error::ZipCaseCollision { path, other: other.clone() }
            });
        }
        self.seen_folded.insert(folded, path.clone());
        let Some(&file_index) = self.by_path.get(&path) else {
            return Err(Error::ZipUnlistedEntry { path });
        };
        let signed = &self.files[file_index];
        if record.method == METHOD_STORED && record.csize != record.usize {
            return Err(self.malformed("stored entry with different compressed size"));
        }
        if u64::from(record.usize) != signed.size {
            return Err(Error::SizeMismatch { path, expected: signed.size, actual: u64::from(record.usize) });
        }
        if record.method == METHOD_DEFLATE
            && u64::from(record.usize) > u64::from(record.csize).saturating_mul(self.limits.max_ratio)
        {
            let ratio = u64::from(record.usize) / u64::from(record.csize.max(1));
            limits::check("max_ratio", self.limits.max_ratio, ratio.max(self.limits.max_ratio + 1))?;
        }
        self.seen[file_index] = true;
        sink.start_file(name.as_str(), signed.size)?;
        let inflater = (record.method == METHOD_DEFLATE).then(|| Box::new(DecompressorOxide::new()));
        let remaining = u64::from(record.csize);
        self.locals.push(record.clone());
        Ok(Entry {
            record,
            file_index,
            remaining,
            inflater,
            history: 0,
            ended: false,
            hasher: Sha256Stream::new(),
            crc: super::crc32::Crc32::new(),
            produced: 0,
        })
    }

    fn end_entry(&mut self, entry: Entry, sink: &mut dyn FileSink) -> Result<()> {
        let signed = &self.files[entry.file_index];
        let path = signed.path.to_string();
        if entry.inflater.is_some() && !entry.ended {
            return Err(Error::ZipInflateFailed { path });
        }
        if entry.produced != signed.size {
            return Err(Error::SizeMismatch { path, expected: signed.size, actual: entry.produced });
        }
        let actual = entry.hasher.finish();
        if actual != signed.sha256 {
            return Err(Error::HashMismatch { path, expected: signed.sha256.to_hex(), actual: actual.to_hex() });
        }
        if entry.crc.finalize() != entry.record.crc {
            return Err(Error::ZipCrcMismatch { path });
        }
        sink.end_file()
    }

    fn check_central(&mut self, fixed: &[u8; CENTRAL_FIXED_LEN], tail: &[u8]) -> Result<()> {
        let name_len = usize::from(u16_at(fixed, 24));
        let name = String::from_utf8_lossy(&tail[..name_len]).into_owned();
        let Some(local) = self.locals.get(self.centrals_read).cloned() else {
            return Err(self.malformed("more central entries than local entries"));
        };
        self.centrals_read += 1;
        let mismatch = |field| Error::ZipHeaderMismatch { path: local.name.clone(), field };
        if name != local.name || tail[..name_len] != *local.name.as_bytes() {
            return Err(mismatch("name"));
        }
        let pairs: [(&'static str, u64, u64); 9] = [
            ("version needed", u16_at(fixed, 2).into(), local.version_needed.into()),
            ("flags", u16_at(fixed, 4).into(), local.flags.into()),
            ("method", u16_at(fixed, 6).into(), local.method.into()),
            ("time", u16_at(fixed, 8).into(), local.time.into()),
            ("date", u16_at(fixed, 10).into(), local.date.into()),
            ("crc32", u32_at(fixed, 12).into(), local.crc.into()),
            ("compressed size", u32_at(fixed, 16).into(), local.csize.into()),
            ("uncompressed size", u32_at(fixed, 20).into(), local.usize.into()),
            ("local header offset", u32_at(fixed, 38).into(), local.offset),
        ];
        if let Some((field, _, _)) = pairs.iter().find(|(_, c, l)| c != l) {
            return Err(mismatch(field));
        }
        let path = local.name.clone();
        let feature = |feature| Error::ZipUnsupportedFeature { path: path.clone(), feature };
        if u16_at(fixed, 26) != 0 {
            return Err(feature("extra field"));
        }
        if u16_at(fixed, 28) != 0 {
            return Err(feature("file comment"));
        }
        if u16_at(fixed, 30) != 0 {
            return Err(feature("multiple disks"));
        }
        // Info-ZIP `unzip` converts names made on MS-DOS (host 0) or OS/2 HPFS (host 6) from the
        // OEM code page even with the UTF-8 flag set (`Schrift-ü` becomes `Schrift-++`).
        let host = u16_at(fixed, 0) >> 8;
        if !path.is_ascii() && (host == HOST_MSDOS || host == HOST_OS2_HPFS) {
            return Err(Error::PathNotUtf8 { path });
        }
        check_external_attributes(&path, u32_at(fixed, 34))
    }

    fn check_end(&mut self, fixed: &[u8]) -> Result<()> {
        let end_start = self.offset - (4 + END_FIXED_LEN) as u64;
        let central_start = self.central_start.unwrap_or(end_start);
        if u16_at(fixed, 0) != 0 || u16_at(fixed, 2) != 0 {
            return Err(Error::ZipUnsupportedFeature { path: String::new(), feature: "multiple disks" });
        }
        if u16_at(fixed, 16) != 0 {
            return Err(Error::ZipUnsupportedFeature { path: String::new(), feature: "archive comment" });
        }
        let count = self.locals.len() as u64;
        if self.centrals_read as u64 != count {
            return Err(self.malformed("central directory lists fewer entries than the archive holds"));
        }
        if u64::from(u16_at(fixed, 4)) != count || u64::from(u16_at(fixed, 6)) != count {
            return Err(self.malformed("end record entry count disagrees"));
        }
        if u64::from(u32_at(fixed, 8)) != end_start - central_start {
            return Err(self.malformed("end record central directory size disagrees"));
        }
        if u64::from(u32_at(fixed, 12)) != central_start {
            return Err(self.malformed("end record central directory offset disagrees"));
        }
        Ok(())
    }
}

/// Made-by host MS-DOS / FAT (APPNOTE 4.4.2.2: 0).
const HOST_MSDOS: u16 = 0;
/// Made-by host OS/2 HPFS (APPNOTE 4.4.2.2: 6).
const HOST_OS2_HPFS: u16 = 6;

/// UTF-8 (non-ASCII only with the UTF-8 flag), then a valid archive path.
///
/// Without bit 11, ZIPFoundation and Python read a name as CP437 while Java's ZipInputStream
/// reads UTF-8: only ASCII means the same to all of them.
pub(crate) fn checked_name(raw: &[u8], flags: u16, limits: &Limits) -> Result<ArchivePath> {
    let lossy = || String::from_utf8_lossy(raw).into_owned();
    let name = std::str::from_utf8(raw).map_err(|_| Error::PathNotUtf8 { path: lossy() })?;
    if !name.is_ascii() && flags & FLAG_UTF8 == 0 {
        return Err(Error::PathNotUtf8 { path: lossy() });
    }
    ArchivePath::new(name, limits.max_path_bytes)
}

/// The external attributes of a central header (`docs/FORMAT.md` §6.1), for every made-by host:
/// ZIPFoundation takes a Unix mode from the high 16 bits for hosts Unix (3) and OS X (19),
/// Info-ZIP `unzip` for Unix, VMS, Acorn, Atari, BeOS, AtheOS, QDOS, Tandem and (when the DOS
/// bits agree) FAT, 7-Zip for Unix, and future tools may add more. So whatever the host:
/// - high 16 bits, file type (mask `0o170000`): 0 or regular, symlink → `ZIP_SYMLINK`, any other
///   → `ZIP_NOT_A_FILE`;
/// - high 16 bits, permissions (`0o7777`): 0 (extractors use their default) or readable by the
///   owner (`0o400`), else `ZIP_FILE_MODE` (iOS would install a file the app cannot read);
/// - low byte, MS-DOS attributes: directory `0x10` or volume label `0x08` → `ZIP_NOT_A_FILE`;
///   reparse point `0x400` (a Windows link) → `ZIP_SYMLINK`.
pub(crate) fn check_external_attributes(path: &str, external: u32) -> Result<()> {
    let mode = external >> 16;
    match mode & UNIX_FILE_TYPE_MASK {
        0 | UNIX_REGULAR => {}
        UNIX_SYMLINK => return Err(Error::ZipSymlink { path: path.into() }),
        _ => return Err(Error::ZipNotAFile { path: path.into() }),
    }
    if external & DOS_REPARSE_POINT != 0 {
        return Err(Error::ZipSymlink { path: path.into() });
    }
    if external & (DOS_DIRECTORY | DOS_VOLUME_LABEL) != 0 {
        return Err(Error::ZipNotAFile { path: path.into() });
    }
    let permissions = mode & UNIX_PERMISSIONS_MASK;
    if permissions != 0 && permissions & UNIX_OWNER_READ == 0 {
        return Err(Error::ZipFileMode { path: path.into(), mode });
    }
    Ok(())
}

/// Feeds compressed bytes of one entry; output beyond the signed size stops at once.
fn feed_entry(
    entry: &mut Entry,
    files: &[FileEntry],
    input: &[u8],
    scratch: &mut [u8],
    sink: &mut dyn FileSink,
) -> Result<()> {
    let signed = &files[entry.file_index];
    let Some(mut state) = entry.inflater.take() else {
        return emit(entry, signed, input, sink);
    };
    let result = inflate_into(entry, signed, &mut state, input, scratch, sink);
    entry.inflater = Some(state);
    result
}

fn inflate_into(
    entry: &mut Entry,
    signed: &FileEntry,
    state: &mut DecompressorOxide,
    mut input: &[u8],
    scratch: &mut [u8],
    sink: &mut dyn FileSink,
) -> Result<()> {
    let failed = || Error::ZipInflateFailed { path: signed.path.to_string() };
    loop {
        if entry.ended {
            // Compressed bytes after the deflate end-of-stream marker.
            return if input.is_empty() { Ok(()) } else { Err(failed()) };
        }
        let (status, consumed, written) = inflate_step(state, input, scratch, &mut entry.history);
        input = &input[consumed..];
        // Output decoded before an error comes first in the stream: an overrun of the signed
        // size is SIZE_MISMATCH however the input was split (tests/fuzz_regressions.rs).
        let (start, end) = written;
        emit(entry, signed, &scratch[start..end], sink)?;
        match status {
            TINFLStatus::Done => entry.ended = true,
            TINFLStatus::NeedsMoreInput if input.is_empty() => return Ok(()),
            TINFLStatus::HasMoreOutput | TINFLStatus::NeedsMoreInput if consumed > 0 || end > start => {}
            _ => return Err(failed()),
        }
    }
}

/// One inflate call over `scratch` used as a linear window: `history` bytes of earlier output
/// (all of it, up to the 32 KiB window) sit in front of the new output. With miniz's
/// non-wrapping flag a back-reference before the start of the buffer fails, and since the
/// buffer starts at the entry's first byte until 32 KiB are out, that is exactly zlib's
/// "invalid distance too far back" (a wrapping window would read zeros instead). Returns the
/// status, input consumed, and the range of `scratch` that holds the new output (before the
/// window slides for the next call).
pub(crate) fn inflate_step(
    state: &mut DecompressorOxide,
    input: &[u8],
    scratch: &mut [u8],
    history: &mut usize,
) -> (TINFLStatus, usize, (usize, usize)) {
    let flags = TINFL_FLAG_HAS_MORE_INPUT | TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;
    // Slide: keep the last window of output in front.
    if *history > DEFLATE_WINDOW {
        scratch.copy_within(*history - DEFLATE_WINDOW..*history, 0);
        *history = DEFLATE_WINDOW;
    }
    let start = *history;
    let (status, consumed, written) = decompress(state, input, scratch, start, flags);
    *history = start + written;
    (status, consumed, (start, start + written))
}

fn emit(entry: &mut Entry, signed: &FileEntry, data: &[u8], sink: &mut dyn FileSink) -> Result<()> {
    if data.is_empty() {
        return Ok(());
    }
    let produced = entry.produced + data.len() as u64;
    if produced > signed.size {
        return Err(Error::SizeMismatch { path: signed.path.to_string(), expected: signed.size, actual: produced });
    }
    entry.produced = produced;
    entry.hasher.update(data);
    entry.crc.update(data);
    sink.write(data)
}
