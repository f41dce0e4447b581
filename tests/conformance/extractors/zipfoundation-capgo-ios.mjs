// iOS: a model of what @capgo/capacitor-updater 8.51.23 installs on iOS, written in JS from the
// sources (no Swift runs here). Two parts:
//
// ZIPFoundation (weichsel/ZIPFoundation, the plugin's Package.swift asks for >= 0.9.20):
//   - Archive.scanForEndOfCentralDirectoryRecord: the end record is searched backwards from the
//     end of the file over at most 66000 bytes; the first signature found (from the end) wins and
//     its comment must be complete, else the archive does not open.
//   - Archive.makeIterator: walks `totalNumberOfEntriesInCentralDirectory` central headers from
//     `offsetToStartOfCentralDirectory`; for each, reads the local header at the central header's
//     offset. A central or local header that does not parse (wrong signature, short read) ends
//     the iteration silently: the plugin then installs what it extracted so far.
//   - Entry.init: an encrypted entry (central flag bit 0) ends the iteration as well.
//   - Entry.path: the central header's name, UTF-8 if central flag bit 11 is set, else CP437;
//     undecodable UTF-8 gives "".
//   - Entry.type: for made-by hosts 3 (Unix) and 19 (OS X) the type comes from the Unix mode in
//     the external attributes (S_IFREG file, S_IFDIR directory, S_IFLNK symlink, anything else:
//     directory if the path ends in "/", else file); for host 0 (MS-DOS) a trailing "/" or
//     external attributes >> 4 == 1 means directory; every other host: trailing "/" only.
//   - Entry.dataOffset: central offset + 30 + the LOCAL header's name and extra lengths.
//   - Archive.extract(_:bufferSize:skipCRC32:consumer:) with skipCRC32 true (the plugin's call):
//     the method comes from the local header (not 0 or 8: error); stored data is the central
//     uncompressed size; deflate inflates the central compressed size; symlink data is the local
//     compressed size, raw. No CRC check. Deflate is decoded here with zlib (Linux ZIPFoundation
//     uses zlib; Apple's Compression framework is assumed to refuse what zlib refuses).
// The plugin (ios/Sources/CapacitorUpdaterPlugin/CapgoUpdater.swift):
//   - saveDownloaded: for entry in archive, resolveZipEntry → resolvePathInsideDirectory (empty,
//     "\" or NUL, a ".." segment, absolute: error; the standardized target must be a strict child
//     of the folder); directories: createDirectory(withIntermediateDirectories:); otherwise the
//     parent is created if missing, then extractZipEntry.
//   - extractZipEntry: .file: createDirectory(parent), an existing item at the path (file, folder
//     or link) is removed, the file created and filled; .symlink: the target read as UTF-8 must
//     stay inside the parent folder (standardized, not resolved), an existing item is removed,
//     the link created as told.
//   - unflatFolder: contentsOfDirectory of the extracted folder, hidden names included; exactly
//     one entry that is a directory, and no index.html: that directory becomes the bundle;
//     otherwise the whole folder does.
// The file system is modelled as APFS's default: case-insensitive and normalization-insensitive,
// case- and form-preserving (the first name given to an item is kept).
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;

// CP437 code points for bytes 0x80-0xFF (IBM PC character set).
const CP437_HIGH =
  "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0";

function decodeName(bytes, utf8) {
  if (utf8) {
    try { return new TextDecoder("utf-8", { fatal: true }).decode(bytes); } catch { return ""; }
  }
  let s = "";
  for (const b of bytes) s += b < 0x80 ? String.fromCharCode(b) : CP437_HIGH[b - 0x80];
  return s;
}

class InstallError extends Error {}

