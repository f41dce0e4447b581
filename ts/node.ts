/**
 * The Node entry (`import … from "otaseal"` under Node): the sealer wasm build (`pkg/node`:
 * everything the app verifier has, plus sealing, signing, key generation and trust roots, the
 * same module the CLI uses), instantiated synchronously on import, and the update client bound
 * to it.
 * @module
 */
import * as wasm from "../pkg/node/otaseal.js";
import { coreFrom, createClientWithCore, type UpdateClient, type UpdateClientOptions } from "./client/client.js";

export {
  Opener, SinkOpener, verifyRelease, inspect, errorCodes, keygen, publicKeyInfo, bundleKeyGenerate, bundleKeyId, bundleKeyFromFile, readInputZip,
  seal, addSignature, trustInit, trustRotate, trustApplyRotation,
} from "../pkg/node/otaseal.js";
export type * from "./core-types.js";
export * from "./client/index.js";
export { WebCryptoOpener } from "./accel/webcrypto.js";

/**
 * An update client (`docs/CLIENT.md`) verifying with this entry's wasm core.
 *
 * @example
 * ```ts
 * import { createUpdateClient, memoryBackend, MemoryUpdater } from "otaseal";
 * const client = createUpdateClient({
 *   trust: trustJson, app: "com.example.app", channel: "production", platform: "web",
 *   backend: memoryBackend(new MemoryUpdater({ builtinVersion: "1.0.0" })),
 * });
 * const release = await client.check("https://updates.example.com/manifest.json");
 * ```
 */
export function createUpdateClient(options: UpdateClientOptions): UpdateClient {
  return createClientWithCore(coreFrom(wasm), options);
}
