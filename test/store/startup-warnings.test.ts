import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { Hookyard } from "../../src/app/index.js";

const REDIS_URL = "redis://127.0.0.1:6379/0";
const redis = new Redis(REDIS_URL);
afterAll(() => redis.quit());

describe("store checks at start", () => {
  it("a Redis without AOF starts, and says so once in the log", async () => {
    expect(await redis.config("GET", "appendonly")).toEqual(["appendonly", "no"]); // the machine's Redis keeps nothing on disk
    const lines: { msg?: string; store?: string }[] = [];
    const logger = pino({ level: "warn" }, { write: (l: string) => void lines.push(JSON.parse(l)) });
    const prefix = `hywarn${randomUUID().slice(0, 8)}`;
    const app = new Hookyard({ store: `${REDIS_URL}?prefix=${prefix}`, logger, webhookSecret: "x", env: {}, workers: false });
    try {
      await app.open();
    } finally {
      await app.stop();
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
    }
    const warnings = lines.filter((l) => /appendonly/i.test(l.msg ?? ""));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.store).toContain("redis://127.0.0.1:6379");
  });
});
