// Hookyard as deployed: SQLite store in a fresh temp dir (WAL, synchronous=FULL, writer thread),
// one no-op handler on issues.labeled run by this process's workers, logging silenced.
// `--dist DIR` loads another build (e.g. a patched copy under /tmp/perf/dist).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { distDir, importDist, SECRET, WEBHOOK_PATH } from "../lib/payload.mjs";
import { control } from "./control.mjs";

const { Hookyard } = await importDist(distDir(), "index.js");
const dir = mkdtempSync(join(tmpdir(), "hookyard-bench-"));
const app = new Hookyard({
  store: `sqlite:${join(dir, "bench.db")}`,
  webhookSecret: SECRET,
  webhookPath: WEBHOOK_PATH,
  host: "127.0.0.1",
  port: 0,
  logLevel: "silent",
  workers: true,
});
app.on("issues.labeled", async () => {}, { name: "noop" });

let accepted = 0;
let completed = 0;
app.events.on("delivery:accepted", () => accepted++);
app.events.on("task:complete", () => completed++);

await app.start();
control({
  port: Number(new URL(app.url).port),
  stats: async () => {
    const counts = await app.store.countTasks();
    return { accepted, completed, pending: (counts.queued ?? 0) + (counts.running ?? 0) + (counts.retrying ?? 0) };
  },
  shutdown: async () => {
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
  },
});
