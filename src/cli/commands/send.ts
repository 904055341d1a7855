import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { EVENT_NAMES } from "../../events/names.generated.js";
import { HookyardError } from "../../errors.js";
import { postDelivery, signedDelivery } from "../../testing/deliveries.js";
import { exampleGroups, findExample } from "../../testing/examples.js";

export interface SendOptions {
  /** A JSON file holding a payload, or an event name such as `issues.labeled` (an example payload is used). */
  source: string;
  url: string;
  secret?: string;
  /** The event: with a file, required unless the file is named after an event (`issues.json`). */
  event?: string;
  /** The action: with an event name, picks its example (`issues --action labeled`); with a file, sets the payload's `action`. */
  action?: string;
  id?: string;
  form?: boolean;
}

export interface SendResult {
  id: string;
  event: string;
  /** The payload's `action` as sent (null when it has none). */
  action: string | null;
  /** Set when no action was asked for and the event's first example was taken: the actions there are examples of. */
  otherActions?: string[];
  status: number;
  body: unknown;
}

const usage = (message: string) => new HookyardError("HOOKYARD_ERR_CLI_USAGE", message);

/** Event names (without actions), for the message refusing a file named after none. */
function eventNames(): string[] {
  return [...EVENT_NAMES].filter((n) => !n.includes("."));
}

/** A missing example, with the ones there are: the event's actions, or the events with examples. */
function missingExample(event: string, action: string | undefined): HookyardError {
  const group = exampleGroups().find((g) => g.name === event);
  if (!group) return usage(`no example payload for "${event}"; events with examples: ${exampleGroups().map((g) => g.name).join(", ")}`);
  const actions = [...new Set(group.examples.map((p) => p.action).filter((a): a is string => typeof a === "string"))];
  return usage(`no example payload for "${event}.${action ?? ""}"; ${event} examples: ${actions.length > 0 ? actions.map((a) => `${event}.${a}`).join(", ") : event}`);
}

/** The event and payload of a JSON file; its event is `--event`, or its file name when that is an event name. */
function fromFile(o: SendOptions): { event: string; payload: Record<string, unknown> } {
  const stem = basename(o.source).replace(/\.json$/, "");
  const [fileEvent, fileAction] = stem.split(".", 2) as [string, string | undefined];
  const named = EVENT_NAMES.has(fileEvent) ? fileEvent : undefined;
  const event = o.event ?? named;
  if (event === undefined) {
    throw usage(`the file name "${basename(o.source)}" is not an event name: pass --event (e.g. --event issues); event names: ${eventNames().join(", ")}`);
  }
  let payload: unknown;
  try {
    payload = JSON.parse(readFileSync(o.source, "utf8"));
  } catch (err) {
    throw usage(`cannot read a JSON payload from ${o.source}: ${(err as Error).message}`);
  }
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) throw usage(`${o.source} does not hold a JSON object`);
  const action = o.action ?? (o.event === undefined && fileAction && EVENT_NAMES.has(`${fileEvent}.${fileAction}`) ? fileAction : undefined);
  return { event, payload: action === undefined ? (payload as Record<string, unknown>) : { ...payload, action } };
}

/** The event and payload of a real example: `issues.labeled`, or `issues` with `--action labeled`. */
function fromExample(o: SendOptions): { event: string; payload: Record<string, unknown>; otherActions?: string[] } {
  const [event, named] = o.source.split(".", 2) as [string, string | undefined];
  if (named !== undefined && o.action !== undefined && named !== o.action) throw usage(`"${o.source}" and --action ${o.action} name two actions; give one`);
  if (o.event !== undefined && o.event !== event) throw usage(`--event ${o.event} is for a payload file; "${o.source}" names the event already`);
  const action = named ?? o.action;
  let example: ReturnType<typeof findExample>;
  try {
    example = findExample(action === undefined ? event : `${event}.${action}`);
  } catch {
    throw missingExample(event, action);
  }
  if (action !== undefined || example.action === null) return { event, payload: example.payload };
  const group = exampleGroups().find((g) => g.name === event);
  const otherActions = [...new Set(group?.examples.map((p) => p.action).filter((a): a is string => typeof a === "string"))];
  return { event, payload: example.payload, otherActions };
}

/**
 * Signs a payload (a file, or a real example from `@octokit/webhooks-examples`) and POSTs it.
 * A file's event is `--event`, or its name when that is an event name (`issues.json`,
 * `issues.labeled.json`); any other name is refused rather than guessed from. The result says
 * which action was sent.
 *
 * @example
 * ```ts
 * await sendDelivery({ source: "issues.labeled", url: "http://127.0.0.1:3000/api/github/webhooks", secret });
 * ```
 */
export async function sendDelivery(o: SendOptions): Promise<SendResult> {
  const { event, payload, otherActions }: { event: string; payload: Record<string, unknown>; otherActions?: string[] } = o.source.endsWith(".json") ? fromFile(o) : fromExample(o);
  const action = typeof payload.action === "string" ? payload.action : null;
  const delivery = signedDelivery(event, payload, { secret: o.secret, id: o.id, form: o.form });
  try {
    const res = await postDelivery(o.url, delivery);
    return { id: delivery.id, event, action, ...(otherActions ? { otherActions } : {}), ...res };
  } catch (err) {
    throw new HookyardError("HOOKYARD_ERR_CLI_REQUEST_FAILED", `cannot reach ${o.url}: ${(err as Error).message}`);
  }
}
