import type { FastifyReply, FastifyRequest } from "fastify";
import { parseCookies, serializeCookie } from "./cookies.js";

/** Where the browser reached us, and whether cookies must be `Secure` (everywhere but localhost). */
export interface Site {
  origin: string;
  secure: boolean;
}

const LOCAL = /^(localhost|.+\.localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/**
 * The site of a request: `HOOKYARD_PUBLIC_URL` when set, else the scheme (`X-Forwarded-Proto` when
 * a proxy set it) and `Host` the browser used. Cookies are `Secure` unless the host is loopback.
 *
 * @example
 * ```ts
 * siteOf(req, undefined); // { origin: "http://127.0.0.1:3000", secure: false }
 * ```
 */
export function siteOf(req: FastifyRequest, publicUrl: string | undefined): Site {
  let origin = publicUrl;
  if (!origin) {
    const forwarded = String(req.headers["x-forwarded-proto"] ?? "").split(",")[0]?.trim();
    const proto = forwarded === "https" || forwarded === "http" ? forwarded : req.protocol;
    origin = `${proto}://${req.host}`;
  }
  const url = new URL(origin);
  return { origin: url.origin, secure: !LOCAL.test(url.hostname) };
}

/** The two cookies login uses: the session (whole site) and the pending login (auth routes only, 10 minutes). */
export const COOKIES = {
  session: { name: (s: Site) => (s.secure ? "__Host-hookyard_session" : "hookyard_session"), path: "/" },
  login: { name: (s: Site) => (s.secure ? "__Secure-hookyard_login" : "hookyard_login"), path: "/auth/github" },
} as const;

export type CookieKind = keyof typeof COOKIES;

/** The raw value of one of our cookies on a request. */
export function readCookie(req: FastifyRequest, site: Site, kind: CookieKind): string | undefined {
  return parseCookies(req.headers.cookie)[COOKIES[kind].name(site)];
}

/** Sets (with a lifetime in ms) or clears (`undefined`) one of our cookies. */
export function writeCookie(reply: FastifyReply, site: Site, kind: CookieKind, value: string | undefined, lifetimeMs = 0): void {
  const c = COOKIES[kind];
  reply.header("set-cookie", serializeCookie(c.name(site), value ?? "", { path: c.path, secure: site.secure, maxAge: value === undefined ? 0 : lifetimeMs / 1000 }));
}
