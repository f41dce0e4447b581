/**
 * The WebCrypto-accelerated decryption path (`docs/FORMAT.md` §5): the JS layer frames the Tink
 * AES-GCM-HKDF segments itself and opens each whole segment with WebCrypto `AES-GCM` (which
 * runs natively, 5–10× faster than AES-GCM compiled to wasm), while the wasm opener still does
 * everything else: the signed length, the header check, the bundle and zip SHA-256, the zip
 * reader and every file's hash. Trust stays in wasm: the plaintext handed back must hash to
 * the signed zip SHA-256, so a faulty or hostile WebCrypto cannot make a bundle pass.
 *
 * The wasm decryptor remains the fallback (no `crypto.subtle`, an unencrypted release) and the
 * reference: a segment that does not open is handed to the wasm opener's `segmentError`, so
 * truncation, reordering, duplication, trailing data and tag failures get exactly the error
 * the wasm path reports. `tests/js/accel.test.mjs` checks both paths agree.
 *
 * ```text
 * K       = HKDF-SHA256(IKM = bundle key, salt = header[1..33], info = associated data, L = 32)
 * nonce_i = header[33..40] ‖ BE32(i) ‖ (0x01 if segment i is the last, else 0x00)
 * segment 0 holds S − 40 ciphertext bytes, later ones S; the last one 16..S
 * ```
 * @module
 */

/** Header: length byte, 32-byte salt, 7-byte nonce prefix. */
const HEADER_LEN = 40;
const SALT_LEN = 32;
const NONCE_PREFIX_LEN = 7;
const TAG_LEN = 16;
/** `"otaseal bundle key id v1" 0x00`: the key id's domain-separation prefix (§5.6). */
const KEY_ID_CONTEXT = new TextEncoder().encode("otaseal bundle key id v1\0");

/** What this path needs of an `Opener` or `SinkOpener` (both wasm classes have it). */
export interface ExternallyDecryptingOpener<R> {
  readonly release: {
    manifest: { encryption: { keyId: string; segmentSize: number; associatedData: string; header: string } | null };
  };
  pushDelivered(chunk: Uint8Array): void;
  pushDecrypted(plain: Uint8Array): void;
  checkComplete(): void;
  segmentError(index: number, last: boolean, segment: Uint8Array): Error;
  finishDecrypted(): R;
}

