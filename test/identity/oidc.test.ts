import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyActionsToken, type ActionsPolicy, type ActionsTokenOptions } from "../../src/identity/oidc/index.js";
import type { ErrorCode } from "../../src/errors.js";
import { AUDIENCE, REPO, startIssuer, type TestIssuer } from "./support/issuer.js";

let issuer: TestIssuer;
const policy: ActionsPolicy = { repositoryIds: [REPO.id] };
const opts = (extra: Partial<ActionsTokenOptions> = {}): ActionsTokenOptions => ({ audience: AUDIENCE, issuer: issuer.url, policy, ...extra });

beforeAll(async () => {
  issuer = await startIssuer();
});
afterAll(async () => {
  await issuer.close();
});

/** The code a rejected verification carries; fails the test when it resolves. */
async function codeOf(token: Promise<string> | string, options: ActionsTokenOptions = opts()): Promise<ErrorCode> {
  const err = await verifyActionsToken(await token, options).then(
    () => { throw new Error("the token was accepted"); },
    (e: unknown) => e as { code: ErrorCode; message: string },
  );
  expect(err.message).not.toContain(await token); // never the token back
  return err.code;
}

describe("verifyActionsToken", () => {
  it("accepts a valid token and returns typed claims with helpers", async () => {
    const token = await verifyActionsToken(await issuer.mint(), opts());
    expect(token.repository).toBe(REPO.name);
    expect(token.repository_id).toBe(String(REPO.id));
    expect(token.environment).toBe("production");
    expect(token.isDefaultBranch()).toBe(true);
    expect(token.isDefaultBranch("trunk")).toBe(false);
    expect(token.isTag()).toBe(false);
    expect(Object.keys(JSON.parse(JSON.stringify(token)))).not.toContain("isTag");
    const tag = await verifyActionsToken(await issuer.mint({ ref: "refs/tags/v1.2.0", ref_type: "tag" }), opts());
    expect(tag.isTag()).toBe(true);
    expect(tag.isDefaultBranch()).toBe(false);
  });

  it("rejects each kind of bad token with its own code", async () => {
    const other = await issuer.addKey(false);
    const now = Math.floor(Date.now() / 1000);
    const cases: [string, Promise<string> | string, ErrorCode][] = [
      ["alg none", issuer.unsigned(), "HOOKYARD_ERR_OIDC_UNSIGNED"],
      ["HS256 keyed with the public key", issuer.hs256WithPublicKey(), "HOOKYARD_ERR_OIDC_ALGORITHM"],
      ["unknown kid", issuer.mint({}, { key: other }), "HOOKYARD_ERR_OIDC_KEY_UNKNOWN"],
      ["another key under a known kid", issuer.mint({}, { key: other, kid: issuer.keys[0]!.kid }), "HOOKYARD_ERR_OIDC_SIGNATURE_INVALID"],
      ["wrong iss", issuer.mint({ iss: "https://token.actions.githubusercontent.com" }), "HOOKYARD_ERR_OIDC_ISSUER"],
      ["wrong aud", issuer.mint({ aud: "https://other.example.com" }), "HOOKYARD_ERR_OIDC_AUDIENCE"],
      ["missing aud", issuer.mint({ aud: undefined }), "HOOKYARD_ERR_OIDC_AUDIENCE"],
      ["aud among others", issuer.mint({ aud: [AUDIENCE, "https://other.example.com"] }), "HOOKYARD_ERR_OIDC_AUDIENCE"],
      ["expired", issuer.mint({ iat: now - 900, nbf: now - 900, exp: now - 61 }), "HOOKYARD_ERR_OIDC_EXPIRED"],
      ["not yet valid", issuer.mint({ nbf: now + 120 }), "HOOKYARD_ERR_OIDC_NOT_YET_VALID"],
      ["issued in the future", issuer.mint({ iat: now + 120, nbf: undefined }), "HOOKYARD_ERR_OIDC_NOT_YET_VALID"],
      ["missing repository_id", issuer.mint({ repository_id: undefined }), "HOOKYARD_ERR_OIDC_CLAIMS_INVALID"],
      ["not a JWT", "not-a-token", "HOOKYARD_ERR_OIDC_TOKEN_MALFORMED"],
    ];
    const seen: Record<string, ErrorCode> = {};
    for (const [name, token, code] of cases) seen[name] = await codeOf(token);
    expect(seen).toEqual(Object.fromEntries(cases.map(([name, , code]) => [name, code])));
  });

  it("accepts the 60 s leeway on exp and nbf, not more", async () => {
    const now = Math.floor(Date.now() / 1000);
    await expect(verifyActionsToken(await issuer.mint({ exp: now - 30 }), opts())).resolves.toBeDefined();
    await expect(verifyActionsToken(await issuer.mint({ nbf: now + 30 }), opts())).resolves.toBeDefined();
    expect(await codeOf(issuer.mint({ exp: now - 90 }))).toBe("HOOKYARD_ERR_OIDC_EXPIRED");
  });
});

