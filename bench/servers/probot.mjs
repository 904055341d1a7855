// The Probot baseline: Probot 14 as its docs deploy it, `createNodeMiddleware` on a node:http server,
// one no-op `issues.labeled` handler, logging silenced. Probot verifies the signature, parses the
// payload and runs the handler before it answers; it stores nothing. Listens on 127.0.0.1.
import { generateKeyPairSync } from "node:crypto";
import { createServer } from "node:http";
import { createNodeMiddleware, createProbot } from "probot";
import { SECRET, WEBHOOK_PATH } from "../lib/payload.mjs";
import { answer } from "../lib/receiver.mjs";
import { control } from "./control.mjs";

// Probot needs App credentials to start; a throwaway key is never used (the handler calls no API)
const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
const probot = createProbot({ overrides: { appId: 1, privateKey, secret: SECRET, logLevel: "silent" } });

let accepted = 0;
const middleware = await createNodeMiddleware((app) => {
  app.on("issues.labeled", async () => {
    accepted++;
  });
}, { probot, webhooksPath: WEBHOOK_PATH });

const server = createServer((req, res) => {
  void middleware(req, res, () => answer(res, 404, { error: "not found" }));
});
server.keepAliveTimeout = 60_000;

server.listen(0, "127.0.0.1", () => {
  control({
    port: server.address().port,
    stats: () => ({ accepted, pending: 0 }),
    shutdown: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  });
});
