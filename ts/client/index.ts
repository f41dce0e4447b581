/**
 * The update client, its storages and the memory backend, without a wasm core bound. The
 * entries `otaseal` (Node, browsers) bind the core and export `createUpdateClient`.
 * @module
 */
export * from "./errors.js";
export * from "./semver.js";
export * from "./storage.js";
export * from "./fetch.js";
export * from "./client.js";
export * from "./updater.js";
export * from "./memory.js";
export type * from "./types.js";
