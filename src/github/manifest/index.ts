export { buildManifest, githubWebUrl, manifestFormUrl, DEFAULT_EVENTS, DEFAULT_PERMISSIONS, type GitHubAppManifest, type ManifestInput } from "./manifest.js";
export { convertManifestCode, type ManifestConversion } from "./convert.js";
export { envValue, mergeEnvText, writeEnvFile } from "./env-file.js";
export { completeManifestSetup, ManifestSetup, SETUP_ENV_KEYS, type ManifestSetupOptions, type SetupResult } from "./setup.js";
