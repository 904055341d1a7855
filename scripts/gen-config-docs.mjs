// Writes docs/reference/config.md from CONFIG_FIELDS in src/config/schema.ts (via dist/).
// Run: npm run build && npm run docs:config. A test fails when the committed file differs.
import { writeFileSync } from "node:fs";

export function render(fields) {
  const rows = Object.entries(fields).map(([key, f]) => {
    const def = f.default === undefined || (Array.isArray(f.default) && f.default.length === 0) ? "—" : `\`${typeof f.default === "number" && f.default >= 1024 * 1024 && key === "maxBody" ? `${f.default} (25 MiB)` : f.default}\``;
    return `| \`${f.env}\` | \`${key}\` | ${def} | ${f.doc} |`;
  });
  return `# Configuration reference

<!-- GENERATED — DO NOT EDIT. Source: src/config/schema.ts; script: scripts/gen-config-docs.mjs -->

Every setting can be given as an option to \`new Hookyard({ … })\` or as an environment variable
(\`hookyard serve\` also reads a \`.env\` file in the working directory). Options win over the
environment, which wins over the default. Durations accept milliseconds or a unit (\`500ms\`,
\`30s\`, \`2m\`, \`1h\`); sizes accept bytes or a unit (\`512kb\`, \`25mb\`). An invalid value stops the
start with \`HOOKYARD_ERR_CONFIG_INVALID\` naming the setting (never its value).

| Environment variable | Option | Default | Meaning |
| --- | --- | --- | --- |
${rows.join("\n")}
`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { CONFIG_FIELDS } = await import("../dist/config/schema.js");
  writeFileSync(new URL("../docs/reference/config.md", import.meta.url), render(CONFIG_FIELDS));
  console.log("wrote docs/reference/config.md");
}
