// The Hookyard class and the types of its public API (re-exported by src/index.ts).
export { Hookyard } from "./hookyard.js";
export type { AppFunction, HookyardOptions } from "./options.js";
export type { ReceiveInput } from "../tasks/intake.js";
export type { RoutePlugin } from "../http/app-routes.js";
export type { Context } from "../events/context.js";
export type { Handler, HandlerOptions } from "../events/registry.js";
