import type { RequestLogEntry } from "./types.js";

/**
 * What `fake.requests.find/findAll/expect` match: a `route` as Octokit writes it (`"POST
 * /repos/{owner}/{repo}/issues/{issue_number}/comments"`, the method optional) or an exact `path`
 * (string or RegExp), a `method`, and a `body` the request's JSON body must contain (a deep subset:
 * objects may have more keys, arrays match element by element, a RegExp matches a string).
 */
export interface RequestMatch {
  method?: string;
  route?: string;
  path?: string | RegExp;
  body?: unknown;
  status?: number;
  installationId?: number;
}

/** `fake.requests`: every request answered, oldest first, with matchers for assertions. */
export interface RequestLog extends ReadonlyArray<RequestLogEntry> {
  find<S extends RequestLogEntry>(predicate: (value: RequestLogEntry, index: number, obj: readonly RequestLogEntry[]) => value is S, thisArg?: unknown): S | undefined;
  find(predicate: (value: RequestLogEntry, index: number, obj: readonly RequestLogEntry[]) => unknown, thisArg?: unknown): RequestLogEntry | undefined;
  /** The first request matching `match`. */
  find(match: RequestMatch): RequestLogEntry | undefined;
  /** Every request matching `match`, oldest first. */
  findAll(match: RequestMatch): RequestLogEntry[];
  /**
   * The requests matching `match` (at least one, or exactly `times`); otherwise throws an Error
   * listing what was requested, with the first difference of each request to the same route.
   */
  expect(match: RequestMatch, options?: { times?: number }): RequestLogEntry[];
}

const SECRET_KEY = /secret|token|password|verifier|^code$|private_key/i;

const isPlain = (v: object) => [Object.prototype, null].includes(Object.getPrototypeOf(v) as object | null);

/** A request body as the log keeps it: parsed JSON only (not git's streams), secret-looking fields `[redacted]`. */
export function loggedBody(body: unknown): unknown {
  if (Array.isArray(body)) return body.map(loggedBody);
  if (body === null || typeof body !== "object") return body;
  if (!isPlain(body)) return undefined;
  return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, SECRET_KEY.test(k) ? "[redacted]" : loggedBody(v)]));
}

function routeOf(match: RequestMatch): { method: string | undefined; pattern: RegExp | string | undefined } {
  if (match.route === undefined) return { method: match.method?.toUpperCase(), pattern: match.path };
  const m = /^([A-Za-z]+)\s+(\S+)$/.exec(match.route.trim());
  const method = (m?.[1] ?? match.method)?.toUpperCase();
  const template = (m?.[2] ?? match.route.trim()).replace(/^https?:\/\/[^/]+/, "");
  const source = template.split(/\{[^}]+\}/).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("[^/]+");
  return { method, pattern: new RegExp(`^${source}$`) };
}

/** Where `actual` first differs from the subset `expected` (`undefined`: it contains it). */
export function subsetDiff(expected: unknown, actual: unknown, at = "body"): string | undefined {
  if (expected instanceof RegExp) return typeof actual === "string" && expected.test(actual) ? undefined : `${at}: expected ${String(expected)}, got ${JSON.stringify(actual)}`;
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return `${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
    for (let i = 0; i < expected.length; i++) {
      const d = subsetDiff(expected[i], actual[i], `${at}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (expected !== null && typeof expected === "object") {
    if (actual === null || typeof actual !== "object") return `${at}: expected an object, got ${JSON.stringify(actual)}`;
    for (const [k, v] of Object.entries(expected)) {
      const d = subsetDiff(v, (actual as Record<string, unknown>)[k], `${at}.${k}`);
      if (d) return d;
    }
    return undefined;
  }
  return Object.is(expected, actual) ? undefined : `${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
}

/** Whether `e` is on the route (method and path) of `match`. */
function onRoute(match: RequestMatch, e: RequestLogEntry): boolean {
  const { method, pattern } = routeOf(match);
  if (method !== undefined && e.method !== method) return false;
  if (pattern === undefined) return true;
  return typeof pattern === "string" ? e.path === pattern : pattern.test(e.path);
}

/** Why `e` does not match (undefined: it does), for entries already on the route. */
function mismatch(match: RequestMatch, e: RequestLogEntry): string | undefined {
  if (match.status !== undefined && e.status !== match.status) return `status: expected ${match.status}, got ${e.status}`;
  if (match.installationId !== undefined && e.installationId !== match.installationId) return `installation: expected ${match.installationId}, got ${String(e.installationId)}`;
  return match.body === undefined ? undefined : subsetDiff(match.body, e.body);
}

const describe = (m: RequestMatch) =>
  [m.route ?? `${m.method?.toUpperCase() ?? "*"} ${m.path === undefined ? "*" : String(m.path)}`, m.status === undefined ? "" : `status ${m.status}`, m.body === undefined ? "" : `body ⊇ ${JSON.stringify(m.body, (_k, v: unknown) => (v instanceof RegExp ? String(v) : v))}`]
    .filter(Boolean)
    .join("  ");

function report(log: readonly RequestLogEntry[], match: RequestMatch, found: number, times: number | undefined): string {
  const want = times === undefined ? "at least one request" : `${times} request(s)`;
  const lines = log.map((e) => {
    const line = `  ${e.method} ${e.url} → ${e.status}${e.body === undefined ? "" : `  body ${JSON.stringify(e.body)}`}`;
    const why = onRoute(match, e) ? mismatch(match, e) : undefined;
    return why === undefined ? line : `${line}\n      ↳ ${why}`;
  });
  return `fake.requests.expect: wanted ${want} matching\n  ${describe(match)}\nfound ${found}; the fake answered ${log.length}:\n${lines.join("\n") || "  (none)"}`;
}

/** An empty request log (filled by the server) with the {@link RequestLog} matchers. */
export function createRequestLog(): RequestLogEntry[] & RequestLog {
  const log: RequestLogEntry[] = [];
  const all = (match: RequestMatch) => log.filter((e) => onRoute(match, e) && mismatch(match, e) === undefined);
  Object.defineProperties(log, {
    find: {
      value(arg: RequestMatch | ((v: RequestLogEntry, i: number, o: RequestLogEntry[]) => unknown), thisArg?: unknown) {
        return typeof arg === "function" ? Array.prototype.find.call(log, arg, thisArg) : all(arg)[0];
      },
    },
    findAll: { value: all },
    expect: {
      value(match: RequestMatch, options: { times?: number } = {}) {
        const found = all(match);
        const ok = options.times === undefined ? found.length > 0 : found.length === options.times;
        if (!ok) throw new Error(report(log, match, found.length, options.times));
        return found;
      },
    },
  });
  return log as RequestLogEntry[] & RequestLog;
}
