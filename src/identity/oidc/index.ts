export { actionsToken, actionsClaimsSchema, type ActionsToken, type ActionsTokenClaims } from "./claims.js";
export { compilePolicy, type ActionsPolicy, type CompiledPolicy } from "./policy.js";
export { GITHUB_ACTIONS_ISSUER, IssuerKeys, keysOf, checkIssuer } from "./issuer.js";
export { verifyActionsToken, prepareActionsOptions, verifyPrepared, type ActionsTokenOptions } from "./verify.js";
export { requireActionsToken, type RouteGuard } from "./guard.js";
