import { z } from "zod";

/** What a session cookie holds, sealed. Times in ms. */
export const sessionSchema = z.object({
  v: z.literal(1),
  /** The GitHub user. */
  uid: z.number().int(),
  login: z.string(),
  name: z.string().nullable(),
  avatar: z.string(),
  /** Access token, its expiry (null: never), refresh token and its expiry. */
  at: z.string(),
  exp: z.number().nullable(),
  rt: z.string().nullable(),
  rexp: z.number().nullable(),
  /** When the login happened (a revocation after it ends the session), and when the session ends whatever happens. */
  iat: z.number(),
  end: z.number(),
});

export type SessionData = z.infer<typeof sessionSchema>;

/** What a pending login cookie holds, sealed: the state, the PKCE verifier, where to go after, the redirect URI used. */
export const loginSchema = z.object({
  state: z.string(),
  verifier: z.string(),
  returnTo: z.string(),
  redirectUri: z.string(),
  exp: z.number(),
});

export type PendingLogin = z.infer<typeof loginSchema>;

/** A pending login lasts this long (GitHub's codes last 10 minutes too). */
export const LOGIN_TTL_MS = 10 * 60_000;
/** Refresh the access token when it has less than this left. */
export const REFRESH_MARGIN_MS = 5 * 60_000;
