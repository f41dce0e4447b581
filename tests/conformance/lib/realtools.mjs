// Zips made by the real tools people ship web apps with, from one small web-app tree: a
// non-ASCII file name (Schrift-ü.woff2, NFC), nested folders, an empty file and a larger
// compressible file. Each tool runs as a user would run it on the built folder.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { hasCommand, java, run } from "./peer.mjs";

const require = createRequire(import.meta.url);

/** The web-app tree: [{ path, data }]. */
export function webAppFiles() {
  const enc = (s) => Buffer.from(s);
  const big = Array.from({ length: 4000 }, (_, i) => `export const item${i} = { id: ${i}, label: "item ${i}", enabled: ${i % 3 === 0} };\n`).join("");
  return [
    { path: "index.html", data: enc("<!doctype html><html><head><link rel=stylesheet href=assets/css/app.css></head><body><script type=module src=assets/js/app.js></script></body></html>\n") },
    { path: "assets/js/app.js", data: enc(big) },
    { path: "assets/js/vendor/chunk-a1b2c3.js", data: enc("export default 42;\n") },
    { path: "assets/css/app.css", data: enc("@font-face{font-family:S;src:url(../fonts/Schrift-\u00fc.woff2)}body{font-family:S}\n") },
    { path: "assets/fonts/Schrift-\u00fc.woff2", data: Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919) & 0xff)) },
    { path: "assets/empty.txt", data: Buffer.alloc(0) },
    { path: "manifest.webmanifest", data: enc('{"name":"conformance","start_url":"."}\n') },
  ];
}

export function writeTree(dir, files) {
  for (const f of files) {
    fs.mkdirSync(path.join(dir, path.dirname(f.path)), { recursive: true });
    fs.writeFileSync(path.join(dir, f.path), f.data);
  }
}

const walk = (dir, rel = "") => fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))
  .flatMap((d) => (d.isDirectory() ? [`${rel}${d.name}/`, ...walk(dir, `${rel}${d.name}/`)] : [`${rel}${d.name}`]));

/** Each tool: { name, available(), make(treeDir, zipPath), extraFiles?(zipPath) }. */
export const TOOLS = [
  {
    name: "infozip-zip -r",
    available: () => hasCommand("zip"),
    make: async (tree, out) => check(await run("zip", ["-r", "-q", out, "."], { cwd: tree })),
  },
  {
    name: "jar",
    available: () => hasCommand("jar"),
    make: async (tree, out) => check(await run("jar", ["--create", "--file", out, "-C", tree, "."])),
    // jar adds its own manifest: part of what a user ships.
    extra: true,
  },
  {
    name: "java ZipOutputStream",
    available: async () => (await java()) !== null,
    make: async (tree, out) => {
      const r = await (await java()).request(`write\t${tree}\t${out}`);
      if (r !== "OK") throw new Error(r);
    },
  },
  {
    name: "python zipfile (file)",
    available: () => hasCommand("python3"),
    make: async (tree, out) => check(await run("python3", ["-X", "utf8", "-c", `
import os, sys, zipfile
root, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for d, dirs, files in os.walk(root):
        dirs.sort()
        for n in sorted(files):
            p = os.path.join(d, n)
            z.write(p, os.path.relpath(p, root))
`, tree, out])),
  },
  {
    name: "python shutil.make_archive",
    available: () => hasCommand("python3"),
    make: async (tree, out) => check(await run("python3", ["-X", "utf8", "-c",
      "import shutil, sys; shutil.make_archive(sys.argv[2][:-4], 'zip', sys.argv[1])", tree, out])),
  },
  {
    name: "python zipfile (stream)",
    available: () => hasCommand("python3"),
    // Written to a pipe, which zipfile cannot seek: data descriptors, sizes after the data.
    make: async (tree, out) => {
      const r = await run("python3", ["-X", "utf8", "-c", `
import os, sys, zipfile
root = sys.argv[1]
with zipfile.ZipFile(sys.stdout.buffer, "w", zipfile.ZIP_DEFLATED) as z:
    for d, dirs, files in os.walk(root):
        dirs.sort()
        for n in sorted(files):
            p = os.path.join(d, n)
            with open(p, "rb") as src, z.open(os.path.relpath(p, root), "w") as dst:
                dst.write(src.read())
`, tree]);
      check(r);
      fs.writeFileSync(out, r.stdoutBytes);
    },
  },
  {
    name: "npm archiver",
    available: () => canRequire("archiver"),
    make: async (tree, out) => {
      // archiver 8 is ESM only: new ZipArchive(options) (archiver("zip") before 8).
      const { ZipArchive } = await import("archiver");
      await new Promise((resolve, reject) => {
      const zip = new ZipArchive({ zlib: { level: 9 } });
      const stream = fs.createWriteStream(out);
      stream.on("close", resolve);
      zip.on("error", reject);
      zip.pipe(stream);
      zip.directory(tree, false);
      zip.finalize();
      });
    },
  },
  {
    name: "npm jszip",
    available: () => canRequire("jszip"),
    make: async (tree, out) => {
      const JSZip = require("jszip");
      const zip = new JSZip();
      for (const p of walk(tree)) if (!p.endsWith("/")) zip.file(p, fs.readFileSync(path.join(tree, p)));
      fs.writeFileSync(out, await zip.generateAsync({ type: "nodebuffer", compression: "DEFLATE" }));
    },
  },
  {
    name: "npm fflate",
    available: () => canRequire("fflate"),
    make: async (tree, out) => {
      const { zipSync } = require("fflate");
      const input = {};
      for (const p of walk(tree)) if (!p.endsWith("/")) input[p] = new Uint8Array(fs.readFileSync(path.join(tree, p)));
      fs.writeFileSync(out, zipSync(input, { level: 6 }));
    },
  },
  {
    name: "npm adm-zip",
    available: () => canRequire("adm-zip"),
    make: async (tree, out) => {
      const AdmZip = require("adm-zip");
      const zip = new AdmZip();
      zip.addLocalFolder(tree);
      zip.writeZip(out);
    },
  },
  {
    name: "bsdtar",
    available: () => hasCommand("bsdtar"),
    make: async (tree, out) => check(await run("bsdtar", ["-a", "-cf", out, "-C", tree, "."])),
  },
  {
    name: "7-Zip",
    available: () => ["7z", "7zz", "7za"].some(hasCommand),
    make: async (tree, out) => check(await run(["7z", "7zz", "7za"].find(hasCommand), ["a", "-tzip", "-bd", out, "./*"], { cwd: tree })),
  },
];

function canRequire(name) {
  try { require.resolve(name); return true; } catch { return false; }
}

function check(r) {
  if (r.status !== 0) throw new Error(`exit ${r.status}: ${r.stderr.trim().slice(0, 300)}`);
}

/**
 * The files a zip made by `tool` from the tree must hold: the tree, plus what the tool adds on
 * its own (jar's META-INF/MANIFEST.MF, read back from the zip with Python).
 */
export async function expectedFiles(tool, files, zipPath) {
  if (!tool.extra) return files;
  const r = await run("python3", ["-c", "import sys,zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read('META-INF/MANIFEST.MF'))", zipPath]);
  check(r);
  return [...files, { path: "META-INF/MANIFEST.MF", data: r.stdoutBytes }];
}
