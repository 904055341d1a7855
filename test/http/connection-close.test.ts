/**
 * Issue 16, defect 5: an answer after which the connection cannot be used again (431 for oversized
 * headers, 400 for a request Node cannot parse, 413 given before the body is read) carries
 * `Connection: close`, and the server closes the connection cleanly (FIN, no reset), so a
 * keep-alive client does not send its next request on a dead socket.
 */
import { Agent, request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { example, startApp, stopApps } from "../support/app.js";
import { portOf, rawConnect } from "../support/socket.js";

afterEach(stopApps);

const errorShape = (code: string) => ({ error: { code, message: expect.any(String) } });

/** GET with a keep-alive agent; resolves with the status, or the error code (e.g. ECONNRESET). */
function get(base: string, agent: Agent, headers: Record<string, string> = {}): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request(`${base}/health`, { agent, headers }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    req.end();
  });
}

describe("answers that end a connection", () => {
  it("431 for oversized headers: documented shape, Connection: close, the connection closed cleanly", async () => {
    const { base } = await startApp();
    const conn = await rawConnect(portOf(base));
    conn.socket.write(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`);
    const [answer] = await conn.answers();
    expect(answer).toMatchObject({ status: 431, headers: { connection: "close" }, body: errorShape("HOOKYARD_ERR_HTTP_HEADERS_TOO_LARGE") });
    expect(await conn.closed).toEqual({ clean: true });
  });

  it("400 for a request line Node cannot parse: documented shape, Connection: close, closed cleanly", async () => {
    const { base } = await startApp();
    const conn = await rawConnect(portOf(base));
    conn.socket.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    const [ok] = await conn.answers(1);
    expect(ok).toMatchObject({ status: 200, headers: { connection: "keep-alive" } });
    conn.socket.write("BLAH BLAH BLAH\r\n\r\n"); // the next request on the same connection
    const [, bad] = await conn.answers(2);
    expect(bad).toMatchObject({ status: 400, headers: { connection: "close" }, body: errorShape("HOOKYARD_ERR_HTTP_BAD_REQUEST") });
    expect(await conn.closed).toEqual({ clean: true });
  });

  it("413 before the body is read: Connection: close, and the unread body does not reset the answer away", async () => {
    const { base, secret } = await startApp(undefined, { maxBody: 1024 });
    const d = example("issues.labeled", { secret }); // about 8 KB
    const conn = await rawConnect(portOf(base));
    const head = Object.entries(d.headers).map(([k, v]) => `${k}: ${v}\r\n`).join("");
    conn.socket.write(`POST /api/github/webhooks HTTP/1.1\r\nHost: x\r\n${head}Content-Length: ${Buffer.byteLength(d.body)}\r\n\r\n${d.body}`);
    const [answer] = await conn.answers();
    expect(answer).toMatchObject({ status: 413, headers: { connection: "close" }, body: errorShape("HOOKYARD_ERR_INGRESS_BODY_TOO_LARGE") });
    expect(await conn.closed).toEqual({ clean: true });
  });

  it("a keep-alive client's request after a 431 goes out on a fresh connection and succeeds (no ECONNRESET)", async () => {
    const { base } = await startApp();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const outcomes: (number | string)[] = [];
      for (let i = 0; i < 20; i++) {
        outcomes.push(await get(base, agent));
        outcomes.push(await get(base, agent, { "x-big": "a".repeat(20_000) }));
      }
      expect(outcomes).toEqual(Array.from({ length: 20 }, () => [200, 431]).flat());
    } finally {
      agent.destroy();
    }
  });
});