/** ZIPFoundation's reading side, over a Buffer. */
function* archiveEntries(zip) {
  // Archive.scanForEndOfCentralDirectoryRecord
  let eocd = -1;
  for (let i = 22; i < 66000 && i <= zip.length; i++) {
    if (zip.readUInt32LE(zip.length - i) === 0x06054b50) { eocd = zip.length - i; break; }
  }
  if (eocd < 0) throw new InstallError("Archive: no end of central directory record");
  if (eocd + 22 > zip.length) throw new InstallError("Archive: end record truncated");
  const commentLength = zip.readUInt16LE(eocd + 20);
  if (eocd + 22 + commentLength > zip.length) throw new InstallError("Archive: end record comment truncated");
  const total = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  // Archive.makeIterator
  for (let index = 0; index < total; index++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== 0x02014b50) return;
    const c = {
      madeBy: zip.readUInt16LE(at + 4), flags: zip.readUInt16LE(at + 8), method: zip.readUInt16LE(at + 10),
      csize: zip.readUInt32LE(at + 20), usize: zip.readUInt32LE(at + 24), nameLength: zip.readUInt16LE(at + 28),
      extraLength: zip.readUInt16LE(at + 30), commentLength: zip.readUInt16LE(at + 32),
      external: zip.readUInt32LE(at + 38), offset: zip.readUInt32LE(at + 42),
    };
    const varEnd = at + 46 + c.nameLength + c.extraLength + c.commentLength;
    if (varEnd > zip.length) return;
    c.name = zip.subarray(at + 46, at + 46 + c.nameLength);
    applyZip64(c, zip.subarray(at + 46 + c.nameLength, at + 46 + c.nameLength + c.extraLength));
    const o = c.offset;
    if (o + 30 > zip.length || zip.readUInt32LE(o) !== 0x04034b50) return;
    const l = {
      method: zip.readUInt16LE(o + 8), csize: zip.readUInt32LE(o + 18),
      nameLength: zip.readUInt16LE(o + 26), extraLength: zip.readUInt16LE(o + 28),
    };
    if (o + 30 + l.nameLength + l.extraLength > zip.length) return;
    if (c.flags & 1) return; // Entry.init returns nil for encrypted entries
    at = varEnd;
    yield { central: c, local: l, dataOffset: o + 30 + l.nameLength + l.extraLength };
  }
}

// ZIP64 extended information (0x0001): the 32-bit fields that are 0xffffffff, in order.
function applyZip64(c, extra) {
  for (let i = 0; i + 4 <= extra.length;) {
    const id = extra.readUInt16LE(i);
    const size = extra.readUInt16LE(i + 2);
    if (id === 1) {
      let p = i + 4;
      const take = () => { const v = p + 8 <= i + 4 + size ? Number(extra.readBigUInt64LE(p)) : undefined; p += 8; return v; };
      if (c.usize === 0xffffffff) c.usize = take() ?? c.usize;
      if (c.csize === 0xffffffff) c.csize = take() ?? c.csize;
      if (c.offset === 0xffffffff) c.offset = take() ?? c.offset;
    }
    i += 4 + size;
  }
}

function entryPath(e) { return decodeName(e.central.name, (e.central.flags & 0x0800) !== 0); }

/** Entry.type */
function entryType(e) {
  const host = e.central.madeBy >> 8;
  const p = entryPath(e);
  let isDirectory = p.endsWith("/");
  if (host === 3 || host === 19) {
    const mode = (e.central.external >>> 16) & S_IFMT;
    if (mode === S_IFREG) return "file";
    if (mode === S_IFDIR) return "directory";
    if (mode === S_IFLNK) return "symlink";
    return isDirectory ? "directory" : "file";
  }
  if (host === 0) isDirectory = isDirectory || e.central.external >>> 4 === 1;
  return isDirectory ? "directory" : "file";
}

/** Archive.extract with skipCRC32: the entry's bytes (file) or raw link data (symlink). */
function entryData(zip, e, type) {
  if (type === "symlink") return readChunk(zip, e.dataOffset, e.local.csize);
  if (e.local.method === 0) return readChunk(zip, e.dataOffset, e.central.usize);
  if (e.local.method === 8) {
    const compressed = readChunk(zip, e.dataOffset, e.central.csize);
    try {
      return zlib.inflateRawSync(compressed);
    } catch (err) {
      throw new InstallError(`CompressionError.corruptedData (${err.message})`);
    }
  }
  throw new InstallError("ArchiveError.invalidCompressionMethod");
}

function readChunk(zip, at, size) {
  if (at + size > zip.length) throw new InstallError("ArchiveError.unreadableArchive (short read)");
  return zip.subarray(at, at + size);
}

// --- an APFS-like file system in memory ------------------------------------------------------

// Case folding approximated as upper- then lower-casing (folds ſ to s, K to k, Σ/ς/σ together).
const foldKey = (name) => name.normalize("NFD").toUpperCase().toLowerCase().normalize("NFD");
// APFS names are at most 255 UTF-8 bytes.
const checkName = (name) => {
  if (Buffer.byteLength(name) > 255) throw new InstallError(`ENAMETOOLONG: a name of ${Buffer.byteLength(name)} bytes`);
};

class Dir { constructor(name) { this.type = "dir"; this.name = name; this.children = new Map(); } }

