/**
 * `hookyard/github`: GitHub access without the rest of the framework: the App and its
 * installation-token cache, Octokit with Hookyard's plugins, rate-limit errors, repository config
 * files, the App manifest flow and missed-delivery recovery.
 *
 * @example
 * ```ts
 * import { GitHubClients } from "hookyard/github";
 * const octokit = await new GitHubClients(config, { log }).app.installation(42);
 * ```
 */
export { GitHubClients, type GitHubClientsOptions, type DeliveryOctokit } from "./clients.js";
export { GitHubApp, type GitHubAppOptions, type UnauthenticatedReason } from "./github-app.js";
export { createOctokit, type HookyardOctokit, type OctokitFactoryOptions } from "./octokit.js";
export { RateLimitedError } from "./rate-limit.js";
export { apiBaseUrl, githubSettings, type GitHubSettings } from "./settings.js";
export { MemoryTokenStore, RedisTokenStore, type CachedToken, type TokenStore } from "./token-store.js";
export { userOctokit } from "./user-octokit.js";
export { RepoConfigCache, deepMergeAll, type LoadedConfigFile, type MergeOptions, type RepoConfigCacheOptions } from "./repo-config/index.js";
export { buildManifest, completeManifestSetup, ManifestSetup, writeEnvFile, type GitHubAppManifest, type SetupResult } from "./manifest/index.js";
export {
  recoverMissedDeliveries, RedeliveryScheduler, FileRecoveryState, MemoryRecoveryState, recoveryStateFor, REDELIVERY_WINDOW_MS,
  type RecoverOptions, type RecoveryReport, type RecoveryState, type RecoveryStateStore, type RedeliveryTotals,
} from "./redelivery/index.js";
