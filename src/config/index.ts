export { loadConfig, assertWebhookSecret, rawSetting } from "./load.js";
export { CONFIG_FIELDS, type ConfigInput, type HookyardConfig } from "./schema.js";
export { parseDuration, parseSize } from "./units.js";
