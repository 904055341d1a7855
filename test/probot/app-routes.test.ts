/** App routes in one process: prefixes, Hookyard's own paths never shadowed, getRouter without express. */
import { afterEach, describe, expect, it } from "vitest";
import { Hookyard } from "../../src/app/index.js";
import { removeTempDirs, tempDir } from "../support/store.js";

const apps: Hookyard[] = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await a.stop();
  removeTempDirs();
});
const newApp = () => {
  const app = new Hookyard({ store: "memory:", logLevel: "silent", env: {}, webhookSecret: "s3cret", port: 0, host: "127.0.0.1", redeliveryInterval: 0 });
  apps.push(app);
  return app;
};

describe("app routes", () => {
  it("app.route() under a prefix and addHandler() handlers are served together; Hookyard's paths win", async () => {
    const app = newApp();
    app.route((f) => void f.get("/hello", async () => ({ via: "fastify" })), { prefix: "/my-app" });
    await app.load((_app, { addHandler }) => addHandler((req, res) => {
      if (req.url !== "/node") return false;
      res.end("node");
      return true;
    }));
    await app.start();
    expect(await (await fetch(`${app.url}/my-app/hello`)).json()).toEqual({ via: "fastify" });
    expect(await (await fetch(`${app.url}/node`)).text()).toBe("node");
    expect((await (await fetch(`${app.url}/ready`)).json()) as object).toHaveProperty("status");
  });

  it("refuses an app route on a path Hookyard serves itself", async () => {
    for (const [path, prefix] of [["/health", undefined], ["/tasks", "/api/v1"], ["/api/github/webhooks", undefined]] as const) {
      const app = newApp();
      app.route((f) => void f.get(path, async () => "mine"), prefix ? { prefix } : {});
      await expect(app.start()).rejects.toMatchObject({ code: "HOOKYARD_ERR_APP_ROUTE_RESERVED" });
    }
  });

  it("getRouter() of an app whose directory has no express says so", async () => {
    const app = newApp();
    await expect(app.load((_app, { getRouter }) => void getRouter?.("/legacy"), { getRouter: true, resolveFrom: tempDir() }))
      .rejects.toMatchObject({ code: "HOOKYARD_ERR_PROBOT_EXPRESS_MISSING", message: expect.stringContaining("npm install express") });
  });
});
