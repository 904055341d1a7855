// A probe, not a product: the least a *durable* receiver must do on top of the bare server. It
// verifies and parses like bare.mjs, then appends the body to a log file on a writer thread that
// fdatasyncs once per group of deliveries (one group in flight; what arrives meanwhile forms the
// next), and answers 202 only after the sync. No database, no tasks. Its ratio to bare is the
// ceiling any design that fsyncs before 202 can reach on this machine with one core.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { WEBHOOK_PATH } from "../lib/payload.mjs";
import { answer, verify } from "../lib/receiver.mjs";
import { control } from "./control.mjs";

const dir = mkdtempSync(join(tmpdir(), "hookyard-durable-minimum-"));
const writer = new Worker(new URL("./durable-minimum-writer.mjs", import.meta.url), { workerData: { file: join(dir, "bodies.log") } });
let pending = []; // [body, resolve]
let inFlight = [];
const send = () => {
  if (inFlight.length > 0 || pending.length === 0) return;
  inFlight = pending;
  pending = [];
  const size = inFlight.reduce((n, [b]) => n + b.length, 0);
  const buf = Buffer.allocUnsafeSlow(size);
  let pos = 0;
  for (const [b] of inFlight) pos += (buf.set(b, pos), b.length);
  writer.postMessage(buf, [buf.buffer]);
};
writer.on("message", () => {
  const done = inFlight;
  inFlight = [];
  for (const [, resolve] of done) resolve();
  setImmediate(send);
});
const store = (body) => new Promise((resolve) => {
  if (pending.push([body, resolve]) === 1) setImmediate(send);
});

let accepted = 0;
const server = createServer((req, res) => {
  if (req.method !== "POST" || req.url !== WEBHOOK_PATH) return answer(res, 404, { error: "not found" });
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", async () => {
    const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    if (!verify(body, req.headers["x-hub-signature-256"])) return answer(res, 401, { error: "bad signature" });
    let payload;
    try {
      payload = JSON.parse(body.toString("utf8"));
    } catch {
      return answer(res, 400, { error: "bad json" });
    }
    await store(body);
    accepted++;
    answer(res, 202, { delivery: req.headers["x-github-delivery"], status: payload ? "accepted" : "ignored" });
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  control({
    port: server.address().port,
    stats: () => ({ accepted, pending: 0 }),
    shutdown: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await writer.terminate();
      rmSync(dir, { recursive: true, force: true });
    },
  });
});
