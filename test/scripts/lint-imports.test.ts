import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const script = fileURLToPath(new URL("../../scripts/lint-imports.mjs", import.meta.url));
const roots: string[] = [];

/** A tree with src/ and a tsconfig.json, as the layering lint reads it. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "hookyard-layers-"));
  roots.push(root);
  const all = { "tsconfig.json": JSON.stringify({ compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext", strict: true }, include: ["src"] }), ...files };
  for (const [path, text] of Object.entries(all)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

function lint(root: string) {
  const r = spawnSync(process.execPath, [script, root], { encoding: "utf8" });
  return { status: r.status, out: r.stdout + r.stderr };
}

// arrows that every rule allows: wiring (src/app.ts and src/app/) imports a backend, the store's
// factory imports it too, and tasks → events runs one way
const allowed = {
  "src/store/backend.ts": "export interface Backend { close(): Promise<void> }\n",
  "src/store/backends/memory/index.ts": 'import type { Backend } from "../../backend.js";\nexport class MemoryBackend implements Backend { async close() {} }\n',
  "src/store/open.ts": 'import { MemoryBackend } from "./backends/memory/index.js";\nexport const openStore = () => new MemoryBackend();\n',
  "src/app.ts": 'import { openStore } from "./store/open.js";\nimport { MemoryBackend } from "./store/backends/memory/index.js";\nexport const app = [openStore, MemoryBackend];\n',
  "src/app/wire.ts": 'import { MemoryBackend } from "../store/backends/memory/index.js";\nexport const wire = MemoryBackend;\n',
  "src/events/registry.ts": "export const handlers = new Map<string, () => void>();\n",
  "src/tasks/runner.ts": 'import { handlers } from "../events/registry.js";\nexport const run = (name: string) => handlers.get(name)?.();\n',
  "src/cli/main.ts": "export const helper = 1;\n",
  // a cycle of type-only imports: gone from the emitted JavaScript, not reported
  "src/ingress/shape.ts": 'import type { Parsed } from "./parsed.js";\nexport interface Shape { parsed?: Parsed }\n',
  "src/ingress/parsed.ts": 'import type { Shape } from "./shape.js";\nexport interface Parsed { shape?: Shape }\n',
};

afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

describe("scripts/lint-imports.mjs (the layering lint)", () => {
  it("passes a tree that keeps the layers", () => {
    const r = lint(tree(allowed));
    expect(r.out).toContain("✔ layers");
    expect(r.status).toBe(0);
  });

  it("reports a core → edge import, a folder cycle, a file cycle and store implementations outside wiring", () => {
    const r = lint(tree({
      ...allowed,
      "src/store/prune.ts": 'import { helper } from "../cli/main.js";\nexport const prune = helper;\n',
      // events → tasks while tasks → events: a folder cycle made of files that form no file cycle
      "src/events/context.ts": 'import { run } from "../tasks/runner.js";\nexport const context = run;\n',
      "src/github/a.ts": 'import { b } from "./b.js";\nexport const a = () => b;\n',
      "src/github/b.ts": 'import { a } from "./a.js";\nexport const b = () => a;\n',
      "src/tasks/pool.ts": 'import { MemoryBackend } from "../store/backends/memory/index.js";\nexport const pool = MemoryBackend;\n',
      "src/notify/send.ts": 'import { openStore } from "../store/open.js";\nexport const send = openStore;\n',
    }));
    expect(r.status).toBe(1);
    expect(r.out).toContain("error core-imports-edge: src/store/prune.ts → src/cli/main.ts");
    expect(r.out).toMatch(/error no-folder-cycle: events → tasks → events .*\n {4}events → tasks: src\/events\/context\.ts → src\/tasks\/runner\.ts\n {4}tasks → events: src\/tasks\/runner\.ts → src\/events\/registry\.ts\n/);
    expect(r.out).toMatch(/error no-file-cycle: src\/github\/(a|b)\.ts → src\/github\/(b|a)\.ts/);
    expect(r.out).toContain("error store-backend-outside-wiring: src/tasks/pool.ts → src/store/backends/memory/index.ts");
    expect(r.out).toContain("error store-factory-outside-wiring: src/notify/send.ts → src/store/open.ts");
    // the allowed arrows of the first tree stay allowed
    expect(r.out).not.toMatch(/src\/app(\.ts|\/wire\.ts) →|src\/ingress\/|src\/store\/open\.ts → /);
    expect(r.out).toContain("✘ 5 layering problem(s)");
  });
});
