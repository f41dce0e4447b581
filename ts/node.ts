/**
 * The Node entry (`import … from "otaseal"` under Node): the nodejs wasm build, instantiated
 * synchronously on import.
 * @module
 */
export * from "../pkg/node/otaseal.js";
