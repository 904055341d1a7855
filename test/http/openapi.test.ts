/**
 * The OpenAPI document: valid per a maintained validator, every management route (as Fastify
 * registered it) in it with a schema, and each operation called on a real server with a request
 * built from the document, its answer checked against the documented status and schema.
 */
import { dereference, validate } from "@readme/openapi-parser";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { OpenAPIV3_1 } from "openapi-types";
import Fastify, { type FastifyError } from "fastify";
import { z } from "zod";
import { useZodSchemas } from "../../src/http/api/zod.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registeredRoutes } from "../../src/http/docs-routes.js";
import type { HookyardServer } from "../../src/http/server.js";
import { RetryLaterError, UnrecoverableError } from "../../src/steering/steer.js";
import { example, nextOutcome, post, startApp, stopApps, type StartedApp } from "../support/app.js";

const TOKEN = "openapi-test-token-0123456789";
const METHODS = ["get", "post", "put", "patch", "delete"] as const;
type Operation = OpenAPIV3_1.OperationObject & { method: string; path: string };

let s: StartedApp;
let doc: OpenAPIV3_1.Document;
let ids: Record<string, string>;

beforeAll(async () => {
  s = await startApp((app) => {
    app.on("issues.labeled", async () => {
      throw new UnrecoverableError("not wanted");
    }, { name: "fails" });
    app.on("issues.opened", async () => {
      throw new RetryLaterError(3_600_000, "later");
    }, { name: "waits" });
  }, { apiToken: TOKEN });
  const failing = example("issues.labeled", { secret: s.secret });
  const waiting = example("issues.opened", { secret: s.secret });
  const failed = nextOutcome(s.app, (t) => t.deliveryId === failing.id);
  const retrying = nextOutcome(s.app, (t) => t.deliveryId === waiting.id);
  expect((await post(s.url, failing)).status).toBe(202);
  expect((await post(s.url, waiting)).status).toBe(202);
  const [f, r] = await Promise.all([failed, retrying]);
  expect([f.kind, r.kind]).toEqual(["failed", "retry"]);
  // the id each operation acts on, by operationId
  ids = { getDelivery: failing.id, replayDelivery: failing.id, getTask: f.task.id, retryTask: f.task.id, cancelTask: r.task.id };
  const res = await fetch(`${s.base}/api/v1/openapi.json`);
  expect(res.status).toBe(200);
  doc = (await res.json()) as OpenAPIV3_1.Document;
}, 60_000);
afterAll(stopApps);

function operations(d: OpenAPIV3_1.Document): Operation[] {
  return Object.entries(d.paths ?? {}).flatMap(([path, item]) =>
    METHODS.flatMap((method) => (item?.[method] ? [{ ...item[method], method, path }] : [])));
}

/** A JSON body from the documented schema: each required property's first enum value. */
function bodyFor(op: Operation): string | undefined {
  const schema = (op.requestBody as OpenAPIV3_1.RequestBodyObject | undefined)?.content["application/json"]?.schema as OpenAPIV3_1.SchemaObject | undefined;
  if (!schema) return undefined;
  const props = (schema.properties ?? {}) as Record<string, OpenAPIV3_1.SchemaObject>;
  return JSON.stringify(Object.fromEntries((schema.required ?? []).map((k) => [k, props[k]?.enum?.[0]])));
}

/** A request for `op` from its documented parameters: path ids from the fixtures, each query parameter's smallest value or first enum value, the body's required fields. */
function requestFor(op: Operation, id: string): { url: string; secured: boolean; init: RequestInit } {
  const query = new URLSearchParams();
  let path = op.path;
  for (const p of (op.parameters ?? []) as OpenAPIV3_1.ParameterObject[]) {
    const schema = p.schema as OpenAPIV3_1.SchemaObject;
    if (p.in === "path") path = path.replace(`{${p.name}}`, encodeURIComponent(id));
    else if (p.in === "query" && schema.enum) query.set(p.name, String(schema.enum[0]));
    else if (p.in === "query" && schema.type === "integer") query.set(p.name, String(schema.minimum ?? 1));
  }
  const qs = query.toString();
  const body = bodyFor(op);
  const init: RequestInit = { method: op.method.toUpperCase(), ...(body ? { body, headers: { "content-type": "application/json" } } : {}) };
  return { url: `${s.base}${path}${qs ? `?${qs}` : ""}`, secured: (op.security ?? []).some((r) => "bearer" in r), init };
}

