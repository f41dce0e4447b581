// Models of @capawesome/capacitor-live-update's iOS unpacking, written from the published
// sources (not run: there is no iOS here), each followed by the plugin's index.html root search:
//
// - plugin ≤ 8.0.x: `SSZipArchive.unzipFile(atPath:toDestination:)` (ZipArchive/ZipArchive
//   SSZipArchive.m, minizip-ng), whose Bool result the plugin ignores: whatever was written
//   before a failure is searched and installed;
// - plugin ≥ 8.1.0: ZIPFoundation's `FileManager.unzipItem(at:to:)` (weichsel/ZIPFoundation
//   FileManager+ZIP.swift, Archive+Reading.swift, Entry.swift; 0.9.x), which throws, and the
//   plugin's downloadBundle then fails.
//
// Both write into a model of the iOS file system, which is case-insensitive and
// normalization-insensitive (APFS default): a second name that folds to an existing one is the
// same file. The result is materialized (links kept as links) into the harness's outDir.
import * as fs from "node:fs";
import * as path from "node:path";
import { inflateRawSync, crc32 } from "node:zlib";
import { entryPayload, readCentral } from "./zipcraft.mjs";

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;

/** Code page 437, the ZIP default name encoding (APPNOTE appendix D) for bytes ≥ 0x80. */
const CP437_HIGH =
  "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0";
const cp437 = (bytes) => [...bytes].map((b) => (b < 0x80 ? String.fromCharCode(b) : CP437_HIGH[b - 0x80])).join("");
const utf8 = (bytes) => {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
};

/** A case- and normalization-insensitive tree (APFS default), keyed by folded path. */
class IosFs {
  constructor() {
    /** @type {Map<string, { name: string, type: "file" | "dir" | "link", data?: Uint8Array, target?: string }>} */
    this.nodes = new Map();
  }
  static fold(p) {
    return p.normalize("NFD").toLowerCase();
  }
  /** APFS: a name is at most 255 bytes of UTF-8. */
  static tooLong(p) {
    return p.split("/").some((c) => Buffer.byteLength(c, "utf8") > 255);
  }
  parts(p) {
    return p.split("/").filter((c) => c !== "" && c !== ".");
  }
  get(p) {
    return this.nodes.get(IosFs.fold(this.parts(p).join("/")));
  }
  /** mkdir -p; false when a component exists as a non-directory (after following links one level). */
  mkdirs(p) {
    let acc = [];
    for (const c of this.parts(p)) {
      acc.push(c);
      const key = IosFs.fold(acc.join("/"));
      const n = this.nodes.get(key);
      if (!n) this.nodes.set(key, { name: acc.join("/"), type: "dir" });
      else if (n.type !== "dir") return false;
      else acc = n.name.split("/");
    }
    return true;
  }
  /** The stored spelling of a path whose parents exist (the first writer's spelling wins). */
  spelling(p) {
    const parts = this.parts(p);
    const parent = parts.slice(0, -1).join("/");
    const pn = parent ? this.get(parent) : { name: "" };
    const existing = this.get(p);
    if (existing) return existing.name;
    return (pn?.name ? pn.name + "/" : "") + parts.at(-1);
  }
  /** `mode`: the permission bits the installer sets (undefined: the system default). */
  write(p, data, mode) {
    const name = this.spelling(p);
    this.nodes.set(IosFs.fold(name), { name, type: "file", data, mode });
  }
  link(p, target) {
    const name = this.spelling(p);
    this.nodes.set(IosFs.fold(name), { name, type: "link", target });
  }
  remove(p) {
    const key = IosFs.fold(this.parts(p).join("/"));
    for (const k of [...this.nodes.keys()]) if (k === key || k.startsWith(key + "/")) this.nodes.delete(k);
  }
  children(dirName) {
    const prefix = dirName ? IosFs.fold(dirName) + "/" : "";
    return [...this.nodes.values()].filter((n) => {
      const k = IosFs.fold(n.name);
      return k.startsWith(prefix) && !k.slice(prefix.length).includes("/") && k !== IosFs.fold(dirName);
    });
  }
  /** `fileExists(atPath:isDirectory:)`: follows links (inside the tree; outside counts as not a directory). */
  isDirectory(name, depth = 0) {
    const n = this.get(name);
    if (!n || depth > 32) return false;
    if (n.type === "dir") return true;
    if (n.type !== "link" || n.target === undefined || n.target.startsWith("/")) return false;
    const parent = name.split("/").slice(0, -1);
    const resolved = [];
    for (const c of [...parent, ...n.target.split("/")]) {
      if (c === "" || c === ".") continue;
      if (c === "..") {
        if (!resolved.length) return false;
        resolved.pop();
      } else resolved.push(c);
    }
    return this.isDirectory(resolved.join("/"), depth + 1);
  }
}

