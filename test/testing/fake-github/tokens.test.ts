import { RequestError } from "@octokit/request-error";
import { afterEach, describe, expect, it } from "vitest";
import { appOctokit, cleanup, seeded, startFake, tokenOctokit } from "./support.js";

afterEach(cleanup);

describe("fake GitHub: installation tokens", () => {
  it("issues a ghs_ token that @octokit/auth-app fetches once and reuses; tokensIssued counts fetches", async () => {
    const { fake, octokit, installation } = await seeded();
    await octokit.rest.repos.get({ owner: "acme", repo: "widgets" });
    await octokit.rest.repos.get({ owner: "acme", repo: "widgets" });
    expect(fake.tokensIssued).toHaveLength(1);
    const issued = fake.tokensIssued[0];
    expect(issued).toMatchObject({ appId: fake.appId, installationId: installation.id, repositoryIds: null });
    expect(issued?.token).toMatch(/^ghs_[A-Za-z0-9]{36}$/);
    const fetches = fake.requests.filter((r) => r.path === `/app/installations/${installation.id}/access_tokens`);
    expect(fetches).toMatchObject([{ method: "POST", status: 201, auth: "app" }]);
    expect(fake.requests.filter((r) => r.path === "/repos/acme/widgets")).toMatchObject([
      { status: 200, auth: "installation", installationId: installation.id },
      { status: 200, auth: "installation", installationId: installation.id },
    ]);
  });

  it("answers expires_at = now + tokenTtlMs by the fake's clock, and 401 once the clock passes it", async () => {
    const start = Date.parse("2030-01-01T00:00:00Z");
    const { fake, installation } = await seeded({ now: () => start, tokenTtlMs: 10 * 60_000 });
    // The fake lives in 2030 while auth-app signs JWTs by the real clock: GitHub's "exp" message
    // makes auth-app correct the skew from the Date header and try again.
    const { data, status } = await appOctokit(fake).rest.apps.createInstallationAccessToken({ installation_id: installation.id });
    expect(fake.requests.filter((r) => r.method === "POST").map((r) => r.status)).toEqual([401, 201]);
    expect(status).toBe(201);
    expect(data.expires_at).toBe("2030-01-01T00:10:00Z");
    expect(data.permissions).toEqual({ actions: "read", checks: "write", contents: "write", issues: "write", metadata: "read", pull_requests: "write" });
    expect(data.repository_selection).toBe("all");
    const client = tokenOctokit(fake, data.token);
    expect((await client.rest.repos.get({ owner: "acme", repo: "widgets" })).status).toBe(200);
    fake.clock.advance(10 * 60_000 - 1000);
    expect((await client.rest.repos.get({ owner: "acme", repo: "widgets" })).status).toBe(200);
    fake.clock.advance(1000);
    const err = await client.rest.repos.get({ owner: "acme", repo: "widgets" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RequestError);
    expect((err as RequestError).status).toBe(401);
    expect((err as RequestError).response?.data).toEqual({ message: "Bad credentials", documentation_url: "https://docs.github.com/rest", status: "401" });
  });

  it("answers 404 (not 403) for a repository another installation owns", async () => {
    const { fake, octokit } = await seeded();
    fake.addRepo({ owner: "globex", name: "gadgets" });
    const other = fake.addInstallation({ account: "globex" });
    const err = await octokit.rest.repos.get({ owner: "globex", repo: "gadgets" }).catch((e: unknown) => e);
    expect((err as RequestError).status).toBe(404);
    expect((err as RequestError).response?.data).toEqual({ message: "Not Found", documentation_url: "https://docs.github.com/rest/repos/repos#get-a-repository", status: "404" });
    await expect(octokit.rest.issues.create({ owner: "globex", repo: "gadgets", title: "x" })).rejects.toMatchObject({ status: 404 });
    expect((await appOctokit(fake, other.id).rest.repos.get({ owner: "globex", repo: "gadgets" })).data.full_name).toBe("globex/gadgets");
  });

  it("limits a selected installation to its repositories and lists them with pagination", async () => {
    const fake = await startFake();
    for (const name of ["a", "b", "c"]) fake.addRepo({ owner: "acme", name });
    const inst = fake.addInstallation({ account: "acme", repositories: ["a", "acme/c"] });
    const octokit = appOctokit(fake, inst.id);
    const repos = await octokit.paginate(octokit.rest.apps.listReposAccessibleToInstallation, { per_page: 1 });
    expect(repos.map((r) => r.full_name)).toEqual(["acme/a", "acme/c"]);
    await expect(octokit.rest.repos.get({ owner: "acme", repo: "b" })).rejects.toMatchObject({ status: 404 });
  });

  it("narrows a token to requested repositories and permissions, and refuses more than the installation has", async () => {
    const { fake, installation } = await seeded();
    fake.addRepo({ owner: "acme", name: "gears" });
    const app = appOctokit(fake);
    const narrow = await app.rest.apps.createInstallationAccessToken({ installation_id: installation.id, repositories: ["gears"], permissions: { issues: "read" } });
    expect(narrow.data.repository_selection).toBe("selected");
    expect(narrow.data.repositories?.map((r) => r.full_name)).toEqual(["acme/gears"]);
    expect(narrow.data.permissions).toEqual({ issues: "read" });
    const client = tokenOctokit(fake, narrow.data.token);
    await expect(client.rest.repos.get({ owner: "acme", repo: "widgets" })).rejects.toMatchObject({ status: 404 });
    expect((await client.rest.issues.listForRepo({ owner: "acme", repo: "gears" })).status).toBe(200);
    await expect(client.rest.issues.create({ owner: "acme", repo: "gears", title: "nope" })).rejects.toMatchObject({
      status: 403,
      response: { data: { message: "Resource not accessible by integration" } },
    });
    await expect(app.rest.apps.createInstallationAccessToken({ installation_id: installation.id, permissions: { administration: "write" } })).rejects.toMatchObject({
      status: 422,
      response: { data: { message: "The permissions requested are not granted to this installation." } },
    });
    await expect(app.rest.apps.createInstallationAccessToken({ installation_id: installation.id, repositories: ["nope"] })).rejects.toMatchObject({ status: 422 });
    await expect(app.rest.apps.createInstallationAccessToken({ installation_id: 42 })).rejects.toMatchObject({ status: 404 });
  });
});
