/**
 * Issue 16, defect 4 (the answers): every answer Hookyard or Fastify gives, on any route, is in the
 * documented shape `{"error":{"code":"HOOKYARD_ERR_…","message":"…"}}` with a code of the registry:
 * unknown routes, over-long path segments, URLs that are not valid percent-encoding, bodies too
 * large or of another type on the API, headers too large, timeouts.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { ErrorCode } from "../../src/errors.js";
import { HTTP_STATUS } from "../../src/http/error-status.js";
import { api, startApp, stopApps } from "../support/app.js";
import { portOf, rawConnect } from "../support/socket.js";

afterEach(stopApps);

/** Asserts the documented shape, a registered code, and that code's status. */
function expectDocumented(res: { status: number; body: any }, code: ErrorCode): void {
  expect(res.body).toEqual({ error: { code, message: expect.any(String) } });
  expect(res.body.error.message.length).toBeGreaterThan(0);
  expect(res.status).toBe(HTTP_STATUS[code]);
}

describe("every answer is in the documented error shape", () => {
  it("unknown routes and methods: 404 HOOKYARD_ERR_API_NOT_FOUND", async () => {
    const { base } = await startApp();
    expectDocumented(await api(base, "/nope"), "HOOKYARD_ERR_API_NOT_FOUND");
    expectDocumented(await api(base, "/health", { method: "POST" }), "HOOKYARD_ERR_API_NOT_FOUND");
    expectDocumented(await api(base, "/api/v1/nope"), "HOOKYARD_ERR_API_NOT_FOUND");
  });

  it("a path segment over 100 characters: 414 HOOKYARD_ERR_HTTP_URL_TOO_LONG (on GET and replay)", async () => {
    const { base } = await startApp();
    const long = "a".repeat(8_000);
    expectDocumented(await api(base, `/api/v1/deliveries/${long}`), "HOOKYARD_ERR_HTTP_URL_TOO_LONG");
    expectDocumented(await api(base, `/api/v1/deliveries/${long}/replay`, { method: "POST" }), "HOOKYARD_ERR_HTTP_URL_TOO_LONG");
    expectDocumented(await api(base, `/api/v1/tasks/${"b".repeat(101)}`), "HOOKYARD_ERR_HTTP_URL_TOO_LONG");
  });

  it("a URL that is not valid percent-encoding: 400 HOOKYARD_ERR_HTTP_BAD_REQUEST", async () => {
    const { base } = await startApp();
    expectDocumented(await api(base, "/api/v1/deliveries/%E0%A4%A"), "HOOKYARD_ERR_HTTP_BAD_REQUEST");
  });

  it("API bodies too large (413, the connection closed), of another type (415) or not JSON (400)", async () => {
    const { base } = await startApp();
    const big = await fetch(`${base}/api/v1/tasks/some-task/retry`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ pad: "x".repeat(2 * 1024 * 1024) }) });
    expect(big.headers.get("connection")).toBe("close");
    expectDocumented({ status: big.status, body: await big.json() }, "HOOKYARD_ERR_HTTP_BODY_TOO_LARGE");
    const text = await api(base, "/api/v1/tasks/some-task/retry", { method: "POST", headers: { "content-type": "application/xml" }, body: "<retry/>" });
    expectDocumented(text, "HOOKYARD_ERR_HTTP_UNSUPPORTED_MEDIA_TYPE");
    const broken = await api(base, "/api/v1/tasks/some-task/retry", { method: "POST", headers: { "content-type": "application/json" }, body: "{nope" });
    expectDocumented(broken, "HOOKYARD_ERR_API_BAD_REQUEST");
  });

  it("headers too large (431), an unparsable request (400) and a headers timeout (408), answered by the server itself", async () => {
    const { base } = await startApp(undefined, { headersTimeout: "300ms", requestTimeout: "5s" });
    const cases: [string, ErrorCode][] = [
      [`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`, "HOOKYARD_ERR_HTTP_HEADERS_TOO_LARGE"],
      ["NOT HTTP AT ALL\r\n\r\n", "HOOKYARD_ERR_HTTP_BAD_REQUEST"],
      ["GET /health HTTP/1.1\r\nHost: x\r\n", "HOOKYARD_ERR_HTTP_TIMEOUT"], // the headers never end
    ];
    for (const [bytes, code] of cases) {
      const conn = await rawConnect(portOf(base));
      conn.socket.write(bytes);
      const [answer] = await conn.answers();
      expectDocumented(answer!, code);
      expect(answer!.headers.connection).toBe("close");
      expect(await conn.closed).toEqual({ clean: true });
    }
  });
});
