// Removing a bench run's keys from Redis.
import { Redis } from "ioredis";

/** Deletes every key under `prefix:` on the Redis at `url`. */
export async function dropRedisPrefix(url, prefix) {
  const r = new Redis(url);
  try {
    let cursor = "0";
    do {
      const [next, keys] = await r.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
      cursor = next;
      if (keys.length) await r.unlink(...keys);
    } while (cursor !== "0");
  } finally {
    await r.quit();
  }
}
