import type { EmitterWebhookEvent, EmitterWebhookEventName } from "@octokit/webhooks";

/** Every event name `app.on()` accepts, e.g. `"issues"` or `"issues.labeled"` (from Octokit's generated list). */
export type EventName = EmitterWebhookEventName;

/** The payload type of an event name: `PayloadOf<"issues.labeled">` has `action: "labeled"` and `label`. */
export type PayloadOf<E extends EventName> = EmitterWebhookEvent<E>["payload"];

/** The event part of a name: `"issues.labeled"` → `"issues"`. */
export type EventOf<E extends EventName> = E extends `${infer N}.${string}` ? N : E;
