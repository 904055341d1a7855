#!/usr/bin/env node
// Checks Hookyard's layers (README "Layers"): runs dependency-cruiser over src/ with the rules of
// .dependency-cruiser.cjs (core ↛ edges, no file cycles, store implementations only in wiring),
// then checks what those rules cannot say: no cycles between the folders under src/ (each folder,
// and each file directly in src/, is one node; `app.ts` and `app/` are the same node).
// Usage: node scripts/lint-imports.mjs [root]  — root holds src/ and tsconfig.json (default: this repo).
// Exits 1 and prints one line per problem when a rule is broken.
import { execFileSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const root = resolve(process.argv[2] ?? repo);

/** The dependency graph of root/src as dependency-cruiser reports it (modules + rule violations). */
function cruise() {
  const bin = join(repo, "node_modules/dependency-cruiser/bin/dependency-cruise.mjs");
  const args = [bin, "src", "--config", join(repo, ".dependency-cruiser.cjs"), "--output-type", "json"];
  return JSON.parse(execFileSync(process.execPath, args, { cwd: root, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 }));
}

/** The node of a path in the folder graph: the first name under src/, without `.ts`. */
function folderOf(path) {
  const m = /^src\/([^/]+)/.exec(path);
  return m ? m[1].replace(/\.ts$/, "") : undefined;
}

/** Folder → folder → the file imports behind that arrow. */
function folderGraph(modules) {
  const graph = new Map();
  for (const m of modules) {
    const from = folderOf(m.source);
    if (from === undefined) continue;
    if (!graph.has(from)) graph.set(from, new Map());
    for (const d of m.dependencies) {
      const to = folderOf(d.resolved);
      if (to === undefined || to === from) continue;
      const arrows = graph.get(from);
      if (!arrows.has(to)) arrows.set(to, []);
      arrows.get(to).push(`${m.source} → ${d.resolved}`);
    }
  }
  return graph;
}

/** The strongly connected components of more than one node (Tarjan), each sorted by name. */
function cycles(graph) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const found = [];
  let next = 0;
  const visit = (v) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) !== index.get(v)) return;
    const component = [];
    let w;
    do {
      w = stack.pop();
      component.push(w);
    } while (w !== v);
    if (component.length > 1) found.push(component.sort());
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return found;
}

/** The shortest loop through the folders of one cycle, as [a, b, …, a] (breadth first from each folder). */
function shortestLoop(graph, component) {
  const inside = new Set(component);
  let best;
  for (const start of component) {
    const previous = new Map([[start, undefined]]);
    const queue = [start];
    let end;
    while (queue.length > 0 && end === undefined) {
      const v = queue.shift();
      for (const w of [...(graph.get(v)?.keys() ?? [])].sort()) {
        if (!inside.has(w)) continue;
        if (w === start) {
          end = v;
          break;
        }
        if (!previous.has(w)) {
          previous.set(w, v);
          queue.push(w);
        }
      }
    }
    const loop = [start];
    for (let v = end; v !== start; v = previous.get(v)) loop.unshift(v);
    loop.unshift(start);
    if (best === undefined || loop.length < best.length) best = loop;
  }
  return best;
}

const result = cruise();
const problems = [];
for (const v of result.summary.violations) {
  const via = v.cycle ? ` (cycle: ${v.cycle.map((c) => c.name ?? c).join(" → ")})` : "";
  problems.push(`${v.rule.severity} ${v.rule.name}: ${v.from} → ${v.to}${via}`);
}
const graph = folderGraph(result.modules);
for (const component of cycles(graph)) {
  const loop = shortestLoop(graph, component);
  const arrows = loop.slice(0, -1).map((from, i) => {
    const imports = graph.get(from).get(loop[i + 1]);
    const more = imports.length > 3 ? `, … (${imports.length - 3} more)` : "";
    return `    ${from} → ${loop[i + 1]}: ${imports.slice(0, 3).join(", ")}${more}`;
  });
  const among = component.length > loop.length - 1 ? `\n    (a shortest loop among the folders ${component.join(", ")}, which may hold others)` : "";
  problems.push(`error no-folder-cycle: ${loop.join(" → ")} (folders under src/ that import each other; make the arrows run one way):\n${arrows.join("\n")}${among}`);
}
if (problems.length > 0) {
  console.error(`${problems.join("\n")}\n\n✘ ${problems.length} layering problem(s): the rules and why are in .dependency-cruiser.cjs and README "Layers".`);
  process.exit(1);
}
console.log(`✔ layers: no forbidden import, no file or folder cycle (${result.summary.totalCruised} modules).`);