describe("the OpenAPI document", () => {
  it("validates as OpenAPI 3.1 with @readme/openapi-parser", async () => {
    const result = await validate(structuredClone(doc) as never);
    expect(result.valid, JSON.stringify(result)).toBe(true);
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.components?.securitySchemes?.bearer).toMatchObject({ type: "http", scheme: "bearer" });
  });

  it("has every route registered under /api/v1, each with a schema, and /health, /ready, /metrics", () => {
    const fastify = (s.app as unknown as { runtime: { server: HookyardServer } }).runtime.server.fastify;
    const api = registeredRoutes(fastify).filter((r) => r.url.startsWith("/api/v1") && r.method !== "HEAD");
    expect(api.length).toBeGreaterThanOrEqual(12);
    expect(api.filter((r) => !r.documented).map((r) => `${r.method} ${r.url}`), "routes without a schema").toEqual([]);
    const documented = new Set(operations(doc).map((o) => `${o.method.toUpperCase()} ${o.path}`));
    for (const r of [...api, { method: "GET", url: "/health" }, { method: "GET", url: "/ready" }, { method: "GET", url: "/metrics" }]) {
      expect(documented, `${r.method} ${r.url}`).toContain(`${r.method} ${r.url.replace(/:(\w+)/g, "{$1}")}`);
    }
    // the webhook route and the docs page's own routes are not management operations
    expect([...documented].some((o) => o.includes("/docs") || o.includes(s.app.config.webhookPath))).toBe(false);
  });

  it("answers each operation, called as documented, with a documented status and shape", async () => {
    const resolved = (await dereference(structuredClone(doc) as never)) as OpenAPIV3_1.Document;
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    const checked: string[] = [];
    for (const op of operations(resolved)) {
      const { url, secured, init } = requestFor(op, ids[op.operationId ?? ""] ?? "no-such-id");
      const res = await fetch(url, { ...init, headers: { ...(init.headers as Record<string, string>), ...(secured ? { authorization: `Bearer ${TOKEN}` } : {}) } });
      const where = `${op.method.toUpperCase()} ${op.path} → ${res.status}`;
      expect(Object.keys(op.responses ?? {}), where).toContain(String(res.status));
      expect(res.status, where).toBeLessThan(300);
      const [type, media] = Object.entries((op.responses?.[res.status] as OpenAPIV3_1.ResponseObject).content ?? {})[0] ?? [];
      expect(res.headers.get("content-type"), where).toContain(type);
      if (type === "text/event-stream") {
        // a stream that stays open: its first bytes, then hang up
        const reader = (res.body as ReadableStream<Uint8Array>).getReader();
        expect(new TextDecoder().decode((await reader.read()).value), where).toMatch(/^retry: \d+\n/);
        await reader.cancel();
        checked.push(`${op.operationId} ${res.status}`);
        continue;
      }
      const body = type === "application/json" ? await res.json() : await res.text();
      const valid = ajv.validate(media?.schema as object, body);
      expect(valid, `${where}: ${ajv.errorsText()}`).toBe(true);
      if (secured) {
        // without the token: the documented 401, in the documented shape
        const denied = await fetch(url, init);
        expect(denied.status, where).toBe(401);
        const schema = ((op.responses?.[401] as OpenAPIV3_1.ResponseObject).content?.["application/json"]?.schema) as object;
        expect(ajv.validate(schema, await denied.json()), where).toBe(true);
      }
      checked.push(`${op.operationId} ${res.status}`);
    }
    expect(checked).toEqual(expect.arrayContaining([
      "listTasks 200", "getTask 200", "retryTask 200", "cancelTask 200", "replayDelivery 202", "getDelivery 200", "getReady 200", "getMetrics 200",
      "retryTasks 200", "getStats 200", "streamChanges 200", "listAgentRuns 200",
    ]));
  });

  it("answers unknown ids and invalid queries as documented (404, 400)", async () => {
    const resolved = (await dereference(structuredClone(doc) as never)) as OpenAPIV3_1.Document;
    const headers = { authorization: `Bearer ${TOKEN}` };
    for (const op of operations(resolved).filter((o) => o.path.includes("{id}"))) {
      const res = await fetch(requestFor(op, "no-such-id").url, { method: op.method.toUpperCase(), headers });
      expect(res.status, `${op.operationId}`).toBe(404);
      expect(Object.keys(op.responses ?? {})).toContain("404");
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("HOOKYARD_ERR_STORE_NOT_FOUND");
    }
    const limit = await fetch(`${s.base}/api/v1/tasks?limit=501`, { headers });
    expect(limit.status).toBe(400);
    expect(await limit.json()).toEqual({ error: { code: "HOOKYARD_ERR_API_BAD_REQUEST", message: expect.stringMatching(/^invalid query parameter limit: /) } });
  });
});

describe("route schemas", () => {
  it("refuse to send an answer that does not match the documented schema (500, not an undocumented shape)", async () => {
    const fastify = Fastify();
    useZodSchemas(fastify);
    fastify.setErrorHandler((error: FastifyError, _req, reply) => reply.code(error.statusCode ?? 500).send({ code: error.code }));
    fastify.get("/drifted", { schema: { response: { 200: z.object({ id: z.string() }) } } }, async () => ({ id: 42 }));
    fastify.get("/kept", { schema: { response: { 200: z.object({ id: z.string() }) } } }, async () => ({ id: "a", secret: "not documented" }));
    const drifted = await fastify.inject("/drifted");
    expect([drifted.statusCode, drifted.json()]).toEqual([500, { code: "FST_ERR_RESPONSE_SERIALIZATION" }]);
    expect((await fastify.inject("/kept")).json()).toEqual({ id: "a" }); // fields not documented are not sent
    await fastify.close();
  });
});

describe("/docs", () => {
  it("serves the interactive page without a token, with every asset from this server (no CDN)", async () => {
    const page = await fetch(`${s.base}/docs/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("swagger-ui");
    const assets = [...html.matchAll(/(?:href|src)="([^"]+)"/g)].map((m) => m[1] as string);
    expect(assets.length).toBeGreaterThan(2);
    for (const asset of assets) {
      expect(asset, "an asset from elsewhere").not.toMatch(/^(https?:)?\/\//);
      const res = await fetch(new URL(asset, `${s.base}/docs/`));
      expect(res.status, asset).toBe(200);
      expect((await res.arrayBuffer()).byteLength, asset).toBeGreaterThan(0);
    }
    const spec = await fetch(`${s.base}/docs/json`);
    expect(spec.status).toBe(200);
    expect(((await spec.json()) as { paths: object }).paths).toEqual(doc.paths);
  });
});
