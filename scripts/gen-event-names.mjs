// Writes src/events/names.generated.ts from @octokit/webhooks' list of emitter event names.
// Run: npm run gen:events (a test fails when the committed file differs from this output).
import { writeFileSync } from "node:fs";
import { emitterEventNames } from "@octokit/webhooks";

export function render(names) {
  const lines = names.map((n) => `  ${JSON.stringify(n)},`).join("\n");
  return `// GENERATED — DO NOT EDIT. Source: @octokit/webhooks emitterEventNames; script: scripts/gen-event-names.mjs
/** Every event name \`app.on()\` accepts: \`event\` and \`event.action\`, as GitHub sends them. */
export const EVENT_NAMES: ReadonlySet<string> = new Set([
${lines}
]);
`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(new URL("../src/events/names.generated.ts", import.meta.url), render([...emitterEventNames]));
  console.log(`wrote ${emitterEventNames.length} event names`);
}
