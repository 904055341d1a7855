import { readFileSync } from "node:fs";
import { join } from "node:path";
import { request } from "node:http";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { Hookyard } from "../../src/app/index.js";
import { sign } from "../../src/ingress/verify.js";
import { signedDelivery } from "../../src/testing/index.js";
import { api, example, nextOutcome, post, startApp, stopApps } from "../support/app.js";

afterEach(stopApps);

/** Asserts the `{"error":{"code","message"}}` shape with `code`. */
function expectError(res: { status: number; body: any }, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(res.body).toEqual({ error: { code, message: expect.any(String) } });
  expect(res.body.error.message.length).toBeGreaterThan(0);
}

/** A signed raw body with custom headers (for malformed deliveries). */
function raw(secret: string, body: string, headers: Record<string, string> = {}) {
  return signedDeliveryWithBody(body, secret, headers);
}

function signedDeliveryWithBody(body: string, secret: string, headers: Record<string, string>) {
  const base = signedDelivery("issues", {}, {});
  return { id: base.id, body, headers: { ...base.headers, "x-hub-signature-256": sign(secret, body), ...headers } };
}

/** Streams `chunks` with Transfer-Encoding: chunked (no Content-Length); `end` false leaves the request open. */
function chunked(url: string, headers: Record<string, string>, chunks: string[], end: boolean): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers: { ...headers, "transfer-encoding": "chunked" } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) });
      });
    });
    req.on("error", reject);
    for (const c of chunks) req.write(c);
    if (end) req.end();
  });
}

