import { decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from "jose";
import { HookyardError, isHookyardError } from "../../errors.js";
import { actionsClaimsSchema, actionsToken, type ActionsToken } from "./claims.js";
import { checkIssuer, GITHUB_ACTIONS_ISSUER, keysOf } from "./issuer.js";
import { compilePolicy, type ActionsPolicy, type CompiledPolicy } from "./policy.js";

/** Leeway for `exp`, `nbf` and `iat`, in seconds. */
export const CLOCK_TOLERANCE_S = 60;

/** Options of {@link verifyActionsToken} and `requireActionsToken`. */
export interface ActionsTokenOptions {
  /** The `aud` the workflow asked for (`core.getIDToken(audience)`); required and matched exactly. */
  audience: string;
  /** Default `https://token.actions.githubusercontent.com`; matched exactly against `iss`. */
  issuer?: string;
  /** What the token must say; an empty policy is refused. */
  policy: ActionsPolicy;
  /** Where a name-only policy's warning goes (default `process.emitWarning`, once per message). */
  onWarning?: (message: string) => void;
  /** The clock, in ms (tests). */
  now?: () => number;
}

/** Options checked once: the issuer's URL, the audience, the compiled policy. */
export interface PreparedOptions {
  audience: string;
  issuer: string;
  policy: CompiledPolicy;
  now: () => number;
}

/**
 * Checks verification options (at guard setup, or on each call of `verifyActionsToken`).
 *
 * @example
 * ```ts
 * const prepared = prepareActionsOptions({ audience: "https://deploy.example.com", policy: { repositoryIds: [74] } });
 * ```
 */
export function prepareActionsOptions(o: ActionsTokenOptions): PreparedOptions {
  if (typeof o?.audience !== "string" || o.audience.trim() === "") {
    throw new HookyardError("HOOKYARD_ERR_OIDC_OPTIONS_INVALID", "an audience is required: the value the workflow passes to core.getIDToken(audience)");
  }
  const issuer = o.issuer ?? GITHUB_ACTIONS_ISSUER;
  checkIssuer(issuer);
  return { audience: o.audience, issuer, policy: compilePolicy(o.policy, o.onWarning), now: o.now ?? Date.now };
}

const fail = (code: ConstructorParameters<typeof HookyardError>[0], message: string, cause?: unknown) => new HookyardError(code, message, cause === undefined ? undefined : { cause });

/** The Hookyard error for what jose refused. Never carries the token. */
function fromJose(err: unknown, o: PreparedOptions): HookyardError {
  if (isHookyardError(err)) return err;
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) return fail("HOOKYARD_ERR_OIDC_KEY_UNKNOWN", `the token's kid is not among ${o.issuer}'s keys`);
  if (err instanceof errors.JWSSignatureVerificationFailed) return fail("HOOKYARD_ERR_OIDC_SIGNATURE_INVALID", "the token's signature does not verify with the issuer's key");
  if (err instanceof errors.JWTExpired) return fail("HOOKYARD_ERR_OIDC_EXPIRED", "the token has expired");
  if (err instanceof errors.JOSEAlgNotAllowed) return fail("HOOKYARD_ERR_OIDC_ALGORITHM", "the token is not signed with RS256");
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === "iss") return fail("HOOKYARD_ERR_OIDC_ISSUER", `the token's issuer is not ${o.issuer}`);
    if (err.claim === "aud") return fail("HOOKYARD_ERR_OIDC_AUDIENCE", err.reason === "missing" ? "the token has no audience" : `the token's audience is not ${o.audience}`);
    if (err.claim === "nbf" || err.claim === "iat") return fail("HOOKYARD_ERR_OIDC_NOT_YET_VALID", "the token is not valid yet");
    return fail("HOOKYARD_ERR_OIDC_CLAIMS_INVALID", `the token's ${err.claim} claim is ${err.reason === "missing" ? "missing" : "invalid"}`);
  }
  if (err instanceof errors.JWTInvalid || err instanceof errors.JWSInvalid || err instanceof errors.JOSENotSupported) return fail("HOOKYARD_ERR_OIDC_TOKEN_MALFORMED", "the token is not a valid JWT");
  return fail("HOOKYARD_ERR_OIDC_JWKS_UNAVAILABLE", `the keys of ${o.issuer} could not be loaded`, err);
}

