import { HookyardError } from "../../../errors.js";

/**
 * The accepted `HOOKYARD_STORE` forms, for error messages.
 *
 * @example
 * ```ts
 * throw new HookyardError("HOOKYARD_ERR_STORE_INVALID_URL", `use one of: ${STORE_URL_FORMS}`);
 * ```
 */
export const STORE_URL_FORMS =
  "sqlite:<path>, memory:, redis://[user:password@]host[:port][/db][?prefix=hookyard&queue=tasks] (rediss:// for TLS), " +
  "postgres://user[:password]@host[:port]/database[?schema=hookyard&queue=tasks&migrate=true&pool=10] (or postgresql://)";

/** The names a BullMQ store lives under: Redis key prefix / Postgres schema, and the BullMQ queue name. */
export interface StoreNames {
  prefix: string;
  queue: string;
}

/** A `redis://` / `rediss://` store URL, split into what ioredis takes and Hookyard's own parameters. */
export interface ParsedRedisUrl extends StoreNames {
  /** The URL for ioredis: Hookyard's parameters removed, everything else kept. */
  url: string;
  /** The URL without credentials, for logs. */
  safe: string;
}

/** A `postgres://` / `postgresql://` store URL. */
export interface ParsedPostgresUrl {
  url: string;
  safe: string;
  schema: string;
  queue: string;
  migrate: boolean;
  /** Connections in the process's pool (`?pool=`), when given. */
  poolSize?: number;
}

/**
 * Parses `redis://[user:password@]host[:port][/db][?prefix=…&queue=…]` (or `rediss://`).
 * Throws `HOOKYARD_ERR_STORE_INVALID_URL` naming the accepted forms.
 *
 * @example
 * ```ts
 * parseRedisUrl("redis://127.0.0.1:6379/0?prefix=hookyard"); // { prefix: "hookyard", queue: "tasks", … }
 * ```
 */
export function parseRedisUrl(text: string): ParsedRedisUrl {
  const url = parse(text, ["redis:", "rediss:"]);
  if (!/^\/?\d*$/.test(url.pathname)) invalid(url, `the path must be a database number, not "${url.pathname}"`);
  const prefix = take(url, "prefix") ?? "hookyard";
  const queue = take(url, "queue") ?? "tasks";
  checkNames(url, prefix, queue);
  return { url: url.toString(), safe: safeUrl(url), prefix, queue };
}

/**
 * Parses `postgres://user[:password]@host[:port]/database[?schema=…&queue=…&migrate=…]` (or
 * `postgresql://`). Other query parameters (`sslmode`, …) are left for the driver.
 *
 * @example
 * ```ts
 * parsePostgresUrl("postgres://app@db/hookyard?schema=hooks"); // { schema: "hooks", queue: "tasks", migrate: true, … }
 * ```
 */
export function parsePostgresUrl(text: string): ParsedPostgresUrl {
  const url = parse(text, ["postgres:", "postgresql:"]);
  const schema = take(url, "schema") ?? "hookyard";
  const queue = take(url, "queue") ?? "tasks";
  const migrate = take(url, "migrate") ?? "true";
  const pool = take(url, "pool");
  if (pool !== undefined && !/^[1-9]\d{0,3}$/.test(pool)) invalid(url, `pool must be a whole number of connections ≥ 1, not "${pool}"`);
  if (!/^[A-Za-z_][A-Za-z0-9_$]{0,62}$/.test(schema)) {
    invalid(url, `schema "${schema}" must be a plain identifier (a letter or _, then letters, digits, _ or $; at most 63)`);
  }
  if (!["true", "false", "1", "0"].includes(migrate)) invalid(url, `migrate must be true or false, not "${migrate}"`);
  checkNames(url, schema, queue);
  return {
    url: url.toString(), safe: safeUrl(url), schema, queue, migrate: migrate === "true" || migrate === "1",
    ...(pool !== undefined ? { poolSize: Number(pool) } : {}),
  };
}

function parse(text: string, protocols: string[]): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new HookyardError("HOOKYARD_ERR_STORE_INVALID_URL", `HOOKYARD_STORE is not a valid URL; use one of: ${STORE_URL_FORMS}`);
  }
  if (!protocols.includes(url.protocol)) invalid(url, `the scheme must be ${protocols.join(" or ")}`);
  if (url.hostname === "") invalid(url, "it names no host");
  return url;
}

function take(url: URL, name: string): string | undefined {
  const value = url.searchParams.get(name);
  url.searchParams.delete(name);
  return value ?? undefined;
}

function checkNames(url: URL, prefix: string, queue: string): void {
  if (prefix === "" || /\s/.test(prefix)) invalid(url, "prefix/schema must be non-empty, without spaces");
  if (queue === "" || queue.includes(":") || /\s/.test(queue)) invalid(url, `queue "${queue}" must be non-empty, without ":" or spaces`);
}

function invalid(url: URL, reason: string): never {
  throw new HookyardError("HOOKYARD_ERR_STORE_INVALID_URL", `HOOKYARD_STORE=${safeUrl(url)}: ${reason}; use one of: ${STORE_URL_FORMS}`);
}

/** The URL with its password replaced, for messages and `description`. */
export function safeUrl(url: URL): string {
  const copy = new URL(url.toString());
  if (copy.password) copy.password = "***";
  return copy.toString();
}
