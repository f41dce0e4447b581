// A record-by-record zip writer for the conformance corpus (APPNOTE.TXT 6.3.x §4.3). Every field
// of every record can be set on its own, so the corpus can hold archives no tool would write:
// local and central headers that disagree, type bits for any made-by host, data descriptors,
// entries missing from the central directory, trailing bytes. Plus a fixed-Huffman deflate
// bit writer (RFC 1951 §3.2.6) for deflate streams zlib refuses.
import zlib from "node:zlib";

export const SIG_LOCAL = 0x04034b50;
export const SIG_CENTRAL = 0x02014b50;
export const SIG_END = 0x06054b50;
export const SIG_DESCRIPTOR = 0x08074b50;

/** Unix file types, in the high 16 bits of the external attributes (`mode_t & S_IFMT`). */
export const S_IFREG = 0o100000;
export const S_IFDIR = 0o040000;
export const S_IFLNK = 0o120000;

export const crc32 = (data) => zlib.crc32(data) >>> 0;
export const deflateRaw = (data) => zlib.deflateRawSync(data, { level: 9 });

const u16 = (v) => { const b = Buffer.alloc(2); b.writeUInt16LE(v & 0xffff); return b; };
const u32 = (v) => { const b = Buffer.alloc(4); b.writeUInt32LE(v >>> 0); return b; };
const bytes = (v) => (v === undefined ? Buffer.alloc(0) : Buffer.isBuffer(v) ? v : Buffer.from(v, "utf8"));

/**
 * Builds an archive from `entries`, in order. Each entry:
 *   name (string, UTF-8, or Buffer), data (the uncompressed bytes), method (0 stored, 8 deflate;
 *   default: 8 when deflate is smaller), compressed (explicit compressed bytes),
 *   host (made-by high byte, default 3), mode (Unix mode incl. type, default 0o100644; null: 0),
 *   dosAttr (low byte of the external attributes), flags (default: bit 11 when the name is not
 *   ASCII), descriptor ("sig" | "nosig": data descriptor after the data, flag bit 3),
 *   local / central: objects overriding any header field by name (name, version, flags, method,
 *   time, date, crc, csize, usize, extra, comment, offset, madeBy, external, disk, internal),
 *   inCentral (false: the entry has no central header), localOnly data shape as written.
 * opts: prefix (bytes before the first record), comment (archive comment), trailing (bytes after
 *   the end record), end (overrides of the end record: count, diskCount, cdSize, cdOffset).
 */
export function buildZip(entries, opts = {}) {
  const parts = [];
  let at = 0;
  const push = (b) => { parts.push(b); at += b.length; };
  push(bytes(opts.prefix));
  const centrals = [];
  for (const e of entries) {
    const nameBytes = bytes(e.name);
    const data = bytes(e.data);
    let method = e.method;
    let compressed = e.compressed;
    if (compressed === undefined) {
      if (method === undefined) {
        const d = deflateRaw(data);
        method = d.length < data.length ? 8 : 0;
        compressed = method === 8 ? d : data;
      } else {
        compressed = method === 8 ? deflateRaw(data) : data;
      }
    } else if (method === undefined) {
      method = 8;
    }
    const ascii = [...nameBytes].every((c) => c < 0x80);
    const flags = (e.flags ?? (ascii ? 0 : 0x0800)) | (e.descriptor ? 0x0008 : 0);
    const crc = crc32(data);
    const base = {
      version: 20, flags, method, time: 0, date: 0x21, crc, csize: compressed.length, usize: data.length,
      name: nameBytes, extra: Buffer.alloc(0),
    };
    const local = { ...base, ...(e.descriptor ? { crc: 0, csize: 0, usize: 0 } : {}), ...e.local };
    const offset = at;
    push(Buffer.concat([
      u32(SIG_LOCAL), u16(local.version), u16(local.flags), u16(local.method), u16(local.time), u16(local.date),
      u32(local.crc), u32(local.csize), u32(local.usize), u16(bytes(local.name).length), u16(bytes(local.extra).length),
      bytes(local.name), bytes(local.extra),
    ]));
    push(compressed);
    if (e.descriptor) {
      push(Buffer.concat([e.descriptor === "sig" ? u32(SIG_DESCRIPTOR) : Buffer.alloc(0), u32(crc), u32(compressed.length), u32(data.length)]));
    }
    if (e.inCentral === false) continue;
    const mode = e.mode === undefined ? 0o100644 : e.mode;
    const central = {
      ...base, madeBy: ((e.host ?? 3) << 8) | 30, comment: Buffer.alloc(0), disk: 0, internal: 0,
      external: (((mode ?? 0) << 16) | (e.dosAttr ?? 0)) >>> 0, offset, ...e.central,
    };
    centrals.push(Buffer.concat([
      u32(SIG_CENTRAL), u16(central.madeBy), u16(central.version), u16(central.flags), u16(central.method),
      u16(central.time), u16(central.date), u32(central.crc), u32(central.csize), u32(central.usize),
      u16(bytes(central.name).length), u16(bytes(central.extra).length), u16(bytes(central.comment).length),
      u16(central.disk), u16(central.internal), u32(central.external), u32(central.offset),
      bytes(central.name), bytes(central.extra), bytes(central.comment),
    ]));
  }
  const cdOffset = at;
  for (const c of centrals) push(c);
  const cdSize = at - cdOffset;
  const comment = bytes(opts.comment);
  const end = { count: centrals.length, diskCount: centrals.length, cdSize, cdOffset, ...opts.end };
  push(Buffer.concat([
    u32(SIG_END), u16(0), u16(0), u16(end.diskCount), u16(end.count), u32(end.cdSize), u32(end.cdOffset),
    u16(comment.length), comment,
  ]));
  push(bytes(opts.trailing));
  return Buffer.concat(parts);
}

/** LSB-first bit writer with fixed-Huffman helpers (RFC 1951 §3.1.1, §3.2.6). */
export class DeflateBits {
  constructor() { this.out = []; this.acc = 0; this.n = 0; }
  bits(value, count) {
    for (let i = 0; i < count; i++) {
      this.acc |= ((value >> i) & 1) << this.n;
      if (++this.n === 8) { this.out.push(this.acc); this.acc = 0; this.n = 0; }
    }
    return this;
  }
  /** A Huffman code: written most significant bit first. */
  code(value, length) {
    for (let i = length - 1; i >= 0; i--) this.bits((value >> i) & 1, 1);
    return this;
  }
  /** Block header: BFINAL, BTYPE (0 stored, 1 fixed, 2 dynamic, 3 reserved). */
  header(final, type) { return this.bits(final ? 1 : 0, 1).bits(type, 2); }
  /** A fixed-Huffman literal/length symbol 0..287. */
  sym(s) {
    if (s < 144) return this.code(0x30 + s, 8);
    if (s < 256) return this.code(0x190 + s - 144, 9);
    if (s < 280) return this.code(s - 256, 7);
    return this.code(0xc0 + s - 280, 8);
  }
  literals(text) { for (const c of Buffer.from(text)) this.sym(c); return this; }
  /** A match of length 3..10 (codes 257..264, no extra bits) at distance code `dcode` + extra. */
  match(length, dcode, extraBits = 0, extraValue = 0) {
    this.sym(254 + length);
    this.code(dcode, 5);
    return this.bits(extraValue, extraBits);
  }
  end() { return this.sym(256); }
  align() { if (this.n) { this.out.push(this.acc); this.acc = 0; this.n = 0; } return this; }
  bytes() { const o = [...this.out]; if (this.n) o.push(this.acc); return Buffer.from(o); }
}
