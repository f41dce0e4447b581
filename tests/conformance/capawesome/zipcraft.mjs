// A zip written record by record (APPNOTE.TXT 4.3.7 local header, 4.3.12 central directory
// header, 4.3.16 end of central directory), with every field the Capawesome installers read
// under the caller's control. No data descriptors, no zip64: the cases here are about names,
// types and layout, and the strict reader must be able to accept the benign ones.
import { crc32, deflateRawSync } from "node:zlib";

/** Made-by hosts (APPNOTE 4.4.2.2). */
export const HOST = Object.freeze({ DOS: 0, UNIX: 3, NTFS: 10, VFAT: 14, OSX: 19 });
/** Unix st_mode types, in the high 16 bits of the external attributes. */
export const S_IFREG = 0o100000;
export const S_IFDIR = 0o040000;
export const S_IFLNK = 0o120000;
/** MS-DOS attribute bits, in the low byte of the external attributes. */
export const DOS_DIR = 0x10;
/** General purpose flag bit 11: the name is UTF-8 (APPNOTE appendix D). */
export const FLAG_UTF8 = 1 << 11;

/**
 * @typedef {object} Entry
 * @property {string | Uint8Array} name
 * @property {Uint8Array | string} [data]
 * @property {number} [host]     made-by host, default UNIX
 * @property {number} [mode]     Unix st_mode (type + permissions), default regular 0644
 * @property {number} [external] the whole external attributes field (overrides host/mode)
 * @property {number} [flags]    general purpose flags, default UTF-8 when the name is not ASCII
 * @property {"store" | "deflate"} [method]
 * @property {number} [crc]      a CRC-32 to write instead of the right one
 * @property {Uint8Array} [payload] the compressed bytes to write instead of deflating `data`
 */

const enc = new TextEncoder();

/** @param {Entry[]} entries @returns {Buffer} */
export function buildZip(entries) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const e of entries) {
    const name = typeof e.name === "string" ? enc.encode(e.name) : e.name;
    const data = e.data === undefined ? new Uint8Array(0) : typeof e.data === "string" ? enc.encode(e.data) : e.data;
    const method = e.method ?? "store";
    const payload = e.payload ?? (method === "deflate" ? deflateRawSync(data) : data);
    const ascii = name.every((b) => b < 0x80);
    const flags = e.flags ?? (ascii ? 0 : FLAG_UTF8);
    const host = e.host ?? HOST.UNIX;
    const external = e.external ?? (((e.mode ?? S_IFREG | 0o644) & 0xffff) << 16) >>> 0;
    const crc = e.crc ?? crc32(data) >>> 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method === "deflate" ? 8 : 0, 8);
    local.writeUInt16LE(0, 10); // time
    local.writeUInt16LE(0x21, 12); // date 1980-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(payload.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((host << 8) | 20, 4); // version made by
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method === "deflate" ? 8 : 0, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(payload.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(0, 30); // extra
    central.writeUInt16LE(0, 32); // comment
    central.writeUInt16LE(0, 34); // disk
    central.writeUInt16LE(0, 36); // internal attributes
    central.writeUInt32LE(external >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    const rec = Buffer.concat([local, name, payload]);
    locals.push(rec);
    centrals.push(Buffer.concat([central, name]));
    offset += rec.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, eocd]);
}

/**
 * The central directory of a zip as the installers modelled here read it (no zip64; the
 * strict reader refuses anything these cannot represent).
 * @param {Uint8Array} zip
 */
export function readCentral(zip) {
  const b = Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength);
  let eocd = -1;
  for (let i = b.length - 22; i >= Math.max(0, b.length - 22 - 0xffff); i--) {
    if (b.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error("no end of central directory record");
  const count = b.readUInt16LE(eocd + 10);
  let at = b.readUInt32LE(eocd + 16);
  const entries = [];
  for (let i = 0; i < count; i++) {
    if (at + 46 > b.length || b.readUInt32LE(at) !== 0x02014b50) throw new Error(`bad central directory header ${i}`);
    const nameLen = b.readUInt16LE(at + 28);
    const extraLen = b.readUInt16LE(at + 30);
    const commentLen = b.readUInt16LE(at + 32);
    const e = {
      versionMadeBy: b.readUInt16LE(at + 4),
      flags: b.readUInt16LE(at + 8),
      method: b.readUInt16LE(at + 10),
      crc: b.readUInt32LE(at + 16),
      compressedSize: b.readUInt32LE(at + 20),
      size: b.readUInt32LE(at + 24),
      external: b.readUInt32LE(at + 38),
      localOffset: b.readUInt32LE(at + 42),
      rawName: new Uint8Array(b.subarray(at + 46, at + 46 + nameLen)),
    };
    entries.push(e);
    at += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** The compressed bytes of a central-directory entry, found through its local header. */
export function entryPayload(zip, e) {
  const b = Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength);
  const at = e.localOffset;
  if (at + 30 > b.length || b.readUInt32LE(at) !== 0x04034b50) throw new Error("bad local header");
  const start = at + 30 + b.readUInt16LE(at + 26) + b.readUInt16LE(at + 28);
  if (start + e.compressedSize > b.length) throw new Error("entry data past the end");
  return b.subarray(start, start + e.compressedSize);
}
