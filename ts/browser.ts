/**
 * The browser and bundler entry (`import … from "otaseal"` in a page, Vite or webpack): the
 * verifier wasm module (`pkg/web/otaseal_bg.wasm`: verify, open, decrypt; no sealing), fetched
 * next to this module (`new URL(…, import.meta.url)`, which Vite and webpack rewrite to
 * the emitted asset) and instantiated before the import resolves, and the update client bound
 * to it.
 * For a custom wasm location use `otaseal/wasm` and call its default `init({ module_or_path })`.
 * @module
 */
import init, * as wasm from "../pkg/web/otaseal.js";
import { wasmUrl } from "./accel/simd.js";
import { coreFrom, createClientWithCore, type UpdateClient, type UpdateClientOptions } from "./client/client.js";

// One module for every engine (no SIMD variant: ts/accel/simd.ts).
await init({ module_or_path: wasmUrl() });

export {
  Opener, SinkOpener, verifyRelease, inspect, errorCodes, bundleKeyId, bundleKeyFromFile, trustApplyRotation,
} from "../pkg/web/otaseal.js";
export type * from "./core-types.js";
export * from "./client/index.js";
export { WebCryptoOpener } from "./accel/webcrypto.js";

/**
 * An update client (`docs/CLIENT.md`) verifying with this entry's wasm core.
 *
 * @example
 * ```ts
 * import { createUpdateClient, localStorageStorage } from "otaseal";
 * import { createWebUpdater, webBackend } from "otaseal/web";
 * const client = createUpdateClient({
 *   trust: trustJson, app: "com.example.app", channel: "production", platform: "web",
 *   backend: webBackend(await createWebUpdater({ scope: "/app/", builtinVersion: "1.0.0" })),
 *   storage: localStorageStorage(),
 * });
 * ```
 */
export function createUpdateClient(options: UpdateClientOptions): UpdateClient {
  return createClientWithCore(coreFrom(wasm), options);
}
