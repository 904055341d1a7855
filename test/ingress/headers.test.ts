/**
 * Issue 16, defects 3 and 4 (the ids): GitHub sends X-GitHub-Event, X-GitHub-Delivery and
 * X-Hub-Signature-256 once; a request that repeats one (Node would join the values with ", ") is
 * refused with 400. Delivery ids are what GitHub sends (1 to 64 letters, digits and hyphens), so
 * that every stored delivery is reachable through the management API.
 */
import { request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { sign } from "../../src/ingress/verify.js";
import { api, example, post, startApp, stopApps } from "../support/app.js";

afterEach(stopApps);

/** POSTs through node:http, which sends an array value as that many header lines. */
function postRaw(url: string, headers: Record<string, string | string[]>, body: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers: { ...headers, "content-length": Buffer.byteLength(body) } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

const expectError = (res: { status: number; body: any }, status: number, code: string) =>
  expect(res).toEqual({ status, body: { error: { code, message: expect.any(String) } } });

describe("repeated GitHub headers", () => {
  it.each([
    ["X-GitHub-Event", "x-github-event", ["issues", "push"]],
    ["X-GitHub-Delivery", "x-github-delivery", ["dup-a", "dup-b"]],
    ["Content-Type", "content-type", ["application/json", "application/json"]],
  ])("a signed request with %s twice is refused with 400 HOOKYARD_ERR_INGRESS_HEADER_DUPLICATE; nothing is stored or run", async (_name, header, values) => {
    let runs = 0;
    const { app, url, secret } = await startApp((app) => app.onAny(async () => void runs++));
    const d = example("issues.opened", { secret });
    const res = await postRaw(url, { ...d.headers, [header]: values }, d.body);
    expectError(res, 400, "HOOKYARD_ERR_INGRESS_HEADER_DUPLICATE");
    expect(res.body.error.message).toMatch(new RegExp(header, "i"));
    expect((await app.store.listDeliveries({})).items).toEqual([]);
    expect(runs).toBe(0);
  });

  it("X-Hub-Signature-256 twice is refused with 400 even when both are valid", async () => {
    const { app, url, secret } = await startApp(undefined, { webhookSecret: "first-secret-1,second-secret-2" });
    const d = example("issues.opened", { secret });
    const both = [sign("first-secret-1", d.body), sign("second-secret-2", d.body)];
    expectError(await postRaw(url, { ...d.headers, "x-hub-signature-256": both }, d.body), 400, "HOOKYARD_ERR_INGRESS_HEADER_DUPLICATE");
    expect(await app.store.getDelivery(d.id)).toBeNull();
  });
});

describe("delivery ids", () => {
  it("ids that are not 1 to 64 letters, digits and hyphens are refused with 400 HOOKYARD_ERR_INGRESS_DELIVERY_ID_INVALID", async () => {
    const { app, url, secret } = await startApp((app) => app.on("issues", async () => undefined));
    for (const id of ["a".repeat(65), "a".repeat(8_000), "dup-a, dup-b", "a/b", "..", "a.b", "a%2Fb", "a?b", "ü"]) {
      const d = example("issues.opened", { secret, id: "x" });
      const res = await postRaw(url, { ...d.headers, "x-github-delivery": id }, d.body);
      expectError(res, 400, "HOOKYARD_ERR_INGRESS_DELIVERY_ID_INVALID");
    }
    expect((await app.store.listDeliveries({})).items).toEqual([]);
    await expect(app.receive({ id: "x".repeat(65), name: "ping", payload: {} })).rejects.toMatchObject({ code: "HOOKYARD_ERR_INGRESS_DELIVERY_ID_INVALID" });
  });

  it("every accepted id, GitHub's GUIDs and the longest allowed, is reachable through the API: show and replay", async () => {
    const { url, base, secret } = await startApp((app) => app.on("issues", async () => undefined));
    for (const id of ["72d3162e-cc78-11e3-81ab-4c9367dc0958", "A".repeat(64), "delivery-1", "1"]) {
      expect((await post(url, example("issues.opened", { secret, id }))).status).toBe(202);
      expect(await api(base, `/api/v1/deliveries/${id}`)).toMatchObject({ status: 200, body: { id } });
      expect(await api(base, `/api/v1/deliveries/${id}/replay`, { method: "POST" })).toMatchObject({ status: 202, body: { delivery: id } });
    }
  });
});
