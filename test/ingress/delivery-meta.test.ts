import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { deliveryMeta, sentByBot, storedMeta } from "../../src/ingress/delivery-meta.js";
import { sign } from "../../src/ingress/verify.js";
import { findExample } from "../../src/testing/examples.js";
import { post, startApp, stopApps } from "../support/app.js";

afterEach(stopApps);

describe("deliveryMeta", () => {
  it("reads event, action, repository, installation and sender of a real payload", () => {
    const { event, payload } = findExample("issues.labeled");
    const p = payload as { action: string; repository: { full_name: string }; sender: { login: string; type: string } };
    const meta = deliveryMeta(event, { ...payload, installation: { id: 2 } });
    expect(meta).toEqual({
      event: "issues", action: p.action, repository: p.repository.full_name, installation: 2,
      sender: { login: p.sender.login, type: p.sender.type },
    });
    expect(sentByBot(meta)).toBe(false);
    expect(storedMeta(meta)).toEqual({ event: "issues", action: p.action, repository: p.repository.full_name, installationId: 2 });
  });

  it("a payload without the fields gives the event alone, stored as nulls", () => {
    const meta = deliveryMeta("ping", {});
    expect(meta).toEqual({ event: "ping" });
    expect(storedMeta(meta)).toEqual({ event: "ping", action: null, repository: null, installationId: null });
  });

  it.each([
    ["null payload", null],
    ["array payload", [{ action: "opened" }]],
    ["string payload", "opened"],
    ["number payload", 42],
    ["null fields", { action: null, repository: null, installation: null, sender: null }],
    ["arrays as objects", { repository: [{ full_name: "o/r" }], installation: [{ id: 1 }], sender: [{ type: "Bot" }] }],
    ["numbers as strings", { action: 1, repository: { full_name: 7 }, installation: { id: "42" } }],
    ["objects as scalars", { action: { name: "opened" }, repository: "o/r", installation: 42, sender: "Bot" }],
  ])("ignores hostile shapes without throwing: %s", (_name, payload) => {
    expect(deliveryMeta("issues", payload)).toEqual({ event: "issues" });
  });

  it.each([
    ["zero", 0],
    ["negative", -5],
    ["fraction", 1.5],
    ["beyond 2^53 − 1", 2 ** 53],
    ["huge", 1e300],
    ["infinite (JSON 1e400)", JSON.parse("1e400") as number],
    ["NaN", Number.NaN],
  ])("an installation id that names no installation is dropped: %s", (_name, id) => {
    expect(deliveryMeta("issues", { installation: { id } }).installation).toBeUndefined();
  });

  it("keeps the largest safe installation id", () => {
    expect(deliveryMeta("issues", { installation: { id: Number.MAX_SAFE_INTEGER } }).installation).toBe(Number.MAX_SAFE_INTEGER);
  });

  it("a sender object keeps only its string fields; a bot is `type: \"Bot\"`", () => {
    const bot = deliveryMeta("issues", { sender: { login: "app[bot]", type: "Bot" } });
    expect(sentByBot(bot)).toBe(true);
    const odd = deliveryMeta("issues", { sender: { login: 5, type: ["Bot"] } });
    expect(odd.sender).toEqual({});
    expect(sentByBot(odd)).toBe(false);
  });
});

describe("one set of checks for HTTP and receive()", () => {
  // receive() stored `repository.full_name` and `installation.id` unchecked; the webhook route
  // checked types but stored any number as an installation id (a fraction, 2^64, or Infinity)
  const hostile = '{"action":"opened","repository":{"full_name":7},"installation":{"id":12345678901234567890},"sender":{"type":"Bot"}}';
  const asStrings = { action: "opened", repository: { full_name: 7 }, installation: { id: "42" } };

  it("the webhook route and receive() store the same metadata for hostile payloads", async () => {
    const { app, url, secret } = await startApp((app) => app.on("issues", async () => undefined));
    const viaHttp = randomUUID();
    const res = await post(url, {
      id: viaHttp, body: hostile,
      headers: { "content-type": "application/json", "x-github-event": "issues", "x-github-delivery": viaHttp, "x-hub-signature-256": sign(secret, hostile) },
    });
    expect(res.status).toBe(202);
    const viaReceive = randomUUID();
    expect(await app.receive({ id: viaReceive, name: "issues", payload: asStrings })).toBe("accepted");
    for (const id of [viaHttp, viaReceive]) {
      expect(await app.store.getDelivery(id)).toMatchObject({ event: "issues", action: "opened", repository: null, installationId: null });
    }
  });
});
