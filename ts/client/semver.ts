/**
 * SemVer 2.0.0 parsing and precedence (§11), used only to pick the higher of two installed-
 * version floors. The verifier itself orders versions in the core; this never widens what it
 * accepts, it only chooses which floor to hand it.
 * @module
 */

const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/** Longest version text the format allows (`docs/FORMAT.md` §1). */
const MAX_VERSION_BYTES = 128;

/**
 * Whether `text` is a SemVer 2.0.0 version the format accepts (no `v` prefix, ≤ 128 bytes).
 *
 * @example
 * ```ts
 * isSemver("1.2.3-rc.1"); // true
 * isSemver("v1.2"); // false
 * ```
 */
export function isSemver(text: unknown): text is string {
  return typeof text === "string" && text.length <= MAX_VERSION_BYTES && SEMVER.test(text);
}

function identifiers(pre: string | undefined): string[] {
  return pre === undefined ? [] : pre.split(".");
}

function compareIdentifier(a: string, b: string): number {
  const an = /^\d+$/.test(a);
  const bn = /^\d+$/.test(b);
  if (an && bn) return cmpBig(BigInt(a), BigInt(b));
  if (an) return -1; // numeric identifiers have lower precedence (§11.4.3)
  if (bn) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function cmpBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * SemVer §11 precedence: negative, 0 or positive. Build metadata does not count. Throws a
 * `TypeError` for text that is not SemVer (callers check with {@link isSemver} first).
 *
 * @example
 * ```ts
 * compareSemver("1.0.0-rc.1", "1.0.0") < 0; // true
 * compareSemver("1.0.0+a", "1.0.0+b") === 0; // true
 * ```
 */
export function compareSemver(a: string, b: string): number {
  const ma = SEMVER.exec(a);
  const mb = SEMVER.exec(b);
  if (!ma || !mb) throw new TypeError(`not SemVer: ${JSON.stringify(ma ? b : a)}`);
  for (let i = 1; i <= 3; i++) {
    const c = cmpBig(BigInt(ma[i] ?? "0"), BigInt(mb[i] ?? "0"));
    if (c !== 0) return c;
  }
  const pa = identifiers(ma[4]);
  const pb = identifiers(mb[4]);
  if (pa.length === 0 || pb.length === 0) return pb.length - pa.length; // a release outranks its pre-releases
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const c = compareIdentifier(pa[i] ?? "", pb[i] ?? "");
    if (c !== 0) return c;
  }
  return pa.length - pb.length;
}
