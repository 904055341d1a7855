/**
 * deploy/prometheus/alerts.yml and the Grafana dashboards in deploy/grafana/: the rules parse and
 * their unit tests pass under promtool (Debian's `prometheus` package; .ci/run installs it), every
 * dashboard query is valid PromQL (checked by promtool as a recording rule), and every metric they
 * use is one Hookyard registers — or one of the circuit-breaker metrics added beside them.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { HookyardMetrics } from "../../src/observability/metrics.js";
import { removeTempDirs, tempDir } from "../support/store.js";

afterAll(removeTempDirs);

const root = join(import.meta.dirname, "..", "..");
const prometheus = join(root, "deploy", "prometheus");
const grafana = join(root, "deploy", "grafana");
/** The circuit-breaker metrics (gauge `circuit`: 0 closed, 1 half-open, 2 open; counter `circuit`, `to`), registered beside metrics.ts's. */
const CIRCUIT_METRICS = ["hookyard_circuit_state", "hookyard_circuit_transitions_total"];

function promtool(...args: string[]): { status: number | null; out: string } {
  const run = spawnSync("promtool", args, { cwd: prometheus, encoding: "utf8" });
  if (run.error) throw new Error(`promtool is needed (Debian: apt-get install prometheus): ${run.error.message}`);
  return { status: run.status, out: `${run.stdout}${run.stderr}` };
}

interface Rule { alert?: string; expr: string }
const rules = (parse(readFileSync(join(prometheus, "alerts.yml"), "utf8")) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules);
const dashboards = readdirSync(grafana).filter((f) => f.endsWith(".json")).map((f) => ({
  file: f, json: JSON.parse(readFileSync(join(grafana, f), "utf8")) as { uid: string; title: string; panels: { title: string; targets: { expr: string }[] }[] },
}));
const queries = dashboards.flatMap((d) => d.json.panels.flatMap((p) => p.targets.map((t) => ({ where: `${d.file}: ${p.title}`, expr: t.expr }))));

/** Metric names Hookyard registers (with their histogram series), plus the circuit metrics. */
async function knownMetrics(): Promise<Set<string>> {
  const metrics = await new HookyardMetrics({ store: () => undefined }).registry.getMetricsAsJSON();
  const names = new Set(CIRCUIT_METRICS);
  for (const m of metrics) {
    names.add(m.name);
    if (String(m.type) === "histogram") for (const s of ["_bucket", "_sum", "_count"]) names.add(`${m.name}${s}`);
  }
  return names;
}

/** The metric names a PromQL expression uses (label values and strings stripped first). */
function metricsIn(expr: string): string[] {
  const bare = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  return [...new Set([...bare.matchAll(/\bhookyard_[a-z0-9_]+/g)].map((m) => m[0]))];
}

describe("alerts and dashboards", () => {
  it("promtool accepts alerts.yml and its unit tests pass (each alert fires where it should and not where it should not)", () => {
    const check = promtool("check", "rules", "alerts.yml");
    expect(check.status, check.out).toBe(0);
    expect(check.out).toContain(`SUCCESS: ${rules.length} rules found`);
    const test = promtool("test", "rules", "alerts.test.yml");
    expect(test.status, test.out).toBe(0);
    const tested = new Set([...readFileSync(join(prometheus, "alerts.test.yml"), "utf8").matchAll(/alertname: (\w+)/g)].map((m) => m[1]));
    expect([...tested].sort()).toEqual(rules.map((r) => r.alert).sort());
    expect(rules.map((r) => r.alert).sort()).toEqual([
      "HookyardCircuitOpen", "HookyardGitHubRateLimitLow", "HookyardNoDeliveries", "HookyardTaskLatencyHigh", "HookyardTasksQueuedHigh", "HookyardWebhookRejectionsHigh",
    ]);
  });

  it("the four dashboards hold panels whose queries are valid PromQL", () => {
    expect(dashboards.map((d) => d.file).sort()).toEqual(["github.json", "ingress.json", "overview.json", "tasks.json"]);
    expect(new Set(dashboards.map((d) => d.json.uid)).size).toBe(dashboards.length);
    for (const d of dashboards) expect(d.json.panels.length, d.file).toBeGreaterThan(0);
    // Grafana's $__rate_interval becomes a fixed range; each query is then checked as a recording rule
    const file = join(tempDir(), "dashboard-queries.yml");
    const asRules = { groups: [{ name: "dashboards", rules: queries.map((q, i) => ({ record: `dashboard:query:${i}`, expr: q.expr.replaceAll("$__rate_interval", "5m") })) }] };
    writeFileSync(file, JSON.stringify(asRules));
    const check = promtool("check", "rules", file);
    expect(check.status, check.out).toBe(0);
    expect(check.out).toContain(`SUCCESS: ${queries.length} rules found`);
  });

  it("every metric the alerts and dashboards use is registered by Hookyard (or is a circuit metric), and every registered Hookyard metric is on a dashboard", async () => {
    const known = await knownMetrics();
    const used = new Set<string>();
    for (const { where, expr } of [...rules.map((r) => ({ where: `alerts.yml: ${r.alert}`, expr: r.expr })), ...queries]) {
      const names = metricsIn(expr);
      expect(names.length, where).toBeGreaterThan(0);
      for (const name of names) {
        expect(known.has(name), `${where}: ${name} is not a Hookyard metric`).toBe(true);
        used.add(name.replace(/_(bucket|sum|count)$/, ""));
      }
    }
    const own = (await new HookyardMetrics({ store: () => undefined, defaultMetrics: false }).registry.getMetricsAsJSON()).map((m) => m.name);
    expect(own.filter((n) => !used.has(n))).toEqual([]);
    for (const c of CIRCUIT_METRICS) expect(used.has(c), c).toBe(true);
  });
});
