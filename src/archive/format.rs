//! Named constants of the zip subset (APPNOTE.TXT 6.3.x, §4.3).

pub(crate) const SIG_LOCAL: u32 = 0x0403_4b50;
pub(crate) const SIG_CENTRAL: u32 = 0x0201_4b50;
pub(crate) const SIG_END: u32 = 0x0605_4b50;
pub(crate) const SIG_ZIP64_END: u32 = 0x0606_4b50;
pub(crate) const SIG_ZIP64_LOCATOR: u32 = 0x0706_4b50;
pub(crate) const SIG_DATA_DESCRIPTOR: u32 = 0x0807_4b50;

/// Local header after its signature: need, flags, method, time, date, crc, csize, usize,
/// name_len, extra_len.
pub(crate) const LOCAL_FIXED_LEN: usize = 26;
/// Central header after its signature, up to and including the local header offset.
pub(crate) const CENTRAL_FIXED_LEN: usize = 42;
/// End record after its signature.
pub(crate) const END_FIXED_LEN: usize = 18;

pub(crate) const METHOD_STORED: u16 = 0;
pub(crate) const METHOD_DEFLATE: u16 = 8;
/// "2.0": deflate, no zip64.
pub(crate) const VERSION_NEEDED: u16 = 20;
/// Made by: host 3 (Unix), spec 3.0, so the external attributes carry a Unix mode.
pub(crate) const VERSION_MADE_BY_UNIX: u16 = 0x031E;
/// General purpose bit 11: the name is UTF-8.
pub(crate) const FLAG_UTF8: u16 = 1 << 11;
pub(crate) const FLAG_ENCRYPTED: u16 = 1;
pub(crate) const FLAG_DATA_DESCRIPTOR: u16 = 1 << 3;
pub(crate) const FLAG_STRONG_ENCRYPTION: u16 = 1 << 6;
/// Bit 5: compressed patched data (PKWARE); nothing else can read it.
pub(crate) const FLAG_PATCH_DATA: u16 = 1 << 5;
/// Bits 1-2 only hint at the deflate level; harmless.
pub(crate) const FLAG_DEFLATE_OPTIONS: u16 = 0b110;
/// 1980-01-01 00:00:00, the MS-DOS epoch.
pub(crate) const DOS_TIME: u16 = 0;
pub(crate) const DOS_DATE: u16 = (1 << 5) | 1;
/// Regular file, mode 0644, in the high 16 bits.
pub(crate) const EXTERNAL_ATTR_REGULAR_0644: u32 = 0o100_644 << 16;
pub(crate) const UNIX_FILE_TYPE_MASK: u32 = 0o170_000;
pub(crate) const UNIX_REGULAR: u32 = 0o100_000;
pub(crate) const UNIX_SYMLINK: u32 = 0o120_000;
pub(crate) const UNIX_DIRECTORY: u32 = 0o040_000;
pub(crate) const UNIX_PERMISSIONS_MASK: u32 = 0o7777;
pub(crate) const UNIX_OWNER_READ: u32 = 0o400;
/// MS-DOS attribute bits (low byte of the external attributes).
pub(crate) const DOS_VOLUME_LABEL: u32 = 0x08;
pub(crate) const DOS_DIRECTORY: u32 = 0x10;
/// Windows FILE_ATTRIBUTE_REPARSE_POINT: a symbolic link or junction.
pub(crate) const DOS_REPARSE_POINT: u32 = 0x400;
