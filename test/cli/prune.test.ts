import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SqliteBackend } from "../../src/store/backends/sqlite/index.js";
import { expectErrorLine, runCli } from "../support/cli.js";
import { newDelivery, removeTempDirs, tempDir } from "../support/store.js";

const DAY = 86_400_000;

describe("hookyard prune", () => {
  let dir: string;
  let store: string;
  beforeAll(async () => {
    dir = tempDir();
    const file = join(dir, "h.db");
    store = `sqlite:${file}`;
    const s = await SqliteBackend.open(file);
    for (let i = 0; i < 3; i++) await s.accept(newDelivery({ receivedAt: Date.now() - 40 * DAY }), []);
    await s.accept(newDelivery({ receivedAt: Date.now() - 10 * DAY }), []);
    await s.close();
  });
  afterAll(() => removeTempDirs());

  it("--dry-run --json counts what would go; then a run removes it; --before 20d takes the 10-day-old one too", async () => {
    const dry = await runCli(["prune", "--dry-run", "--json", "--store", store], dir);
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, deliveries: 3, tasks: 0, tombstones: 0 });
    const run = await runCli(["prune", "--store", store], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^pruned 3 deliveries, 0 tasks, [\d.]+ MB of bodies, 0 tombstones \(1 batch\)$/m);
    const again = await runCli(["prune", "--before", "5d", "--json", "--store", store], dir, { HOOKYARD_RETENTION: "30d" });
    expect(JSON.parse(again.stdout)).toMatchObject({ dryRun: false, deliveries: 1 });
  });

  it("refuses --before under 3 days, and HOOKYARD_RETENTION under 3 days, with the reason", async () => {
    const short = await runCli(["prune", "--before", "1d", "--store", store], dir);
    expectErrorLine(short, 2, "HOOKYARD_ERR_CLI_USAGE");
    expect(short.stderr).toContain("at least 3d");
    const env = await runCli(["prune", "--store", store], dir, { HOOKYARD_RETENTION: "36h" });
    expectErrorLine(env, 1, "HOOKYARD_ERR_CONFIG_INVALID");
    expect(env.stderr).toContain("HOOKYARD_RETENTION must be 0 (keep everything) or at least 3d");
  });
});
