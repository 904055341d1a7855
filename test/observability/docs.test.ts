import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { HookyardMetrics } from "../../src/observability/metrics.js";

const doc = readFileSync(new URL("../../docs/reference/metrics.md", import.meta.url), "utf8");

describe("docs/reference/metrics.md", () => {
  it("lists every registered metric with its labels (default process metrics as their group)", async () => {
    const metrics = new HookyardMetrics({ store: () => undefined });
    const registered = await metrics.registry.getMetricsAsJSON();
    expect(registered.length).toBeGreaterThan(12);
    for (const { name } of registered) {
      if (/^hookyard_(process|nodejs)_/.test(name)) {
        expect(doc).toContain(`\`hookyard_${name.split("_")[1]}_*\``);
        continue;
      }
      const row = doc.split("\n").find((line) => line.startsWith(`| \`${name}\` |`));
      expect(row, `${name} is not in docs/reference/metrics.md`).toBeDefined();
      const metric = metrics.registry.getSingleMetric(name) as unknown as { labelNames: string[] };
      const labels = row!.split("|")[3]!;
      for (const label of metric.labelNames) expect(labels, `${name}: label ${label}`).toContain(`\`${label}\``);
      if (metric.labelNames.length === 0) expect(labels.trim()).toBe("—");
    }
  });
});
