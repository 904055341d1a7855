import type { FastifyInstance, FastifyRequest } from "fastify";
import { intParam } from "../body.js";
import type { FakeContext } from "../context.js";
import { GitHubApiError, notFound } from "../errors.js";
import { authOf, guard } from "../guards.js";
import { perPage, selfUrl } from "../pagination.js";
import { deliveryDetail, deliveryItem, type DeliveryRecord } from "../webhooks.js";

const DOC_LIST = "https://docs.github.com/rest/apps/webhooks#list-deliveries-for-an-app-webhook";
const DOC_GET = "https://docs.github.com/rest/apps/webhooks#get-a-delivery-for-an-app-webhook";
const DOC_REDELIVER = "https://docs.github.com/rest/apps/webhooks#redeliver-a-delivery-for-an-app-webhook";

/** The App's delivery log: list (newest first, cursor pages), one delivery, redelivery. */
export function deliveryRoutes(app: FastifyInstance, ctx: FakeContext): void {
  const jwt = guard(ctx, "app");
  const find = (req: FastifyRequest, doc: string): DeliveryRecord => {
    const a = authOf(ctx, req).app;
    const id = intParam((req.params as { id: string }).id);
    const d = ctx.webhooks.log.find((x) => x.id === id && x.appId === a.id);
    if (!d) throw notFound(doc);
    return d;
  };

  app.get("/app/hook/deliveries", { preHandler: jwt }, async (req, reply) => {
    const a = authOf(ctx, req).app;
    const size = perPage(req);
    const cursor = (req.query as { cursor?: string }).cursor;
    let before = Number.POSITIVE_INFINITY;
    if (cursor !== undefined && cursor !== "") {
      const m = /^v1_(\d+)$/.exec(cursor);
      if (!m) throw new GitHubApiError(422, "Invalid cursor.", { documentationUrl: DOC_LIST });
      before = Number(m[1]);
    }
    const all = ctx.webhooks.log.filter((d) => d.appId === a.id && d.id < before).sort((x, y) => y.id - x.id);
    const page = all.slice(0, size);
    const last = page[page.length - 1];
    if (all.length > size && last) {
      reply.header("link", `<${selfUrl(ctx, req, { per_page: String(size), cursor: `v1_${last.id}` })}>; rel="next"`);
    }
    return page.map(deliveryItem);
  });

  app.get("/app/hook/deliveries/:id", { preHandler: jwt }, async (req) => deliveryDetail(find(req, DOC_GET)));

  app.post("/app/hook/deliveries/:id/attempts", { preHandler: jwt }, async (req, reply) => {
    const d = find(req, DOC_REDELIVER);
    ctx.webhooks.redeliver(authOf(ctx, req).app, d).catch(() => undefined);
    reply.code(202);
    return {};
  });
}
