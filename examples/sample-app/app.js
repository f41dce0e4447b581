// The sample app's start-up: show the version, then confirm a good start to the updater so it
// is not rolled back. In a Capacitor app this is CapacitorUpdater.notifyAppReady() (or the
// otaseal client's notifyAppReady()); in a browser it is the web fallback's.
const version = (await (await fetch("version.txt")).text()).trim();
document.querySelector("#version").textContent = version;
const ready = document.querySelector("#ready");

// The demo server serves the package at /dist/ (an app would `import ... from "otaseal/web"`).
const { createWebUpdater } = await import("/dist/web.js");
const updater = await createWebUpdater({ scope: "/app/", builtinVersion: "1.0.0" });
const { bundle } = await updater.notifyAppReady();
ready.textContent = `notifyAppReady: bundle ${bundle.id} (${bundle.version}) confirmed`;
ready.dataset.state = "ok";
document.querySelector("#reset").addEventListener("click", () => updater.reset());
