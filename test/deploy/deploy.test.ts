import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { CONFIG_FIELDS } from "../../src/config/schema.js";
import { startApp, stopApps } from "../support/app.js";

const root = join(import.meta.dirname, "..", "..");
const deploy = (f: string) => join(root, "deploy", f);
const KNOWN_ENV = new Set([...Object.values(CONFIG_FIELDS).map((f) => f.env), "NODE_ENV"]);
const ROLES = new Set(["all", "ingress", "worker"]);

type Doc = Record<string, unknown>;
const docs = (file: string): Doc[] =>
  parseAllDocuments(readFileSync(deploy(file), "utf8")).map((d) => {
    expect(d.errors, `${file} parses`).toEqual([]);
    return d.toJS() as Doc;
  });

/** Every container command line and environment name in a parsed manifest tree. */
function walk(node: unknown, out: { args: string[][]; env: string[] }, key?: string): void {
  if (Array.isArray(node)) {
    if ((key === "args" || key === "command" || key === "CMD") && node.every((x) => typeof x === "string")) out.args.push(node as string[]);
    else for (const x of node) walk(x, out);
    return;
  }
  if (node === null || typeof node !== "object") return;
  for (const [k, v] of Object.entries(node)) {
    if ((k === "environment" || k === "data" || k === "stringData") && v && typeof v === "object" && !Array.isArray(v)) out.env.push(...Object.keys(v));
    if (k === "env" && Array.isArray(v)) out.env.push(...v.map((e: { name: string }) => e.name));
    walk(v, out, k);
  }
}

const cliHelp = () => execFileSync(process.execPath, [join(root, "dist", "cli", "main.js"), "--help"], { encoding: "utf8" });

afterEach(stopApps);

describe("deploy/", () => {
  it("docker-compose.yml and the Kubernetes manifests parse, and use only real settings, commands and roles", () => {
    const help = cliHelp();
    for (const file of ["docker-compose.yml", "k8s/config.yaml", "k8s/ingress.yaml", "k8s/worker.yaml"]) {
      const out = { args: [] as string[][], env: [] as string[] };
      for (const d of docs(file)) walk(d, out);
      for (const name of out.env) expect(KNOWN_ENV, `${file}: ${name} is a Hookyard setting`).toContain(name);
      for (const args of out.args.filter((a) => a[0] === "serve")) {
        expect(help).toContain(`  ${args[0]} `);
        const role = args[args.indexOf("--role") + 1];
        expect(ROLES, `${file}: role ${role}`).toContain(role);
      }
      expect(out.args.some((a) => a[0] === "serve") || file === "k8s/config.yaml").toBe(true);
    }
    const compose = docs("docker-compose.yml")[0] as { services: Record<string, { command?: string[]; deploy?: { replicas?: number } }> };
    expect(compose.services.ingress?.deploy?.replicas).toBe(2);
    expect(compose.services.worker?.deploy?.replicas).toBe(2);
    expect(JSON.stringify(compose.services.redis)).toContain("noeviction");
    expect(JSON.stringify(compose.services.redis)).toContain("--appendonly");
    expect(help).toContain("--role all|ingress|worker");
  });

  it("the Dockerfile is multi-stage, runs as a non-root user, starts the built CLI and checks /health", () => {
    const text = readFileSync(deploy("Dockerfile"), "utf8");
    expect(text.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(text).toMatch(/^USER node$/m);
    expect(text).toMatch(/^HEALTHCHECK .*\n?.*\/health/m);
    const entry = /ENTRYPOINT \["node", "\/app\/(dist\/cli\/main\.js)"\]/.exec(text)?.[1];
    expect(entry && existsSync(join(root, entry))).toBe(true);
    for (const name of [...text.matchAll(/^ENV (.+)$/gm)].flatMap((m) => m[1]!.split(/\s+/).map((kv) => kv.split("=")[0]!))) {
      expect(KNOWN_ENV).toContain(name);
    }
  });

  it("the probe paths the manifests use answer 200 on a running server", async () => {
    const probes = new Set<string>();
    for (const file of ["k8s/ingress.yaml", "k8s/worker.yaml"]) {
      for (const m of readFileSync(deploy(file), "utf8").matchAll(/path: (\/\w+)/g)) probes.add(m[1]!);
    }
    expect([...probes].sort()).toEqual(["/health", "/ready"]);
    const { base } = await startApp();
    for (const p of probes) expect((await fetch(`${base}${p}`)).status).toBe(200);
  });
});