describe("webhook ingress rejections", () => {
  it("missing and wrong signatures answer 401 with distinct codes; nothing is stored", async () => {
    const { app, url, secret } = await startApp((app) => app.on("issues", async () => undefined));
    const unsigned = example("issues.labeled");
    expectError(await post(url, unsigned), 401, "HOOKYARD_ERR_INGRESS_SIGNATURE_MISSING");
    const wrong = example("issues.labeled", { secret: `${secret}x` });
    expectError(await post(url, wrong), 401, "HOOKYARD_ERR_INGRESS_SIGNATURE_INVALID");
    const garbage = example("issues.labeled", { secret });
    garbage.headers["x-hub-signature-256"] = "sha256=zz";
    expectError(await post(url, garbage), 401, "HOOKYARD_ERR_INGRESS_SIGNATURE_INVALID");
    // signed over different bytes than were sent
    const tampered = example("issues.labeled", { secret });
    expectError(await post(url, { ...tampered, body: tampered.body.replace("labeled", "unlabeled") }), 401, "HOOKYARD_ERR_INGRESS_SIGNATURE_INVALID");
    for (const d of [unsigned, wrong, garbage, tampered]) expect(await app.store.getDelivery(d.id)).toBeNull();
  });

  it("accepts a signature made with any of several secrets (rotation)", async () => {
    const { url } = await startApp(undefined, { webhookSecret: "old-secret-a, new-secret-b" });
    expect((await post(url, example("ping", { secret: "new-secret-b" }))).status).toBe(202);
    expect((await post(url, example("ping", { secret: "old-secret-a" }))).status).toBe(202);
    expectError(await post(url, example("ping", { secret: "old-secret-a, new-secret-b" })), 401, "HOOKYARD_ERR_INGRESS_SIGNATURE_INVALID");
    const { url: url2 } = await startApp(undefined, { webhookSecret: ["a-one", "b-two"] });
    expect((await post(url2, example("ping", { secret: "b-two" }))).status).toBe(202);
  });

  it("missing GitHub headers answer 400, other media types 415", async () => {
    const { url, secret } = await startApp();
    const noEvent = example("ping", { secret });
    delete noEvent.headers["x-github-event"];
    expectError(await post(url, noEvent), 400, "HOOKYARD_ERR_INGRESS_HEADER_MISSING");
    const noId = example("ping", { secret });
    delete noId.headers["x-github-delivery"];
    const res = await post(url, noId);
    expectError(res, 400, "HOOKYARD_ERR_INGRESS_HEADER_MISSING");
    expect(res.body.error.message).toContain("X-GitHub-Delivery");
    const blankId = example("ping", { secret });
    blankId.headers["x-github-delivery"] = "  ";
    expectError(await post(url, blankId), 400, "HOOKYARD_ERR_INGRESS_HEADER_MISSING");
    const text = example("ping", { secret });
    text.headers["content-type"] = "text/plain";
    expectError(await post(url, text), 415, "HOOKYARD_ERR_INGRESS_UNSUPPORTED_MEDIA_TYPE");
  });

  it("accepts form-encoded deliveries and hands the handler the parsed payload", async () => {
    const seen: unknown[] = [];
    const { app, url, secret } = await startApp((app) => app.on("issues.labeled", async (ctx) => void seen.push(ctx.payload)));
    const d = example("issues.labeled", { secret, form: true });
    expect(d.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    const done = nextOutcome(app, (t) => t.deliveryId === d.id);
    expect(await post(url, d)).toMatchObject({ status: 202, body: { delivery: d.id, status: "accepted" } });
    expect((await done).kind).toBe("complete");
    expect(seen).toEqual([d.payload]);
    expect((await app.store.getDelivery(d.id))?.contentType).toBe("application/x-www-form-urlencoded");
  });

  it("rejects signed bodies that are not a JSON object with 400", async () => {
    const { url, secret } = await startApp();
    const form = { "content-type": "application/x-www-form-urlencoded" };
    for (const [body, headers] of [
      ["not=the-payload-field", form],
      ["payload=%7Bnope", form],
      ["{\"action\": ", {}],
      ["[1,2,3]", {}],
      ["\"a string\"", {}],
      ["null", {}],
      ["", {}],
    ] as const) {
      expectError(await post(url, raw(secret, body, headers)), 400, "HOOKYARD_ERR_INGRESS_PAYLOAD_INVALID");
    }
  });

  it("answers 413 for a body over maxBody, with and without Content-Length, before checking anything else", async () => {
    const { url, secret } = await startApp(undefined, { maxBody: 1024 });
    const ping = example("ping", { secret });
    expect(Buffer.byteLength(ping.body)).toBeGreaterThan(1024); // the real ping example is larger than the cap
    expectError(await post(url, ping), 413, "HOOKYARD_ERR_INGRESS_BODY_TOO_LARGE");
    // the size cap comes first: an unsigned oversized body is 413, not 401
    expectError(await post(url, example("ping")), 413, "HOOKYARD_ERR_INGRESS_BODY_TOO_LARGE");
    const big = example("issues.labeled", { secret });
    const chunks = big.body.match(/[\s\S]{1,300}/g) ?? [];
    expectError(await chunked(url, big.headers, chunks, true), 413, "HOOKYARD_ERR_INGRESS_BODY_TOO_LARGE");
    // the answer comes while the request is still open: the rest of the stream is not waited for
    expectError(await chunked(url, big.headers, [big.body.slice(0, 2000)], false), 413, "HOOKYARD_ERR_INGRESS_BODY_TOO_LARGE");
    // a body within the cap still goes through
    const fits = raw(secret, JSON.stringify({ zen: "Keep it logically awesome." }), { "x-github-event": "ping" });
    expect((await post(url, fits)).status).toBe(202);
  });
});

describe("webhook ingress acceptance", () => {
  it("a repeated delivery id answers 200 duplicate and does not run the handler again", async () => {
    let runs = 0;
    const { app, url, secret } = await startApp((app) => app.on("issues.labeled", async () => void runs++));
    const d = example("issues.labeled", { secret });
    const done = nextOutcome(app, (t) => t.deliveryId === d.id);
    expect(await post(url, d)).toMatchObject({ status: 202, body: { delivery: d.id, status: "accepted" } });
    await done;
    const again = await post(url, d);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ delivery: d.id, status: "duplicate" });
    // a redelivery with a fresh signature of the same id is a duplicate too
    expect((await post(url, example("issues.labeled", { secret, id: d.id }))).body.status).toBe("duplicate");
    expect((await app.store.listTasks({ deliveryId: d.id })).items).toHaveLength(1);
    expect(runs).toBe(1);
  });

  it("a delivery no handler matches answers 202 ignored and is stored", async () => {
    const { base, url, secret } = await startApp((app) => app.on("pull_request", async () => undefined));
    const d = example("issues.opened", { secret });
    expect(await post(url, d)).toMatchObject({ status: 202, body: { delivery: d.id, status: "ignored" } });
    const stored = await api(base, `/api/v1/deliveries/${d.id}`);
    expect(stored.status).toBe(200);
    expect(stored.body).toMatchObject({ id: d.id, event: "issues", action: "opened", status: "ignored", tasks: [], payload: d.payload });
  });

  it("a 202 means the delivery is on disk: its row in the SQLite file, its bytes in the body log, the signature redacted", async () => {
    const { url, secret, dbFile } = await startApp((app) => app.on("issues", async () => undefined));
    const d = example("issues.labeled", { secret });
    expect((await post(url, d)).status).toBe(202);
    const db = new Database(dbFile, { readonly: true, fileMustExist: true });
    try {
      type Row = { id: string; event: string; action: string; repository: string; log_seg: number; log_off: number; headers_len: number; body_len: number };
      const row = db.prepare("SELECT id, event, action, repository, log_seg, log_off, headers_len, body_len FROM deliveries WHERE id = ?").get(d.id) as Row | undefined;
      expect(row).toMatchObject({ id: d.id, event: "issues", action: "labeled", repository: "Codertocat/Hello-World" });
      const segment = readFileSync(join(`${dbFile}-bodies`, `${String(row?.log_seg).padStart(6, "0")}.log`));
      const stored = segment.subarray(row!.log_off, row!.log_off + row!.headers_len + row!.body_len);
      expect(stored.subarray(row!.headers_len).toString("utf8")).toBe(d.body);
      const headersText = stored.subarray(0, row!.headers_len).toString("utf8");
      const headers = JSON.parse(headersText) as Record<string, string>;
      expect(headers["x-hub-signature-256"]).toBe("[redacted]");
      expect(headers["x-github-event"]).toBe("issues");
      expect(headersText).not.toContain(d.headers["x-hub-signature-256"]?.slice(7));
      expect(db.prepare("SELECT count(*) AS n FROM tasks WHERE delivery_id = ?").get(d.id)).toEqual({ n: 1 });
    } finally {
      db.close();
    }
  });

  it("answers 503 while draining, and the running task still finishes", async () => {
    let release!: () => void;
    const blocked = new Promise<void>((r) => (release = r));
    const { app, url, base, secret } = await startApp((app) => app.on("issues", async () => blocked));
    const first = example("issues.opened", { secret });
    const started = app.events.once("task:start", ({ task }) => task.deliveryId === first.id);
    const done = nextOutcome(app, (t) => t.deliveryId === first.id);
    expect((await post(url, first)).status).toBe(202);
    await started;
    const stopping = app.stop();
    expect(app.isDraining).toBe(true);
    const late = example("issues.reopened", { secret });
    expectError(await post(url, late), 503, "HOOKYARD_ERR_INGRESS_SHUTTING_DOWN");
    expect(await api(base, "/ready")).toMatchObject({ status: 503, body: { status: "draining", checks: { draining: { ok: false, required: true } } } });
    release();
    expect((await done).kind).toBe("complete");
    await stopping;
  });
});

