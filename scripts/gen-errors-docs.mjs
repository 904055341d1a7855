// Writes docs/reference/errors.md from the registry in src/errors.ts (via dist/).
// Run: npm run build && npm run docs:errors. A test fails when the committed file differs.
import { writeFileSync } from "node:fs";

export function render(errors) {
  const rows = Object.entries(errors).map(([code, e]) => `| \`${code}\` | ${e.status} | ${e.doc} |`);
  return `# Error codes

<!-- GENERATED — DO NOT EDIT. Source: src/errors.ts; script: scripts/gen-errors-docs.mjs -->

Every error Hookyard raises carries a stable code. HTTP errors answer
\`{ "error": { "code": "HOOKYARD_ERR_…", "message": "…" } }\` with the status below; the same codes
appear on thrown \`HookyardError\`s (\`err.code\`), in task attempt records (\`lastError.code\`) and in
CLI messages (\`hookyard: … (HOOKYARD_ERR_…)\`). Messages never contain a secret, token or key.
Errors thrown by your handlers keep their own \`code\` when they have one.

| Code | HTTP status | Meaning |
| --- | --- | --- |
${rows.join("\n")}
`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { ERRORS } = await import("../dist/errors.js");
  writeFileSync(new URL("../docs/reference/errors.md", import.meta.url), render(ERRORS));
  console.log("wrote docs/reference/errors.md");
}
