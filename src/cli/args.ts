import { parseArgs } from "node:util";
import { CONFIG_FIELDS, type HookyardConfig } from "../config/index.js";
import { parseDuration } from "../config/units.js";
import { HookyardError, type ErrorCode } from "../errors.js";
import { DELIVERY_ID } from "../ingress/headers.js";
import { TASK_STATES } from "../store/backend.js";
import { checkStoreUrl } from "../store/open.js";

/** What each command takes: its options and how many positional arguments (at least, at most). */
const COMMANDS: Record<string, { options: readonly string[]; positionals: readonly [number, number]; needs?: string }> = {
  serve: { options: ["port", "host", "store", "role"], positionals: [0, Infinity] },
  receive: { options: ["event", "payload", "id"], positionals: [1, Infinity], needs: "receive needs an app module, e.g. hookyard receive -e issues -p payload.json ./app.js" },
  send: { options: ["url", "secret", "event", "action", "id", "form", "json"], positionals: [1, 1], needs: "send needs a payload file or an event name, e.g. hookyard send issues.labeled" },
  deliveries: { options: ["event", "action", "repository", "status", "limit", "cursor", "url", "json"], positionals: [0, 0] },
  delivery: { options: ["url", "json"], positionals: [1, 1], needs: "delivery needs a delivery id (see hookyard deliveries)" },
  tasks: { options: ["state", "name", "event", "repository", "delivery", "limit", "cursor", "url", "json"], positionals: [0, 0] },
  task: { options: ["url", "json"], positionals: [1, 1], needs: "task needs a task id (see hookyard tasks)" },
  retry: { options: ["url", "json", "all-failed", "since", "name"], positionals: [0, 1] },
  cancel: { options: ["url", "json"], positionals: [1, 1], needs: "cancel needs a task id (see hookyard tasks)" },
  replay: { options: ["url", "json"], positionals: [1, 1], needs: "replay needs a delivery id (see hookyard deliveries)" },
  migrate: { options: ["store"], positionals: [0, 0] },
  demo: { options: ["store", "keep"], positionals: [0, 1] },
  redeliver: { options: ["since", "dry-run", "store"], positionals: [0, 0] },
  prune: { options: ["before", "dry-run", "json", "store"], positionals: [0, 0] },
  setup: { options: ["url", "org", "name", "env-file", "port", "host"], positionals: [0, 0] },
};

const OPTIONS = {
  url: { type: "string" }, secret: { type: "string" }, event: { type: "string", short: "e" }, id: { type: "string" },
  payload: { type: "string", short: "p" },
  form: { type: "boolean" }, state: { type: "string" }, name: { type: "string" }, repository: { type: "string" },
  limit: { type: "string" }, cursor: { type: "string" }, port: { type: "string" }, host: { type: "string" },
  store: { type: "string" }, role: { type: "string" }, help: { type: "boolean", short: "h" },
  since: { type: "string" }, keep: { type: "boolean" }, "dry-run": { type: "boolean" }, org: { type: "string" }, "env-file": { type: "string" },
  json: { type: "boolean" }, "all-failed": { type: "boolean" }, action: { type: "string" }, status: { type: "string" }, delivery: { type: "string" },
  before: { type: "string" },
} as const;

const ROLES: readonly string[] = CONFIG_FIELDS.role.schema.options;

/** `--role` takes what `HOOKYARD_ROLE` takes. */
export function isRole(value: string): value is HookyardConfig["role"] {
  return ROLES.includes(value);
}

export type Values = ReturnType<typeof parseArgs<{ args: string[]; options: typeof OPTIONS; allowPositionals: true; strict: true }>>["values"];

/** A command line the CLI was called with: exit 2 (`hookyard: … (code)`), whatever the code. */
export class UsageError extends HookyardError {
  readonly usage = true;
}

/**
 * Throws a usage error (`HOOKYARD_ERR_CLI_USAGE` unless another code says more, e.g.
 * `HOOKYARD_ERR_STORE_INVALID_URL` for `--store`).
 *
 * @example
 * ```ts
 * usage("--limit must be a whole number ≥ 1");
 * ```
 */
export function usage(message: string, code: ErrorCode = "HOOKYARD_ERR_CLI_USAGE"): never {
  throw new UsageError(code, message);
}

/**
 * Parses and checks a command line: the command, options it takes (others are usage errors, as
 * are missing or extra arguments and invalid values), and its positional arguments. Everything
 * wrong with the command line is found here, before the command does anything.
 *
 * @example
 * ```ts
 * const { command, values, positionals } = parseCommandLine(process.argv.slice(2));
 * ```
 */
