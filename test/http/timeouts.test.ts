/**
 * Issue 16, defect 1 (the server's own limits): connections that send nothing, send headers a
 * byte at a time, trickle a body, stall, or sit idle after an answer are closed by the server, by
 * the configured HOOKYARD_HEADERS_TIMEOUT, HOOKYARD_REQUEST_TIMEOUT (the slow-sender limit),
 * HOOKYARD_SOCKET_TIMEOUT and HOOKYARD_KEEP_ALIVE_TIMEOUT, with a documented answer where one can
 * still be given.
 */
import { afterEach, describe, expect, it } from "vitest";
import { example, startApp, stopApps } from "../support/app.js";
import { portOf, rawConnect, type RawConnection } from "../support/socket.js";

afterEach(stopApps);

const timeoutAnswer = { status: 408, headers: { connection: "close" }, body: { error: { code: "HOOKYARD_ERR_HTTP_TIMEOUT", message: expect.any(String) } } };

/** Writes `text` one byte at a time, `everyMs` apart, until the connection closes. */
function trickle(conn: RawConnection, text: string, everyMs: number): void {
  let i = 0;
  const timer = setInterval(() => {
    if (conn.socket.destroyed || i >= text.length) return clearInterval(timer);
    conn.socket.write(text[i++]!);
  }, everyMs);
  conn.socket.once("close", () => clearInterval(timer));
}

describe("connection timeouts", () => {
  it("HOOKYARD_HEADERS_TIMEOUT: a connection that sends nothing, or headers a byte at a time, gets 408 and is closed", async () => {
    const { base } = await startApp(undefined, { headersTimeout: "300ms", requestTimeout: "60s", socketTimeout: "60s" });
    const silent = await rawConnect(portOf(base));
    const dripping = await rawConnect(portOf(base));
    trickle(dripping, "GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n", 50);
    for (const conn of [silent, dripping]) {
      expect(await conn.answers()).toMatchObject([timeoutAnswer]);
      expect(await conn.closed).toEqual({ clean: true });
    }
  });

  it("HOOKYARD_REQUEST_TIMEOUT (the slow-sender limit): a body that trickles in gets 408 and the connection is closed", async () => {
    const { base, secret } = await startApp(undefined, { headersTimeout: "300ms", requestTimeout: "600ms", socketTimeout: "60s" });
    const d = example("ping", { secret });
    const conn = await rawConnect(portOf(base));
    const head = Object.entries(d.headers).map(([k, v]) => `${k}: ${v}\r\n`).join("");
    conn.socket.write(`POST /api/github/webhooks HTTP/1.1\r\nHost: x\r\n${head}Content-Length: ${Buffer.byteLength(d.body)}\r\n\r\n`);
    trickle(conn, d.body, 50);
    expect(await conn.answers()).toMatchObject([timeoutAnswer]);
    expect((await conn.closed).error).not.toBe("ECONNRESET");
  });

  it("HOOKYARD_SOCKET_TIMEOUT: a request whose body stops arriving is cut off", async () => {
    const { base, secret } = await startApp(undefined, { headersTimeout: "5s", requestTimeout: "0", socketTimeout: "300ms" });
    const d = example("ping", { secret });
    const conn = await rawConnect(portOf(base));
    const head = Object.entries(d.headers).map(([k, v]) => `${k}: ${v}\r\n`).join("");
    conn.socket.write(`POST /api/github/webhooks HTTP/1.1\r\nHost: x\r\n${head}Content-Length: ${Buffer.byteLength(d.body)}\r\n\r\n${d.body.slice(0, 10)}`);
    await conn.closed; // the server closed it: nothing else ever would
    expect(conn.received()).not.toContain("202");
  });

  it("HOOKYARD_KEEP_ALIVE_TIMEOUT: an idle keep-alive connection is closed cleanly after its answer", async () => {
    const { base } = await startApp(undefined, { keepAliveTimeout: "300ms" });
    const conn = await rawConnect(portOf(base));
    conn.socket.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    expect(await conn.answers()).toMatchObject([{ status: 200, headers: { connection: "keep-alive" } }]);
    expect(await conn.closed).toEqual({ clean: true });
  });

  it("a headers timeout longer than the request timeout is refused at start", async () => {
    await expect(startApp(undefined, { headersTimeout: "10s", requestTimeout: "5s" })).rejects.toMatchObject({ code: "HOOKYARD_ERR_CONFIG_INVALID", message: expect.stringContaining("HOOKYARD_HEADERS_TIMEOUT") });
  });
});
