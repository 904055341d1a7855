// Summarises a V8 .cpuprofile (from `node bench/ingress.mjs --profile`): self time by function and
// by file (node_modules packages folded into one line each), top N of each.
// Usage: node bench/profile-summary.mjs FILE.cpuprofile [--top 30]
import { readFileSync } from "node:fs";

const file = process.argv[2];
if (!file) throw new Error("usage: node bench/profile-summary.mjs FILE.cpuprofile [--top 30]");
const i = process.argv.indexOf("--top");
const top = i >= 0 ? Number(process.argv[i + 1]) : 30;
const prof = JSON.parse(readFileSync(file, "utf8"));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map(); // node id → µs
const dts = prof.timeDeltas;
for (let k = 0; k < prof.samples.length; k++) self.set(prof.samples[k], (self.get(prof.samples[k]) ?? 0) + (dts[k] ?? 0));
const all = [...self.values()].reduce((a, b) => a + b, 0);
let idle = 0;
for (const [id, us] of self) if (byId.get(id).callFrame.functionName === "(idle)") idle += us;
const total = all - idle; // percentages are of the busy time
console.log(`sampled ${(all / 1e3).toFixed(0)} ms, idle ${(idle / 1e3).toFixed(0)} ms; shares below are of the ${(total / 1e3).toFixed(0)} busy ms`);

/** Where a frame lives: a package under node_modules, a file of dist/, node's internals, or V8. */
function place(url) {
  if (!url) return "(native / V8)";
  const nm = url.lastIndexOf("node_modules/");
  if (nm >= 0) {
    const rest = url.slice(nm + 13).split("/");
    return rest[0].startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith("node:")) return url;
  const dist = url.indexOf("/dist/");
  return dist >= 0 ? url.slice(dist + 1) : url.replace(/^file:\/\//, "");
}
const fns = new Map();
const files = new Map();
for (const [id, us] of self) {
  if (byId.get(id).callFrame.functionName === "(idle)") continue;
  const { callFrame: c } = byId.get(id);
  const where = place(c.url);
  const fn = `${c.functionName || "(anonymous)"}  ${where}${c.url ? `:${c.lineNumber + 1}` : ""}`;
  fns.set(fn, (fns.get(fn) ?? 0) + us);
  files.set(where, (files.get(where) ?? 0) + us);
}
const show = (title, m) => {
  console.log(`\n${title} (of ${(total / 1e3).toFixed(0)} ms sampled)`);
  for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${((100 * us) / total).toFixed(1).padStart(5)} %  ${k}`);
};
show("self time by function", fns);
show("self time by file / package", files);
