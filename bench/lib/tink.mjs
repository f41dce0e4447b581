// Peer implementations of the Tink AES-GCM-HKDF streaming format (docs/FORMAT.md §5), for the
// benchmark only: one framer, two segment ciphers (node:crypto, @noble/ciphers). They follow
// the same framing rule as otaseal (a full segment is opened as non-last only when more bytes
// arrive) but report failures plainly: they are reference pipelines for speed, not verifiers.
import * as crypto from "node:crypto";
import { gcm } from "@noble/ciphers/aes.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";

export const HEADER_LEN = 40;
const TAG_LEN = 16;

export function nonce(prefix, index, last) {
  const n = new Uint8Array(12);
  n.set(prefix);
  new DataView(n.buffer).setUint32(7, index);
  n[11] = last ? 1 : 0;
  return n;
}

/** Frames a Tink stream; `open(index, last, segment) -> plaintext` (sync). */
export class TinkFramer {
  constructor(segmentSize, open, onPlain) {
    this.segmentSize = segmentSize;
    this.open = open;
    this.onPlain = onPlain;
    this.header = new Uint8Array(HEADER_LEN);
    this.headerFill = 0;
    this.buf = new Uint8Array(segmentSize);
    this.fill = 0;
    this.index = 0;
  }
  push(chunk) {
    let at = 0;
    if (this.headerFill < HEADER_LEN) {
      at = Math.min(HEADER_LEN - this.headerFill, chunk.length);
      this.header.set(chunk.subarray(0, at), this.headerFill);
      this.headerFill += at;
      if (this.headerFill === HEADER_LEN && this.header[0] !== HEADER_LEN) throw new Error("bad header");
    }
    while (at < chunk.length) {
      const cap = this.index === 0 ? this.segmentSize - HEADER_LEN : this.segmentSize;
      if (this.fill === cap) {
        this.#openBuffered(false);
        continue;
      }
      const take = Math.min(cap - this.fill, chunk.length - at);
      this.buf.set(chunk.subarray(at, at + take), this.fill);
      this.fill += take;
      at += take;
    }
  }
  finish() {
    if (this.fill < TAG_LEN) throw new Error("truncated");
    this.#openBuffered(true);
  }
  #openBuffered(last) {
    this.onPlain(this.open(this.index, last, this.buf.subarray(0, this.fill)));
    this.fill = 0;
    this.index++;
  }
  get salt() {
    return this.header.subarray(1, 33);
  }
  get prefix() {
    return this.header.subarray(33, 40);
  }
}

/** node:crypto: HKDF + AES-256-GCM per segment. */
export function nodeDecryptor(key, associatedData, segmentSize, onPlain) {
  let derived;
  const framer = new TinkFramer(
    segmentSize,
    (index, last, seg) => {
      derived ??= Buffer.from(crypto.hkdfSync("sha256", key, framer.salt, associatedData, 32));
      const d = crypto.createDecipheriv("aes-256-gcm", derived, nonce(framer.prefix, index, last));
      d.setAuthTag(seg.subarray(seg.length - TAG_LEN));
      const out = d.update(seg.subarray(0, seg.length - TAG_LEN));
      d.final();
      return out;
    },
    onPlain,
  );
  return framer;
}

/** @noble/ciphers AES-256-GCM + @noble/hashes HKDF, pure JS. */
export function nobleDecryptor(key, associatedData, segmentSize, onPlain) {
  let derived;
  const framer = new TinkFramer(
    segmentSize,
    (index, last, seg) => {
      derived ??= hkdf(sha256, key, framer.salt, associatedData, 32);
      return gcm(derived, nonce(framer.prefix, index, last)).decrypt(seg);
    },
    onPlain,
  );
  return framer;
}

/** node:crypto encryptor (benchmark inputs); otaseal decrypts what it writes, which the
 * harness checks before timing anything. */
export function nodeEncrypt(key, associatedData, segmentSize, plaintext, saltAndPrefix = crypto.randomBytes(39)) {
  const header = new Uint8Array(HEADER_LEN);
  header[0] = HEADER_LEN;
  header.set(saltAndPrefix, 1);
  const derived = Buffer.from(crypto.hkdfSync("sha256", key, header.subarray(1, 33), associatedData, 32));
  const parts = [header];
  let at = 0;
  for (let index = 0; ; index++) {
    const cap = (index === 0 ? segmentSize - HEADER_LEN : segmentSize) - TAG_LEN;
    const end = Math.min(at + cap, plaintext.length);
    const last = end === plaintext.length;
    const c = crypto.createCipheriv("aes-256-gcm", derived, nonce(header.subarray(33), index, last));
    parts.push(c.update(plaintext.subarray(at, end)), c.final(), c.getAuthTag());
    at = end;
    if (last) break;
  }
  return new Uint8Array(Buffer.concat(parts));
}
