import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createAppAuth } from "@octokit/auth-app";
import { Octokit as Core } from "@octokit/core";
import { paginateRest } from "@octokit/plugin-paginate-rest";
import { restEndpointMethods } from "@octokit/plugin-rest-endpoint-methods";
import { verifySignature } from "../../../src/ingress/verify.js";
import { createFakeGitHub, type FakeGitHub, type FakeGitHubOptions } from "../../../src/testing/index.js";

/** The client a user builds: Octokit core with REST methods and pagination. */
export const Octokit = Core.plugin(restEndpointMethods, paginateRest);
export type OctokitClient = InstanceType<typeof Octokit>;

export const silentLog = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

const fakes: FakeGitHub[] = [];
const servers: Server[] = [];

/** Starts a fake and remembers it for {@link cleanup}. */
export async function startFake(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const fake = await createFakeGitHub(options);
  fakes.push(fake);
  return fake;
}

/** Closes every fake and receiver started by this file; call in afterEach. */
export async function cleanup(): Promise<void> {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
  await Promise.all(
    servers.splice(0).map((s) => {
      s.closeAllConnections();
      return new Promise<void>((resolve) => s.close(() => resolve()));
    }),
  );
}

/** An Octokit authenticated as the fake's App (JWT) and, with an installation id, as that installation. */
export function appOctokit(fake: FakeGitHub, installationId?: number, extra: { appId?: number; privateKey?: string } = {}): OctokitClient {
  return new Octokit({
    authStrategy: createAppAuth,
    auth: {
      appId: extra.appId ?? fake.appId,
      privateKey: extra.privateKey ?? fake.privateKey,
      ...(installationId === undefined ? {} : { installationId }),
    },
    baseUrl: fake.url,
    log: silentLog,
  });
}

/** An Octokit with a plain token (installation or user token). */
export function tokenOctokit(fake: FakeGitHub, token: string): OctokitClient {
  return new Octokit({ auth: token, baseUrl: fake.url, log: silentLog });
}

/** A fake with the repository `acme/widgets` (a config file on `main`) and an installation on `acme`. */
export async function seeded(options: FakeGitHubOptions = {}) {
  const fake = await startFake(options);
  const repo = fake.addRepo({ owner: "acme", name: "widgets", files: { ".github/hookyard.yml": "triage: true\n", "README.md": "# widgets\n" } });
  const installation = fake.addInstallation({ account: "acme" });
  return { fake, repo, installation, octokit: appOctokit(fake, installation.id) };
}

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
  payload: Record<string, unknown>;
  signature: "ok" | "missing" | "invalid";
}

/**
 * A real webhook receiver on a random port that checks `X-Hub-Signature-256` over the raw bytes:
 * `202` when it verifies, `401` otherwise (so the fake's delivery log shows which).
 */
export async function startReceiver(secret: string, status = 202): Promise<{ url: string; received: ReceivedWebhook[] }> {
  const received: ReceivedWebhook[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      const header = req.headers["x-hub-signature-256"];
      const signature = verifySignature([secret], raw, Array.isArray(header) ? header[0] : header);
      const body = raw.toString("utf8");
      received.push({ headers: req.headers, body, payload: JSON.parse(body) as Record<string, unknown>, signature });
      res.writeHead(signature === "ok" ? status : 401, { "content-type": "application/json" });
      res.end(JSON.stringify({ ok: signature === "ok" }));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/api/github/webhooks`, received };
}

/** A URL on 127.0.0.1 where nothing listens (a port just released). */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/hook`;
}

/** A receiver that reads requests and never answers (to test what `close()` does to sends in flight). */
export async function startSilentReceiver(): Promise<{ url: string; arrived: Promise<void> }> {
  let arrivedResolve: () => void = () => {};
  const arrived = new Promise<void>((resolve) => (arrivedResolve = resolve));
  const server = createServer((req) => {
    req.resume();
    arrivedResolve();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, arrived };
}
