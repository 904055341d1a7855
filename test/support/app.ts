import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Hookyard, type HookyardOptions } from "../../src/app/index.js";
import type { ClaimedTask, ErrorRecord } from "../../src/store/backend.js";
import { findExample, postDelivery, readAnswer, signedDelivery, type SignedDelivery, type SignOptions } from "../../src/testing/index.js";

export interface StartedApp {
  app: Hookyard;
  /** The webhook URL, e.g. http://127.0.0.1:41234/api/github/webhooks */
  url: string;
  /** The server's base URL (health, /api/v1). */
  base: string;
  /** The first configured webhook secret. */
  secret: string;
  /** Temp directory holding the SQLite file `h.db`. */
  dir: string;
  dbFile: string;
}

const started: { app: Hookyard; dir: string }[] = [];

/**
 * Starts a Hookyard on a real loopback port with a fresh SQLite file in a temp dir. The process
 * environment is not read (env: {}), so a developer's WEBHOOK_SECRET or API token cannot leak in.
 */
export async function startApp(setup?: (app: Hookyard) => void, options: HookyardOptions = {}): Promise<StartedApp> {
  const dir = mkdtempSync(join(tmpdir(), "hookyard-test-"));
  const dbFile = join(dir, "h.db");
  const secret = randomBytes(16).toString("hex");
  const app = new Hookyard({
    webhookSecret: secret, store: `sqlite:${dbFile}`, port: 0, host: "127.0.0.1", logLevel: "silent", env: {}, ...options,
  });
  started.push({ app, dir });
  setup?.(app);
  await app.start();
  const configured = app.config.webhookSecret[0] ?? secret;
  return { app, url: `${app.url}${app.config.webhookPath}`, base: app.url as string, secret: configured, dir, dbFile };
}

/** Stops every app started by {@link startApp} and removes their temp dirs; call in afterEach. */
export async function stopApps(): Promise<void> {
  for (const { app, dir } of started.splice(0)) {
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** POSTs a delivery; returns status, parsed JSON body and raw text. */
export async function post(url: string, d: SignedDelivery): Promise<{ status: number; body: any; text: string }> {
  const res = await postDelivery(url, d);
  return { status: res.status, body: res.body, text: typeof res.body === "string" ? res.body : JSON.stringify(res.body) };
}

/** A signed delivery of a real example (`issues.labeled`, `ping`, …). */
export function example(name: string, options: SignOptions = {}): SignedDelivery & { event: string; payload: Record<string, unknown> } {
  const { event, payload } = findExample(name);
  return { ...signedDelivery(event, payload, options), event, payload };
}

/** A JSON request to the server (management API, health). */
export async function api(base: string, path: string, init: RequestInit = {}): Promise<{ status: number; body: any }> {
  return readAnswer(await fetch(`${base}${path}`, init)) as Promise<{ status: number; body: any }>;
}

export interface Outcome {
  kind: "complete" | "failed" | "retry";
  task: ClaimedTask;
  error?: ErrorRecord;
}

/**
 * Resolves with how the next attempt of a task matching `pred` ended (the events fire after the
 * store recorded the outcome). Call it BEFORE the action that starts the task.
 */
export function nextOutcome(app: Hookyard, pred: (task: ClaimedTask) => boolean): Promise<Outcome> {
  return new Promise((resolve) => {
    const offs = [
      app.events.on("task:complete", ({ task }) => pred(task) && done({ kind: "complete", task })),
      app.events.on("task:failed", ({ task, error }) => pred(task) && done({ kind: "failed", task, error })),
      app.events.on("task:retry", ({ task, error }) => pred(task) && done({ kind: "retry", task, error })),
    ];
    const done = (o: Outcome) => {
      offs.forEach((off) => off());
      resolve(o);
    };
  });
}

/** Waits until `check()` holds, re-checking after each task outcome event (bounded). */
export async function until(app: Hookyard, check: () => boolean | Promise<boolean>, maxEvents = 10_000): Promise<void> {
  for (let i = 0; i < maxEvents; i++) {
    const next = nextOutcome(app, () => true);
    if (await check()) return;
    await next;
  }
  throw new Error(`condition not reached after ${maxEvents} task events`);
}
