/** The Redis the tests use, and removing a test's keys from it. */
import { Redis } from "ioredis";

export const REDIS_URL = process.env.HOOKYARD_TEST_REDIS_URL ?? "redis://127.0.0.1:6379/0";

/**
 * Deletes every key matching `pattern` (e.g. `${prefix}:*`), through `client` when given, else
 * through a connection of its own.
 */
export async function dropRedisKeys(pattern: string, client?: Redis): Promise<void> {
  const redis = client ?? new Redis(REDIS_URL);
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
      if (keys.length) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    if (!client) await redis.quit();
  }
}
