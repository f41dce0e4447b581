/**
 * The public surface of the update client re-exported by the `otaseal` entries (which bind
 * the wasm core and add `createUpdateClient`): the client over an injected core, its error
 * type, the storages and the memory backend. Internals (fetch, state, updater transitions)
 * stay in their modules.
 * @module
 */
export { UpdateError, isCoreError, CLIENT_ERROR_CODES } from "./errors.js";
export type { ClientErrorCode, UpdateErrorCode } from "./errors.js";
export { memoryStorage, localStorageStorage } from "./storage.js";
export type { ClientState, ReleaseRef, SignedRef } from "./storage.js";
export type { TransportSecurity } from "./fetch.js";
export { createClientWithCore, coreFrom } from "./client.js";
export type { UpdateClient, UpdateClientOptions, UpdateEvents, Operation, DownloadedRelease, ClientStatus } from "./client.js";
export { MemoryUpdater, memoryBackend } from "./memory.js";
export type { MemoryUpdaterOptions } from "./memory.js";
export type { FallbackUpdater, FallbackDownloadOptions, UpdaterBundle, BundleStatus, VerifiedBundle, UpdaterState } from "./updater.js";
export type * from "./types.js";
