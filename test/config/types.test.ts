import { describe, expect, expectTypeOf, it } from "vitest";
import { CONFIG_FIELDS, loadConfig, type ConfigInput, type HookyardConfig } from "../../src/config/index.js";
import type { RateSetting } from "../../src/config/limits.js";
import { isHookyardError } from "../../src/errors.js";

// The type checks run in `npm test` through `tsc -p tsconfig.test.json`: a wrong type fails the build.
describe("config types derived from CONFIG_FIELDS", () => {
  it("gives each parsed setting its schema's output type, optional where the setting has no default", () => {
    expectTypeOf<keyof HookyardConfig>().toEqualTypeOf<keyof typeof CONFIG_FIELDS>();
    expectTypeOf<Pick<HookyardConfig, "webhookSecret">>().toEqualTypeOf<{ webhookSecret: string[] }>();
    expectTypeOf<Pick<HookyardConfig, "role">>().toEqualTypeOf<{ role: "all" | "ingress" | "worker" }>();
    expectTypeOf<Pick<HookyardConfig, "notifyOn">>().toEqualTypeOf<{ notifyOn: ("failed" | "completed")[] }>();
    expectTypeOf<Pick<HookyardConfig, "allowedCidrs">>().toEqualTypeOf<{ allowedCidrs: string[] }>();
    expectTypeOf<Pick<HookyardConfig, "port" | "shutdownTimeout">>().toEqualTypeOf<{ port: number; shutdownTimeout: number }>();
    expectTypeOf<Pick<HookyardConfig, "workers">>().toEqualTypeOf<{ workers: boolean }>();
    expectTypeOf<Pick<HookyardConfig, "rateLimit">>().toEqualTypeOf<{ rateLimit?: RateSetting | undefined }>();
    expectTypeOf<Pick<HookyardConfig, "appId" | "sessionSecret">>().toEqualTypeOf<{ appId?: string | undefined; sessionSecret?: string[] | undefined }>();
    expectTypeOf<Pick<HookyardConfig, "agentCommand">>().toEqualTypeOf<{ agentCommand?: string | string[] | undefined }>();

    const config = loadConfig({}, {});
    const unset = Object.entries(CONFIG_FIELDS).filter(([, f]) => f.default === undefined).map(([key]) => key);
    expect(unset).toContain("gheHost");
    for (const key of unset) expect(config, key).toHaveProperty(key, undefined);
    expect(config.webhookSecret).toEqual([]);
  });

  it("accepts every setting as an option, in any form its schema parses", () => {
    expectTypeOf<{}>().toExtend<ConfigInput>();
    expectTypeOf<keyof ConfigInput>().toEqualTypeOf<keyof typeof CONFIG_FIELDS>();
    expectTypeOf<ConfigInput["webhookSecret"]>().toEqualTypeOf<string | string[] | undefined>();
    expectTypeOf<ConfigInput["role"]>().toEqualTypeOf<"all" | "ingress" | "worker" | undefined>();
    expectTypeOf<ConfigInput["port"]>().toEqualTypeOf<number | string | undefined>();
    expectTypeOf<ConfigInput["shutdownTimeout"]>().toEqualTypeOf<number | string | undefined>();
    expectTypeOf<ConfigInput["appId"]>().toEqualTypeOf<string | number | undefined>();
    expectTypeOf<ConfigInput["notifyOn"]>().toEqualTypeOf<string | string[] | undefined>();
    // @ts-expect-error not a role
    const badRole: ConfigInput = { role: "both" };
    // @ts-expect-error not a setting
    const unknown: ConfigInput = { portt: 3000 };
    expect([badRole, unknown]).toHaveLength(2);

    const config = loadConfig({ port: "4000", shutdownTimeout: "2m", notifyOn: "failed,completed", workers: "0" }, {});
    expect(config).toMatchObject({ port: 4000, shutdownTimeout: 120_000, notifyOn: ["failed", "completed"], workers: false });
  });

  it("names the option a nested problem is in, not its value", () => {
    let thrown: unknown;
    try {
      loadConfig({ notifyOn: ["failed", "sometimes"] }, { HOOKYARD_NOTIFY_ON: "failed" });
    } catch (err) {
      thrown = err;
    }
    expect(isHookyardError(thrown, "HOOKYARD_ERR_CONFIG_INVALID")).toBe(true);
    expect((thrown as Error).message).toBe("invalid option notifyOn: HOOKYARD_NOTIFY_ON must be failed or failed,completed");
    expect((thrown as Error).message).not.toContain("sometimes");
  });
});
