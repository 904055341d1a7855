/**
 * Every error Hookyard raises, with a stable code and (where it applies) an HTTP status.
 * The table in docs/reference/errors.md lists the same codes; a test keeps the two in step.
 * Messages never contain secrets, tokens or keys.
 */

/** The registry: code → HTTP status and a one-line description used in the docs. */
export const ERRORS = {
  HOOKYARD_ERR_CONFIG_INVALID: { status: 500, doc: "A setting (option or environment variable) has an invalid value." },
  HOOKYARD_ERR_CONFIG_NO_SECRET: { status: 500, doc: "No WEBHOOK_SECRET is configured and HOOKYARD_INSECURE_NO_SECRET=1 is not set." },
  HOOKYARD_ERR_INGRESS_BODY_TOO_LARGE: { status: 413, doc: "The request body is larger than HOOKYARD_MAX_BODY." },
  HOOKYARD_ERR_INGRESS_SIGNATURE_MISSING: { status: 401, doc: "The X-Hub-Signature-256 header is missing." },
  HOOKYARD_ERR_INGRESS_SIGNATURE_INVALID: { status: 401, doc: "X-Hub-Signature-256 does not match the body for any configured secret." },
  HOOKYARD_ERR_INGRESS_HEADER_MISSING: { status: 400, doc: "X-GitHub-Event or X-GitHub-Delivery is missing or empty." },
  HOOKYARD_ERR_INGRESS_UNSUPPORTED_MEDIA_TYPE: { status: 415, doc: "The content type is neither application/json nor application/x-www-form-urlencoded." },
  HOOKYARD_ERR_INGRESS_PAYLOAD_INVALID: { status: 400, doc: "The signed body is not a JSON object (or the form field `payload` is missing or not JSON)." },
  HOOKYARD_ERR_INGRESS_SHUTTING_DOWN: { status: 503, doc: "The server is draining and takes no new deliveries; GitHub's redelivery or the missed-delivery recovery will bring it back." },
  HOOKYARD_ERR_INGRESS_HEADER_DUPLICATE: { status: 400, doc: "X-GitHub-Event, X-GitHub-Delivery, X-Hub-Signature-256 or Content-Type appears more than once (GitHub sends each once; Node would join the values with \", \")." },
  HOOKYARD_ERR_INGRESS_DELIVERY_ID_INVALID: { status: 400, doc: "X-GitHub-Delivery (or the id given to `receive()`) is not 1 to 64 letters, digits and hyphens. GitHub sends a GUID such as `72d3162e-cc78-11e3-81ab-4c9367dc0958`; the limit keeps every stored delivery addressable as `/api/v1/deliveries/:id`." },
  HOOKYARD_ERR_STORE_UNAVAILABLE: { status: 503, doc: "The store could not commit or read (disk full, database locked, store closed, Redis or PostgreSQL unreachable), a delivery was not committed within HOOKYARD_ACCEPT_TIMEOUT (GitHub may redeliver it: a delivery whose write landed late answers `200 duplicate`), or the store could not be opened at start (the message names the path or server)." },
  HOOKYARD_ERR_STORE_INVALID_URL: { status: 500, doc: "HOOKYARD_STORE is not one of the accepted forms: `sqlite:<path>`, `memory:`, `redis://host:port/db?prefix=…&queue=…` (or `rediss://`), `postgres://user@host/db?schema=…&queue=…` (or `postgresql://`)." },
  HOOKYARD_ERR_STORE_REDIS_EVICTION: { status: 500, doc: "The Redis server's maxmemory-policy is not `noeviction`, so Redis could evict stored deliveries and tasks. Fix: `CONFIG SET maxmemory-policy noeviction` and `maxmemory-policy noeviction` in redis.conf." },
  HOOKYARD_ERR_STORE_MIGRATION_REQUIRED: { status: 503, doc: "The Postgres schema of the BullMQ store is missing or older than this Hookyard: run `hookyard migrate` (the exported `migrate(url)`), or open the store with `migrate=true`." },
  HOOKYARD_ERR_EVENT_UNKNOWN: { status: 500, doc: "`app.on()` was given an event name GitHub does not send." },
  HOOKYARD_ERR_HANDLER_DUPLICATE_NAME: { status: 500, doc: "Two handlers were registered with the same task name." },
  HOOKYARD_ERR_HANDLER_OPTIONS_INVALID: { status: 500, doc: "Handler options (retries, backoff, timeout, name) are invalid." },
  HOOKYARD_ERR_TASK_NO_HANDLER: { status: 500, doc: "A stored task names a handler that is not registered in this process (the app changed); the task fails and can be retried after a deploy." },
  HOOKYARD_ERR_TASK_TIMEOUT: { status: 500, doc: "A handler ran longer than its timeout; ctx.signal was aborted and the attempt counts as failed once the handler returns (until then it keeps its slot and the task: `task:overrun`)." },
  HOOKYARD_ERR_TASK_LEASE_EXPIRED: { status: 500, doc: "The process running an attempt stopped renewing its lease (it crashed); the attempt counts as failed and the task runs again." },
  HOOKYARD_ERR_TASK_INTERRUPTED: { status: 500, doc: "Shutdown aborted a running attempt; the task is queued again and the attempt does not count." },
  HOOKYARD_ERR_TASK_NON_ERROR_THROWN: { status: 500, doc: "A handler threw something that is not an Error; it was wrapped." },
  HOOKYARD_ERR_API_UNAUTHORIZED: { status: 401, doc: "The management API needs `Authorization: Bearer $HOOKYARD_API_TOKEN` (or a loopback caller when no token is set)." },
  HOOKYARD_ERR_API_NOT_FOUND: { status: 404, doc: "No delivery, task or route with that id." },
  HOOKYARD_ERR_API_BAD_REQUEST: { status: 400, doc: "A query parameter or cursor is invalid." },
  HOOKYARD_ERR_API_CONFLICT: { status: 409, doc: "The task is not in a state that allows the action (e.g. retrying a completed task)." },
  HOOKYARD_ERR_HTTP_BAD_REQUEST: { status: 400, doc: "The request could not be parsed: a malformed request line, header or chunk, or a URL that is not valid percent-encoding. The connection is closed after the answer." },
  HOOKYARD_ERR_HTTP_TIMEOUT: { status: 408, doc: "The request's headers did not arrive within HOOKYARD_HEADERS_TIMEOUT, or the whole request within HOOKYARD_REQUEST_TIMEOUT. The connection is closed after the answer." },
  HOOKYARD_ERR_HTTP_BODY_TOO_LARGE: { status: 413, doc: "A request body on a route other than the webhook is larger than 1 MiB (the webhook's limit is HOOKYARD_MAX_BODY: HOOKYARD_ERR_INGRESS_BODY_TOO_LARGE). The connection is closed after the answer." },
  HOOKYARD_ERR_HTTP_URL_TOO_LONG: { status: 414, doc: "A path segment (e.g. an id in `/api/v1/deliveries/:id`) is longer than 100 characters; stored ids are at most 64." },
  HOOKYARD_ERR_HTTP_UNSUPPORTED_MEDIA_TYPE: { status: 415, doc: "A request body on a route other than the webhook is not `application/json`." },
  HOOKYARD_ERR_HTTP_HEADERS_TOO_LARGE: { status: 431, doc: "The request's headers are larger than Node's limit (16 KiB, `--max-http-header-size`). The connection is closed after the answer." },
  HOOKYARD_ERR_HTTP_SHUTTING_DOWN: { status: 503, doc: "The server is closing: this request was still open (or arrived) when the shutdown drain ended, so it was not completed. Send it again (another instance, or after the restart)." },
  HOOKYARD_ERR_HTTP_LISTEN_FAILED: { status: 500, doc: "The HTTP server could not listen: the port is in use (EADDRINUSE), not allowed (EACCES) or the host is not an address of this machine (EADDRNOTAVAIL). The message names host and port." },
  HOOKYARD_ERR_CLI_USAGE: { status: 400, doc: "The CLI was called with missing or invalid arguments." },
  HOOKYARD_ERR_CLI_REQUEST_FAILED: { status: 502, doc: "The CLI could not reach the server or the server answered with an error." },
  HOOKYARD_ERR_APP_MODULE: { status: 500, doc: "The app module could not be loaded or does not export a function." },
  HOOKYARD_ERR_INTERNAL: { status: 500, doc: "An unexpected internal error; the log has the details." },
  HOOKYARD_ERR_GITHUB_NOT_CONFIGURED: { status: 500, doc: "An App-authenticated call was asked for but APP_ID and a private key (PRIVATE_KEY or PRIVATE_KEY_PATH) are not both set." },
  HOOKYARD_ERR_GITHUB_PRIVATE_KEY_INVALID: { status: 500, doc: "The App's private key is not a PEM RSA key, or PRIVATE_KEY_PATH cannot be read." },
  HOOKYARD_ERR_GITHUB_TOKEN_FAILED: { status: 502, doc: "GitHub refused or failed to issue an installation token (wrong App id or key, installation removed, GitHub unreachable)." },
  HOOKYARD_ERR_GITHUB_RATE_LIMITED: { status: 429, doc: "GitHub's rate limit is spent until a reset time; the task is queued for that time and the attempt does not count." },
  HOOKYARD_ERR_CONFIG_REPO_INVALID: { status: 500, doc: "A repository config file read by `ctx.config()` cannot be used: invalid YAML or JSON, not a mapping, a directory, an unsupported extension, a bad `_extends` value, or an `_extends` loop. The message names the file." },
  HOOKYARD_ERR_PROBOT_UNSUPPORTED: { status: 501, doc: "A Probot API Hookyard does not provide was called (`getRouter`, `addHandler`, `githubToken`, `run(argv)`); see docs/guides/probot.md." },
  HOOKYARD_ERR_REDELIVERY_FAILED: { status: 502, doc: "The missed-delivery recovery could not read the App's delivery log (GitHub refused or could not be reached); the next run tries again." },
  HOOKYARD_ERR_SETUP_FORBIDDEN: { status: 403, doc: "`/setup` answers only loopback callers, or a link carrying the setup token printed in the server log." },
  HOOKYARD_ERR_SETUP_STATE_INVALID: { status: 400, doc: "The App-manifest callback's `state` is missing, unknown, expired or already used (CSRF protection): start again from `/setup`." },
  HOOKYARD_ERR_SETUP_CODE_INVALID: { status: 400, doc: "The App-manifest callback has no `code`, or GitHub no longer accepts it (codes work once, for an hour)." },
  HOOKYARD_ERR_SETUP_CONVERSION_FAILED: { status: 502, doc: "GitHub did not convert the App manifest (unreachable, or an unexpected answer)." },
  HOOKYARD_ERR_SETUP_ENV_WRITE_FAILED: { status: 500, doc: "The new App's credentials could not be written to the `.env` file." },
} as const satisfies Record<string, { status: number; doc: string }>;

/** A stable Hookyard error code such as `HOOKYARD_ERR_INGRESS_SIGNATURE_INVALID`. */
export type ErrorCode = keyof typeof ERRORS;

/**
 * The error class behind every code in {@link ERRORS}.
 *
 * @example
 * ```ts
 * throw new HookyardError("HOOKYARD_ERR_API_NOT_FOUND", `no task ${id}`);
 * ```
 */
export class HookyardError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "HookyardError";
    this.code = code;
    this.statusCode = ERRORS[code].status;
  }

  /** The JSON body every HTTP error answers with. */
  toJSON(): { error: { code: ErrorCode; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

/** True when `err` is a {@link HookyardError} with the given code (or any code when omitted). */
export function isHookyardError(err: unknown, code?: ErrorCode): err is HookyardError {
  return err instanceof HookyardError && (code === undefined || err.code === code);
}
