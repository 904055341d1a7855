import { afterEach, describe, expect, it } from "vitest";
import { findExample } from "../../../src/testing/index.js";
import { cleanup, seeded, startFake, startSilentReceiver } from "./support.js";

afterEach(cleanup);

describe("fake GitHub: the server around the routes", () => {
  it("answers unknown routes and missing auth like GitHub, with Date from the fake's clock and a request id", async () => {
    const fake = await startFake({ now: () => Date.parse("2031-02-03T04:05:06Z") });
    const res = await fetch(`${fake.url}/no/such/route`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ message: "Not Found", documentation_url: "https://docs.github.com/rest", status: "404" });
    expect(res.headers.get("date")).toBe("Mon, 03 Feb 2031 04:05:06 GMT");
    expect(res.headers.get("x-github-request-id")).toMatch(/^[0-9A-F]{4}(:[0-9A-F]{6}){4}$/);
    const anonymous = await fetch(`${fake.url}/app`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ message: "Requires authentication", status: "401" });
    const badJson = await fetch(`${fake.url}/app-manifests/x/conversions`, { method: "POST", headers: { "content-type": "application/json" }, body: "{" });
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toMatchObject({ message: "Problems parsing JSON" });
    expect(fake.requests.map((r) => [r.method, r.path, r.status, r.auth])).toEqual([
      ["GET", "/no/such/route", 404, "none"],
      ["GET", "/app", 401, "none"],
      ["POST", "/app-manifests/x/conversions", 400, "none"],
    ]);
    expect(fake.requests[0]?.at.toISOString()).toBe("2031-02-03T04:05:06.000Z");
  });

  it("logs the headers a client sent (x-github-delivery and others) with the authorization redacted", async () => {
    const { fake, octokit, installation } = await seeded();
    await octokit.rest.repos.get({ owner: "acme", repo: "widgets", headers: { "x-github-delivery": "d-123", "x-hookyard-task": "t-9" } });
    const entry = fake.requests.find((r) => r.path === "/repos/acme/widgets");
    expect(entry).toMatchObject({ method: "GET", status: 200, auth: "installation", installationId: installation.id, appId: fake.appId });
    expect(entry?.headers).toMatchObject({ "x-github-delivery": "d-123", "x-hookyard-task": "t-9", authorization: "[redacted]" });
    expect(entry?.headers["user-agent"]).toMatch(/octokit/);
  });

  it("close() aborts a webhook send in flight and still logs it", async () => {
    const receiver = await startSilentReceiver();
    const fake = await startFake({ webhookUrl: receiver.url });
    const { event, payload } = findExample("ping");
    const sending = fake.sendWebhook(event, payload);
    await receiver.arrived;
    await fake.close();
    expect(await sending).toMatchObject({ status_code: 0, status: "We couldn't deliver this payload: aborted, the fake GitHub was closed", event: "ping" });
    await fake.close(); // closing twice is harmless
  });
});
