import { context, trace } from "@opentelemetry/api";
import type { Logger } from "pino";
import { remainingOf } from "./github-requests.js";
import { failSpan, SpanKind, tracer, tracingOn, type Span } from "./tracing.js";

/** What the hook sees of Octokit's request options (before the URL template is expanded). */
interface RequestOptions {
  method: string;
  url: string;
  baseUrl?: string;
}

type Request = (options: RequestOptions) => Promise<{ status: number; headers: Record<string, unknown> }>;

/**
 * A request's route template without anything that could carry a secret: Octokit's `url` before
 * expansion (`/repos/{owner}/{repo}/issues/{issue_number}`), path only (no origin, no query).
 *
 * @example
 * ```ts
 * routeOf("https://api.github.com/repos/{owner}/{repo}?per_page=1{?page}"); // "/repos/{owner}/{repo}"
 * ```
 */
export function routeOf(url: string): string {
  const path = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, "");
  return path.replace(/\{\?[^}]*\}/g, "").split(/[?#]/)[0] || "/";
}

/**
 * An Octokit `hook.wrap("request", …)` that logs one line per GitHub request with `log` (the task's
 * logger, so the line carries its delivery id): debug for 2xx/3xx, warn for 4xx/5xx or no answer,
 * with method, route template, status, duration and `x-ratelimit-remaining`; and, with tracing on,
 * makes it a client span (child of the active span: the task attempt's).
 *
 * @example
 * ```ts
 * octokit.hook.wrap("request", githubRequestHook(ctx.log));
 * ```
 */
export function githubRequestHook(log: Logger): (request: Request, options: RequestOptions) => Promise<unknown> {
  return async (request, options) => {
    const method = String(options.method).toUpperCase();
    const route = routeOf(String(options.url));
    const started = performance.now();
    const span = tracingOn() ? startRequestSpan(method, route, options.baseUrl) : undefined;
    try {
      const res = span ? await context.with(trace.setSpan(context.active(), span), () => request(options)) : await request(options);
      done(log, span, { method, route, status: res.status, headers: res.headers, started });
      return res;
    } catch (err) {
      const e = err as { status?: unknown; response?: { headers?: Record<string, unknown> } };
      const status = typeof e.status === "number" ? e.status : 0;
      if (span) failSpan(span, err);
      done(log, span, { method, route, status, headers: e.response?.headers, started });
      throw err;
    }
  };
}

function startRequestSpan(method: string, route: string, baseUrl: string | undefined): Span {
  const attributes: Record<string, string> = { "http.request.method": method, "url.template": route };
  if (baseUrl) attributes["server.address"] = new URL(baseUrl).host;
  return tracer().startSpan(`${method} ${route}`, { kind: SpanKind.CLIENT, attributes });
}

function done(log: Logger, span: Span | undefined, r: { method: string; route: string; status: number; headers: Record<string, unknown> | undefined; started: number }): void {
  const durationMs = Math.round((performance.now() - r.started) * 10) / 10;
  const rateLimitRemaining = remainingOf(r.headers);
  const line = { github: { method: r.method, route: r.route, status: r.status, durationMs, ...(rateLimitRemaining !== undefined ? { rateLimitRemaining } : {}) } };
  const msg = `GitHub ${r.method} ${r.route} ${r.status === 0 ? "no answer" : r.status}`;
  if (r.status >= 200 && r.status < 400) log.debug(line, msg);
  else log.warn(line, msg);
  if (span) {
    if (r.status > 0) span.setAttribute("http.response.status_code", r.status);
    if (rateLimitRemaining !== undefined) span.setAttribute("github.rate_limit.remaining", rateLimitRemaining);
    span.end();
  }
}