class Volume {
  constructor() { this.root = new Dir(""); }
  /** The node at components (following no links), or undefined. */
  lookup(parts) {
    let node = this.root;
    for (const p of parts) {
      if (node?.type !== "dir") return undefined;
      node = node.children.get(foldKey(p));
    }
    return node;
  }
  /** FileManager.fileExists(atPath:) follows links. */
  exists(parts) {
    const n = this.lookup(parts);
    if (n?.type !== "link") return n !== undefined;
    return this.exists(this.resolveLink(parts, n.target));
  }
  resolveLink(parts, target) {
    const base = target.startsWith("/") ? [] : parts.slice(0, -1);
    return standardize([...base, ...target.split("/")]) ?? ["\0outside"];
  }
  /** createDirectory(at:withIntermediateDirectories: true) */
  mkdirp(parts) {
    let node = this.root;
    for (const p of parts) {
      let next = node.children.get(foldKey(p));
      if (next?.type === "link") next = this.lookup(this.resolveLink(parts.slice(0, parts.indexOf(p) + 1), next.target));
      if (next === undefined) { checkName(p); next = new Dir(p); node.children.set(foldKey(p), next); }
      if (next.type !== "dir") throw new InstallError(`createDirectory: an item that is not a folder exists at ${p}`);
      node = next;
    }
  }
  remove(parts) { this.lookup(parts.slice(0, -1)).children.delete(foldKey(parts.at(-1))); }
  put(parts, node) {
    const parent = this.lookup(parts.slice(0, -1));
    if (parent?.type !== "dir") throw new InstallError(`createFile: ${parts.slice(0, -1).join("/")} is not a folder`);
    checkName(parts.at(-1));
    node.name = parts.at(-1);
    parent.children.set(foldKey(parts.at(-1)), node);
  }
}

/** URL.standardizedFileURL on a component list: drops "." and empty parts, resolves "..". */
function standardize(parts) {
  const out = [];
  for (const p of parts) {
    if (p === "" || p === ".") continue;
    if (p === "..") { if (out.length === 0) return null; out.pop(); continue; }
    out.push(p);
  }
  return out;
}

/** CapgoUpdater.resolvePathInsideDirectory, relative to the extraction folder. */
function resolveInside(rel) {
  if (rel === "") throw new InstallError("SecurePathError.emptyPath");
  if (rel.includes("\\") || rel.includes("\0")) throw new InstallError("SecurePathError.windowsPath");
  if (rel.split("/").includes("..")) throw new InstallError("SecurePathError.pathTraversal");
  if (rel.startsWith("/") || rel.startsWith("~")) throw new InstallError("SecurePathError.absolutePath");
  const parts = standardize(rel.split("/"));
  if (!parts || parts.length === 0) throw new InstallError("SecurePathError.pathTraversal (not a strict child)");
  return parts;
}

/** CapgoUpdater.saveDownloaded + extractZipEntry into an in-memory volume. */
function install(zip) {
  const vol = new Volume();
  for (const e of archiveEntries(zip)) {
    const dest = resolveInside(entryPath(e));
    const type = entryType(e);
    if (type === "directory") { vol.mkdirp(dest); continue; }
    const parent = dest.slice(0, -1);
    if (!vol.exists(parent)) vol.mkdirp(parent);
    const data = entryData(zip, e, type);
    if (type === "file") {
      vol.mkdirp(parent);
      if (vol.exists(dest)) vol.remove(dest);
      vol.put(dest, { type: "file", data: Buffer.from(data) });
    } else {
      let target;
      try { target = new TextDecoder("utf-8", { fatal: true }).decode(data); } catch { throw new InstallError("symlink target is not UTF-8"); }
      vol.mkdirp(parent);
      const resolved = target.startsWith("/") ? standardize(target.split("/")) : standardize([...parent, ...target.split("/")]);
      const inside = resolved && !target.startsWith("/") && resolved.length >= parent.length && parent.every((p, i) => foldKey(p) === foldKey(resolved[i]));
      if (!inside) throw new InstallError(`symlink ${dest.join("/")} -> ${target} leaves its folder`);
      if (vol.exists(dest) || vol.lookup(dest)) vol.remove(dest);
      vol.put(dest, { type: "link", target });
    }
  }
  return vol;
}

/** CapgoUpdater.unflatFolder: the folder that becomes the bundle. */
function unflat(vol) {
  const children = [...vol.root.children.values()];
  const hasIndex = vol.exists(["index.html"]);
  if (children.length === 1 && children[0].type === "dir" && !hasIndex) return children[0];
  return vol.root;
}

function materialize(dir, outDir) {
  for (const node of dir.children.values()) {
    const p = path.join(outDir, node.name);
    if (node.type === "dir") { fs.mkdirSync(p); materialize(node, p); }
    else if (node.type === "file") fs.writeFileSync(p, node.data);
    else fs.symlinkSync(node.target, p);
  }
}

export default {
  name: "ios-capgo-zipfoundation",
  installer: true,
  available() { return true; },
  async extract(zipPath, outDir) {
    try {
      const vol = install(fs.readFileSync(zipPath));
      materialize(unflat(vol), outDir);
      return { ok: true };
    } catch (e) {
      if (e instanceof InstallError) return { ok: false, error: e.message };
      return { ok: false, error: `model error: ${e.message}` };
    }
  },
};
