/**
 * The browser and bundler entry (`import … from "otaseal"` in a page, Vite or webpack): the web
 * wasm build, fetched next to this module (`new URL("otaseal_bg.wasm", import.meta.url)`, which
 * Vite and webpack rewrite to the emitted asset) and instantiated before the import resolves.
 * For a custom wasm location use `otaseal/wasm` and call its default `init({ module_or_path })`.
 * @module
 */
import init from "../pkg/web/otaseal.js";

await init();

export * from "../pkg/web/otaseal.js";
