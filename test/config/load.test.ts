import { describe, expect, it } from "vitest";
import { assertWebhookSecret, loadConfig, rawSetting } from "../../src/config/index.js";
import { isHookyardError } from "../../src/errors.js";

describe("loadConfig", () => {
  it("uses defaults when nothing is set", () => {
    const c = loadConfig({}, {});
    expect(c).toMatchObject({ webhookPath: "/api/github/webhooks", port: 3000, store: "sqlite:.hookyard/hookyard.db", maxBody: 25 * 1024 * 1024, concurrency: 10, shutdownTimeout: 30_000, webhookSecret: [] });
  });

  it("reads Probot's and Hookyard's environment names; options win over the environment", () => {
    const env = { WEBHOOK_SECRET: "a, b,", PORT: "4000", HOOKYARD_SHUTDOWN_TIMEOUT: "2m", HOOKYARD_MAX_BODY: "1mb", HOOKYARD_CONCURRENCY: "4", HOOKYARD_WORKERS: "0" };
    const c = loadConfig({ port: 5000 }, env);
    expect(c.webhookSecret).toEqual(["a", "b"]);
    expect(c.port).toBe(5000);
    expect(c.shutdownTimeout).toBe(120_000);
    expect(c.maxBody).toBe(1024 * 1024);
    expect(c.concurrency).toBe(4);
    expect(c.workers).toBe(false);
  });

  it("rejects an invalid value with a stable code that names the setting but not the value", () => {
    for (const [env, name] of [[{ HOOKYARD_CONCURRENCY: "lots" }, "HOOKYARD_CONCURRENCY"], [{ HOOKYARD_API_TOKEN: "short-secret" }, "HOOKYARD_API_TOKEN"], [{ HOOKYARD_LEASE: "soon" }, "HOOKYARD_LEASE"]] as const) {
      let thrown: unknown;
      try {
        loadConfig({}, env);
      } catch (err) {
        thrown = err;
      }
      expect(isHookyardError(thrown, "HOOKYARD_ERR_CONFIG_INVALID")).toBe(true);
      expect((thrown as Error).message).toContain(name);
      expect((thrown as Error).message).not.toContain(Object.values(env)[0]);
    }
  });

  it("refuses to run without a secret unless insecure mode is asked for", () => {
    expect(() => assertWebhookSecret(loadConfig({}, {}))).toThrow(expect.objectContaining({ code: "HOOKYARD_ERR_CONFIG_NO_SECRET" }));
    expect(() => assertWebhookSecret(loadConfig({}, { HOOKYARD_INSECURE_NO_SECRET: "1" }))).not.toThrow();
  });

  it("gives one setting as the environment spells it, else its default, for commands that load nothing else", () => {
    expect(rawSetting("port", { PORT: "4000", HOOKYARD_CONCURRENCY: "lots" })).toBe("4000");
    expect(rawSetting("store", {})).toBe("sqlite:.hookyard/hookyard.db");
    expect(rawSetting("webhookPath", { WEBHOOK_PATH: "/hooks" })).toBe("/hooks");
  });
});