/** The plugin's iOS root search (LiveUpdate.searchIndexHtmlFile) over every listing order. */
function possibleRoots(vfs) {
  const walk = (dir, depth) => {
    if (depth > 64) return [];
    const kids = vfs.children(dir);
    if (kids.some((k) => k.name.split("/").at(-1) === "index.html")) return [dir];
    const found = new Set();
    for (const k of kids) if (vfs.isDirectory(k.name)) for (const r of walk(k.name, depth + 1)) found.add(r);
    return [...found];
  };
  return walk("", 0);
}

function materialize(vfs, root, outDir) {
  fs.mkdirSync(outDir, { recursive: true });
  const prefix = root ? IosFs.fold(root) + "/" : "";
  const nodes = [...vfs.nodes.values()].filter((n) => IosFs.fold(n.name).startsWith(prefix)).sort((a, b) => a.name.length - b.name.length);
  for (const n of nodes) {
    const dst = path.join(outDir, n.name.slice(prefix.length));
    if (n.type === "dir") fs.mkdirSync(dst, { recursive: true });
    else {
      fs.mkdirSync(path.dirname(dst), { recursive: true });
      if (n.type === "file") {
        fs.writeFileSync(dst, n.data);
        if (n.mode !== undefined) fs.chmodSync(dst, n.mode);
      }
      else fs.symlinkSync(n.target, dst);
    }
  }
}

function install(vfs, outDir) {
  const roots = possibleRoots(vfs);
  if (roots.length === 0) return { ok: false, error: "no index.html anywhere (bundleIndexHtmlMissing)" };
  if (roots.length > 1) return { ok: false, error: `AMBIGUOUS_ROOT: the listing order decides between ${roots.map((r) => r || ".").sort().join(", ")}` };
  materialize(vfs, roots[0], outDir);
  return { ok: true };
}

/** Inflate or copy; `null` when the stream is not what zlib accepts (minizip-ng and ZIPFoundation both use zlib). */
function decode(zip, e) {
  const payload = entryPayload(zip, e);
  if (e.method === 0) return new Uint8Array(payload);
  if (e.method !== 8) return null;
  try {
    return new Uint8Array(inflateRawSync(payload));
  } catch {
    return null;
  }
}

/**
 * SSZipArchive (2.x, minizip-ng) `unzipFileAtPath:toDestination:` as the plugin ≤ 8.0.x calls it
 * (overwrite YES, no password, symlinks valid within the destination, no nested zips).
 * @returns {{ vfs: IosFs, error: string | null }} error: why SSZipArchive stopped (the plugin ignores it)
 */
