import { describe, expect, it } from "vitest";
import { ERRORS, HookyardError, type ErrorCode } from "../../src/errors.js";
import { HTTP_STATUS, httpStatus } from "../../src/http/error-status.js";
import { LOGIN_NEEDED } from "../../src/identity/oauth/require-user.js";
import { INVALID_TOKEN } from "../../src/identity/oidc/guard.js";

const codes = Object.keys(ERRORS) as ErrorCode[];

describe("HTTP statuses are decided at the edge", () => {
  it("a HookyardError carries its code, not a status", () => {
    const err = new HookyardError("HOOKYARD_ERR_STORE_NOT_FOUND", "no task t1");
    expect(Object.keys(err)).not.toContain("statusCode");
    expect(httpStatus(err.code)).toBe(404);
  });

  it("core domain codes map to the statuses the API answered before they were renamed", () => {
    expect(httpStatus("HOOKYARD_ERR_STORE_NOT_FOUND")).toBe(404);
    expect(httpStatus("HOOKYARD_ERR_TASK_STATE_CONFLICT")).toBe(409);
    expect(httpStatus("HOOKYARD_ERR_STORE_QUERY_INVALID")).toBe(400);
    expect(httpStatus("HOOKYARD_ERR_STORE_RECORD_INVALID")).toBe(400);
    expect(httpStatus("HOOKYARD_ERR_OAUTH_ARGUMENT_INVALID")).toBe(400);
  });

  it("a code that is never an HTTP answer, or a handler's own code, is a 500 should it reach one", () => {
    expect(HTTP_STATUS.HOOKYARD_ERR_TASK_TIMEOUT).toBeNull();
    expect(httpStatus("HOOKYARD_ERR_TASK_TIMEOUT")).toBe(500);
    expect(httpStatus("MY_APP_ERROR")).toBe(500);
  });

  it("the login guard's redirect codes are exactly the 401s of GitHub login", () => {
    const oauth401 = codes.filter((c) => c.startsWith("HOOKYARD_ERR_OAUTH_") && HTTP_STATUS[c] === 401);
    expect([...LOGIN_NEEDED].sort()).toEqual(oauth401.sort());
  });

  it("the Actions token guard's WWW-Authenticate codes are exactly the 401s of OIDC", () => {
    const oidc401 = codes.filter((c) => c.startsWith("HOOKYARD_ERR_OIDC_") && HTTP_STATUS[c] === 401);
    expect([...INVALID_TOKEN].sort()).toEqual(oidc401.sort());
  });
});
