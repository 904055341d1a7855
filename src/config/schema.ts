import { z } from "zod";
import { isCidr, parseRate, type RateSetting } from "./limits.js";
import { parseDuration, parseSize } from "./units.js";

const duration = (name: string) =>
  z.union([z.string(), z.number()]).transform((v, ctx) => {
    const ms = parseDuration(v);
    if (ms === undefined) {
      ctx.addIssue({ code: "custom", message: `${name} must be a duration like 500ms, 30s, 2m or 1h` });
      return z.NEVER;
    }
    return ms;
  });

const size = (name: string) =>
  z.union([z.string(), z.number()]).transform((v, ctx) => {
    const bytes = parseSize(v);
    if (bytes === undefined || bytes < 1) {
      ctx.addIssue({ code: "custom", message: `${name} must be a size like 1048576, 512kb or 25mb` });
      return z.NEVER;
    }
    return bytes;
  });

const flag = z.union([z.boolean(), z.string()]).transform((v) => v === true || v === "1" || v === "true");

const positiveInt = (name: string) =>
  z.union([z.string(), z.number()]).transform((v, ctx) => {
    const n = typeof v === "number" ? v : Number(v);
    if (!Number.isInteger(n) || n < 1) {
      ctx.addIssue({ code: "custom", message: `${name} must be a whole number ≥ 1` });
      return z.NEVER;
    }
    return n;
  });

const THREE_DAYS = 3 * 86_400_000;

/** A number given as a number or a string (the environment's spelling). */
const wholeNumber = () => z.coerce.number<number | string>().int();
const portNumber = wholeNumber().min(0).max(65535);

const count = (name: string) => z.coerce.number<number | string>().int(`${name} must be a whole number ≥ 0`).min(0, `${name} must be a whole number ≥ 0`);

/** A comma-separated string or an array: its trimmed, non-empty items. */
const list = z.union([z.string(), z.array(z.string())]).transform((v) => (Array.isArray(v) ? v : v.split(",")).map((s) => s.trim()).filter((s) => s.length > 0));

const rate = z.string().transform((v, ctx) => {
  const parsed = parseRate(v);
  if (!parsed) {
    ctx.addIssue({ code: "custom", message: "HOOKYARD_RATE_LIMIT must be requests per duration, like 100/1s or 600/1m" });
    return z.NEVER;
  }
  return parsed;
});
/** A retention: `0` (keep everything) or at least GitHub's 3-day redelivery window. */
const retention = (name: string) =>
  duration(name).pipe(z.number().refine((ms) => ms === 0 || ms >= THREE_DAYS, `${name} must be 0 (keep everything) or at least 3d: GitHub redelivers deliveries of the past three days, and a delivery pruned sooner could run its handlers twice`));

/**
 * Every setting: the option key passed to `new Hookyard({ … })`, the environment variable that
 * sets it, its default and what it does. docs/reference/config.md is generated from this table
 * (`npm run docs:config`) and a test checks it is current.
 */