describe("policies", () => {
  const denied = async (claims: Record<string, unknown>, p: ActionsPolicy) => codeOf(issuer.mint(claims), opts({ policy: p }));

  it("binds to repository ids: the same name with another id is refused", async () => {
    expect(await denied({ repository_id: "999" }, { repositoryIds: [REPO.id] })).toBe("HOOKYARD_ERR_OIDC_POLICY_REPOSITORY_ID");
    expect(await denied({ repository: "evil/widgets", repository_id: "999" }, { repositoryIds: [REPO.id] })).toBe("HOOKYARD_ERR_OIDC_POLICY_REPOSITORY_ID");
  });

  it("checks names (with a warning), owners, environments, refs, workflows, events and runners", async () => {
    const warnings: string[] = [];
    const byName = opts({ policy: { repositories: ["ACME/Widgets"] }, onWarning: (m) => warnings.push(m) });
    await expect(verifyActionsToken(await issuer.mint(), byName)).resolves.toBeDefined();
    expect(warnings.join()).toMatch(/re-?registered|registered again/);
    expect(await denied({ repository: "evil/widgets" }, { repositories: ["acme/widgets"] })).toBe("HOOKYARD_ERR_OIDC_POLICY_REPOSITORY");
    expect(await denied({ repository_owner_id: "66" }, { ownerIds: [REPO.ownerId] })).toBe("HOOKYARD_ERR_OIDC_POLICY_OWNER");
    expect(await denied({ environment: "staging" }, { repositoryIds: [REPO.id], environments: ["production"] })).toBe("HOOKYARD_ERR_OIDC_POLICY_ENVIRONMENT");
    expect(await denied({ environment: undefined }, { repositoryIds: [REPO.id], environments: ["production"] })).toBe("HOOKYARD_ERR_OIDC_POLICY_ENVIRONMENT");
    expect(await denied({ ref: "refs/heads/feature/x" }, { repositoryIds: [REPO.id], refs: ["refs/heads/main", "refs/tags/v*"] })).toBe("HOOKYARD_ERR_OIDC_POLICY_REF");
    expect(await denied({ event_name: "pull_request" }, { repositoryIds: [REPO.id], eventNames: ["push", "workflow_dispatch"] })).toBe("HOOKYARD_ERR_OIDC_POLICY_EVENT");
    expect(await denied({ job_workflow_ref: `${REPO.name}/.github/workflows/other.yml@refs/heads/main` }, { repositoryIds: [REPO.id], workflowRefs: [`${REPO.name}/.github/workflows/deploy.yml@refs/heads/main`] })).toBe("HOOKYARD_ERR_OIDC_POLICY_WORKFLOW");
    expect(await denied({ runner_environment: "self-hosted" }, { repositoryIds: [REPO.id], runnerEnvironment: "github-hosted" })).toBe("HOOKYARD_ERR_OIDC_POLICY_RUNNER");
  });

  it("requires every given field (AND) and accepts any listed value of one (OR)", async () => {
    const p: ActionsPolicy = { repositoryIds: [1, REPO.id], refs: ["refs/tags/v*", "refs/heads/**"], eventNames: ["push"], runnerEnvironment: "github-hosted", environments: ["production"] };
    await expect(verifyActionsToken(await issuer.mint({ ref: "refs/heads/release/2.x" }), opts({ policy: p }))).resolves.toBeDefined();
    expect(await denied({ ref: "refs/heads/release/2.x", event_name: "schedule" }, p)).toBe("HOOKYARD_ERR_OIDC_POLICY_EVENT");
  });

  it("refuses an empty or malformed policy, a missing audience and a plain-http remote issuer at setup", async () => {
    const token = await issuer.mint();
    const setupCode = (o: ActionsTokenOptions) => verifyActionsToken(token, o).then(() => "accepted", (e: { code: string }) => e.code);
    expect(await setupCode(opts({ policy: {} }))).toBe("HOOKYARD_ERR_OIDC_POLICY_EMPTY");
    expect(await setupCode(opts({ policy: { repositoryIds: [] } }))).toBe("HOOKYARD_ERR_OIDC_OPTIONS_INVALID");
    expect(await setupCode(opts({ policy: { repositoryId: [REPO.id] } as ActionsPolicy }))).toBe("HOOKYARD_ERR_OIDC_OPTIONS_INVALID");
    expect(await setupCode(opts({ audience: "" }))).toBe("HOOKYARD_ERR_OIDC_OPTIONS_INVALID");
    expect(await setupCode(opts({ issuer: "http://token.example.com" }))).toBe("HOOKYARD_ERR_OIDC_OPTIONS_INVALID");
  });
});
