import type { FastifyRequest } from "fastify";
import type { FakeClock } from "./clock.js";
import type { GraphQLAnswers } from "./graphql/answers.js";
import type { RateLimiter } from "./rate-limit.js";
import type { Urls } from "./shapes/urls.js";
import type { AccountRecord, AppRecord, FakeState, InstallationRecord } from "./state.js";
import type { IssuedToken, TokenStore, UserToken } from "./tokens.js";
import type { Webhooks } from "./webhooks.js";

/** Who a request authenticated as. */
export type AuthInfo =
  | { kind: "app"; app: AppRecord }
  | { kind: "installation"; app: AppRecord; installation: InstallationRecord; token: IssuedToken }
  | { kind: "user"; app: AppRecord; user: AccountRecord; token: UserToken };

/** What the server remembers about one request between its hooks. */
export interface RequestInfo {
  auth?: AuthInfo;
  /** The rate-limit bucket this request was counted against (refunded on 304). */
  counted?: string;
  /** The bucket whose headers the answer carries. */
  bucket?: string;
}

/** A GitHub App manifest waiting for `POST /app-manifests/{code}/conversions`. */
export interface PendingManifest {
  manifest: Record<string, unknown>;
  owner: AccountRecord;
  expiresAt: number;
}

/** Everything the routes share. */
export interface FakeContext {
  state: FakeState;
  clock: FakeClock;
  urls: Urls;
  tokens: TokenStore;
  rate: RateLimiter;
  webhooks: Webhooks;
  /** Codes made by `fake.createManifestCode`, by code. */
  manifests: Map<string, PendingManifest>;
  /** `POST /graphql`: the requests received and the answers a test configured. */
  graphql: GraphQLAnswers;
  info(req: FastifyRequest): RequestInfo;
}

/** The rate-limit bucket of an authenticated caller. */
export function bucketKey(auth: AuthInfo): string {
  if (auth.kind === "installation") return `installation:${auth.installation.id}`;
  if (auth.kind === "user") return `user:${auth.user.id}`;
  return `app:${auth.app.id}`;
}

/** GitHub's words for whose budget ran out ("installation ID 42"). */
export function bucketSubject(auth: AuthInfo): string {
  if (auth.kind === "installation") return `installation ID ${auth.installation.id}`;
  if (auth.kind === "user") return `user ID ${auth.user.id}`;
  return `app ID ${auth.app.id}`;
}
