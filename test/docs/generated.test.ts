import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { emitterEventNames } from "@octokit/webhooks";
import { describe, expect, it } from "vitest";
import { CONFIG_FIELDS } from "../../src/config/schema.js";
import { ERRORS } from "../../src/errors.js";
import { HTTP_STATUS } from "../../src/http/error-status.js";
// @ts-expect-error plain ESM script without types
import { render as renderConfig } from "../../scripts/gen-config-docs.mjs";
// @ts-expect-error plain ESM script without types
import { render as renderErrors } from "../../scripts/gen-errors-docs.mjs";
// @ts-expect-error plain ESM script without types
import { render as renderEvents } from "../../scripts/gen-event-names.mjs";

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");

describe("generated files are current", () => {
  it("docs/reference/errors.md lists every error code with its status (npm run docs:errors)", () => {
    expect(read("docs/reference/errors.md")).toBe(renderErrors(ERRORS, HTTP_STATUS));
    for (const code of Object.keys(ERRORS)) expect(read("docs/reference/errors.md")).toContain(`| \`${code}\` | `);
  });

  it("every error code has an HTTP status at the edge, or is documented as never an HTTP answer (—)", () => {
    const statuses: Record<string, number | null | undefined> = HTTP_STATUS;
    expect(Object.keys(statuses).sort()).toEqual(Object.keys(ERRORS).sort());
    const doc = read("docs/reference/errors.md");
    for (const code of Object.keys(ERRORS)) {
      const status = statuses[code];
      if (status === null) {
        expect(doc, code).toContain(`| \`${code}\` | — |`);
      } else {
        expect(status !== undefined && Number.isInteger(status) && status >= 400 && status <= 599, `${code}: ${status}`).toBe(true);
        expect(doc, code).toContain(`| \`${code}\` | ${status} |`);
      }
    }
  });

  it("docs/reference/config.md lists every setting (npm run docs:config)", () => {
    expect(read("docs/reference/config.md")).toBe(renderConfig(CONFIG_FIELDS));
  });

  it("src/events/names.generated.ts matches @octokit/webhooks (npm run gen:events)", () => {
    expect(read("src/events/names.generated.ts")).toBe(renderEvents([...emitterEventNames]));
  });

  it("every error code used in src/ is registered", () => {
    const used = execFileSync("grep", ["-rhoE", "HOOKYARD_ERR_[A-Z_]+", "src"], { cwd: new URL("../../", import.meta.url) }).toString().split("\n").filter(Boolean);
    for (const code of new Set(used)) expect(Object.keys(ERRORS), code).toContain(code);
  });
});
