#!/usr/bin/env node
// Seeds a SQLite store file with N deliveries (default 1,000,000) for the retention benchmark
// (bench/retention.mjs): ~12 KB bodies (the benchmark's issues.labeled payload), received over the
// last `--days` days (default 60), 200 repositories, mixed events and task states. Not part of
// `npm test`.
//
// It writes the same layout the store's writer does — migrations from dist/, rows pointing into
// body-log segments (`<file>-bodies/000001.log`, 256 MiB each, oldest first), a new file in
// auto_vacuum=INCREMENTAL — but straight to disk in big transactions (no writer thread, no fsync
// per batch), so a million deliveries take minutes, not hours.
//
// Usage: npm run build && node scripts/seed-store.mjs --file /tmp/seed/hookyard.db [--count 1000000] [--days 60]
import { closeSync, existsSync, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import Database from "better-sqlite3";
import { benchDelivery, distDir, importDist } from "../bench/lib/payload.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
};
const file = resolve(arg("file", "/tmp/hookyard-seed/hookyard.db"));
const count = Number(arg("count", 1_000_000));
const days = Number(arg("days", 60));
const DAY = 86_400_000;
if (existsSync(file)) throw new Error(`${file} exists: seed a new file`);
mkdirSync(dirname(file), { recursive: true });

const dist = distDir();
const { migrate } = await importDist(dist, "store/backends/sqlite/schema.js");
const { SEGMENT_BYTES, bodyLogDir, segmentFile } = await importDist(dist, "store/backends/sqlite/body-log.js");
const { body } = await benchDelivery(dist);

const db = new Database(file);
db.pragma("auto_vacuum = INCREMENTAL"); // as the writer makes a new file
db.pragma("journal_mode = WAL");
db.pragma("synchronous = OFF");
migrate(db);

const dir = bodyLogDir(file);
mkdirSync(dir, { recursive: true });
let seg = 1;
let segSize = 0;
let fd = openSync(segmentFile(dir, seg), "a");
const chunk = [];
let chunkBytes = 0;
const flushChunk = () => {
  if (chunkBytes === 0) return;
  const buf = Buffer.concat(chunk, chunkBytes);
  for (let w = 0; w < buf.length;) w += writeSync(fd, buf, w);
  chunk.length = 0;
  chunkBytes = 0;
};
/** Appends like BodyLogWriter.append: a new segment once this one would pass SEGMENT_BYTES. */
const append = (bytes) => {
  if (segSize > 0 && segSize + bytes.length > SEGMENT_BYTES) {
    flushChunk();
    closeSync(fd);
    fd = openSync(segmentFile(dir, ++seg), "a");
    segSize = 0;
  }
  const at = { seg, off: segSize };
  chunk.push(bytes);
  chunkBytes += bytes.length;
  segSize += bytes.length;
  if (chunkBytes >= 8 * 1024 * 1024) flushChunk();
  return at;
};

const insertDelivery = db.prepare(`INSERT INTO deliveries (id, event, action, repository, installation_id, status, received_at, content_type,
  log_seg, log_off, headers_len, body_len) VALUES (?, ?, ?, ?, ?, ?, ?, 'application/json', ?, ?, ?, ?)`);
const insertTask = db.prepare(`INSERT INTO tasks (id, delivery_seq, delivery_id, name, event, action, repository, state, attempts, max_attempts,
  run_at, lease_owner, lease_until, due_at, started_at, backoff, timeout_ms, created_at, updated_at, last_error)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 3, ?, NULL, 0, ?, NULL, ?, 600000, ?, ?, ?)`);
const insertAttempt = db.prepare(`INSERT INTO attempts (task_id, attempt, started_at, ended_at, outcome, error) VALUES (?, ?, ?, ?, ?, ?)`);
const BACKOFF = JSON.stringify({ type: "exponential", delay: 1000, maxDelay: 3_600_000, jitter: "full" });
const ERROR = JSON.stringify({ message: "Request failed with status 502", code: "HttpError" });
const EVENTS = [["issues", "labeled"], ["issues", "opened"], ["pull_request", "synchronize"], ["push", null], ["issue_comment", "created"]];

const now = Date.now();
const start = now - days * DAY;
const step = (days * DAY) / count;
/** Task state by a delivery's position: the last hour has open work; older ones settled. */
const stateOf = (i, receivedAt) => {
  if (now - receivedAt < 3_600_000 && i % 10 === 0) return i % 20 === 0 ? "queued" : "retrying";
  const r = i % 100;
  return r < 5 ? null : r < 8 ? "failed" : r < 9 ? "cancelled" : "completed"; // null: ignored (no task)
};

const t0 = Date.now();
const BATCH = 20_000;
const seedBatch = db.transaction((from, to) => {
  for (let i = from; i < to; i++) {
    const receivedAt = Math.floor(start + i * step);
    const [event, action] = EVENTS[i % EVENTS.length];
    const repository = `octo-org/repo-${i % 200}`;
    const id = `seed-${i.toString(16).padStart(8, "0")}-0000-4000-8000-000000000000`;
    const state = stateOf(i, receivedAt);
    const headers = Buffer.from(JSON.stringify({ "x-github-event": event, "x-github-delivery": id, "content-type": "application/json", "user-agent": "GitHub-Hookshot/seed" }));
    const at = append(Buffer.concat([headers, body]));
    const seq = insertDelivery.run(id, event, action, repository, 1000 + (i % 50), state ? "accepted" : "ignored", receivedAt, at.seg, at.off, headers.length, body.length).lastInsertRowid;
    if (!state) continue;
    const taskId = `t-${id}`;
    const settled = state === "completed" || state === "failed" || state === "cancelled";
    const updatedAt = receivedAt + 1_500;
    const attempts = state === "failed" ? 3 : state === "queued" ? 0 : 1;
    const runAt = state === "retrying" ? now + 60_000 : receivedAt;
    insertTask.run(taskId, seq, id, `${event}:handler`, event, action, repository, state, attempts, runAt, settled ? null : runAt, BACKOFF, receivedAt, updatedAt,
      state === "failed" || state === "retrying" ? ERROR : null);
    for (let a = 1; a <= attempts; a++) {
      const outcome = state === "failed" ? (a === 3 ? "failed" : "retrying") : state === "retrying" ? "retrying" : "completed";
      insertAttempt.run(taskId, a, receivedAt + a * 400, receivedAt + a * 400 + 120, outcome, outcome === "completed" ? null : ERROR);
    }
  }
});
for (let from = 0; from < count; from += BATCH) {
  seedBatch(from, Math.min(count, from + BATCH));
  flushChunk();
  if ((from / BATCH) % 10 === 0) process.stderr.write(`seeded ${Math.min(count, from + BATCH)} / ${count} (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
}
flushChunk();
closeSync(fd);
db.pragma("wal_checkpoint(TRUNCATE)");
db.close();
console.log(JSON.stringify({ file, count, days, segments: seg, seconds: (Date.now() - t0) / 1000 }));