function checkHeader(token: unknown): void {
  if (typeof token !== "string" || !/^[\w-]*\.[\w-]*\.[\w-]*$/.test(token)) throw fail("HOOKYARD_ERR_OIDC_TOKEN_MALFORMED", "the token is not a compact JWS (header.payload.signature)");
  let alg: unknown;
  try {
    alg = decodeProtectedHeader(token).alg;
  } catch {
    throw fail("HOOKYARD_ERR_OIDC_TOKEN_MALFORMED", "the token's header is not base64url JSON");
  }
  if (typeof alg === "string" && alg.toLowerCase() === "none") throw fail("HOOKYARD_ERR_OIDC_UNSIGNED", "the token is unsigned (alg: none)");
  if (alg !== "RS256") throw fail("HOOKYARD_ERR_OIDC_ALGORITHM", `the token is signed with ${typeof alg === "string" ? alg : "no algorithm"}; only RS256 is accepted`);
}

function checkClaims(payload: JWTPayload, o: PreparedOptions) {
  // jose accepts aud as an array containing ours; GitHub sets one audience, and we want exactly it
  if (Array.isArray(payload.aud) && (payload.aud.length !== 1 || payload.aud[0] !== o.audience)) throw fail("HOOKYARD_ERR_OIDC_AUDIENCE", `the token's audience is not exactly ${o.audience}`);
  if (typeof payload.iat === "number" && payload.iat > o.now() / 1000 + CLOCK_TOLERANCE_S) throw fail("HOOKYARD_ERR_OIDC_NOT_YET_VALID", "the token was issued in the future");
  const parsed = actionsClaimsSchema.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw fail("HOOKYARD_ERR_OIDC_CLAIMS_INVALID", `the token's ${issue?.path.join(".") || "claims"} claim is missing or malformed`);
  }
  return parsed.data;
}

/**
 * Verifies with options already checked by {@link prepareActionsOptions} (what the guard uses).
 *
 * @example
 * ```ts
 * const token = await verifyPrepared(jwt, prepareActionsOptions(options));
 * ```
 */
export async function verifyPrepared(token: string, o: PreparedOptions): Promise<ActionsToken> {
  checkHeader(token);
  const keys = await keysOf(o.issuer).keys();
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, keys, {
      algorithms: ["RS256"],
      issuer: o.issuer,
      audience: o.audience,
      clockTolerance: CLOCK_TOLERANCE_S,
      currentDate: new Date(o.now()),
      requiredClaims: ["iss", "aud", "exp", "iat"],
    }));
  } catch (err) {
    throw fromJose(err, o);
  }
  const claims = checkClaims(payload, o);
  o.policy.check(claims);
  return actionsToken(claims);
}

/**
 * Verifies a GitHub Actions OIDC token: RS256 only, signed by a key of the issuer's JWKS (found
 * through its OpenID configuration, cached, re-fetched on an unknown `kid` at most once per
 * cooldown), `iss` and `aud` matched exactly, `exp` / `nbf` / `iat` with 60 s leeway, then the
 * policy. Rejects with a {@link HookyardError} whose code names the reason
 * (one code per reason, e.g. `HOOKYARD_ERR_OIDC_EXPIRED`); messages never contain the token.
 *
 * @example
 * ```ts
 * import { verifyActionsToken } from "hookyard";
 *
 * const token = await verifyActionsToken(jwt, {
 *   audience: "https://deploy.example.com",
 *   policy: { repositoryIds: [74], refs: ["refs/heads/main"], runnerEnvironment: "github-hosted" },
 * });
 * console.log(token.repository, token.sha, token.isDefaultBranch());
 * ```
 */
export async function verifyActionsToken(token: string, options: ActionsTokenOptions): Promise<ActionsToken> {
  return verifyPrepared(token, prepareActionsOptions(options));
}