describe("secrets", () => {
  it("refuses to start without a webhook secret, unless insecureNoSecret is set", async () => {
    const app = new Hookyard({ store: "memory:", port: 0, host: "127.0.0.1", logLevel: "silent", env: {} });
    await expect(app.start()).rejects.toMatchObject({ code: "HOOKYARD_ERR_CONFIG_NO_SECRET", message: expect.stringContaining("WEBHOOK_SECRET") });
    expect(app.url).toBeUndefined();
    await app.stop();
    const { url } = await startApp(undefined, { webhookSecret: undefined, insecureNoSecret: true });
    expect((await post(url, example("ping"))).status).toBe(202);
  });

  it("no error message or body contains the secret or the API token", async () => {
    const token = "api-token-0123456789-abcdef";
    let configError: unknown;
    try {
      new Hookyard({ apiToken: "short-tok3n", env: {} });
    } catch (err) {
      configError = err;
    }
    expect(configError).toMatchObject({ code: "HOOKYARD_ERR_CONFIG_INVALID", message: expect.stringContaining("apiToken") });
    expect((configError as Error).message).not.toContain("short-tok3n");
    const { url, base, secret } = await startApp(undefined, { maxBody: 2048, apiToken: token });
    const texts: string[] = [];
    const collect = async (p: Promise<{ status: number; text?: string; body: unknown }>) => {
      const r = await p;
      expect(r.status).toBeGreaterThanOrEqual(400);
      texts.push(JSON.stringify(r.body));
    };
    await collect(post(url, example("ping")));
    await collect(post(url, example("ping", { secret: secret.slice(1) })));
    await collect(post(url, example("issues.labeled", { secret })));
    await collect(post(url, raw(secret, "{oops", {})));
    await collect(post(url, raw(secret, "{}", { "content-type": "text/plain" })));
    await collect(api(base, "/api/v1/tasks", { headers: { authorization: `Bearer ${token.slice(1)}` } }));
    expect(texts).toHaveLength(6);
    for (const t of texts) {
      expect(t).not.toContain(secret);
      expect(t).not.toContain(token);
    }
  });
});
