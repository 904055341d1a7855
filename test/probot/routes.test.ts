/**
 * Probot apps that serve HTTP, under a real `hookyard serve` process with several modules: Probot
 * 14's `addHandler` (with `app.auth()`, the installation token, and a custom event the app emits
 * itself), Probot 13's `getRouter` (Express), Hookyard's own routes never shadowed. The same process
 * takes deliveries through WEBHOOK_PROXY_URL from a local stand-in for the smee.io channel (a real
 * server-sent-events server), still signature-checked, and says at start-up what it honours.
 */
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signedDelivery } from "../../src/testing/index.js";
import { killServers, type Server } from "../fixtures/server.js";
import { issuePayload } from "../github/support.js";
import { removeTempDirs, tempDir } from "../support/store.js";
import { closeFakes, fakeGitHub, handled, probotApp, serveOnFake } from "./support.js";

/** A smee.io-style channel: GET opens an event stream; `send` pushes a delivery as smee.io does (headers + body). */
function channel() {
  const clients = new Set<ServerResponse>();
  let connected: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (connected = resolve));
  const server = createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    res.write(": ready\n\n");
    clients.add(res);
    req.on("close", () => clients.delete(res));
    connected();
  });
  return {
    server, opened,
    listen: () => new Promise<string>((resolve) => server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/abc123`))),
    send(headers: Record<string, string>, body: string) {
      const data = JSON.stringify({ ...headers, body: JSON.parse(body), query: {}, timestamp: Date.now() });
      for (const c of clients) c.write(`event: message\ndata: ${data}\n\n`);
    },
    close: () => new Promise<void>((resolve) => {
      for (const c of clients) c.destroy();
      server.close(() => resolve());
    }),
  };
}

let server: Server;
let fake: Awaited<ReturnType<typeof fakeGitHub>>["fake"];
let installationId: number;
const smee = channel();

beforeAll(async () => {
  ({ fake, installation: { id: installationId } } = await fakeGitHub());
  fake.addIssue("acme/widgets", { title: "Crash on start" });
  const proxyUrl = await smee.listen();
  server = await serveOnFake([probotApp("router.mjs"), probotApp("legacy-router"), probotApp("welcome")], fake, tempDir(), {
    WEBHOOK_PROXY_URL: proxyUrl, LOG_MESSAGE_KEY: "message", LOG_LEVEL_IN_STRING: "true", IGNORED_ACCOUNTS: "spammer",
  });
  await smee.opened;
}, 60_000);

afterAll(async () => {
  await killServers();
  await smee.close();
  await closeFakes();
  removeTempDirs();
});

describe("hookyard serve a.js b/ c/ — Probot apps that serve HTTP", () => {
  it("serves addHandler (Probot 14) and getRouter (Probot 13, Express) next to Hookyard's routes, which they never shadow", async () => {
    const hello = await fetch(`${server.base}/router/hello`);
    expect(await hello.json()).toEqual({ hello: fake.slug });
    const ping = await fetch(`${server.base}/legacy/ping`);
    expect(await ping.json()).toEqual({ pong: true, path: "/legacy/ping" });
    expect((await fetch(`${server.base}/health`)).status).toBe(200);
    const missing = await fetch(`${server.base}/nowhere`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("HOOKYARD_ERR_API_NOT_FOUND");
    const api = await fetch(`${server.base}/api/v1/nowhere`);
    expect(api.status).toBe(404);
    // GET on the webhook path is not handed to the apps' handlers either
    expect((await fetch(`${server.base}/api/github/webhooks`)).status).toBe(404);
  });

  it("a custom event the app emits itself (schedule.repository) runs as a durable task", async () => {
    const res = await fetch(`${server.base}/router/sweep`, { method: "POST", body: JSON.stringify({ installation: installationId, owner: "acme", repo: "widgets" }) });
    expect(res.status).toBe(202);
    const { queued } = (await res.json()) as { queued: string };
    await handled(server, queued, "schedule.repository:anonymous");
    expect(fake.state.issues("acme/widgets").map((i) => i.title)).toContain("Weekly sweep");
  });

  it("WEBHOOK_PROXY_URL: a signed delivery from the channel reaches the webhook route and every app's handlers; a forged one is refused", async () => {
    const payload = { ...issuePayload(installationId), sender: { login: "octocat", id: 1, type: "User" } };
    const good = signedDelivery("issues", payload, { secret: fake.webhookSecret });
    smee.send(good.headers, good.body);
    await handled(server, good.id, "issues.opened:anonymous");
    await handled(server, good.id, "issues.opened:anonymous#2");
    await handled(server, good.id, "issues.opened:anonymous#3");
    const bodies = fake.state.comments("acme/widgets", 1).map((c) => c.body);
    expect(bodies).toEqual(expect.arrayContaining([expect.stringMatching(/^clone with a installation token of \d+ characters; app token type app$/), expect.stringContaining("Thanks for opening")]));
    expect(fake.state.issue("acme/widgets", 1)?.labels.map((l) => (typeof l === "string" ? l : l.name)).sort()).toEqual(["new", "seen-by-legacy"]);

    const forged = signedDelivery("issues", payload, { secret: "not-the-secret" });
    smee.send(forged.headers, forged.body);
    await server.waitForLine(/POST http:\/\/127\.0\.0\.1:\d+\/api\/github\/webhooks - 401/);
    expect(server.lines.some((l) => l.includes(forged.id) && l.includes("task completed"))).toBe(false);
  });

  it("says at start-up what it honours: Probot's LOG_MESSAGE_KEY and LOG_LEVEL_IN_STRING, a warning for IGNORED_ACCOUNTS", () => {
    expect(server.lines.some((l) => l.includes('"level":"info"') && l.includes('"message":"hookyard listening"'))).toBe(true);
    expect(server.lines.some((l) => l.includes('"level":"warn"') && l.includes("IGNORED_ACCOUNTS is set but Hookyard does not honour it"))).toBe(true);
    expect(server.lines.some((l) => /hookyard listening on .* store sqlite:/.test(l))).toBe(true);
  });
});