export function sszipArchive(zip) {
  const vfs = new IosFs();
  let entries;
  try {
    entries = readCentral(zip);
  } catch (e) {
    return { vfs, error: `unzOpen: ${e.message}` };
  }
  for (const [i, e] of entries.entries()) {
    const host = e.versionMadeBy >> 8;
    // _fileIsSymbolicLink: Unix host only (not OS X 19), S_IFLNK in the high 16 bits.
    const isLink = host === 3 && ((e.external >>> 16) & S_IFMT) === S_IFLNK;
    // _filenameStringWithCString: CP437 only for a DOS host without the UTF-8 flag; else UTF-8
    // (then encoding detection, which this model does not attempt: treated as a stop).
    const utf8Flag = (e.flags & 0x800) !== 0;
    let name = !utf8Flag && host === 0 ? cp437(e.rawName) : utf8(e.rawName);
    if (name === null) return { vfs, error: `entry ${i}: name is neither UTF-8 nor CP437 (encoding detection not modelled)` };
    if (name.startsWith("__MACOSX/")) continue;
    const last = e.rawName.at(-1);
    const isDirectory = last === 0x2f || last === 0x5c;
    // _sanitizedPath: "\" → "/", then URL standardization drops "." and resolves ".." (never above the root).
    const parts = [];
    for (const c of name.replaceAll("\\", "/").split("/")) {
      if (c === "..") parts.pop();
      else if (c !== ".") parts.push(c);
    }
    name = parts.filter((c) => c !== "").join("/"); // stringByAppendingPathComponent drops empty components
    if (!name) name = String(i);
    // createDirectoryAtPath errors are logged and ignored (all but code 640, "no space").
    const parentOk = isDirectory ? vfs.mkdirs(name) : vfs.mkdirs(parts.slice(0, -1).filter((c) => c !== "").join("/"));
    if (isDirectory && !isLink) continue;
    if (!parentOk || IosFs.tooLong(name)) {
      // fopen/symlink under a file (ENOTDIR) or with a name over 255 bytes (ENAMETOOLONG) fails:
      // logged, the entry is skipped, unzipping goes on.
      if (decode(zip, e) === null) return { vfs, error: `entry ${name}: unzReadCurrentFile failed` };
      continue;
    }
    const data = decode(zip, e);
    if (data === null) return { vfs, error: `entry ${name}: unzReadCurrentFile failed` };
    if (!isLink) {
      const existing = vfs.get(name);
      if (existing?.type === "dir") {
        // fopen(…, "wb") on a folder: EISDIR, logged and skipped.
      } else if (existing?.type === "link") {
        return { vfs, error: `entry ${name}: would write through a link (not modelled)` };
      } else {
        // preserveAttributes: the high 16 bits, whatever the host, plus owner read/write (#293).
        vfs.write(name, data, ((e.external >>> 16) | 0o600) & 0o7777);
      }
    } else {
      const target = new TextDecoder().decode(data.includes(0) ? data.subarray(0, data.indexOf(0)) : data);
      const resolved = path.posix.normalize(path.posix.join("/dest", path.posix.dirname(name), target));
      if (target.startsWith("/") || !(resolved === "/dest" || resolved.startsWith("/dest/"))) {
        return { vfs, error: `entry ${name}: symlink escapes target directory` };
      }
      vfs.remove(name);
      vfs.link(name, target);
    }
    if ((crc32(data) >>> 0) !== e.crc) return { vfs, error: `entry ${name}: CRC error (the bytes were written)` };
  }
  return { vfs, error: null };
}

/** ZIPFoundation 0.9.x `Entry.type`. */
function zfType(e, pathString) {
  const host = e.versionMadeBy >> 8;
  const slash = pathString.endsWith("/");
  if (host === 3 || host === 19) {
    switch ((e.external >>> 16) & S_IFMT) {
      case S_IFREG:
        return "file";
      case S_IFDIR:
        return "dir";
      case S_IFLNK:
        return "link";
      default:
        return slash ? "dir" : "file";
    }
  }
  if (host === 0) return slash || e.external >>> 4 === 0x01 ? "dir" : "file";
  return slash ? "dir" : "file";
}

/**
 * ZIPFoundation 0.9.x `FileManager.unzipItem(at:to:)` with the defaults the plugin ≥ 8.1 uses
 * (CRC-32 checked, no uncontained symlinks). Throws → the install fails.
 * @returns {IosFs}
 */
