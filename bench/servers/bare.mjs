// The baseline: a bare node:http server doing the minimum a correct webhook receiver must do —
// read the body, verify X-Hub-Signature-256 (HMAC-SHA256, timing-safe), JSON.parse it, answer 202.
// Nothing is stored. Listens on 127.0.0.1 (ephemeral port).
import { createServer } from "node:http";
import { WEBHOOK_PATH } from "../lib/payload.mjs";
import { answer, verify } from "../lib/receiver.mjs";
import { control } from "./control.mjs";

let accepted = 0;
let rejected = 0;

const server = createServer((req, res) => {
  if (req.method !== "POST" || req.url !== WEBHOOK_PATH) return answer(res, 404, { error: "not found" });
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    if (!verify(body, req.headers["x-hub-signature-256"])) {
      rejected++;
      return answer(res, 401, { error: "bad signature" });
    }
    let payload;
    try {
      payload = JSON.parse(body.toString("utf8"));
    } catch {
      rejected++;
      return answer(res, 400, { error: "bad json" });
    }
    accepted++;
    answer(res, 202, { delivery: req.headers["x-github-delivery"], status: payload ? "accepted" : "ignored" });
  });
});
server.keepAliveTimeout = 60_000;

server.listen(0, "127.0.0.1", () => {
  control({
    port: server.address().port,
    stats: () => ({ accepted, rejected, pending: 0 }),
    shutdown: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  });
});
