import type { DestinationStream, Logger } from "pino";
import { createLogger } from "../../src/observability/log.js";

/** A logger with Hookyard's redaction whose lines are kept in memory (raw text and parsed). */
export function captureLog(level = "trace"): { log: Logger; raw: string[]; lines: () => Record<string, any>[] } {
  const raw: string[] = [];
  const stream: DestinationStream = { write: (s: string) => void raw.push(s) };
  const log = createLogger({ logLevel: level as "trace", logFormat: "json" }, stream);
  return { log, raw, lines: () => raw.map((s) => JSON.parse(s) as Record<string, any>) };
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text format (no escapes beyond `\"` are used by Hookyard's labels). */
export function parseMetrics(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unparsable metrics line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/** The value of the series `name` whose labels are exactly `labels` (0 when absent). */
export function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const want = Object.entries(labels);
  const hit = samples.find((s) => s.name === name && Object.keys(s.labels).length === want.length && want.every(([k, v]) => s.labels[k] === v));
  return hit?.value ?? 0;
}

/** GET /metrics and parse it. */
export async function scrape(base: string, headers: Record<string, string> = {}): Promise<Sample[]> {
  const res = await fetch(`${base}/metrics`, { headers });
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}: ${await res.text()}`);
  return parseMetrics(await res.text());
}