export function zipFoundationUnzipItem(zip) {
  const entries = readCentral(zip);
  const usable = [];
  const b = Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength);
  for (const e of entries) {
    // Archive's iterator stops silently at an entry without a local file header.
    if (e.localOffset + 4 > b.length || b.readUInt32LE(e.localOffset) !== 0x04034b50) break;
    const name = (e.flags & 0x800) !== 0 ? utf8(e.rawName) : cp437(e.rawName);
    if (name === null) throw new Error("invalidEntryPath");
    usable.push({ e, name, type: zfType(e, name) });
  }
  // Directories before files before links (stable), as unzipItem sorts them.
  const rank = { dir: 0, file: 1, link: 2 };
  usable.sort((x, y) => rank[x.type] - rank[y.type]);
  const vfs = new IosFs();
  for (const { e, name, type } of usable) {
    const host = e.versionMadeBy >> 8;
    if (IosFs.tooLong(name)) throw new Error(`ENAMETOOLONG: ${name}`);
    const std = path.posix.normalize(path.posix.join("/dest", name));
    if (!(std === "/dest" || std.startsWith("/dest/"))) throw new Error(`fileReadInvalidFileName: ${name}`);
    const rel = std.slice("/dest/".length);
    const parent = rel.split("/").slice(0, -1).join("/");
    const data = decode(zip, e);
    if (data === null) throw new Error(`${name}: corrupted data`);
    if (type === "dir") {
      if (!vfs.mkdirs(rel)) throw new Error(`createDirectory ${name}: a file is in the way`);
    } else if (type === "file") {
      if (vfs.get(rel)) throw new Error(`fileWriteFileExists: ${name}`);
      if (!vfs.mkdirs(parent)) throw new Error(`createParentDirectoryStructure ${name}: a file is in the way`);
      // FileManager.permissions(for:osType:entryType:): the mode's permission bits for hosts 3
      // and 19 (0 → 0644), the default for every other host.
      const perms = (e.external >>> 16) & 0o7777;
      vfs.write(rel, data, (host === 3 || host === 19) && perms !== 0 ? perms : 0o644);
    } else {
      if (vfs.get(rel)) throw new Error(`fileWriteFileExists: ${name}`);
      const target = utf8(data);
      if (target === null) throw new Error("invalidEntryPath");
      const resolved = path.posix.normalize(path.posix.join("/dest", parent, target));
      const within = "/dest" + (parent ? "/" + parent : "");
      if (target.startsWith("/") || !(resolved === within || resolved.startsWith(within + "/"))) throw new Error(`uncontainedSymlink: ${name}`);
      if (!vfs.mkdirs(parent)) throw new Error(`createParentDirectoryStructure ${name}: a file is in the way`);
      vfs.link(rel, target);
    }
    if (type !== "dir" && (crc32(data) >>> 0) !== e.crc) throw new Error(`invalidCRC32: ${name}`);
  }
  return vfs;
}

/** The extractor objects the harness discovers (tests/conformance/extractors/capawesome-ios-*.mjs). */
export const capawesomeIosSsZipArchive = {
  name: "capawesome-ios (SSZipArchive model: plugin ≤ 8.0.x)",
  installer: true,
  available: () => true,
  async extract(zipPath, outDir) {
    const { vfs } = sszipArchive(new Uint8Array(fs.readFileSync(zipPath)));
    // The plugin ignores SSZipArchive's result: a stopped extraction still installs what it wrote.
    return install(vfs, outDir);
  },
};

export const capawesomeIosZipFoundation = {
  name: "capawesome-ios (ZIPFoundation unzipItem model: plugin ≥ 8.1)",
  installer: true,
  available: () => true,
  async extract(zipPath, outDir) {
    let vfs;
    try {
      vfs = zipFoundationUnzipItem(new Uint8Array(fs.readFileSync(zipPath)));
    } catch (e) {
      return { ok: false, error: `unzipItem: ${e.message}` };
    }
    return install(vfs, outDir);
  },
};
