/**
 * Probot's SENTRY_DSN under a real `hookyard serve`: with @sentry/node installed in the app's
 * directory, a failed handler is reported to the DSN's host — here a local HTTP server standing in
 * for Sentry — with its message and task, and without the App's secrets; without @sentry/node, a
 * start-up warning says so. The tests wait on the envelope's arrival and on log lines, never on time.
 */
import { createServer, type Server as HttpServer } from "node:http";
import { symlinkSync } from "node:fs";
import { join, resolve } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { killServers } from "../fixtures/server.js";
import { removeTempDirs, tempDir } from "../support/store.js";
import { closeFakes, fakeGitHub, lastDelivery, person, probotApp, serveOnFake } from "./support.js";

const repo = resolve(import.meta.dirname, "../..");
const sentries: HttpServer[] = [];

afterEach(async () => {
  await killServers();
  await closeFakes();
  await Promise.all(sentries.splice(0).map((s) => new Promise((r) => s.close(r))));
  removeTempDirs();
});

/** A stand-in for Sentry's ingest: records each envelope's text; `envelope(match)` resolves with the first that contains `match`. */
async function fakeSentry() {
  const envelopes: { path: string; text: string }[] = [];
  const waiters = new Set<() => void>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      envelopes.push({ path: req.url ?? "", text: (req.headers["content-encoding"] === "gzip" ? gunzipSync(body) : body).toString("utf8") });
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
      for (const w of waiters) w();
    });
  });
  sentries.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  const envelope = (match: string) => new Promise<{ path: string; text: string }>((resolve) => {
    const check = () => {
      const found = envelopes.find((e) => e.text.includes(match));
      if (found) {
        waiters.delete(check);
        resolve(found);
      }
    };
    waiters.add(check);
    check();
  });
  return { dsn: `http://public@127.0.0.1:${port}/1`, envelope };
}

describe("SENTRY_DSN", () => {
  it("with @sentry/node installed, a failed handler's error reaches the DSN's host with its task, and no secret", { timeout: 60_000 }, async () => {
    const { fake } = await fakeGitHub();
    const sentry = await fakeSentry();
    // the app's directory has @sentry/node in its node_modules (this repository's devDependency)
    const dir = tempDir();
    symlinkSync(join(repo, "node_modules"), join(dir, "node_modules"));
    const server = await serveOnFake(probotApp("crash.mjs"), fake, dir, { SENTRY_DSN: sentry.dsn });
    expect(server.lines.some((l) => l.includes("errors are reported to Sentry"))).toBe(true);

    const octocat = await person(fake, "octocat");
    await octocat.rest.issues.create({ owner: "acme", repo: "widgets", title: "Crash" });
    await fake.idle();
    const delivery = lastDelivery(fake, "issues.opened").guid;

    const { path, text } = await sentry.envelope("cannot triage issue #1");
    expect(path.split("?")[0]).toBe("/api/1/envelope/");
    const items = text.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, any>);
    const event = items.find((i) => i.exception !== undefined)!;
    expect(event.exception.values[0]).toMatchObject({ type: "Error", value: "cannot triage issue #1: the triage service is down" });
    expect(event.extra).toMatchObject({ delivery, handler: "issues.opened:anonymous" });
    expect(typeof event.extra.task).toBe("string");
    // the webhook request the task was queued from (its payload, its signature headers) is not attached
    expect(event.request).toBeUndefined();
    expect(text).not.toContain("x-hub-signature");

    // the handler used an installation token; neither it nor the App's key or webhook secret is sent
    expect(fake.tokensIssued.length).toBeGreaterThan(0);
    for (const { token } of fake.tokensIssued) expect(text).not.toContain(token);
    expect(text).not.toContain(fake.webhookSecret);
    const keyBody = fake.privateKey.split("\n").filter((l) => l && !l.startsWith("-----"));
    for (const line of keyBody) expect(text).not.toContain(line);
  });

  it("without @sentry/node, the start-up says how to install it and the app runs", { timeout: 60_000 }, async () => {
    const { fake } = await fakeGitHub();
    const sentry = await fakeSentry();
    const server = await serveOnFake(probotApp("triage.mjs"), fake, tempDir(), { SENTRY_DSN: sentry.dsn });
    expect(server.lines.find((l) => l.includes("SENTRY_DSN is set"))).toContain("@sentry/node is not installed: `npm install @sentry/node` to report errors to Sentry");
    expect(server.lines.some((l) => l.includes("errors are reported to Sentry"))).toBe(false);
  });
});
