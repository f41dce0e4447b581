/**
 * Where the app's wasm module is. There is one: the verifier build (`scripts/build-wasm.sh`),
 * baseline wasm32 without SIMD, so it loads on every webview Capacitor 7 and 8 support (iOS
 * 14/15 WKWebView has no wasm SIMD before Safari 16.4). `wasmSimdSupported` stays for callers
 * that want to know.
 * @module
 */

/** A minimal module using a v128 instruction: `(func (result v128) i32.const 0 i8x16.splat)`. */
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, 0x03, 0x02, 0x01,
  0x00, 0x0a, 0x08, 0x01, 0x06, 0x00, 0x41, 0x00, 0xfd, 0x0f, 0x0b,
]);

/** Whether this engine accepts wasm SIMD (`WebAssembly.validate` of a one-instruction probe). */
export function wasmSimdSupported(): boolean {
  try {
    return typeof WebAssembly === "object" && WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

/** The file name of the wasm module apps load. */
export function wasmFileName(): "otaseal_bg.wasm" {
  return "otaseal_bg.wasm";
}

/**
 * The URL of the verifier module, for the web glue's `init({ module_or_path })`. Written as a
 * literal `new URL("…", import.meta.url)` so Vite and webpack emit exactly this one file.
 *
 * @example
 * ```js
 * import init from "../pkg/web/otaseal.js";
 * await init({ module_or_path: wasmUrl() });
 * ```
 */
export function wasmUrl(): URL {
  return new URL("../../pkg/web/otaseal_bg.wasm", import.meta.url);
}
