import type { FastifyInstance } from "fastify";
import type { FakeContext } from "../context.js";
import { notFound } from "../errors.js";
import { randomHex } from "../ids.js";
import { createApp } from "../seed.js";
import { integration } from "../shapes/accounts.js";
import type { Schemas } from "../shapes/urls.js";
import type { PermissionLevel, Permissions } from "../state.js";

const DOC = "https://docs.github.com/rest/apps/apps#create-a-github-app-from-a-manifest";

type ManifestConversion = NonNullable<Schemas["integration"]> & {
  client_id: string;
  client_secret: string;
  webhook_secret: string | null;
  pem: string;
};

function permissionsOf(raw: unknown): Permissions | undefined {
  if (typeof raw !== "object" || raw === null) return undefined;
  const out: Permissions = {};
  for (const [k, v] of Object.entries(raw)) if (v === "read" || v === "write" || v === "admin") out[k] = v as PermissionLevel;
  return out;
}

/** `POST /app-manifests/{code}/conversions`: no auth; the code works once and for an hour. */
export function manifestRoutes(app: FastifyInstance, ctx: FakeContext): void {
  app.post("/app-manifests/:code/conversions", async (req, reply) => {
    const { code } = req.params as { code: string };
    const pending = ctx.manifests.get(code);
    ctx.manifests.delete(code);
    if (!pending || pending.expiresAt <= ctx.clock.now()) throw notFound(DOC);
    const m = pending.manifest;
    const hook = typeof m.hook_attributes === "object" && m.hook_attributes !== null ? (m.hook_attributes as Record<string, unknown>) : undefined;
    const hookUrl = typeof hook?.url === "string" && hook.active !== false ? hook.url : undefined;
    const webhookSecret = randomHex(20);
    const created = createApp(ctx.state, {
      name: typeof m.name === "string" ? m.name : undefined,
      owner: pending.owner,
      description: typeof m.description === "string" ? m.description : null,
      externalUrl: typeof m.url === "string" ? m.url : undefined,
      callbackUrls: Array.isArray(m.callback_urls) ? m.callback_urls.map(String) : [],
      permissions: permissionsOf(m.default_permissions) ?? { metadata: "read" },
      events: Array.isArray(m.default_events) ? m.default_events.map(String) : [],
      webhookUrl: hookUrl,
      webhookSecret,
    });
    const out: ManifestConversion = {
      ...integration(ctx.urls, created, 0),
      client_id: created.clientId,
      client_secret: created.clientSecret,
      webhook_secret: webhookSecret,
      pem: created.privateKey,
    };
    reply.code(201);
    return out;
  });
}
