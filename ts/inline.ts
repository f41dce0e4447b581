/**
 * The browser entry for bundlers that do not emit `new URL("x.wasm", import.meta.url)` as an
 * asset (esbuild, the Angular CLI's application builder, Rollup without plugins, Vite unless
 * `otaseal/asset` is imported): the baseline wasm build travels inside this JavaScript
 * (base64, `scripts/inline-wasm.mjs`) and is instantiated from bytes before the import
 * resolves. No bundler configuration, no extra file to serve; the cost is the module's size
 * in the app's JavaScript (+33 % before compression) and decoding it at start.
 * `package.json` gives this entry to every bundler except webpack (which gets `dist/browser.js`).
 * @module
 */
import init, * as wasm from "../pkg/inline/otaseal.js";
import { wasmBytes } from "../pkg/inline/otaseal_wasm.js";
import { coreFrom, createClientWithCore, type UpdateClient, type UpdateClientOptions } from "./client/client.js";

await init({ module_or_path: wasmBytes() as Uint8Array<ArrayBuffer> });

export {
  Opener, SinkOpener, verifyRelease, inspect, errorCodes, bundleKeyId, bundleKeyFromFile, trustApplyRotation,
} from "../pkg/inline/otaseal.js";
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
