import { createRequire } from "node:module";
import { HookyardError } from "../errors.js";
import { deliveryMeta } from "../ingress/delivery-meta.js";

interface ExampleGroup {
  name: string;
  actions: string[];
  examples: Record<string, unknown>[];
}

let cache: ExampleGroup[] | undefined;

/** Every real payload in `@octokit/webhooks-examples` (api.github.com), grouped by event. */
export function exampleGroups(): ExampleGroup[] {
  cache ??= createRequire(import.meta.url)("@octokit/webhooks-examples") as ExampleGroup[];
  return cache;
}

/**
 * A real example payload for `event` or `event.action`, from `@octokit/webhooks-examples`.
 *
 * @example
 * ```ts
 * const { event, payload } = findExample("issues.labeled");
 * ```
 */
export function findExample(name: string): { event: string; action: string | null; payload: Record<string, unknown> } {
  const [event, action] = name.split(".", 2) as [string, string | undefined];
  const group = exampleGroups().find((g) => g.name === event);
  const payload = group?.examples.find((p) => action === undefined || p.action === action);
  if (!group || !payload) {
    throw new HookyardError("HOOKYARD_ERR_TESTING_NO_EXAMPLE", `no example payload for "${name}" in @octokit/webhooks-examples`);
  }
  return { event, action: deliveryMeta(event, payload).action ?? null, payload };
}

/** Every `event.action` pair (or bare event) with an example payload, first example of each. */
export function allExamples(): { event: string; action: string | null; payload: Record<string, unknown> }[] {
  const seen = new Set<string>();
  const out: { event: string; action: string | null; payload: Record<string, unknown> }[] = [];
  for (const g of exampleGroups()) {
    for (const payload of g.examples) {
      const action = deliveryMeta(g.name, payload).action ?? null;
      const key = `${g.name}.${action ?? ""}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ event: g.name, action, payload });
    }
  }
  return out;
}
