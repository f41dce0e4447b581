/**
 * Load-time choice between the two wasm builds (`scripts/build-wasm.sh`): `otaseal_simd_bg.wasm`
 * (`+simd128`) where the engine validates wasm SIMD, else the baseline `otaseal_bg.wasm`
 * (older iOS webviews). Both share one JS glue.
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

/** The file name of the wasm build to load here. */
export function wasmFileName(): "otaseal_simd_bg.wasm" | "otaseal_bg.wasm" {
  return wasmSimdSupported() ? "otaseal_simd_bg.wasm" : "otaseal_bg.wasm";
}

/**
 * The URL of the wasm build to load, for the web glue's `init({ module_or_path })`. Both
 * candidates are written as literal `new URL("…", import.meta.url)` so Vite and webpack emit
 * both files as assets.
 *
 * @example
 * ```js
 * import init from "../pkg/web/otaseal.js";
 * await init({ module_or_path: wasmUrl() });
 * ```
 */
export function wasmUrl(): URL {
  return wasmSimdSupported()
    ? new URL("../../pkg/web/otaseal_simd_bg.wasm", import.meta.url)
    : new URL("../../pkg/web/otaseal_bg.wasm", import.meta.url);
}
