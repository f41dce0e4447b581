// @capawesome/capacitor-live-update's root search, after unpacking (Android
// LiveUpdate.searchIndexHtmlFile, iOS LiveUpdate.searchIndexHtmlFile; the same on both, 5.x to 8.4):
//
//   search(dir): if any entry of dir is *named* "index.html" (file, folder or link) → dir
//                else for each entry in listing order that is a directory (following links:
//                File.isDirectory / FileManager.fileExists(atPath:isDirectory:)) → search(it),
//                the first non-null answer wins
//   then the parent folder of the found index.html is *moved* to be the bundle; everything
//   outside it is dropped.
//
// The listing order is the file system's (File.listFiles, contentsOfDirectory): unspecified.
// So this returns every root some listing order can pick; more than one means the device
// decides, and the caller reports that as a failure to agree.
import * as fs from "node:fs";
import * as path from "node:path";

const MAX_DEPTH = 64;

/** @returns {{ roots: string[], error?: string }} absolute paths of the possible roots */
export function possibleRoots(dir) {
  let error;
  const walk = (d, depth) => {
    if (depth > MAX_DEPTH) {
      error = `root search recursed past depth ${MAX_DEPTH} (a folder link loop?)`;
      return [];
    }
    let names;
    try {
      names = fs.readdirSync(d);
    } catch {
      return []; // listFiles() == null / contentsOfDirectory throws: nothing found here
    }
    if (names.includes("index.html")) return [d];
    const found = new Set();
    for (const n of names) {
      const p = path.join(d, n);
      let isDir = false;
      try {
        isDir = fs.statSync(p).isDirectory(); // follows links, as the plugin's checks do
      } catch {
        isDir = false;
      }
      if (isDir) for (const r of walk(p, depth + 1)) found.add(r);
    }
    return [...found];
  };
  const roots = walk(dir, 0);
  return error ? { roots, error } : { roots };
}

/** Copies a tree, keeping links as links (what the webview would serve from the moved folder). */
export function copyTree(from, to) {
  fs.mkdirSync(to, { recursive: true });
  for (const n of fs.readdirSync(from)) {
    const src = path.join(from, n);
    const dst = path.join(to, n);
    const st = fs.lstatSync(src);
    if (st.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(src), dst);
    else if (st.isDirectory()) copyTree(src, dst);
    else if (st.isFile()) fs.copyFileSync(src, dst);
  }
}

/**
 * The plugin's step after unpacking into `unpacked`: find the root and install it to `outDir`.
 * @returns {{ ok: boolean, error?: string }}
 */
export function installRoot(unpacked, outDir) {
  const { roots, error } = possibleRoots(unpacked);
  if (error) return { ok: false, error };
  if (roots.length === 0) return { ok: false, error: "no index.html anywhere (bundleIndexHtmlMissing)" };
  if (roots.length > 1) {
    const rel = roots.map((r) => path.relative(unpacked, r) || ".").sort();
    return { ok: false, error: `AMBIGUOUS_ROOT: the listing order decides between ${rel.join(", ")}` };
  }
  copyTree(roots[0], outDir);
  return { ok: true };
}
