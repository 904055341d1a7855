export { Hookyard, type HookyardOptions, type AppFunction, type ReceiveInput, type RoutePlugin } from "./app/index.js";
export type { Context, ConfigReader } from "./events/context.js";
export { RepoConfigCache, deepMergeAll, type LoadedConfigFile, type MergeOptions, type RepoConfigCacheOptions } from "./github/repo-config/index.js";
export type { ApplicationFunctionOptions } from "./http/app-function-options.js";
export type { Handler, HandlerOptions } from "./events/registry.js";
export type { EventName, PayloadOf } from "./events/types.js";
export { UnrecoverableError, RetryLaterError, coerceError } from "./steering/steer.js";
export { DeferError } from "./steering/defer.js";
export { CircuitOpenError, type CircuitStateName } from "./steering/circuit.js";
export type { CircuitSnapshot } from "./steering/circuits.js";
export { NOTIFY_SIGNATURE_HEADER, signNotification } from "./notify/send.js";
export type { Notification } from "./notify/message.js";
export type { ErrorHandler } from "./tasks/runner.js";
export type { BackoffOption } from "./events/backoff-option.js";
export { HookyardError, ERRORS, isHookyardError, type ErrorCode } from "./errors.js";
export { loadConfig, CONFIG_FIELDS, type ConfigInput, type HookyardConfig } from "./config/index.js";
export type { LifecycleEvents, LifecycleName } from "./observability/lifecycle.js";
export { sign } from "./ingress/verify.js";
export type * from "./store/backend.js";
export { TASK_STATES } from "./store/backend.js";
export type { HoldingAcceptTakes, HoldingBackend } from "./store/holding-backend.js";
export { openStore } from "./store/open.js";
export { migrateStore, type MigrateStoreResult } from "./store/migrate.js";
export { pruneStore, type PruneReport, type PruneStoreOptions } from "./store/prune.js";
export { RateLimitedError } from "./github/rate-limit.js";
export { GitHubRequestRejected } from "./github/client-error.js";
export type { HookyardOctokit } from "./github/octokit.js";
export { MemoryBackend } from "./store/backends/memory/index.js";
export { SqliteBackend } from "./store/backends/sqlite/index.js";
export {
  recoverMissedDeliveries, RedeliveryScheduler, FileRecoveryState, MemoryRecoveryState, recoveryStateFor, REDELIVERY_WINDOW_MS,
  type RecoverOptions, type RecoveryReport, type RecoveryState, type RecoveryStateStore, type RedeliveryTotals,
} from "./github/redelivery/index.js";
export { buildManifest, completeManifestSetup, ManifestSetup, writeEnvFile, type GitHubAppManifest, type SetupResult } from "./github/manifest/index.js";
export {
  verifyActionsToken, requireActionsToken, GITHUB_ACTIONS_ISSUER,
  type ActionsToken, type ActionsTokenClaims, type ActionsPolicy, type ActionsTokenOptions, type RouteGuard,
} from "./identity/oidc/index.js";
export {
  requireUser, userCanAccessRepo, userInTeam,
  type GitHubUser, type RepoPermission, type RequireUserOptions,
} from "./identity/oauth/index.js";
export { setTracing, TRACEPARENT_HEADER } from "./observability/tracing.js";
