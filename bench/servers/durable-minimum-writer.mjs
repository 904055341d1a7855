// Writer thread of durable-minimum.mjs: append each group's bytes, fdatasync, answer.
import { fdatasyncSync, openSync, writeSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";

const fd = openSync(workerData.file, "a");
parentPort.on("message", (buf) => {
  let written = 0;
  while (written < buf.length) written += writeSync(fd, buf, written);
  fdatasyncSync(fd);
  parentPort.postMessage(null);
});
