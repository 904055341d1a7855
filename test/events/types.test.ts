import { describe, expect, expectTypeOf, it } from "vitest";
import { Hookyard, type Context, type PayloadOf } from "../../src/index.js";

// These checks run in `npm test` through `tsc -p tsconfig.test.json`: a wrong type fails the build.
describe("typed events", () => {
  it("gives each event name its payload type and rejects unknown names", () => {
    const app = new Hookyard({ store: "memory:", logLevel: "silent" });
    app.on("issues.labeled", async (ctx) => {
      expectTypeOf(ctx.payload.action).toEqualTypeOf<"labeled">();
      expectTypeOf(ctx.payload.issue.number).toEqualTypeOf<number>();
      expectTypeOf(ctx.name).toEqualTypeOf<"issues">();
    });
    app.on(["pull_request.opened", "pull_request.synchronize"], async (ctx) => {
      expectTypeOf(ctx.payload.pull_request.number).toEqualTypeOf<number>();
    });
    expectTypeOf<PayloadOf<"ping">>().toHaveProperty("zen");
    expectTypeOf<Context<"issues">["payload"]["action"]>().toEqualTypeOf<PayloadOf<"issues">["action"]>();
    // @ts-expect-error not a GitHub event (registered with a warning, as in Probot 14)
    app.on("issues.bogus", async () => undefined);
  });
});
