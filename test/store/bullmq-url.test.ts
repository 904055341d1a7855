import { describe, expect, it } from "vitest";
import { parsePostgresUrl, parseRedisUrl } from "../../src/store/backends/bullmq/url.js";

describe("BullMQ store URLs", () => {
  it("postgres: schema, queue, migrate and pool are Hookyard's; the rest is left for the driver", () => {
    const p = parsePostgresUrl("postgres://app:secret@db:5433/hooks?schema=s1&queue=q1&pool=4&migrate=false&sslmode=require");
    expect(p).toMatchObject({ schema: "s1", queue: "q1", poolSize: 4, migrate: false });
    expect(p.url).toBe("postgres://app:secret@db:5433/hooks?sslmode=require");
    expect(p.safe).not.toContain("secret");
    expect(parsePostgresUrl("postgres://db/x").poolSize).toBeUndefined();
  });

  it("rejects a pool that is not a positive whole number, naming the accepted forms", () => {
    for (const bad of ["0", "-1", "ten", "1.5"]) {
      expect(() => parsePostgresUrl(`postgres://db/x?pool=${bad}`)).toThrow(expect.objectContaining({ code: "HOOKYARD_ERR_STORE_INVALID_URL" }));
    }
  });

  it("redis: prefix and queue default to hookyard and tasks", () => {
    expect(parseRedisUrl("redis://127.0.0.1:6379/0")).toMatchObject({ prefix: "hookyard", queue: "tasks" });
  });
});
