// The web fallback's service worker for /app/: serves the active bundle from Cache Storage
// only after verifying it itself (otaseal/sw) against the trust root written into this
// script. The page registers it as /app/sw.js?timeout=<appReadyTimeoutMs>.
import { installServiceWorker } from "/dist/sw.js";

// The demo server writes its (demo-only) trust root, app, channel and builtin version here
// when it serves this file; a real app writes its own at build time. Without it the worker
// fails to install and the site's own files are served.
const CONFIG = /*OTASEAL_SW_CONFIG*/ null;

const timeout = Number(new URL(self.location.href).searchParams.get("timeout")) || 10_000;
installServiceWorker(self, { ...CONFIG, appReadyTimeoutMs: timeout });
