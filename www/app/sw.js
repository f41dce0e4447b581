// The web fallback's service worker for /app/: serves the active verified bundle from Cache
// Storage (otaseal/sw). The page registers it as /app/sw.js?timeout=<appReadyTimeoutMs>.
import { installServiceWorker } from "/dist/sw.js";

const timeout = Number(new URL(self.location.href).searchParams.get("timeout")) || 10_000;
installServiceWorker(self, { appReadyTimeoutMs: timeout });
