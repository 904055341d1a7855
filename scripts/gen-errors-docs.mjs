// Writes docs/reference/errors.md from the registry in src/errors.ts and the HTTP statuses in
// src/http/error-status.ts (via dist/). Run: npm run build && npm run docs:errors. A test fails
// when the committed file differs.
import { writeFileSync } from "node:fs";

/** Codes renamed to the domain that raises them (old code → what replaced it, and where). */
const RENAMED = [
  ["HOOKYARD_ERR_API_NOT_FOUND", "`HOOKYARD_ERR_STORE_NOT_FOUND` for a delivery or task id that is not stored (API answers, task errors, `retryTask` / `cancelTask` / `addTasks` / replay); `HOOKYARD_ERR_API_NOT_FOUND` now means only \"no route\""],
  ["HOOKYARD_ERR_API_CONFLICT", "`HOOKYARD_ERR_TASK_STATE_CONFLICT` (retrying or cancelling a task in a state that does not allow it)"],
  ["HOOKYARD_ERR_API_BAD_REQUEST", "`HOOKYARD_ERR_STORE_QUERY_INVALID` for a page size or cursor refused by the store, `HOOKYARD_ERR_STORE_RECORD_INVALID` for a record refused by the store, `HOOKYARD_ERR_OAUTH_ARGUMENT_INVALID` for `userCanAccessRepo()` / `userInTeam()` arguments; `HOOKYARD_ERR_API_BAD_REQUEST` stays for the API's own query and body checks"],
  ["HOOKYARD_ERR_CLI_USAGE", "`HOOKYARD_ERR_TESTING_NO_EXAMPLE` when `findExample()` / `createTestApp().receive()` has no example payload (the CLI still answers `HOOKYARD_ERR_CLI_USAGE`)"],
];

export function render(errors, statuses) {
  const rows = Object.entries(errors).map(([code, e]) => `| \`${code}\` | ${statuses[code] ?? "—"} | ${e.doc} |`);
  const renamed = RENAMED.map(([old, now]) => `- \`${old}\` → ${now}.`);
  return `# Error codes

<!-- GENERATED — DO NOT EDIT. Source: src/errors.ts, src/http/error-status.ts; script: scripts/gen-errors-docs.mjs -->

Every error Hookyard raises carries a stable code, named after the part of Hookyard that raises it.
HTTP errors answer \`{ "error": { "code": "HOOKYARD_ERR_…", "message": "…" } }\` with the status
below, which the HTTP layer decides for each code (\`—\`: never an HTTP answer of its own, such as
errors at start, in the CLI or in tasks; 500 should one reach an answer). The same codes appear on
thrown \`HookyardError\`s (\`err.code\`), in task attempt records (\`lastError.code\`) and in CLI
messages (\`hookyard: … (HOOKYARD_ERR_…)\`). Messages never contain a secret, token or key.
Errors thrown by your handlers keep their own \`code\` when they have one.

| Code | HTTP status | Meaning |
| --- | --- | --- |
${rows.join("\n")}

## Renamed codes

Codes once named after the HTTP layer (or the CLI) but raised by the store, the tasks or a library
function now carry the name of their own domain. \`HookyardError\` no longer has a \`statusCode\`:
the status is looked up from the code where a request is answered.

${renamed.join("\n")}
`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { ERRORS } = await import("../dist/errors.js");
  const { HTTP_STATUS } = await import("../dist/http/error-status.js");
  writeFileSync(new URL("../docs/reference/errors.md", import.meta.url), render(ERRORS, HTTP_STATUS));
  console.log("wrote docs/reference/errors.md");
}
