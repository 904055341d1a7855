import type { FastifyReply, FastifyRequest } from "fastify";
import type { FakeContext } from "./context.js";

/** `per_page` as GitHub reads it: default 30, at most 100. */
export function perPage(req: FastifyRequest): number {
  const raw = Number((req.query as Record<string, unknown>).per_page);
  if (!Number.isFinite(raw) || raw < 1) return 30;
  return Math.min(100, Math.floor(raw));
}

/** The request's own URL with `changes` applied to its query (for `Link` headers). */
export function selfUrl(ctx: FakeContext, req: FastifyRequest, changes: Record<string, string>): string {
  const url = new URL(req.url, ctx.urls.api);
  for (const [k, v] of Object.entries(changes)) url.searchParams.set(k, v);
  return `${ctx.urls.api}${url.pathname}${url.search}`;
}

/** One page of `items` by `page` / `per_page`, with GitHub's `Link` header (prev, next, last, first). */
export function pageOf<T>(ctx: FakeContext, req: FastifyRequest, reply: FastifyReply, items: T[]): T[] {
  const size = perPage(req);
  const rawPage = Number((req.query as Record<string, unknown>).page);
  const page = Number.isFinite(rawPage) && rawPage >= 1 ? Math.floor(rawPage) : 1;
  const last = Math.max(1, Math.ceil(items.length / size));
  const links: string[] = [];
  const link = (p: number, rel: string) => links.push(`<${selfUrl(ctx, req, { per_page: String(size), page: String(p) })}>; rel="${rel}"`);
  if (page > 1) link(Math.min(page - 1, last), "prev");
  if (page < last) {
    link(page + 1, "next");
    link(last, "last");
  }
  if (page > 1) link(1, "first");
  if (links.length > 0) reply.header("link", links.join(", "));
  return items.slice((page - 1) * size, page * size);
}
