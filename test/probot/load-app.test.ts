/** loadAppModule(): the module shapes Probot apps come in. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Hookyard } from "../../src/app/index.js";
import { loadAppModule } from "../../src/cli/load-app.js";
import { removeTempDirs, tempDir } from "../support/store.js";

afterEach(removeTempDirs);

/** Writes `files` under a fresh directory; returns it. */
function project(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** Loads the module and reports which events its app function registered. */
async function registered(path: string, cwd: string): Promise<string> {
  const fn = await loadAppModule(path, cwd);
  const names: string[] = [];
  await fn({ on: (e: string) => names.push(e), log: { info: () => undefined } } as unknown as Hookyard, { cwd, getRouter: () => undefined as never, addHandler: () => undefined as never });
  return names.join(",");
}

const APP = (event: string) => `(app) => { app.on(${JSON.stringify(event)}, async () => {}); }`;

describe("loadAppModule", () => {
  it("takes ESM default exports, CommonJS module.exports, and CommonJS compiled from ESM", async () => {
    const dir = project({
      "esm.mjs": `export default ${APP("issues")};`,
      "cjs.cjs": `module.exports = ${APP("push")};`,
      "compiled.cjs": `"use strict"; Object.defineProperty(exports, "__esModule", { value: true }); exports.default = ${APP("ping")};`,
      "plain/package.json": `{ "name": "plain" }`,
      "plain/app.js": `module.exports = ${APP("label")};`,
    });
    expect(await registered("esm.mjs", dir)).toBe("issues");
    expect(await registered("./cjs.cjs", dir)).toBe("push");
    expect(await registered(join(dir, "compiled.cjs"), dir)).toBe("ping");
    expect(await registered("plain/app.js", dir)).toBe("label"); // .js in a package without "type": CommonJS
  });

  it("resolves a directory through its package.json main, and an installed package by name", async () => {
    const dir = project({
      "my-app/package.json": `{ "name": "my-app", "main": "lib/main.js" }`,
      "my-app/lib/main.js": `module.exports = ${APP("issues.opened")};`,
      "node_modules/probot-app-thing/package.json": `{ "name": "probot-app-thing", "main": "index.js" }`,
      "node_modules/probot-app-thing/index.js": `module.exports = ${APP("star")};`,
    });
    expect(await registered("./my-app", dir)).toBe("issues.opened");
    expect(await registered("probot-app-thing", dir)).toBe("star");
  });

  it("says what is wrong: missing, not a function", async () => {
    const dir = project({ "object.mjs": `export default { name: "not an app" };` });
    await expect(loadAppModule("nope.js", dir)).rejects.toMatchObject({ code: "HOOKYARD_ERR_APP_MODULE", message: expect.stringContaining("app module not found") });
    await expect(loadAppModule("not-installed", dir)).rejects.toMatchObject({ message: expect.stringContaining('nor a package "not-installed"') });
    await expect(loadAppModule("object.mjs", dir)).rejects.toMatchObject({ message: expect.stringContaining("must export a function") });
  });

  it("Hookyard.load passes Probot 14's second argument { cwd, addHandler }; getRouter only when asked (apps written for Probot ≤ 13)", async () => {
    const app = new Hookyard({ store: "memory:", logLevel: "silent", env: {} });
    let keys: string[] = [];
    await app.load((_app, options) => void (keys = Object.keys(options)));
    expect(keys.sort()).toEqual(["addHandler", "cwd"]);
    await app.load((_app, options) => void (keys = Object.keys(options)), { getRouter: true });
    expect(keys.sort()).toEqual(["addHandler", "cwd", "getRouter"]);
  });
});
