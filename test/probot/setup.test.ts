/** `hookyard setup` reads what Probot's setup reads: `app.yml` (name, permissions, events) and `GH_ORG`. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runSetup } from "../../src/cli/commands/setup.js";
import type { GitHubAppManifest } from "../../src/github/manifest/index.js";
import { createFakeGitHub, type FakeGitHub } from "../../src/testing/index.js";
import { removeTempDirs, tempDir } from "../support/store.js";

let fake: FakeGitHub;
afterAll(async () => {
  await fake?.close();
  removeTempDirs();
});

describe("hookyard setup with a Probot app's app.yml", () => {
  it("asks GitHub for app.yml's name, permissions and events, for the GH_ORG organization", async () => {
    fake = await createFakeGitHub();
    const dir = tempDir();
    const appYml = join(dir, "app.yml");
    writeFileSync(appYml, "name: welcome-bot\ndescription: Says hello\ndefault_events:\n  - issues\n  - issue_comment\ndefault_permissions:\n  issues: write\n  metadata: read\n");
    let page: Promise<string> | undefined;
    const created = runSetup({
      appYml, envFile: join(dir, ".env"), port: 0, publicUrl: "https://hooks.example.com",
      env: { GH_ORG: "acme", HOOKYARD_GITHUB_API_URL: fake.url },
      onListening: (url) => void (page = fetch(url).then((r) => r.text())),
    });
    while (!page) await new Promise((r) => setImmediate(r));
    const html = await page;
    const decode = (s: string) => s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
    const action = new URL(decode(/<form action="([^"]+)"/.exec(html)![1]!));
    const manifest = JSON.parse(decode(/name="manifest" value="([^"]+)"/.exec(html)![1]!)) as GitHubAppManifest;
    expect(action.pathname).toBe("/organizations/acme/settings/apps/new");
    expect(manifest).toMatchObject({ name: "welcome-bot", description: "Says hello", default_events: ["issues", "issue_comment"], default_permissions: { issues: "write", metadata: "read" } });
    const redirect = new URL(manifest.redirect_url);
    const done = await fetch(`${redirect.origin}/setup/callback?code=${fake.createManifestCode(manifest)}&state=${action.searchParams.get("state")}`);
    expect(done.status).toBe(200);
    expect((await created).name).toBe("welcome-bot");
  });
});