function fromHex(hex: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function toHex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

/**
 * The WebCrypto calls the accelerated path makes; `crypto.subtle` satisfies it. Declared here so
 * the package's types need no DOM lib (a Node project without it type-checks).
 *
 * @example
 * ```ts
 * const subtle: SubtleCryptoLike = globalThis.crypto.subtle;
 * ```
 */
export interface SubtleCryptoLike {
  digest(algorithm: "SHA-256", data: Uint8Array<ArrayBuffer>): Promise<ArrayBuffer>;
  importKey(format: "raw", keyData: Uint8Array<ArrayBuffer>, algorithm: "HKDF", extractable: false, keyUsages: ["deriveKey"]): Promise<unknown>;
  deriveKey(
    algorithm: { name: "HKDF"; hash: "SHA-256"; salt: Uint8Array<ArrayBuffer>; info: Uint8Array<ArrayBuffer> },
    baseKey: never,
    derivedKeyType: { name: "AES-GCM"; length: 256 },
    extractable: false,
    keyUsages: ["decrypt"],
  ): Promise<unknown>;
  decrypt(algorithm: { name: "AES-GCM"; iv: Uint8Array<ArrayBuffer>; tagLength: 128 }, key: never, data: Uint8Array<ArrayBuffer>): Promise<ArrayBuffer>;
}

/** `crypto.subtle` when this runtime has it (browsers in secure contexts, Node ≥ 19, workers). */
export function webCryptoSubtle(): SubtleCryptoLike | undefined {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  return c?.subtle && typeof c.subtle.decrypt === "function" ? c.subtle : undefined;
}

/**
 * Streams an encrypted bundle through a wasm `Opener`/`SinkOpener`, opening the segments with
 * WebCrypto. Same inputs, same checks, same results and error codes as the opener's own
 * `push`/`finish`, only faster; `push` and `finish` are async.
 *
 * @example
 * ```js
 * const opener = new Opener(envelopeJson, trustJson, policy, [bundleKey]);
 * const fast = await WebCryptoOpener.create(opener, [bundleKey]); // null: use opener.push
 * for await (const chunk of response.body) await fast.push(chunk);
 * const { files } = await fast.finish();
 * ```
 */
/** One segment's WebCrypto outcome: plaintext, "not authentic here", or another failure. */
type Opened = { plain: ArrayBuffer } | { notAuthentic: true } | { error: unknown };

export class WebCryptoOpener<R> {
  readonly #opener: ExternallyDecryptingOpener<R>;
  readonly #subtle: SubtleCrypto;
  readonly #key: CryptoKey;
  readonly #prefix: Uint8Array;
  readonly #segmentSize: number;
  #headerLeft = HEADER_LEN;
  /** Two segment buffers, alternating: one may be under a speculative decrypt while the next
   * segment fills the other (WebCrypto copies its input, but not every engine promises when). */
  readonly #bufs: [Uint8Array<ArrayBuffer>, Uint8Array<ArrayBuffer>];
  #current: 0 | 1 = 0;
  #fill = 0;
  #index = 0;
  /** A full segment is decrypted as non-last as soon as it is full (speculatively: only the
   * next byte decides it is not the last), so WebCrypto works while the next chunk is fetched
   * and hashed. Its outcome is used, in order, exactly where the wasm path opens it. */
  #speculative: Promise<Opened> | null = null;

  private constructor(
    opener: ExternallyDecryptingOpener<R>,
    subtle: SubtleCrypto,
    key: CryptoKey,
    prefix: Uint8Array,
    segmentSize: number,
  ) {
    this.#opener = opener;
    this.#subtle = subtle;
    this.#key = key;
    this.#prefix = prefix;
    this.#segmentSize = segmentSize;
    this.#bufs = [new Uint8Array(segmentSize), new Uint8Array(segmentSize)];
  }

  /**
   * The accelerated path for `opener`, or `null` when it does not apply (no WebCrypto, an
   * unencrypted release, or WebCrypto refusing HKDF / AES-GCM): then feed `opener` directly.
   * `keys` are the bundle keys given to the opener; the one the manifest names is used.
   */
  static async create<R>(
    opener: ExternallyDecryptingOpener<R>,
    keys: Uint8Array[],
    subtle: SubtleCryptoLike | undefined = webCryptoSubtle(),
  ): Promise<WebCryptoOpener<R> | null> {
    const enc = opener.release.manifest.encryption;
    if (!subtle || !enc) return null;
    try {
      let raw: Uint8Array | undefined;
      for (const k of keys) {
        const input = new Uint8Array(KEY_ID_CONTEXT.length + k.length);
        input.set(KEY_ID_CONTEXT);
        input.set(k, KEY_ID_CONTEXT.length);
        if (toHex(new Uint8Array(await subtle.digest("SHA-256", input))) === enc.keyId) raw = k;
      }
      // The opener's constructor already refused a missing key (DECRYPT_KEY_UNKNOWN).
      if (!raw) return null;
      // The signed header: the wasm opener refuses any other header before a segment is used.
      const header = fromHex(enc.header);
      const ikm = await subtle.importKey("raw", new Uint8Array(raw), "HKDF", false, ["deriveKey"]);
      const key = await (subtle as SubtleCrypto).deriveKey(
        { name: "HKDF", hash: "SHA-256", salt: header.slice(1, 1 + SALT_LEN), info: fromHex(enc.associatedData) },
        ikm as CryptoKey,
        { name: "AES-GCM", length: 256 },
        false,
        ["decrypt"],
      );
      return new WebCryptoOpener(opener, subtle as SubtleCrypto, key, header.slice(1 + SALT_LEN, HEADER_LEN), enc.segmentSize);
    } catch {
      return null;
    }
  }

  /** Ciphertext capacity of the segment being buffered. */
  #capacity(): number {
    return this.#index === 0 ? this.#segmentSize - HEADER_LEN : this.#segmentSize;
  }

  /** Feeds the next downloaded bytes (any size), as `Opener.push`: the same checks in the same
   * order (length and header first, then the segments this chunk completes). */
  async push(chunk: Uint8Array): Promise<void> {
    this.#opener.pushDelivered(chunk);
    let at = Math.min(this.#headerLeft, chunk.length);
    this.#headerLeft -= at;
    while (at < chunk.length) {
      const capacity = this.#capacity();
      if (this.#fill === capacity) {
        // More bytes follow, so the buffered segment is not the last (§5.8).
        await this.#open(false);
        continue;
      }
      const take = Math.min(capacity - this.#fill, chunk.length - at);
      this.#bufs[this.#current].set(chunk.subarray(at, at + take), this.#fill);
      this.#fill += take;
      at += take;
      if (this.#fill === capacity && this.#index <= 0xffffffff) {
        this.#speculative = this.#decrypt(this.#index, false, this.#bufs[this.#current].subarray(0, capacity));
      }
    }
  }

  /** Ends the input: the final segment, then the opener's whole-bundle checks. */
  async finish(): Promise<R> {
    this.#opener.checkComplete();
    await this.#open(true);
    return this.#opener.finishDecrypted();
  }

  async #decrypt(index: number, last: boolean, segment: Uint8Array<ArrayBuffer>): Promise<Opened> {
    const iv = new Uint8Array(12);
    iv.set(this.#prefix);
    new DataView(iv.buffer).setUint32(NONCE_PREFIX_LEN, index);
    iv[11] = last ? 1 : 0;
    try {
      return { plain: await this.#subtle.decrypt({ name: "AES-GCM", iv, tagLength: 128 }, this.#key, segment) };
    } catch (error) {
      // WebCrypto's only signal for a failed tag is an OperationError.
      return (error as { name?: unknown })?.name === "OperationError" ? { notAuthentic: true } : { error };
    }
  }

  async #open(last: boolean): Promise<void> {
    const segment = this.#bufs[this.#current].subarray(0, this.#fill);
    const index = this.#index;
    const speculative = this.#speculative;
    this.#speculative = null;
    if (segment.length < TAG_LEN || index > 0xffffffff) {
      throw this.#opener.segmentError(index, last, segment);
    }
    // The speculative decrypt assumed "not last"; a final segment is opened again as last.
    const outcome = speculative && !last ? await speculative : await this.#decrypt(index, last, segment);
    if ("error" in outcome) throw outcome.error;
    if ("notAuthentic" in outcome) {
      // Not authentic at this position: the wasm reference path says why.
      throw this.#opener.segmentError(index, last, segment);
    }
    this.#opener.pushDecrypted(new Uint8Array(outcome.plain));
    this.#fill = 0;
    this.#index++;
    this.#current ^= 1;
  }
}
