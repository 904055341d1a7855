// The tiny control protocol every bench server speaks with bench/ingress.mjs: it prints one JSON
// line `{"ready":true,"port":…,"pid":…}` when listening; then, per line on stdin, `stats` prints a
// JSON line of counters and `exit` shuts down cleanly (so --cpu-prof can write its profile).
import { createInterface } from "node:readline";

export function control({ port, stats, shutdown }) {
  const say = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");
  say({ ready: true, port, pid: process.pid });
  const rl = createInterface({ input: process.stdin });
  let exiting = false;
  const exit = async () => {
    if (exiting) return;
    exiting = true;
    rl.close();
    await shutdown();
    process.exit(0);
  };
  rl.on("line", async (line) => {
    if (line === "stats") say({ stats: await stats() });
    else if (line === "exit") await exit();
  });
  rl.on("close", () => void exit()); // the parent went away: never outlive it
  process.once("SIGTERM", () => void exit());
}
