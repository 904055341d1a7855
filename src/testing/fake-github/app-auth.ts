import { compactVerify, decodeJwt, decodeProtectedHeader, type JWTPayload } from "jose";
import { GitHubApiError } from "./errors.js";
import type { AppRecord, FakeState } from "./state.js";

/** GitHub's own wording for App JWT failures (Octokit's clock-skew correction matches on these). */
export const JWT_MESSAGES = {
  undecodable: "A JSON web token could not be decoded",
  issuer: "'Issuer' claim ('iss') must be an Integer",
  tooLong: "'Expiration time' claim ('exp') is too far in the future",
  expired: "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires",
  issuedInFuture: "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued",
} as const;

const MAX_LIFETIME_S = 600;
const IAT_LEEWAY_S = 60;

function unauthorized(message: string): GitHubApiError {
  return new GitHubApiError(401, message);
}

function findIssuer(state: FakeState, iss: unknown): AppRecord {
  if (typeof iss === "number" || (typeof iss === "string" && /^\d+$/.test(iss))) {
    const app = state.app(Number(iss));
    if (!app) throw new GitHubApiError(404, "Integration not found");
    return app;
  }
  if (typeof iss === "string" && iss !== "") {
    const app = state.appByClientId(iss);
    if (!app) throw new GitHubApiError(404, "Integration not found");
    return app;
  }
  throw unauthorized(JWT_MESSAGES.issuer);
}

/**
 * Checks an App JWT as GitHub does: RS256 signed by the App's key, `iss` the App id or client id,
 * `exp - iat` at most 600 s, not expired, `iat` at most 60 s ahead, all measured by `nowMs` (the
 * fake's clock). Returns the App or throws a 401 with GitHub's message.
 */
export async function verifyAppJwt(state: FakeState, jwt: string, nowMs: number): Promise<AppRecord> {
  let claims: JWTPayload;
  try {
    if (decodeProtectedHeader(jwt).alg !== "RS256") throw new Error("alg");
    claims = decodeJwt(jwt);
  } catch {
    throw unauthorized(JWT_MESSAGES.undecodable);
  }
  const app = findIssuer(state, claims.iss);
  try {
    await compactVerify(jwt, app.publicKey, { algorithms: ["RS256"] });
  } catch {
    throw unauthorized(JWT_MESSAGES.undecodable);
  }
  const { iat, exp } = claims;
  if (typeof iat !== "number" || !Number.isInteger(iat)) throw unauthorized(JWT_MESSAGES.issuedInFuture);
  if (typeof exp !== "number" || !Number.isInteger(exp)) throw unauthorized(JWT_MESSAGES.expired);
  const now = Math.floor(nowMs / 1000);
  if (exp - iat > MAX_LIFETIME_S) throw unauthorized(JWT_MESSAGES.tooLong);
  if (iat > now + IAT_LEEWAY_S) throw unauthorized(JWT_MESSAGES.issuedInFuture);
  if (exp <= now) throw unauthorized(JWT_MESSAGES.expired);
  if (exp > now + MAX_LIFETIME_S + IAT_LEEWAY_S) throw unauthorized(JWT_MESSAGES.tooLong);
  return app;
}
