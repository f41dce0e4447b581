// An Angular app (the CLI's esbuild-based application builder, as Ionic Angular apps use)
// importing otaseal by name with no build configuration. It runs the release vectors through
// the opener and reports to the test (window.__otaseal), and shows the result in a component.
import { Component, signal } from "@angular/core";
import { bootstrapApplication } from "@angular/platform-browser";
import { Opener, errorCodes, type OtaError, type Policy } from "otaseal";

interface Case { bundle: string; bundleKeys: string[]; envelope: string; trust: string; policy: Policy; chunk: number }

const fromBase64 = (s: string): Uint8Array => Uint8Array.from(atob(s), (ch) => ch.charCodeAt(0));

async function run(): Promise<{ codes: number; results: unknown[] }> {
  const doc = (await (await fetch(new URL("vectors.json", document.baseURI))).json()) as { cases: Case[] };
  const results: unknown[] = [];
  for (const c of doc.cases) {
    const bytes = fromBase64(c.bundle);
    let opener: Opener | undefined;
    try {
      opener = new Opener(c.envelope, c.trust, c.policy, c.bundleKeys.map(fromBase64));
      for (let at = 0; at < bytes.length; at += c.chunk) opener.push(bytes.subarray(at, at + c.chunk));
      const { release, files } = opener.finish();
      results.push({ code: "OK", signedBy: release.signedBy, files: files.map((f) => ({ path: f.path, size: f.size, sha256: f.sha256 })) });
    } catch (e) {
      const err = e as OtaError;
      results.push(err.name === "OtaError" ? { code: err.code } : { code: `NOT AN OtaError: ${String(e)}` });
    } finally {
      opener?.free();
    }
  }
  return { codes: errorCodes().length, results };
}

@Component({ selector: "app-root", template: "<pre>{{ status() }}</pre>" })
class App {
  readonly status = signal("running…");
  constructor() {
    run().then(
      (r) => {
        (window as unknown as { __otaseal: unknown }).__otaseal = r;
        this.status.set(`${r.results.length} vectors checked`);
      },
      (e: unknown) => {
        (window as unknown as { __otaseal: unknown }).__otaseal = { error: String((e as Error)?.stack ?? e) };
      },
    );
  }
}

bootstrapApplication(App).catch((e: unknown) => console.error(e));
