/**
 * `hookyard/probot`: Probot's API for apps that construct it (`new Probot()`, `createProbot()`,
 * `run()`), backed by Hookyard. App modules written for Probot need none of this: run them with
 * `hookyard serve ./app.js`. See docs/guides/probot.md.
 */
export { Probot, type ApplicationFunction, type ProbotEvent, type ProbotLoadOptions, type ProbotReceiveError, type ProbotWebhooks } from "./probot.js";
export { type MiddlewareOptions, type NodeMiddleware } from "./middleware.js";
export { createNodeMiddleware, createProbot, run, type CreateProbotOptions } from "./run.js";
export { hookyardOptions, redisUrl, type ProbotOptions, type RedisConfig } from "./options.js";
export { applicationFunctionOptions, type ApplicationFunctionOptions, type Handler } from "./app-options.js";
export { DeliveryWatcher } from "./delivery-watcher.js";
export type { SettledTask } from "../tasks/settled.js";
export type { Context } from "../events/context.js";
export { HookyardOctokit as ProbotOctokit } from "../github/octokit.js";
