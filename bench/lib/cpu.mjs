// CPU time of processes and threads on this machine, from /proc (Linux), for per-task CPU figures.
import { existsSync, readFileSync } from "node:fs";
import { Redis } from "ioredis";

/** Clock ticks per second of /proc's utime/stime (USER_HZ: 100 on Linux builds). */
const HZ = 100;

/** CPU seconds (user + system) of process `pid`, all threads, or of its thread `tid`; null without /proc. */
export function cpuSeconds(pid, tid) {
  const file = tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`;
  if (!existsSync(file)) return null;
  const fields = readFileSync(file, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / HZ;
}

/** The pid of the redis-server at `url` when it runs on this machine (its /proc entry is readable), else null. */
export async function localRedisPid(url) {
  const r = new Redis(url);
  try {
    const pid = Number(/process_id:(\d+)/.exec(await r.info("server"))?.[1]);
    const comm = Number.isInteger(pid) && existsSync(`/proc/${pid}/comm`) ? readFileSync(`/proc/${pid}/comm`, "utf8").trim() : "";
    return comm.startsWith("redis") ? pid : null;
  } finally {
    await r.quit();
  }
}

/** A CPU meter for this process (all threads and the main thread) and, when given, a redis-server. */
export function cpuMeter(redisPid) {
  const start = { node: process.cpuUsage(), main: cpuSeconds(process.pid, process.pid), redis: redisPid ? cpuSeconds(redisPid) : null };
  /** µs of CPU per unit of work since the meter started (null where it cannot be read). */
  return (units) => {
    const node = process.cpuUsage(start.node);
    const main = cpuSeconds(process.pid, process.pid);
    const redis = redisPid ? cpuSeconds(redisPid) : null;
    return {
      nodeUs: (node.user + node.system) / units,
      mainUs: main === null || start.main === null ? null : ((main - start.main) * 1e6) / units,
      redisUs: redis === null || start.redis === null ? null : ((redis - start.redis) * 1e6) / units,
    };
  };
}
