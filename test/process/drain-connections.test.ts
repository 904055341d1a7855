/**
 * Issue 16, defect 1: SIGTERM ends the drain within HOOKYARD_SHUTDOWN_TIMEOUT (plus the bounded
 * store work after it) whatever clients do. Connections that are idle, never used, or still
 * sending a request's headers are closed; a request still open when the drain ends is answered 503
 * in the documented shape with `Connection: close`; the process exits 0. The server's own
 * connection timeouts are set far beyond the test, so only the drain can close these connections.
 */
import { afterEach, describe, expect, it } from "vitest";
import { findExample } from "../../src/testing/examples.js";
import { signedDelivery } from "../../src/testing/deliveries.js";
import { fixture, killServers, SECRET, startServer } from "../fixtures/server.js";
import { portOf, rawConnect } from "../support/socket.js";
import { removeTempDirs, tempDir } from "../support/store.js";

afterEach(async () => {
  await killServers();
  removeTempDirs();
});

describe("SIGTERM with clients holding connections", () => {
  it("closes idle, unused and half-sent connections, answers the open request 503, and exits 0", { timeout: 60_000 }, async () => {
    const dir = tempDir();
    const server = await startServer(fixture("blocking-app.mjs"), dir, {
      HOOKYARD_STORE: `sqlite:${dir}/h.db`, HOOKYARD_SHUTDOWN_TIMEOUT: "1s", HOOKYARD_ACCEPT_TIMEOUT: "1s",
      STARTED_FILE: `${dir}/started.txt`, RELEASE_FILE: `${dir}/release`, DONE_FILE: `${dir}/done.txt`,
      HOOKYARD_HEADERS_TIMEOUT: "10m", HOOKYARD_REQUEST_TIMEOUT: "10m", HOOKYARD_SOCKET_TIMEOUT: "10m", HOOKYARD_KEEP_ALIVE_TIMEOUT: "10m",
    });
    const port = portOf(server.base);
    const unused = await rawConnect(port); // like `nc host port`, sending nothing
    const halfSent = await rawConnect(port);
    halfSent.socket.write("GET /health HTTP/1.1\r\nHost: x\r\n");
    const keepAlive = await rawConnect(port);
    keepAlive.socket.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    expect(await keepAlive.answers()).toMatchObject([{ status: 200, headers: { connection: "keep-alive" } }]);
    const open = await rawConnect(port); // a delivery whose body is still arriving
    const d = signedDelivery("issues", findExample("issues.opened").payload, { secret: SECRET });
    const head = Object.entries(d.headers).map(([k, v]) => `${k}: ${v}\r\n`).join("");
    // Expect: 100-continue makes the server say when it has taken the request up (routed it)
    open.socket.write(`POST /api/github/webhooks HTTP/1.1\r\nHost: x\r\n${head}Expect: 100-continue\r\nContent-Length: ${Buffer.byteLength(d.body)}\r\n\r\n`);
    expect(await open.answers()).toMatchObject([{ status: 100 }]);
    open.socket.write(d.body.slice(0, 100));

    server.child.kill("SIGTERM");
    expect(await server.exited).toEqual({ code: 0, signal: null });

    for (const conn of [unused, halfSent, keepAlive]) expect((await conn.closed).error).toBeUndefined();
    expect(await open.answers(2)).toMatchObject([{ status: 100 }, {
      status: 503, headers: { connection: "close" }, body: { error: { code: "HOOKYARD_ERR_HTTP_SHUTTING_DOWN", message: expect.any(String) } },
    }]);
    await open.closed;
    const order = server.lines.map((l) => /"msg":"(draining[^"]*|hookyard stopped)"/.exec(l)?.[1]).filter(Boolean);
    expect(order).toEqual(["draining: no new deliveries, waiting for running tasks", "hookyard stopped"]);
  });
});
