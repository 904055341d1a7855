export { RepoConfigCache, type LoadedConfigFile, type RepoConfigCacheOptions } from "./cache.js";
export { fetchConfigFile, parseConfig, type ConfigObject, type ConfigRequester, type FetchResult } from "./fetch-file.js";
export { describeFile, extendsTarget, fileKey, type ConfigFileRef } from "./file-ref.js";
export { deepMergeAll, type MergeOptions, type ResolvedMergeOptions } from "./merge.js";
export { pushedChanges, type PushedChanges } from "./push.js";
