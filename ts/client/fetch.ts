/**
 * Fetching with the client's guarantees: HTTPS only (plain HTTP only to loopback hosts, and
 * only when allowed explicitly), a byte cap checked while streaming, a timeout, and the
 * caller's `AbortSignal`. Every failure is an {@link UpdateError}.
 * @module
 */
import { UpdateError } from "./errors.js";
import type { FetchLike } from "./types.js";

/**
 * Which URLs the client may fetch. CAUTION: `"allow-loopback-http"` lets plain HTTP through to
 * `localhost`, `127.0.0.1` and `[::1]` — for development servers only.
 *
 * @example
 * ```ts
 * createUpdateClient({ ..., transport: "allow-loopback-http" }); // dev server on 127.0.0.1
 * ```
 */
export type TransportSecurity = "https-only" | "allow-loopback-http";

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * Parses `url` (relative to `base`) and checks it against `transport`.
 *
 * @example
 * ```ts
 * checkUrl("https://cdn.example.com/m.json", undefined, "https-only").href;
 * ```
 */
export function checkUrl(url: string, base: string | undefined, transport: TransportSecurity): URL {
  let parsed: URL;
  try {
    parsed = base === undefined ? new URL(url) : new URL(url, base);
  } catch (e) {
    throw new UpdateError("CLIENT_INVALID_ARGUMENT", `not a URL: ${JSON.stringify(url)}`, { cause: e });
  }
  if (parsed.protocol === "https:") return parsed;
  if (parsed.protocol === "http:" && transport === "allow-loopback-http" && LOOPBACK.has(parsed.hostname)) return parsed;
  throw new UpdateError(
    "CLIENT_INSECURE_URL",
    `${parsed.protocol}//${parsed.host} is not allowed: HTTPS is required` +
      (parsed.protocol === "http:" ? ' (plain HTTP only to localhost with transport: "allow-loopback-http")' : ""),
  );
}

/**
 * Options of {@link fetchStream}.
 *
 * @example
 * ```ts
 * const opts: FetchOptions = { fetch, timeoutMs: 30_000, maxBytes: 1 << 20 };
 * ```
 */
export interface FetchOptions {
  fetch: FetchLike;
  timeoutMs: number;
  /** Reading stops with `onTooLarge()` as soon as more than this many bytes arrived. */
  maxBytes: number;
  signal?: AbortSignal | undefined;
  /** What a redirect may lead to (the same rule as the URL itself); default `"https-only"`. */
  transport?: TransportSecurity;
}

/**
 * Fetches `url` and hands each chunk to `onChunk` as it arrives. More than `maxBytes` bytes
 * (by `Content-Length` or as counted) calls `onTooLarge` and cancels the body; it must throw.
 * The timeout covers the whole transfer.
 *
 * @example
 * ```ts
 * await fetchStream(url, opts, (chunk) => opener.push(chunk), () => { throw tooLarge(); });
 * ```
 */
export async function fetchStream(
  url: URL,
  opts: FetchOptions,
  onChunk: (chunk: Uint8Array) => void | Promise<void>,
  onTooLarge: (received: number) => never,
): Promise<number> {
  if (opts.signal?.aborted) throw aborted(opts.signal);
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, opts.timeoutMs);
  const onAbort = (): void => controller.abort();
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  const fail = (e: unknown): unknown => {
    // The core's OtaError (from onChunk) and our own errors pass through unchanged.
    if (e instanceof UpdateError || (e instanceof Error && e.name === "OtaError")) return e;
    if (timedOut) return new UpdateError("CLIENT_TIMEOUT", `${url.href}: no complete response within ${opts.timeoutMs} ms`, { cause: e });
    if (opts.signal?.aborted) return aborted(opts.signal);
    return new UpdateError("CLIENT_NETWORK", `${url.href}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  };
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  try {
    let response: Response;
    try {
      response = await opts.fetch(url.href, { signal: controller.signal, redirect: "follow", cache: "no-store" });
    } catch (e) {
      throw fail(e);
    }
    if (response.redirected || (response.url && response.url !== url.href)) {
      // Where a redirect led must pass the same rule as the URL asked for: no HTTPS → HTTP
      // (fetch follows it on some platforms), and loopback HTTP may not lead off loopback.
      const final = response.url || url.href;
      try {
        checkUrl(final, undefined, opts.transport ?? "https-only");
      } catch (e) {
        await response.body?.cancel().catch(() => undefined);
        throw new UpdateError("CLIENT_INSECURE_URL", `${url.href} redirected to ${final}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      }
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      // `status` lets callers tell "not there" (404, 410) from other failures.
      throw Object.assign(new UpdateError("CLIENT_HTTP_STATUS", `${url.href}: HTTP ${response.status}`), { status: response.status });
    }
    const declared = Number(response.headers.get("content-length") ?? NaN);
    if (Number.isFinite(declared) && declared > opts.maxBytes) {
      await response.body?.cancel().catch(() => undefined);
      onTooLarge(declared);
    }
    if (!response.body) throw new UpdateError("CLIENT_NETWORK", `${url.href}: the response has no body`);
    reader = response.body.getReader();
    let received = 0;
    for (;;) {
      let step: ReadableStreamReadResult<Uint8Array>;
      try {
        step = await reader.read();
      } catch (e) {
        throw fail(e);
      }
      if (step.done) break;
      received += step.value.byteLength;
      if (received > opts.maxBytes) onTooLarge(received);
      await onChunk(step.value);
      if (opts.signal?.aborted) throw aborted(opts.signal);
    }
    reader = undefined;
    return received;
  } catch (e) {
    throw fail(e);
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener("abort", onAbort);
    if (reader) {
      controller.abort();
      await reader.cancel().catch(() => undefined);
    }
  }
}

/**
 * Fetches a small document (the manifest) as text, at most `maxBytes`.
 *
 * @example
 * ```ts
 * const envelopeJson = await fetchText(url, { fetch, timeoutMs: 15_000, maxBytes: 1 << 20 });
 * ```
 */
export async function fetchText(url: URL, opts: FetchOptions): Promise<string> {
  const chunks: Uint8Array[] = [];
  const total = await fetchStream(
    url,
    opts,
    (c) => void chunks.push(c.slice()),
    (n) => {
      throw new UpdateError("CLIENT_RESPONSE_TOO_LARGE", `${url.href}: more than ${opts.maxBytes} bytes (${n}+)`);
    },
  );
  const all = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(all);
  } catch {
    // Not UTF-8: hand the core something it refuses as ENVELOPE_MALFORMED rather than guess.
    return "\u0000";
  }
}

/**
 * The error for an aborted operation: `CLIENT_ABORTED`, with the signal's reason as cause.
 *
 * @example
 * ```ts
 * if (signal.aborted) throw aborted(signal);
 * ```
 */
export function aborted(signal: AbortSignal): UpdateError {
  return new UpdateError("CLIENT_ABORTED", "aborted by the caller", { cause: signal.reason });
}
