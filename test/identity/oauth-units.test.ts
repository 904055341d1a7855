import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { parseCookies, serializeCookie } from "../../src/identity/oauth/cookies.js";
import { githubWebUrl, safeReturnTo, Sealer } from "../../src/identity/oauth/index.js";

const A = "a".repeat(32);
const B = "b".repeat(32);

describe("Sealer", () => {
  it("opens what it sealed, for the same purpose only, and detects any change", () => {
    const s = new Sealer([A]);
    const sealed = s.seal("session", { uid: 1, at: "ghu_secret" });
    expect(sealed).toMatch(/^v1\.[\w-]+$/);
    expect(sealed).not.toContain("ghu_secret");
    expect(s.open("session", sealed)).toEqual({ uid: 1, at: "ghu_secret" });
    expect(s.open("login", sealed)).toBeUndefined();
    const body = sealed.slice(3);
    for (const i of [0, 13, body.length - 1]) {
      // flip the character's top bit: the last base64url character's low bits may be padding that decodes the same
      const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
      const flipped = alphabet[alphabet.indexOf(body[i]!) ^ 32];
      const changed = `v1.${body.slice(0, i)}${flipped}${body.slice(i + 1)}`;
      expect(s.open("session", changed)).toBeUndefined();
    }
    expect(s.open("session", "v1.")).toBeUndefined();
    expect(s.open("session", "garbage")).toBeUndefined();
  });

  it("rotates: the first secret seals, every secret opens", () => {
    const old = new Sealer([A]).seal("session", { n: 1 });
    const rotated = new Sealer([B, A]);
    expect(rotated.open("session", old)).toEqual({ n: 1 });
    expect(new Sealer([A]).open("session", rotated.seal("session", { n: 2 }))).toBeUndefined();
    expect(new Sealer([B]).open("session", old)).toBeUndefined();
  });
});

describe("safeReturnTo", () => {
  it("keeps paths on this site and refuses everything else", () => {
    expect(safeReturnTo(undefined)).toBe("/");
    expect(safeReturnTo("/deploy/42?x=1#top")).toBe("/deploy/42?x=1#top");
    expect(safeReturnTo("/a/../b")).toBe("/b");
    for (const bad of ["//evil.com", "https://evil.com", "/\\evil.com", "\\/evil.com", "/\\/evil.com", "javascript:alert(1)", "evil.com", "/\tevil", "/x\ny", ["/a"]]) {
      expect(() => safeReturnTo(bad), String(bad)).toThrow(expect.objectContaining({ code: "HOOKYARD_ERR_OAUTH_RETURN_TO_INVALID" }));
    }
  });
});

describe("cookies", () => {
  it("parses a Cookie header and writes Set-Cookie with the attributes asked for", () => {
    expect(parseCookies('a=1; b="two"; a=3; junk')).toEqual({ a: "1", b: "two" });
    expect(serializeCookie("s", "v1.x", { path: "/", maxAge: 60, secure: true })).toBe("s=v1.x; Path=/; Max-Age=60; HttpOnly; Secure; SameSite=Lax");
    expect(serializeCookie("s", "", { path: "/auth", maxAge: 0, secure: false })).toBe("s=; Path=/auth; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax");
    expect(() => serializeCookie("s", "a;b", { path: "/", secure: false })).toThrow();
  });
});

describe("githubWebUrl", () => {
  it("derives GitHub's web address from the API settings", () => {
    expect(githubWebUrl(loadConfig({}, {}))).toBe("https://github.com");
    expect(githubWebUrl(loadConfig({ gheHost: "ghe.example.com" }, {}))).toBe("https://ghe.example.com");
    expect(githubWebUrl(loadConfig({ githubApiUrl: "https://ghe.example.com/api/v3" }, {}))).toBe("https://ghe.example.com");
    expect(githubWebUrl(loadConfig({ githubApiUrl: "https://api.github.com" }, {}))).toBe("https://github.com");
    expect(githubWebUrl(loadConfig({ githubApiUrl: "http://127.0.0.1:4000" }, {}))).toBe("http://127.0.0.1:4000");
    expect(githubWebUrl(loadConfig({ githubWebUrl: "https://gh.example.com/" }, {}))).toBe("https://gh.example.com");
  });
});
