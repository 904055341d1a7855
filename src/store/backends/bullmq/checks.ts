import { HookyardError } from "../../../errors.js";

/** What {@link checkRedisServer} found. */
export interface RedisServerReport {
  maxmemoryPolicy: string;
  appendonly: boolean;
  /** Settings that work but weaken what a `202` promises; log them. */
  warnings: string[];
}

/** The part of an ioredis client the check uses. */
export interface InfoClient {
  info(section: string): Promise<string>;
}

/**
 * Checks that a Redis server is fit to hold Hookyard's store. Uses `INFO` (not `CONFIG GET`, which
 * managed Redis services often disable).
 *
 * - `maxmemory-policy` must be `noeviction`: any other policy lets Redis delete deliveries, task
 *   records or BullMQ's job keys under memory pressure. Refused with
 *   `HOOKYARD_ERR_STORE_REDIS_EVICTION`.
 * - `appendonly` off is a warning: a Redis crash then loses every write since the last RDB
 *   snapshot, deliveries already answered `202` included.
 *
 * @example
 * ```ts
 * const { warnings } = await checkRedisServer(new Redis("redis://127.0.0.1:6379"));
 * for (const w of warnings) log.warn(w);
 * ```
 */
export async function checkRedisServer(client: InfoClient): Promise<RedisServerReport> {
  const memory = parseInfo(await client.info("memory"));
  const persistence = parseInfo(await client.info("persistence"));
  const maxmemoryPolicy = memory.get("maxmemory_policy") ?? "noeviction";
  if (maxmemoryPolicy !== "noeviction") {
    throw new HookyardError(
      "HOOKYARD_ERR_STORE_REDIS_EVICTION",
      `Redis maxmemory-policy is "${maxmemoryPolicy}": under memory pressure Redis would evict Hookyard's deliveries, ` +
        `tasks and BullMQ's job keys. Set it to noeviction: run \`CONFIG SET maxmemory-policy noeviction\` and put ` +
        "`maxmemory-policy noeviction` in redis.conf so it survives a restart (managed Redis: set the parameter in the service's settings).",
    );
  }
  const appendonly = persistence.get("aof_enabled") === "1";
  const warnings = appendonly ? [] : [
    "Redis appendonly is off: a Redis crash loses the writes since its last RDB snapshot, deliveries already answered 202 included. " +
      "Enable it with `CONFIG SET appendonly yes` and `appendonly yes` (with `appendfsync everysec` or `always`) in redis.conf.",
  ];
  return { maxmemoryPolicy, appendonly, warnings };
}

function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const at = line.indexOf(":");
    if (at > 0 && !line.startsWith("#")) fields.set(line.slice(0, at), line.slice(at + 1).trim());
  }
  return fields;
}
