// Load generator, run as its own process (bench/ingress.mjs pins it to core 1). One JSON argument:
//   { port, mode: "closed" | "open", connections, warmupS, durationS, rate }
// closed: `connections` keep-alive sockets each send the next request as soon as the previous answer
//         ends — maximum throughput (req/s counted over durationS, after warmupS not counted).
// open:   requests are due every 1000/rate ms whatever the server does (a late answer never delays the
//         next send), and latency runs from the *intended* send time, so a stall is charged to every
//         request it delayed (no coordinated omission). Scheduling never bursts: each request is sent
//         at its own due time (setImmediate polls the clock, so at 500 req/s this process keeps its
//         core busy — which is why it has one to itself).
// Every request: the same signed ~12 KB body, a fresh X-GitHub-Delivery id. Non-2xx answers, socket
// errors and timeouts are errors. Prints one JSON line of results. Loopback only; every loop ends.
import { randomUUID } from "node:crypto";
import { Agent, request } from "node:http";
import { performance } from "node:perf_hooks";
import { benchDelivery, EVENT, WEBHOOK_PATH } from "./lib/payload.mjs";

const cfg = JSON.parse(process.argv.at(-1));
const { body, signature } = await benchDelivery();
const agent = new Agent({ keepAlive: true, maxSockets: cfg.connections, maxFreeSockets: cfg.connections });
const REQUEST_TIMEOUT_MS = 10_000;
const headers = {
  "content-type": "application/json",
  "content-length": String(body.length),
  "user-agent": "GitHub-Hookshot/bench",
  "x-github-event": EVENT,
  "x-hub-signature-256": signature,
};

const stats = { sent: 0, ok: 0, errors: 0, status: {}, errorKinds: {} };
let latencies = new Float64Array(1 << 16);
let nLat = 0;
const record = (ms) => {
  if (nLat === latencies.length) { const bigger = new Float64Array(latencies.length * 2); bigger.set(latencies); latencies = bigger; }
  latencies[nLat++] = ms;
};

/** Sends one delivery; resolves with true for a 2xx answer (body fully read), false otherwise. */
function send() {
  stats.sent++;
  return new Promise((resolve) => {
    let done = false;
    const finish = (ok, kind) => {
      if (done) return;
      done = true;
      if (ok) stats.ok++;
      else { stats.errors++; stats.errorKinds[kind] = (stats.errorKinds[kind] ?? 0) + 1; }
      resolve(ok);
    };
    const req = request({ agent, host: "127.0.0.1", port: cfg.port, method: "POST", path: WEBHOOK_PATH,
      headers: { ...headers, "x-github-delivery": randomUUID() } }, (res) => {
      stats.status[res.statusCode] = (stats.status[res.statusCode] ?? 0) + 1;
      res.on("data", () => {});
      res.on("end", () => finish(res.statusCode >= 200 && res.statusCode < 300, `http ${res.statusCode}`));
      res.on("error", (e) => finish(false, e.code ?? "response error"));
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () => { req.destroy(); finish(false, "timeout"); });
    req.on("error", (e) => finish(false, e.code ?? "request error"));
    req.end(body);
  });
}

async function closedLoop() {
  const t0 = performance.now();
  const measureFrom = t0 + cfg.warmupS * 1000;
  const stopAt = measureFrom + cfg.durationS * 1000;
  let counted = 0;
  const perSecond = new Array(Math.ceil(cfg.durationS)).fill(0); // completions per second of the window
  const loop = async () => {
    while (performance.now() < stopAt) {
      const start = performance.now();
      await send();
      const end = performance.now();
      if (start >= measureFrom && end <= stopAt) { counted++; record(end - start); perSecond[Math.floor((end - measureFrom) / 1000)]++; }
    }
  };
  await Promise.all(Array.from({ length: cfg.connections }, loop));
  return { completedInWindow: counted, rps: counted / cfg.durationS, perSecond };
}

async function openLoop() {
  const interval = 1000 / cfg.rate;
  const skip = Math.round(cfg.rate * cfg.warmupS); // requests of the warm-up: sent on schedule, not recorded
  const total = skip + Math.round(cfg.rate * cfg.durationS);
  const t0 = performance.now() + 50;
  const inflight = new Set();
  let i = 0;
  let maxLateMs = 0; // how late the generator itself sent a request (diagnostic; it is inside the latency)
  const sendLate = []; // per answered request, how late it was sent
  const fromSend = []; // per answered request, latency from the actual send (excludes generator lateness)
  const slow = []; // [ms since start, latency, of which send lateness] of answers slower than 3 ms
  await new Promise((resolve) => {
    const tick = () => {
      let now = performance.now();
      while (i < total && t0 + i * interval <= now) {
        const intended = t0 + i * interval;
        const late = now - intended;
        maxLateMs = Math.max(maxLateMs, late);
        const recorded = i++ >= skip;
        const p = send().then((ok) => {
          inflight.delete(p);
          if (!ok || !recorded) return;
          const ms = performance.now() - intended;
          record(ms);
          sendLate.push(late);
          fromSend.push(ms - late);
          if (ms > 3) slow.push([round(intended - t0 - cfg.warmupS * 1000), round(ms), round(late)]);
        });
        inflight.add(p);
        now = performance.now();
      }
      if (i >= total) return resolve();
      const wait = t0 + i * interval - now;
      // libuv timers have 1 ms granularity: sleep only when the next send is > 2.5 ms away, then poll
      if (wait > 2.5) setTimeout(tick, wait - 2);
      else setImmediate(tick);
    };
    tick();
  });
  await Promise.race([Promise.all(inflight), new Promise((r) => setTimeout(r, REQUEST_TIMEOUT_MS + 1000))]);
  const p99 = (xs) => (xs.length ? round(xs.sort((a, b) => a - b)[Math.ceil(0.99 * xs.length) - 1]) : null);
  const lateP99 = p99(sendLate);
  const fromSendP99 = p99(fromSend);
  return { intendedRate: cfg.rate, rps: (stats.ok - skip) / cfg.durationS, maxSchedulerLateMs: round(maxLateMs), schedulerLateP99Ms: lateP99, p99FromActualSendMs: fromSendP99, slowerThan3ms: slow.length, slowest: slow.sort((a, b) => b[1] - a[1]).slice(0, 30) };
}

const round = (x) => Math.round(x * 1000) / 1000;
function percentiles() {
  const sorted = latencies.subarray(0, nLat).sort();
  const at = (q) => (nLat === 0 ? null : round(sorted[Math.min(nLat - 1, Math.ceil(q * nLat) - 1)]));
  return { samples: nLat, p50: at(0.5), p90: at(0.9), p99: at(0.99), p999: at(0.999), max: nLat ? round(sorted[nLat - 1]) : null };
}

const safety = setTimeout(() => { console.error("loadgen: safety timeout"); process.exit(2); }, (cfg.warmupS + cfg.durationS) * 1000 + 30_000);
const cpu0 = process.cpuUsage();
const wall0 = performance.now();
const result = cfg.mode === "closed" ? await closedLoop() : await openLoop();
const cpu = process.cpuUsage(cpu0);
const loadgenCpuPct = round((100 * (cpu.user + cpu.system) / 1000) / (performance.now() - wall0));
clearTimeout(safety);
agent.destroy();
process.stdout.write(JSON.stringify({ mode: cfg.mode, ...result, ...stats, latencyMs: percentiles(), loadgenCpuPct }) + "\n");
