import { afterEach, describe, expect, it } from "vitest";
import { api, example, startApp, stopApps } from "../support/app.js";

afterEach(stopApps);

/** POSTs a signed delivery to `url` and returns the answer with its headers. */
async function send(url: string, d: { body: string; headers: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(url, { method: "POST", body: d.body, headers: d.headers });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

// The webhook route is served on node:http in front of Fastify (src/http/webhook-front.ts); these
// are the parts of its answer Fastify's routing and hooks used to give it.
describe("the webhook route in front of Fastify", () => {
  it("answers with the delivery id as x-request-id and Fastify's JSON content type; a query string is the same route", async () => {
    const { url, secret } = await startApp((app) => app.on("issues", async () => undefined));
    const d = example("issues.labeled", { secret });
    const res = await send(url, d);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ delivery: d.id, status: "accepted" });
    expect(res.headers.get("x-request-id")).toBe(d.id);
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    const again = example("issues.labeled", { secret });
    const withQuery = await send(`${url}?source=test`, again);
    expect(withQuery.status).toBe(202);
    expect(withQuery.body).toEqual({ delivery: again.id, status: "accepted" });
  });

  it("other methods and paths near the webhook path go to Fastify: 404 in the documented shape", async () => {
    const { url, base, secret } = await startApp((app) => app.on("issues", async () => undefined));
    const path = new URL(url).pathname;
    const get = await api(base, path);
    expect(get.status).toBe(404);
    expect(get.body.error.code).toBe("HOOKYARD_ERR_API_NOT_FOUND");
    const trailing = await send(`${url}/`, example("issues.labeled", { secret }));
    expect(trailing.status).toBe(404);
    expect(trailing.body.error.code).toBe("HOOKYARD_ERR_API_NOT_FOUND");
    const longer = await send(`${url}x`, example("issues.labeled", { secret }));
    expect(longer.status).toBe(404);
    expect(longer.body.error.code).toBe("HOOKYARD_ERR_API_NOT_FOUND");
  });
});
