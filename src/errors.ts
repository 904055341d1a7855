/**
 * Every error Hookyard raises, with a stable code named after the domain that raises it. The HTTP
 * status a code is answered with is decided at the edge (src/http/error-status.ts), not here.
 * The table in docs/reference/errors.md lists the same codes; a test keeps the two in step.
 * Messages never contain secrets, tokens or keys.
 */

/** The registry: code → a one-line description used in the docs. */
export const ERRORS = {
  HOOKYARD_ERR_CONFIG_INVALID: { doc: "A setting (option or environment variable) has an invalid value." },
  HOOKYARD_ERR_CONFIG_NO_SECRET: { doc: "No WEBHOOK_SECRET is configured and HOOKYARD_INSECURE_NO_SECRET=1 is not set." },
  HOOKYARD_ERR_INGRESS_BODY_TOO_LARGE: { doc: "The request body is larger than HOOKYARD_MAX_BODY." },
  HOOKYARD_ERR_INGRESS_SIGNATURE_MISSING: { doc: "The X-Hub-Signature-256 header is missing." },
  HOOKYARD_ERR_INGRESS_SIGNATURE_INVALID: { doc: "X-Hub-Signature-256 does not match the body for any configured secret." },
  HOOKYARD_ERR_INGRESS_HEADER_MISSING: { doc: "X-GitHub-Event or X-GitHub-Delivery is missing or empty." },
  HOOKYARD_ERR_INGRESS_UNSUPPORTED_MEDIA_TYPE: { doc: "The content type is neither application/json nor application/x-www-form-urlencoded." },
  HOOKYARD_ERR_INGRESS_PAYLOAD_INVALID: { doc: "The signed body is not a JSON object (or the form field `payload` is missing or not JSON)." },
  HOOKYARD_ERR_INGRESS_SHUTTING_DOWN: { doc: "The server is draining and takes no new deliveries; GitHub's redelivery or the missed-delivery recovery will bring it back." },
  HOOKYARD_ERR_INGRESS_RATE_LIMITED: { doc: "The client address sent more webhook requests than HOOKYARD_RATE_LIMIT allows; the `Retry-After` header says how many seconds until one more is accepted." },
  HOOKYARD_ERR_INGRESS_SOURCE_FORBIDDEN: { doc: "The client address is in none of the networks of HOOKYARD_ALLOWED_CIDRS; the body is not read." },
  HOOKYARD_ERR_STORE_NOT_FOUND: { doc: "No delivery or task with that id is in the store (never stored, or pruned)." },
  HOOKYARD_ERR_STORE_QUERY_INVALID: { doc: "A list query's page size is not a whole number ≥ 1, or its cursor was not made by the store (a page's `nextCursor`)." },
  HOOKYARD_ERR_STORE_RECORD_INVALID: { doc: "A record given to the store is invalid: kind 1–64 and key 1–512 characters without NUL, value JSON-serialisable and at most 1 MiB as JSON, expected version a whole number ≥ 0." },
  HOOKYARD_ERR_STORE_CONFLICT: { doc: "A stored record changed since it was read (another process wrote it first); read it again and retry." },
  HOOKYARD_ERR_INGRESS_HEADER_DUPLICATE: { doc: "X-GitHub-Event, X-GitHub-Delivery, X-Hub-Signature-256 or Content-Type appears more than once (GitHub sends each once; Node would join the values with \", \")." },
  HOOKYARD_ERR_INGRESS_DELIVERY_ID_INVALID: { doc: "X-GitHub-Delivery (or the id given to `receive()`) is not 1 to 64 letters, digits and hyphens. GitHub sends a GUID such as `72d3162e-cc78-11e3-81ab-4c9367dc0958`; the limit keeps every stored delivery addressable as `/api/v1/deliveries/:id`." },
  HOOKYARD_ERR_STORE_UNAVAILABLE: { doc: "The store could not commit or read (disk full, database locked, store closed, Redis or PostgreSQL unreachable), a delivery was not committed within HOOKYARD_ACCEPT_TIMEOUT (GitHub may redeliver it: a delivery whose write landed late answers `200 duplicate`), or the store could not be opened at start (the message names the path or server)." },
  HOOKYARD_ERR_STORE_INVALID_URL: { doc: "HOOKYARD_STORE is not one of the accepted forms: `sqlite:<path>`, `memory:`, `redis://host:port/db?prefix=…&queue=…` (or `rediss://`), `postgres://user@host/db?schema=…&queue=…` (or `postgresql://`)." },
  HOOKYARD_ERR_STORE_REDIS_EVICTION: { doc: "The Redis server's maxmemory-policy is not `noeviction`, so Redis could evict stored deliveries and tasks. Fix: `CONFIG SET maxmemory-policy noeviction` and `maxmemory-policy noeviction` in redis.conf." },
  HOOKYARD_ERR_STORE_DRIVER_MISSING: { doc: "HOOKYARD_STORE (or REDIS_URL) names a store whose driver is an optional package that is not installed: `npm install bullmq ioredis` for `redis://`, `npm install bullmq pg` for `postgres://`, `npm install ioredis` for the token cache on REDIS_URL. The message names the command." },
  HOOKYARD_ERR_STORE_MIGRATION_REQUIRED: { doc: "The Postgres schema of the BullMQ store is missing or older than this Hookyard: run `hookyard migrate` (the exported `migrate(url)`), or open the store with `migrate=true`." },
  HOOKYARD_ERR_EVENT_UNKNOWN: { doc: "`app.on()` was given no event name, or `\"*\"` (use `app.onAny()`). A name GitHub does not send is only warned about, as in Probot 14." },
  HOOKYARD_ERR_HANDLER_DUPLICATE_NAME: { doc: "Two handlers were registered with the same task name." },
  HOOKYARD_ERR_HANDLER_OPTIONS_INVALID: { doc: "Handler options (retries, backoff, timeout, name) are invalid." },
  HOOKYARD_ERR_TASK_NO_HANDLER: { doc: "A stored task names a handler that is not registered in this process (the app changed); the task fails and can be retried after a deploy." },
  HOOKYARD_ERR_TASK_TIMEOUT: { doc: "A handler ran longer than its timeout; ctx.signal was aborted and the attempt counts as failed once the handler returns (until then it keeps its slot and the task: `task:overrun`)." },
  HOOKYARD_ERR_TASK_LEASE_EXPIRED: { doc: "The process running an attempt stopped renewing its lease (it crashed); the attempt counts as failed and the task runs again." },
  HOOKYARD_ERR_TASK_INTERRUPTED: { doc: "Shutdown aborted a running attempt; the task is queued again and the attempt does not count." },
  HOOKYARD_ERR_TASK_CIRCUIT_OPEN: { doc: "A circuit breaker (`github:<host>` after consecutive 5xx or unanswered GitHub requests, `agent` after consecutive agent crashes or timeouts) is open, so the call was not made; the task is queued for the end of the cool-down and the attempt does not count." },
  HOOKYARD_ERR_TASK_DELIVERY_MISSING: { doc: "A task's delivery (the body its payload is parsed from) is no longer in the store, e.g. removed by hand; the attempt fails and its retries follow the task's policy." },
  HOOKYARD_ERR_TASK_STATE_CONFLICT: { doc: "The task is not in a state that allows the action (e.g. retrying a completed task: only failed and cancelled tasks can be retried; only queued, retrying and running ones cancelled)." },
  HOOKYARD_ERR_TASK_NON_ERROR_THROWN: { doc: "A handler threw something that is not an Error; it was wrapped." },
  HOOKYARD_ERR_API_UNAUTHORIZED: { doc: "The management API needs `Authorization: Bearer $HOOKYARD_API_TOKEN` (or a loopback caller when no token is set)." },
  HOOKYARD_ERR_API_NOT_FOUND: { doc: "No route (method and path) on this server." },
  HOOKYARD_ERR_API_BAD_REQUEST: { doc: "A query parameter or request body of the management API is invalid." },
  HOOKYARD_ERR_CONSOLE_FORBIDDEN: { doc: "The GitHub user logged in to the console is not in HOOKYARD_CONSOLE_USERS or a team of HOOKYARD_CONSOLE_TEAMS." },
  HOOKYARD_ERR_CONSOLE_NOT_BUILT: { doc: "The console's static files (`dist/console/`) are missing: run `npm run build`." },
  HOOKYARD_ERR_HTTP_BAD_REQUEST: { doc: "The request could not be parsed: a malformed request line, header or chunk, or a URL that is not valid percent-encoding. The connection is closed after the answer." },
  HOOKYARD_ERR_HTTP_TIMEOUT: { doc: "The request's headers did not arrive within HOOKYARD_HEADERS_TIMEOUT, or the whole request within HOOKYARD_REQUEST_TIMEOUT. The connection is closed after the answer." },
  HOOKYARD_ERR_HTTP_BODY_TOO_LARGE: { doc: "A request body on a route other than the webhook is larger than 1 MiB (the webhook's limit is HOOKYARD_MAX_BODY: HOOKYARD_ERR_INGRESS_BODY_TOO_LARGE). The connection is closed after the answer." },
  HOOKYARD_ERR_HTTP_URL_TOO_LONG: { doc: "A path segment (e.g. an id in `/api/v1/deliveries/:id`) is longer than 100 characters; stored ids are at most 64." },
  HOOKYARD_ERR_HTTP_UNSUPPORTED_MEDIA_TYPE: { doc: "A request body on a route other than the webhook is not `application/json`." },
  HOOKYARD_ERR_HTTP_HEADERS_TOO_LARGE: { doc: "The request's headers are larger than Node's limit (16 KiB, `--max-http-header-size`). The connection is closed after the answer." },
  HOOKYARD_ERR_HTTP_SHUTTING_DOWN: { doc: "The server is closing: this request was still open (or arrived) when the shutdown drain ended, so it was not completed. Send it again (another instance, or after the restart)." },
  HOOKYARD_ERR_HTTP_LISTEN_FAILED: { doc: "The HTTP server could not listen: the port is in use (EADDRINUSE), not allowed (EACCES) or the host is not an address of this machine (EADDRNOTAVAIL). The message names host and port." },
  HOOKYARD_ERR_CLI_USAGE: { doc: "The CLI was called with missing or invalid arguments." },
  HOOKYARD_ERR_CLI_REQUEST_FAILED: { doc: "The CLI could not reach the server or the server answered with an error." },
  HOOKYARD_ERR_TESTING_NO_EXAMPLE: { doc: "`findExample()` (and so `createTestApp().receive()` and `hookyard send`) was given an event or `event.action` with no payload in `@octokit/webhooks-examples`." },
  HOOKYARD_ERR_APP_MODULE: { doc: "The app module could not be loaded or does not export a function." },
  HOOKYARD_ERR_INTERNAL: { doc: "An unexpected internal error; the log has the details." },
  HOOKYARD_ERR_GITHUB_NOT_CONFIGURED: { doc: "An App-authenticated call was asked for but APP_ID and a private key (PRIVATE_KEY or PRIVATE_KEY_PATH) are not both set." },
  HOOKYARD_ERR_GITHUB_PRIVATE_KEY_INVALID: { doc: "The App's private key is not a PEM RSA key, or PRIVATE_KEY_PATH cannot be read." },
  HOOKYARD_ERR_GITHUB_AUTH_OPTIONS: { doc: "`octokit.auth()` was given options other than `{ type: \"app\" }` or `{ type: \"installation\", installationId }`." },
  HOOKYARD_ERR_GITHUB_TOKEN_FAILED: { doc: "GitHub refused or failed to issue an installation token (wrong App id or key, installation removed, GitHub unreachable)." },
  HOOKYARD_ERR_GITHUB_REQUEST_REJECTED: { doc: "GitHub answered a handler's request with a 4xx that is not a rate limit (404, 422, 403 without rate-limit headers, …). The task fails without retries (the same request would be refused again, and a retried handler may repeat what it did); `status` and `response` are kept on the error. `github: { retryClientErrors: true }` makes such tasks retry." },
  HOOKYARD_ERR_GITHUB_RATE_LIMITED: { doc: "GitHub's rate limit is spent until a reset time; the task is queued for that time and the attempt does not count." },
  HOOKYARD_ERR_CONFIG_REPO_INVALID: { doc: "A repository config file read by `ctx.config()` cannot be used: invalid YAML or JSON, not a mapping, a directory, an unsupported extension, a bad `_extends` value, or an `_extends` loop. The message names the file." },
  HOOKYARD_ERR_PROBOT_UNSUPPORTED: { doc: "A Probot API Hookyard does not provide was called (Probot ≤ 10's `app.route(path)`, `githubToken`, `run(argv)`, `app.on(\"*\")`); see docs/guides/probot.md." },
  HOOKYARD_ERR_PROBOT_EXPRESS_MISSING: { doc: "An app called `getRouter()` (Probot ≤ 13's Express router) but the `express` package is not installed where the app is: `npm install express`." },
  HOOKYARD_ERR_REDELIVERY_FAILED: { doc: "The missed-delivery recovery could not read the App's delivery log (GitHub refused or could not be reached); the next run tries again." },
  HOOKYARD_ERR_SETUP_FORBIDDEN: { doc: "`/setup` answers only loopback callers, or a link carrying the setup token printed in the server log." },
  HOOKYARD_ERR_SETUP_STATE_INVALID: { doc: "The App-manifest callback's `state` is missing, unknown, expired or already used (CSRF protection): start again from `/setup`." },
  HOOKYARD_ERR_SETUP_CODE_INVALID: { doc: "The App-manifest callback has no `code`, or GitHub no longer accepts it (codes work once, for an hour)." },
  HOOKYARD_ERR_SETUP_CONVERSION_FAILED: { doc: "GitHub did not convert the App manifest (unreachable, or an unexpected answer)." },
  HOOKYARD_ERR_SETUP_ENV_WRITE_FAILED: { doc: "The new App's credentials could not be written to the `.env` file." },
  HOOKYARD_ERR_AGENT_GIT_FAILED: { doc: "A git command of the agent workflow failed (clone, checkout, commit or push); the message has git's own words, never a token." },
  HOOKYARD_ERR_AGENT_CLONE_URL_REFUSED: { doc: "A payload's `repository.clone_url` is not on the configured git origin (HOOKYARD_GIT_URL, GHE_HOST or https://github.com), or carries credentials or an odd path; nothing is cloned." },
  HOOKYARD_ERR_AGENT_SANDBOX_UNAVAILABLE: { doc: "HOOKYARD_AGENT_SANDBOX=bwrap but `bwrap` is not installed (Debian/Ubuntu: `apt-get install bubblewrap`)." },
  HOOKYARD_ERR_AGENT_FAILED: { doc: "The agent exited non-zero, timed out or was stopped; its work so far was pushed to the run's branch and the issue comment says what stopped it." },
  HOOKYARD_ERR_AGENT_NOT_INSTALLED: { doc: "The agent workflow needs the GitHub App (APP_ID and a private key) and an installation in the payload." },
  HOOKYARD_ERR_APP_ROUTE_RESERVED: { doc: "An app route (`app.route()`) was declared on a path Hookyard serves itself: the webhook path, `/health`, `/ready`, `/metrics` or `/api/v1/*`." },
  HOOKYARD_ERR_APP_ROUTE_LATE: { doc: "`app.route()` was called after `app.start()`: register routes before the server starts." },
  HOOKYARD_ERR_OAUTH_NOT_CONFIGURED: { doc: "GitHub login needs GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET and HOOKYARD_SESSION_SECRET together; one is missing, or `requireUser()` guards a route of an app without them." },
  HOOKYARD_ERR_OAUTH_RETURN_TO_INVALID: { doc: "`return_to` is not a path on this site (`/…`, not `//host`, `/\\host`, a URL or control characters): refused, so login cannot redirect elsewhere." },
  HOOKYARD_ERR_OAUTH_STATE_MISSING: { doc: "The login callback has no `state`, or the browser sent no readable login cookie (expired after 10 minutes, tampered with, or another browser): start again from `/auth/github/login`." },
  HOOKYARD_ERR_OAUTH_STATE_MISMATCH: { doc: "The callback's `state` is not the one this browser's login started with (CSRF protection)." },
  HOOKYARD_ERR_OAUTH_STATE_REUSED: { doc: "The callback's `state` was already used by a completed login (a replayed callback)." },
  HOOKYARD_ERR_OAUTH_DENIED: { doc: "The user did not authorize the App on GitHub (the callback carries `error=access_denied`)." },
  HOOKYARD_ERR_OAUTH_CODE_INVALID: { doc: "GitHub refused the login code: unknown, expired, already used, issued for another redirect URL, or its PKCE verifier does not match." },
  HOOKYARD_ERR_OAUTH_EXCHANGE_FAILED: { doc: "GitHub's token endpoint or `GET /user` failed or answered something unexpected (unreachable, wrong client credentials)." },
  HOOKYARD_ERR_OAUTH_ARGUMENT_INVALID: { doc: "`userCanAccessRepo()` or `userInTeam()` was given a repository not written `owner/repo`, a team not written `org/team-slug`, or a permission other than pull, triage, push, maintain or admin." },
  HOOKYARD_ERR_OAUTH_LOGIN_REQUIRED: { doc: "The request has no session cookie: log in at `/auth/github/login`." },
  HOOKYARD_ERR_OAUTH_SESSION_INVALID: { doc: "The session cookie cannot be opened (tampered with, or sealed with a secret no longer in HOOKYARD_SESSION_SECRET); it is cleared." },
  HOOKYARD_ERR_OAUTH_SESSION_EXPIRED: { doc: "The session outlived HOOKYARD_SESSION_TTL, or its GitHub token expired and could not be refreshed; it is cleared." },
  HOOKYARD_ERR_OAUTH_SESSION_REVOKED: { doc: "The user revoked the App's authorization on GitHub (`github_app_authorization.revoked`) after this session began; it is cleared." },
  HOOKYARD_ERR_OAUTH_CROSS_ORIGIN: { doc: "A state-changing request (not GET/HEAD/OPTIONS) to a `requireUser()` route came with an `Origin` of another site." },
  HOOKYARD_ERR_OIDC_OPTIONS_INVALID: { doc: "`verifyActionsToken` / `requireActionsToken` options are invalid: no `audience`, an issuer that is not https (http only on loopback), or a malformed policy field." },
  HOOKYARD_ERR_OIDC_POLICY_EMPTY: { doc: "The Actions token policy names no condition (or an empty list): refused at setup, since it would accept any workflow of any repository." },
  HOOKYARD_ERR_OIDC_TOKEN_MISSING: { doc: "No `Authorization: Bearer <token>` with a GitHub Actions OIDC token." },
  HOOKYARD_ERR_OIDC_TOKEN_MALFORMED: { doc: "The token is not a compact JWS with a JSON header and payload." },
  HOOKYARD_ERR_OIDC_UNSIGNED: { doc: "The token's header says `alg: none` (unsigned): never accepted." },
  HOOKYARD_ERR_OIDC_ALGORITHM: { doc: "The token is signed with an algorithm other than RS256 (e.g. HS256 keyed with the public key)." },
  HOOKYARD_ERR_OIDC_KEY_UNKNOWN: { doc: "The token's `kid` is not in the issuer's JWKS, even after one re-fetch (re-fetched at most once per cooldown)." },
  HOOKYARD_ERR_OIDC_SIGNATURE_INVALID: { doc: "The signature does not verify with the issuer's key of that `kid` (signed by another key, or altered)." },
  HOOKYARD_ERR_OIDC_ISSUER: { doc: "`iss` is not exactly the expected issuer." },
  HOOKYARD_ERR_OIDC_AUDIENCE: { doc: "`aud` is missing or not exactly the expected audience." },
  HOOKYARD_ERR_OIDC_EXPIRED: { doc: "`exp` has passed (60 s leeway)." },
  HOOKYARD_ERR_OIDC_NOT_YET_VALID: { doc: "`nbf` or `iat` is in the future (60 s leeway)." },
  HOOKYARD_ERR_OIDC_CLAIMS_INVALID: { doc: "A claim GitHub always sets (repository, repository_id, ref, sha, run_id, …) is missing or has the wrong type." },
  HOOKYARD_ERR_OIDC_JWKS_UNAVAILABLE: { doc: "The issuer's OpenID configuration or JWKS could not be fetched or is unusable; the caller may retry." },
  HOOKYARD_ERR_OIDC_POLICY_REPOSITORY_ID: { doc: "The token's `repository_id` is not in the policy's `repositoryIds` (another repository, or one re-created under the same name)." },
  HOOKYARD_ERR_OIDC_POLICY_REPOSITORY: { doc: "The token's `repository` name is not in the policy's `repositories`." },
  HOOKYARD_ERR_OIDC_POLICY_OWNER: { doc: "The token's `repository_owner_id` is not in the policy's `ownerIds`." },
  HOOKYARD_ERR_OIDC_POLICY_ENVIRONMENT: { doc: "The job's `environment` is absent or not in the policy's `environments`." },
  HOOKYARD_ERR_OIDC_POLICY_REF: { doc: "The token's `ref` matches none of the policy's `refs` globs." },
  HOOKYARD_ERR_OIDC_POLICY_WORKFLOW: { doc: "The token's `job_workflow_ref` matches none of the policy's `workflowRefs` globs." },
  HOOKYARD_ERR_OIDC_POLICY_EVENT: { doc: "The token's `event_name` is not in the policy's `eventNames`." },
  HOOKYARD_ERR_OIDC_POLICY_RUNNER: { doc: "The token's `runner_environment` is not the policy's `runnerEnvironment` (e.g. a self-hosted runner where github-hosted is required)." },
} as const satisfies Record<string, { doc: string }>;

/** A stable Hookyard error code such as `HOOKYARD_ERR_INGRESS_SIGNATURE_INVALID`. */
export type ErrorCode = keyof typeof ERRORS;

/**
 * The error class behind every code in {@link ERRORS}.
 *
 * @example
 * ```ts
 * throw new HookyardError("HOOKYARD_ERR_STORE_NOT_FOUND", `no task ${id}`);
 * ```
 */
export class HookyardError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "HookyardError";
    this.code = code;
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
