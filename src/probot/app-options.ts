export { applicationFunctionOptions, type ApplicationFunctionOptions, type AppFunctionOptionsInput } from "../http/app-function-options.js";
export type { NodeHandler as Handler } from "../http/node-handlers.js";
