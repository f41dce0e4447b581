// The bench's app (bench/lib/browser.mjs): imports otaseal's app entry by name, as a Capacitor
// app built with Vite would, and times its cold start: fetching and evaluating the entry's
// chunk (which fetches, compiles and instantiates the wasm) and the first verification of the
// manifest the harness put in `window.__fixture`.
const t0 = performance.now();
const { verifyRelease } = await import("otaseal");
const t1 = performance.now();
const fx = window.__fixture;
const files = verifyRelease(fx.envelopeJson, fx.trustJson, fx.policy).manifest.files.length;
const t2 = performance.now();
window.__cold = { importMs: t1 - t0, verifyMs: t2 - t1, totalMs: t2 - t0, files };
