import { it } from "vitest";
import { startApp, stopApps } from "../support/app.js";
it("timing", async () => {
  for (let i = 0; i < 5; i++) { const t = Date.now(); await startApp(); const t2 = Date.now(); await stopApps(); console.log("start", t2 - t, "stop", Date.now() - t2); }
});
