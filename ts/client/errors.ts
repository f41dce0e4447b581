/**
 * Errors of the update client. Every failure the client reports is an {@link UpdateError}
 * with a stable `.code`: the core's `OtaErrorCode` when verification refused the release
 * (`docs/FORMAT.md` §9), or one of {@link CLIENT_ERROR_CODES} for everything around it
 * (network, storage, backend). `docs/CLIENT.md` lists them all.
 * @module
 */
import type { OtaErrorCode } from "../../pkg/node/otaseal.js";

/**
 * The client's own codes, in the order of `docs/CLIENT.md` §5.
 *
 * @example
 * ```ts
 * CLIENT_ERROR_CODES.includes("CLIENT_TIMEOUT"); // true
 * ```
 */
export const CLIENT_ERROR_CODES = [
  "CLIENT_INVALID_ARGUMENT",
  "CLIENT_INSECURE_URL",
  "CLIENT_HTTP_STATUS",
  "CLIENT_NETWORK",
  "CLIENT_TIMEOUT",
  "CLIENT_ABORTED",
  "CLIENT_RESPONSE_TOO_LARGE",
  "CLIENT_BLOCKLISTED",
  "CLIENT_UNVERIFIED_RELEASE",
  "CLIENT_INVALID_STATE",
  "CLIENT_FLOOR_UNKNOWN",
  "CLIENT_STATE",
  "CLIENT_ROTATION_UNAVAILABLE",
  "CLIENT_BACKEND_UNSUPPORTED",
  "CLIENT_NOT_NATIVE",
  "CLIENT_BACKEND_FAILED",
  "CLIENT_BUNDLE_UNKNOWN",
  "CLIENT_WEB_UNAVAILABLE",
] as const;

/**
 * A code of the client itself (not of the verifier).
 *
 * @example
 * ```ts
 * const code: ClientErrorCode = "CLIENT_HTTP_STATUS";
 * ```
 */
export type ClientErrorCode = (typeof CLIENT_ERROR_CODES)[number];

/**
 * Every code an {@link UpdateError} can carry.
 *
 * @example
 * ```ts
 * function retryable(code: UpdateErrorCode) { return code === "CLIENT_NETWORK" || code === "CLIENT_TIMEOUT"; }
 * ```
 */
export type UpdateErrorCode = OtaErrorCode | ClientErrorCode;

/**
 * The one error type the client throws and emits. `code` is stable; `message` is for humans;
 * `cause` keeps the underlying error (a core `OtaError`, a `TypeError` from `fetch`, …).
 *
 * @example
 * ```ts
 * try { await client.check(url); }
 * catch (e) { if (e instanceof UpdateError && e.code === "EXPIRED") showStaleNotice(); }
 * ```
 */
export class UpdateError extends Error {
  override readonly name = "UpdateError";
  readonly code: UpdateErrorCode;

  constructor(code: UpdateErrorCode, message: string, options?: { cause?: unknown }) {
    super(`${code}: ${message}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

/**
 * Whether `e` is an `OtaError` thrown by the wasm core (a JS `Error` whose `name` is
 * `"OtaError"` and whose `code` is a string).
 *
 * @example
 * ```ts
 * try { verifyRelease(env, trust, policy); } catch (e) { if (isCoreError(e)) console.log(e.code); }
 * ```
 */
export function isCoreError(e: unknown): e is Error & { code: OtaErrorCode } {
  return e instanceof Error && e.name === "OtaError" && typeof (e as { code?: unknown }).code === "string";
}

/**
 * Turns anything thrown into an {@link UpdateError}: an `UpdateError` passes through, a core
 * `OtaError` keeps its code, anything else becomes `fallback`.
 *
 * @example
 * ```ts
 * catch (e) { throw toUpdateError(e, "CLIENT_BACKEND_FAILED", "capgo download"); }
 * ```
 */
export function toUpdateError(e: unknown, fallback: ClientErrorCode, context: string): UpdateError {
  if (e instanceof UpdateError) return e;
  if (isCoreError(e)) return new UpdateError(e.code, e.message, { cause: e });
  const detail = e instanceof Error ? e.message : String(e);
  return new UpdateError(fallback, `${context}: ${detail}`, { cause: e });
}
