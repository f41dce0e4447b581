// Lists the biggest functions of a wasm module that still has its "name" section (the raw
// cargo output, before wasm-bindgen/wasm-opt strip it), grouped by crate as well.
//   node bench/wasm-sizes.mjs target/wasm32-unknown-unknown/release/otaseal.wasm [top]
import { readFileSync } from "node:fs";

const bytes = readFileSync(process.argv[2]);
const top = Number(process.argv[3] ?? 40);
let pos = 8;
const leb = () => {
  let result = 0, shift = 0, b;
  do { b = bytes[pos++]; result += (b & 0x7f) * 2 ** shift; shift += 7; } while (b & 0x80);
  return result;
};
const str = () => { const n = leb(); const s = bytes.subarray(pos, pos + n).toString(); pos += n; return s; };
let imported = 0;
const bodies = [];
const names = new Map();
const sections = [];
while (pos < bytes.length) {
  const id = bytes[pos++];
  const size = leb();
  const end = pos + size;
  let label = String(id);
  if (id === 2) {
    for (let n = leb(); n > 0; n--) {
      str(); str();
      const kind = bytes[pos++];
      if (kind === 0) { leb(); imported++; }
      else if (kind === 1) { pos++; const f = leb(); leb(); if (f & 1) leb(); }
      else if (kind === 2) { const f = leb(); leb(); if (f & 1) leb(); }
      else if (kind === 3) { pos += 2; }
    }
  } else if (id === 10) {
    for (let n = leb(); n > 0; n--) { const s = leb(); bodies.push(s); pos += s; }
  } else if (id === 0) {
    label = str();
    if (label === "name") {
      while (pos < end) {
        const sub = bytes[pos++]; const len = leb(); const subEnd = pos + len;
        if (sub === 1) for (let n = leb(); n > 0; n--) { const i = leb(); names.set(i, str()); }
        pos = subEnd;
      }
    }
  }
  sections.push([label, size]);
  pos = end;
}
const fns = bodies.map((size, i) => ({ size, name: names.get(i + imported) ?? `func[${i + imported}]` }));
const total = bytes.length;
console.log(`total ${total} bytes; sections:`, sections.map(([l, s]) => `${l}=${s}`).join(" "));
fns.sort((a, b) => b.size - a.size);
for (const f of fns.slice(0, top)) console.log(String(f.size).padStart(8), f.name.slice(0, 150));
/** The crate a (mangled) Rust symbol belongs to: legacy `_ZN…` or v0 `_R…` mangling. */
const crateOf = (n) => {
  if (n.startsWith("_ZN")) {
    const m = n.slice(3).match(/^(\d+)/);
    if (!m) return "?";
    const seg = n.slice(3 + m[1].length, 3 + m[1].length + Number(m[1]));
    const impl = seg.match(/^_?\$LT\$(?:\$RF\$)?(?:mut\$u20\$)?([a-z_][a-z0-9_]*)/);
    return impl ? impl[1] : seg;
  }
  if (n.startsWith("_R")) return n.match(/Cs[0-9a-zA-Z]+_\d+([a-z_][a-z0-9_]*)/)?.[1] ?? "?";
  return n.startsWith("__wbg") || n.startsWith("__wbindgen") ? "wasm-bindgen glue" : n.split(/[:<]/)[0] || "?";
};
const byCrate = new Map();
for (const f of fns) byCrate.set(crateOf(f.name), (byCrate.get(crateOf(f.name)) ?? 0) + f.size);
console.log("\nby crate (first path segment):");
for (const [c, s] of [...byCrate].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(String(s).padStart(8), c);
