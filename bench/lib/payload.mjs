// The benchmark delivery: GitHub's real `issues.labeled` example (from @octokit/webhooks-examples,
// via Hookyard's testing helpers), with the issue body lengthened to ~12 KB the way real issues are
// long: a bug report with steps, logs and a checklist. One body, one signature: the signature covers
// only the body, so every request can carry a fresh X-GitHub-Delivery id with the same signature.
import { createHmac } from "node:crypto";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

export const SECRET = "bench-webhook-secret-0123456789";
export const EVENT = "issues";
export const WEBHOOK_PATH = "/api/github/webhooks";
export const TARGET_BYTES = 12 * 1024;

/** The dist/ directory to load Hookyard from: `--dist DIR`, HOOKYARD_DIST, or this repo's dist/. */
export function distDir(argv = process.argv) {
  const i = argv.indexOf("--dist");
  if (i >= 0 && argv[i + 1]) return resolve(argv[i + 1]);
  return resolve(process.env.HOOKYARD_DIST ?? new URL("../../dist", import.meta.url).pathname);
}

export async function importDist(dist, file) {
  return import(pathToFileURL(resolve(dist, file)).href);
}

const PARAGRAPHS = [
  "### Describe the bug\nAfter upgrading to the latest release, labelling an issue from the sidebar no longer triggers the triage workflow. The label is applied, but the bot never comments and the project board is not updated.",
  "### Steps to reproduce\n1. Open any issue in the repository\n2. Apply the `bug` label from the sidebar\n3. Wait for the triage bot to comment\n4. Observe that nothing happens, even after several minutes",
  "### Expected behaviour\nThe triage bot should add the issue to the *Needs triage* column and post the standard checklist within a few seconds of the label being applied.",
  "### Logs\n```\n2024-03-14T09:12:44.120Z INFO  webhook received event=issues action=labeled\n2024-03-14T09:12:44.122Z DEBUG matching handlers count=0\n2024-03-14T09:12:44.123Z WARN  no handler matched, delivery ignored\n```",
  "### Environment\n- OS: Ubuntu 22.04\n- Node.js: 20.11.1\n- App version: 3.4.2 (self-hosted)\n- Browser: Firefox 123",
  "### Checklist\n- [x] I searched existing issues\n- [x] I can reproduce this on the latest version\n- [ ] I am willing to open a pull request",
];

/** The padded payload object, its exact JSON body bytes and the X-Hub-Signature-256 header. */
export async function benchDelivery(dist = distDir()) {
  const { findExample } = await importDist(dist, "testing/index.js");
  const { payload } = findExample("issues.labeled");
  const padded = structuredClone(payload);
  let body = padded.issue.body ?? "";
  for (let i = 0; Buffer.byteLength(JSON.stringify(padded)) < TARGET_BYTES; i++) {
    body += (body ? "\n\n" : "") + PARAGRAPHS[i % PARAGRAPHS.length];
    padded.issue.body = body;
  }
  const json = Buffer.from(JSON.stringify(padded));
  const signature = "sha256=" + createHmac("sha256", SECRET).update(json).digest("hex");
  return { payload: padded, body: json, signature };
}
