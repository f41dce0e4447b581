/**
 * The wasm core's public types, re-exported by every `otaseal` entry. Taken from the nodejs
 * build's declarations, which are the web build's without its loader (`InitInput` names DOM
 * types), so the package type-checks in a Node project without the DOM lib. The bench-only
 * classes of `src/wasm/bench.rs` are deliberately not listed.
 * @module
 */
export type {
  Policy, Limits, BundleInfo, EncryptionInfo, FileEntry, Manifest, VerifiedRelease, Progress, OpenedFile, OpenedRelease,
  KeyPair, PublicKeyInfo, BundleKeyInfo, SealFile, ReleaseInfo, SealEncryption, Sealed, TrustRootInfo, Inspection, OtaError,
  OtaErrorCode, FileSink,
} from "../pkg/node/otaseal.js";

// wasm-bindgen declares `[Symbol.dispose]()` on the core's classes. `Symbol.dispose` is in
// TypeScript's lib only from `esnext.disposable` on (and in @types/node); declared here, as
// @types/node does, so an app's default lib (e.g. ES2022 + DOM) type-checks without skipLibCheck.
declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
}