export const CONFIG_FIELDS = {
  webhookSecret: { env: "WEBHOOK_SECRET", default: [], schema: list, doc: "Secret(s) GitHub signs deliveries with. Several comma-separated values are all accepted (rotation)." },
  insecureNoSecret: { env: "HOOKYARD_INSECURE_NO_SECRET", default: false, schema: flag, doc: "Set to 1 to start without a secret (every delivery is accepted unsigned). Never in production." },
  webhookPath: { env: "WEBHOOK_PATH", default: "/api/github/webhooks", schema: z.string().startsWith("/"), doc: "Path GitHub POSTs deliveries to." },
  port: { env: "PORT", default: 3000, schema: portNumber, doc: "HTTP port (0 picks a free one)." },
  host: { env: "HOST", default: "0.0.0.0", schema: z.string().min(1), doc: "Interface the HTTP server binds." },
  logLevel: { env: "LOG_LEVEL", default: "info", schema: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]), doc: "pino log level." },
  logFormat: { env: "LOG_FORMAT", default: "json", schema: z.enum(["json", "pretty"]), doc: "`json` (one object a line) or `pretty` (human-readable, for development)." },
  logMessageKey: { env: "LOG_MESSAGE_KEY", default: "msg", schema: z.string().min(1), doc: "The JSON key of a log line's message (Probot's `LOG_MESSAGE_KEY`)." },
  logLevelInString: { env: "LOG_LEVEL_IN_STRING", default: false, schema: flag, doc: "`true`: JSON log lines carry the level as a name (`\"level\":\"info\"`) instead of pino's number (Probot's `LOG_LEVEL_IN_STRING`)." },
  webhookProxyUrl: { env: "WEBHOOK_PROXY_URL", default: undefined, schema: z.string().regex(/^https?:\/\//, "WEBHOOK_PROXY_URL must be an http(s) URL").optional(), doc: "Development: a smee.io-style channel whose deliveries `hookyard serve` forwards to its own webhook path (with `smee-client`); they are signature-checked as any other." },
  sentryDsn: { env: "SENTRY_DSN", default: undefined, schema: z.string().min(1).optional(), doc: "Report failed task attempts to Sentry with their task, delivery and handler (`hookyard serve`; needs `@sentry/node` installed in the app's directory; without it a warning is logged)." },
  store: { env: "HOOKYARD_STORE", default: "sqlite:.hookyard/hookyard.db", schema: z.string().min(1), doc: "Where deliveries and tasks live: `sqlite:<path>` (embedded default, one process), `redis://host:6379/0[?prefix=…]` (BullMQ on Redis; only `HOOKYARD_STORE` selects it, never `REDIS_URL` alone), `postgres://user@host/db[?schema=…]` (BullMQ's Postgres backend, beta; `hookyard migrate` prepares it), or `memory:` (tests; nothing survives a restart)." },
  maxBody: { env: "HOOKYARD_MAX_BODY", default: 25 * 1024 * 1024, schema: size("HOOKYARD_MAX_BODY"), doc: "Largest accepted delivery body; larger ones get 413 without the rest being read. GitHub caps payloads at 25 MB." },
  concurrency: { env: "HOOKYARD_CONCURRENCY", default: 10, schema: positiveInt("HOOKYARD_CONCURRENCY"), doc: "Handlers run in parallel by this process (a task whose handler has ended frees its slot while its outcome is recorded). A handler that ignores its aborted signal keeps its slot until it returns (`task:overrun`): the limit holds." },
  shutdownTimeout: { env: "HOOKYARD_SHUTDOWN_TIMEOUT", default: 30_000, schema: duration("HOOKYARD_SHUTDOWN_TIMEOUT"), doc: "On SIGTERM/SIGINT, how long running tasks and open HTTP requests may finish; then tasks are aborted and queued again, requests answered 503 and every connection closed. The whole drain ends within this plus HOOKYARD_ACCEPT_TIMEOUT (and 2 s for closed connections), whatever clients and the store do." },
  taskTimeout: { env: "HOOKYARD_TASK_TIMEOUT", default: 600_000, schema: duration("HOOKYARD_TASK_TIMEOUT"), doc: "Default handler timeout (a handler's `timeout` option overrides it)." },
  lease: { env: "HOOKYARD_LEASE", default: 30_000, schema: duration("HOOKYARD_LEASE"), doc: "How long a claimed task stays owned without a heartbeat; after a crash its tasks run again once this has passed (within this plus HOOKYARD_POLL_INTERVAL). Renewed every third of it. On BullMQ also the lock jobs are fetched with." },
  pollInterval: { env: "HOOKYARD_POLL_INTERVAL", default: 1_000, schema: duration("HOOKYARD_POLL_INTERVAL"), doc: "How often idle workers look for tasks queued by other processes or whose lease expired. On BullMQ also how often its stalled-job check runs (at least every 100 ms)." },
  acceptTimeout: { env: "HOOKYARD_ACCEPT_TIMEOUT", default: "5s", schema: duration("HOOKYARD_ACCEPT_TIMEOUT").pipe(z.number().min(1, "HOOKYARD_ACCEPT_TIMEOUT must be more than 0")), doc: "How long a webhook request waits for the store to commit its delivery (GitHub waits 10 s). Past it the answer is 503 `HOOKYARD_ERR_STORE_UNAVAILABLE`, logged once per outage; a write that lands later still runs its tasks, and GitHub's redelivery of it answers `200 duplicate`. Also bounds each store call of a shutdown after HOOKYARD_SHUTDOWN_TIMEOUT." },
  headersTimeout: { env: "HOOKYARD_HEADERS_TIMEOUT", default: "10s", schema: duration("HOOKYARD_HEADERS_TIMEOUT").pipe(z.number().min(1, "HOOKYARD_HEADERS_TIMEOUT must be more than 0")), doc: "A connection must deliver a request's complete headers within this time (from its first byte, or from the connection's start), else it is answered 408 `HOOKYARD_ERR_HTTP_TIMEOUT` and closed: clients that open connections and send nothing, or send headers a byte at a time." },
  requestTimeout: { env: "HOOKYARD_REQUEST_TIMEOUT", default: "30s", schema: duration("HOOKYARD_REQUEST_TIMEOUT"), doc: "The slow-sender limit: a request's headers and body must have arrived within this time, else it is answered 408 `HOOKYARD_ERR_HTTP_TIMEOUT` and its connection closed. At least HOOKYARD_HEADERS_TIMEOUT; `0` disables it." },
  keepAliveTimeout: { env: "HOOKYARD_KEEP_ALIVE_TIMEOUT", default: "72s", schema: duration("HOOKYARD_KEEP_ALIVE_TIMEOUT"), doc: "How long an idle keep-alive connection stays open for its next request. Behind a load balancer keep it above the balancer's own idle timeout (nginx and AWS ALB: 60 s), or the balancer may send a request on a connection this server is closing." },
  socketTimeout: { env: "HOOKYARD_SOCKET_TIMEOUT", default: "60s", schema: duration("HOOKYARD_SOCKET_TIMEOUT"), doc: "A connection on which no byte moves for this long while a request is open (a client that stalls mid-request or stops reading the answer) is closed. Keep it above HOOKYARD_ACCEPT_TIMEOUT and the run time of `inline` handlers; `0` disables it." },
  apiToken: { env: "HOOKYARD_API_TOKEN", default: undefined, schema: z.string().min(16, "HOOKYARD_API_TOKEN must be at least 16 characters").optional(), doc: "Bearer token for the management API. Unset: only loopback callers are answered." },
  metricsPort: { env: "HOOKYARD_METRICS_PORT", default: undefined, schema: portNumber.optional(), doc: "Serve `/metrics` on this port of `HOST` too, without authentication (for a scraper on a private network); unset: `/metrics` is on `PORT`, authorized like the management API." },
  workers: { env: "HOOKYARD_WORKERS", default: true, schema: flag, doc: "Run tasks in this process (set 0 for an ingress-only process)." },
  role: { env: "HOOKYARD_ROLE", default: "all", schema: z.enum(["all", "ingress", "worker"]), doc: "What this process does: `ingress` verifies, stores and enqueues deliveries (no workers); `worker` runs tasks (no webhook route; health and the management API stay); `all` both. Run any number of each against a shared store." },
  appId: { env: "APP_ID", default: undefined, schema: z.union([z.string(), z.number().int()]).transform(String).pipe(z.string().regex(/^(\d+|Iv[0-9A-Za-z.]+)$/, "APP_ID must be the App's numeric id or its client id (Iv…)")).optional(), doc: "The GitHub App's id (or client id). With a private key, handlers get an installation-authenticated `ctx.octokit`." },
  privateKey: { env: "PRIVATE_KEY", default: undefined, schema: z.string().min(1).optional(), doc: "The App's private key: PEM, PEM with `\\n` escapes (one line of `.env`), or the PEM file base64-encoded, as Probot takes it." },
  privateKeyPath: { env: "PRIVATE_KEY_PATH", default: undefined, schema: z.string().min(1).optional(), doc: "A file holding the App's private key (used when `PRIVATE_KEY` is unset)." },
  githubApiUrl: { env: "HOOKYARD_GITHUB_API_URL", default: undefined, schema: z.url("HOOKYARD_GITHUB_API_URL must be a URL").optional(), doc: "GitHub's REST API base URL. Default `https://api.github.com`, or `GHE_PROTOCOL://GHE_HOST/api/v3` when `GHE_HOST` is set." },
  gheHost: { env: "GHE_HOST", default: undefined, schema: z.string().min(1).optional(), doc: "GitHub Enterprise Server host name (Probot's setting)." },
  gheProtocol: { env: "GHE_PROTOCOL", default: "https", schema: z.enum(["https", "http"]), doc: "Protocol of `GHE_HOST`." },
  redisUrl: { env: "REDIS_URL", default: undefined, schema: z.string().regex(/^rediss?:\/\//, "REDIS_URL must be a redis:// or rediss:// URL").optional(), doc: "Redis shared by a fleet of processes (Probot's meaning): installation tokens are cached there (encrypted with a key derived from the App's private key), so the fleet asks GitHub once per installation and hour, and writes are paced there per installation for the whole fleet (the throttling plugin's limiters, in Bottleneck's clustering mode). It never selects the store: that is `HOOKYARD_STORE` alone." },
  redeliveryInterval: { env: "HOOKYARD_REDELIVERY_INTERVAL", default: "10m", schema: duration("HOOKYARD_REDELIVERY_INTERVAL"), doc: "With an App configured, `start()` looks through the App's delivery log for deliveries that never reached Hookyard (every attempt failed, not in the store) and asks GitHub to redeliver them: once at start, then at this interval. `0` disables it. See docs/guides/github.md." },
  redeliveryLookback: { env: "HOOKYARD_REDELIVERY_LOOKBACK", default: "3d", schema: duration("HOOKYARD_REDELIVERY_LOOKBACK").pipe(z.number().max(THREE_DAYS, "HOOKYARD_REDELIVERY_LOOKBACK must be at most 3d (GitHub redelivers deliveries of the past three days)")), doc: "How far back the missed-delivery recovery looks when it has no checkpoint yet (its first run on a store). Later runs look back to where the previous run stopped. At most `3d`, GitHub's redelivery window." },
  githubCircuitThreshold: { env: "HOOKYARD_GITHUB_CIRCUIT_THRESHOLD", default: 5, schema: count("HOOKYARD_GITHUB_CIRCUIT_THRESHOLD"), doc: "Consecutive GitHub requests that fail with a 5xx or no answer (each after Octokit's own retries) that open the GitHub host's circuit breaker: while it is open, requests are not made and their tasks are queued for the end of the cool-down without counting an attempt. A 4xx closes nothing and opens nothing. `0` turns the breaker off. See docs/guides/operations.md." },
  githubCircuitCooldown: { env: "HOOKYARD_GITHUB_CIRCUIT_COOLDOWN", default: "30s", schema: duration("HOOKYARD_GITHUB_CIRCUIT_COOLDOWN").pipe(z.number().min(1, "HOOKYARD_GITHUB_CIRCUIT_COOLDOWN must be more than 0")), doc: "How long the GitHub circuit stays open before one probe request runs (half-open): its success closes the circuit, its failure opens it again for this long." },
  agentCircuitThreshold: { env: "HOOKYARD_AGENT_CIRCUIT_THRESHOLD", default: 5, schema: count("HOOKYARD_AGENT_CIRCUIT_THRESHOLD"), doc: "Consecutive agent runs that crash (exit non-zero, killed by a signal, cannot start) or time out that open the agent circuit breaker: while it is open, agent stages are queued for the end of the cool-down without counting an attempt. A run that succeeds in between starts the count again. `0` turns it off (for agents that often exit non-zero on purpose)." },
  agentCircuitCooldown: { env: "HOOKYARD_AGENT_CIRCUIT_COOLDOWN", default: "5m", schema: duration("HOOKYARD_AGENT_CIRCUIT_COOLDOWN").pipe(z.number().min(1, "HOOKYARD_AGENT_CIRCUIT_COOLDOWN must be more than 0")), doc: "How long the agent circuit stays open before one probe run may start." },
  notifyUrl: { env: "HOOKYARD_NOTIFY_URL", default: undefined, schema: z.url({ protocol: /^https?$/, error: "HOOKYARD_NOTIFY_URL must be an http(s) URL" }).optional(), doc: "Where a signed JSON POST goes when a task fails for good (and, with HOOKYARD_NOTIFY_ON, when one completes). Sent by a durable task of its own (`hookyard:notify`, retried with backoff). A Slack incoming-webhook URL (`https://hooks.slack.com/…`) gets Slack's `{ text, blocks }`. See docs/guides/operations.md." },
  notifySecret: { env: "HOOKYARD_NOTIFY_SECRET", default: undefined, schema: z.string().min(1).optional(), doc: "Signs notifications: `X-Hookyard-Signature-256: sha256=<HMAC-SHA256 of the body, hex>`, as GitHub signs webhooks. Unset: no signature header." },
  notifyOn: { env: "HOOKYARD_NOTIFY_ON", default: "failed", schema: list.pipe(z.array(z.enum(["failed", "completed"], "HOOKYARD_NOTIFY_ON must be failed or failed,completed")).min(1)), doc: "Which task endings are notified: `failed` (retries spent or unrecoverable), or `failed,completed`." },
  rateLimit: { env: "HOOKYARD_RATE_LIMIT", default: undefined, schema: rate.optional(), doc: "Per-source limit of webhook requests, e.g. `100/1s` (a token bucket per client address holding that many, refilled over that time). Past it the answer is 429 `HOOKYARD_ERR_INGRESS_RATE_LIMITED` with `Retry-After`. Unset: no limit." },
  allowedCidrs: { env: "HOOKYARD_ALLOWED_CIDRS", default: [], schema: list.pipe(z.array(z.string().refine(isCidr, "HOOKYARD_ALLOWED_CIDRS must be comma-separated IPv4/IPv6 CIDRs such as 140.82.112.0/20"))), doc: "Comma-separated IPv4/IPv6 networks whose webhook requests are accepted; others get 403 `HOOKYARD_ERR_INGRESS_SOURCE_FORBIDDEN` before their body is read. Unset: every source. GitHub publishes its webhook sources as `hooks` in `GET /meta` (they change: see docs/guides/operations.md)." },
  retention: { env: "HOOKYARD_RETENTION", default: "30d", schema: retention("HOOKYARD_RETENTION"), doc: "Deliveries received longer ago than this, whose tasks all finished, are pruned in the background with their tasks and bodies (every backend); their ids stay as dedup tombstones (a redelivery is answered duplicate) until twice this has passed. `0` keeps everything. At least `3d`. See docs/guides/retention.md." },
  failedRetention: { env: "HOOKYARD_FAILED_RETENTION", default: "90d", schema: retention("HOOKYARD_FAILED_RETENTION"), doc: "A delivery with a failed task (dead letter) is kept until the task failed this long ago (and HOOKYARD_RETENTION has passed), so it can be looked at and retried. At least `3d`." },
  pruneInterval: { env: "HOOKYARD_PRUNE_INTERVAL", default: "5m", schema: duration("HOOKYARD_PRUNE_INTERVAL"), doc: "How often the background pruner makes a pass (in small batches with pauses, one process at a time on a shared store). `0` turns the pruner off (`hookyard prune` still works)." },
  agentCommand: { env: "HOOKYARD_AGENT_COMMAND", default: undefined, schema: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(), doc: "Turns on the agent workflow under `hookyard serve`: the coding agent's argv, a JSON array (`[\"claude\",\"-p\",\"{prompt}\"]`) or a string split shell-style without a shell. `{prompt}`, `{prompt_file}` and `{task_file}` in an element are replaced. See docs/guides/agent-workflow.md." },
  agentLabel: { env: "HOOKYARD_AGENT_LABEL", default: "agent", schema: z.string().min(1).max(50), doc: "The issue label that starts an agent run (`/agent <text>` comments from users with write access also do)." },
  agentTimeout: { env: "HOOKYARD_AGENT_TIMEOUT", default: "30m", schema: duration("HOOKYARD_AGENT_TIMEOUT"), doc: "How long one agent run may take before its process group is killed; the work so far is still pushed." },
  agentFixAttempts: { env: "HOOKYARD_AGENT_FIX_ATTEMPTS", default: 3, schema: wholeNumber().min(0).max(100), doc: "Agent runs that fix failed CI on one pull request; then a comment asks for a person." },
  agentMaxRunsPerDay: { env: "HOOKYARD_AGENT_MAX_RUNS_PER_DAY", default: 50, schema: wholeNumber().min(0), doc: "Agent runs started per repository and UTC day (issue runs, fixes and reviews together)." },
  agentDraft: { env: "HOOKYARD_AGENT_DRAFT", default: true, schema: flag, doc: "Open the agent's pull requests as drafts." },
  agentAllowWorkflowChanges: { env: "HOOKYARD_AGENT_ALLOW_WORKFLOW_CHANGES", default: false, schema: flag, doc: "Push changes under `.github/workflows/` (refused with a comment by default)." },
  agentMaxChangedFiles: { env: "HOOKYARD_AGENT_MAX_CHANGED_FILES", default: 100, schema: positiveInt("HOOKYARD_AGENT_MAX_CHANGED_FILES"), doc: "A change touching more files is refused with a comment." },
  agentSandbox: { env: "HOOKYARD_AGENT_SANDBOX", default: "none", schema: z.enum(["none", "bwrap"]), doc: "`bwrap`: run the agent under bubblewrap (read-only system, writable workspace and private /tmp, the server's files masked, own PID namespace, no capabilities). Recommended for untrusted issues." },
  agentNetwork: { env: "HOOKYARD_AGENT_NETWORK", default: true, schema: flag, doc: "With the sandbox, whether the agent has network access (agents that call a model API need it)." },
  agentPassEnv: { env: "HOOKYARD_AGENT_PASS_ENV", default: [], schema: list.pipe(z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "HOOKYARD_AGENT_PASS_ENV must name environment variables"))), doc: "Comma-separated names of environment variables passed to the agent (e.g. `ANTHROPIC_API_KEY`); apart from these it gets only PATH, HOME, locale and its task files." },
  agentReviewDebounce: { env: "HOOKYARD_AGENT_REVIEW_DEBOUNCE", default: "30s", schema: duration("HOOKYARD_AGENT_REVIEW_DEBOUNCE"), doc: "After a review asking for changes, how long to wait so the review's comments arrive together before the agent runs." },
  gitUrl: { env: "HOOKYARD_GIT_URL", default: undefined, schema: z.url("HOOKYARD_GIT_URL must be a URL").transform((u) => u.replace(/\/+$/, "")).optional(), doc: "The only origin the agent workflow clones from and pushes to. Default `https://github.com`, or `https://GHE_HOST`. Plain `http` only on loopback (tests)." },
  publicUrl: { env: "HOOKYARD_PUBLIC_URL", default: undefined, schema: z.url("HOOKYARD_PUBLIC_URL must be a URL").transform((u) => u.replace(/\/+$/, "")).optional(), doc: "The URL GitHub reaches this server at (e.g. `https://hooks.example.com`). `/setup` uses it for the App manifest's webhook URL, and GitHub login for its callback URL (`<url>/auth/github/callback`); unset, the URL the browser used." },
  clientId: { env: "GITHUB_CLIENT_ID", default: undefined, schema: z.string().min(1).optional(), doc: "The client id of the GitHub App (or OAuth App) users log in with. With `GITHUB_CLIENT_SECRET` and `HOOKYARD_SESSION_SECRET`, `/auth/github/*` is served and `requireUser()` works; see docs/guides/oauth.md. `hookyard setup` writes it." },
  clientSecret: { env: "GITHUB_CLIENT_SECRET", default: undefined, schema: z.string().min(1).optional(), doc: "The client secret that goes with `GITHUB_CLIENT_ID`." },
  sessionSecret: { env: "HOOKYARD_SESSION_SECRET", default: undefined, schema: list.pipe(z.array(z.string().min(32, "HOOKYARD_SESSION_SECRET must be at least 32 characters (each, when several)"))).optional(), doc: "Secret(s) that seal the login session cookies (AES-256-GCM, keys derived with HKDF), at least 32 characters. Comma-separate several to rotate: the first seals, all open." },
  sessionTtl: { env: "HOOKYARD_SESSION_TTL", default: "7d", schema: duration("HOOKYARD_SESSION_TTL").pipe(z.number().min(60_000, "HOOKYARD_SESSION_TTL must be at least 1m")), doc: "How long a login session lasts at most, whatever token refreshes happen inside it." },
  oauthScopes: { env: "HOOKYARD_OAUTH_SCOPES", default: undefined, schema: z.string().optional(), doc: "Scopes asked for at login, space- or comma-separated (OAuth Apps only, e.g. `read:org`; a GitHub App's user tokens carry the App's permissions instead)." },
  githubWebUrl: { env: "HOOKYARD_GITHUB_WEB_URL", default: undefined, schema: z.url("HOOKYARD_GITHUB_WEB_URL must be a URL").transform((u) => u.replace(/\/+$/, "")).optional(), doc: "GitHub's web address for the login pages and token endpoint. Default `https://github.com`, `GHE_PROTOCOL://GHE_HOST` with `GHE_HOST`, or the API URL without `/api/v3` when `HOOKYARD_GITHUB_API_URL` is set." },
  consoleUsers: { env: "HOOKYARD_CONSOLE_USERS", default: [], schema: list, doc: "GitHub logins (comma-separated) who may use the web console at `/console` through GitHub login (needs GitHub login configured). The API token works too. See docs/guides/console.md." },
  consoleTeams: { env: "HOOKYARD_CONSOLE_TEAMS", default: [], schema: list, doc: "Teams (`org/team-slug`, comma-separated) whose members may use the web console through GitHub login (read with the user's token: the App needs the organization Members read permission)." },
} as const;

type Fields = typeof CONFIG_FIELDS;
export type ConfigKey = keyof Fields;
/** The settings without a default: unset, they are `undefined`. */
type UnsetKey = { [K in ConfigKey]: Fields[K]["default"] extends undefined ? K : never }[ConfigKey];

/**
 * The configuration after defaults and validation, derived from {@link CONFIG_FIELDS}: each
 * setting's parsed value (durations in ms, sizes in bytes), optional where the setting has no
 * default. See docs/reference/config.md.
 *
 * @example
 * ```ts
 * const config: HookyardConfig = loadConfig({ port: 0 }, {});
 * config.notifyOn; // ("failed" | "completed")[]
 * ```
 */
export type HookyardConfig = { -readonly [K in Exclude<ConfigKey, UnsetKey>]: z.output<Fields[K]["schema"]> } & { -readonly [K in UnsetKey]?: z.output<Fields[K]["schema"]> };

/**
 * What `new Hookyard(options)` accepts, derived from {@link CONFIG_FIELDS}: every setting optional,
 * in any form its schema parses (durations, sizes and numbers as numbers or strings).
 *
 * @example
 * ```ts
 * const input: ConfigInput = { port: 0, shutdownTimeout: "10s", notifyOn: "failed,completed" };
 * ```
 */
export type ConfigInput = { -readonly [K in ConfigKey]?: z.input<Fields[K]["schema"]> };

/** The table's schemas as one shape, key by key. */
function shapeOf<F extends { [K in keyof F]: { schema: z.ZodType } }>(fields: F): { [K in keyof F]: F[K]["schema"] } {
  const shape = {} as { [K in keyof F]: F[K]["schema"] };
  for (const key in fields) shape[key] = fields[key].schema;
  return shape;
}

/** Every setting's schema in one `z.object`: `loadConfig` parses the resolved raw values with it. */
export const CONFIG_SCHEMA = z.object(shapeOf(CONFIG_FIELDS));