export function parseCommandLine(argv: string[]): { command: string; values: Values; positionals: string[]; help: boolean } {
  const [command, ...rest] = argv;
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args: rest, allowPositionals: true, strict: true, options: OPTIONS });
  } catch (err) {
    usage(`${(err as Error).message}; run hookyard --help`);
  }
  const { values, positionals } = parsed;
  if (command === undefined) usage("missing command; run hookyard --help for the list of commands");
  if (command === "help" || command === "--help" || command === "-h") return { command: positionals[0] ?? "help", values, positionals, help: true };
  if (values.help) return { command, values, positionals, help: true };
  const spec = COMMANDS[command] ?? usage(`unknown command "${command}"; run hookyard --help for the list of commands`);
  const foreign = Object.keys(values).filter((k) => !spec.options.includes(k));
  if (foreign.length > 0) usage(`${command} does not take --${foreign[0]}; run hookyard --help`);
  if (positionals.length < spec.positionals[0]) usage(spec.needs ?? `${command} needs an argument`);
  if (positionals.length > spec.positionals[1]) usage(`${command} takes ${spec.positionals[1] === 0 ? "no arguments" : `one argument`}, not "${positionals.slice(spec.positionals[1]).join(" ")}"`);
  checkValues(command, values);
  if (command === "retry") checkRetry(values, positionals);
  return { command, values, positionals, help: false };
}

function checkValues(command: string, v: Values): void {
  if (v.port !== undefined && (!/^\d{1,5}$/.test(v.port) || Number(v.port) > 65535)) usage("--port must be a port number (0 to 65535)");
  if (v.host !== undefined && v.host.trim() === "") usage("--host must not be empty");
  if (v.role !== undefined && !isRole(v.role)) usage(`--role must be ${ROLES.slice(0, -1).join(", ")} or ${ROLES.at(-1)}`);
  if (v.limit !== undefined && !/^[1-9]\d*$/.test(v.limit)) usage("--limit must be a whole number ≥ 1");
  if (v.state !== undefined && !(TASK_STATES as readonly string[]).includes(v.state)) usage(`--state must be one of ${TASK_STATES.join(", ")}`);
  if (v.status !== undefined && !["accepted", "ignored"].includes(v.status)) usage("--status must be accepted or ignored");
  if (v.id !== undefined && !DELIVERY_ID.test(v.id)) usage("--id must be 1 to 64 letters, digits and hyphens (like GitHub's delivery GUIDs)");
  if (v.url !== undefined && !URL.canParse(v.url)) {
    usage(command === "setup" ? "--url must be the public URL GitHub reaches this server at, e.g. https://hooks.example.com" : `--url must be a URL, e.g. http://127.0.0.1:3000`);
  }
  if (v.store !== undefined) {
    try {
      checkStoreUrl(v.store);
    } catch (err) {
      usage(`--store: ${(err as Error).message}`, "HOOKYARD_ERR_STORE_INVALID_URL");
    }
  }
}

/** `retry <task-id>`, or `retry --all-failed [--since D] [--name N]`. */
function checkRetry(v: Values, positionals: string[]): void {
  if (v["all-failed"] && positionals.length > 0) usage("retry takes a task id or --all-failed, not both");
  if (!v["all-failed"]) {
    if (positionals.length === 0) usage("retry needs a task id (see hookyard tasks --state failed), or --all-failed");
    if (v.since !== undefined || v.name !== undefined) usage(`--${v.since !== undefined ? "since" : "name"} goes with --all-failed`);
  }
  if (v.since !== undefined && !((parseDuration(v.since) ?? 0) > 0)) usage(`--since must be a duration like 30m, 2h or 3d, not "${v.since}"`);
}

/** The exit code of a failed command: 2 for what was wrong with the command line, else 1. */
export function exitCodeOf(err: unknown): number {
  return err instanceof UsageError || (err as { code?: unknown }).code === "HOOKYARD_ERR_CLI_USAGE" ? 2 : 1;
}

/** The one line a failed command prints: `hookyard: <message> (<code>)`. */
export function errorLine(err: unknown): string {
  const code = typeof (err as { code?: unknown }).code === "string" && (err as { code: string }).code.startsWith("HOOKYARD_ERR_")
    ? (err as { code: string }).code
    : "HOOKYARD_ERR_INTERNAL";
  const message = (err instanceof Error ? err.message : String(err)).replace(/\s*\n\s*/g, " ").trim();
  return `hookyard: ${message} (${code})`;
}
