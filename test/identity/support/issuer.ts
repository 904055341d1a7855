import { createHmac, randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK } from "jose";

/** One signing key of the test issuer. */
export interface IssuerKey {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  jwk: JWK;
}

/** Options of one minted token: which key signs it and any claim (undefined removes a default). */
export interface MintOptions {
  /** Sign with this key (default: the issuer's first key). */
  key?: IssuerKey;
  /** The `kid` header (default: the signing key's). */
  kid?: string;
}

/**
 * A local stand-in for token.actions.githubusercontent.com: a real HTTP server on a loopback port
 * that serves `/.well-known/openid-configuration` and `/.well-known/jwks` with RSA keys made here,
 * counts the requests, and mints tokens shaped like GitHub's.
 */
export interface TestIssuer {
  /** The issuer (`iss`), e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Keys published in the JWKS. */
  readonly keys: IssuerKey[];
  readonly hits: { discovery: number; jwks: number };
  /** While down, every request is answered 503 (still counted). */
  setDown(down: boolean): void;
  /** A new key, published in the JWKS when `publish` is true (default). */
  addKey(publish?: boolean): Promise<IssuerKey>;
  /** A token with GitHub's claims for the run, `claims` merged over them (a key set to undefined is removed). */
  mint(claims?: Record<string, unknown>, options?: MintOptions): Promise<string>;
  /** The default claims (audience `aud`), for building variants. */
  claims(overrides?: Record<string, unknown>): Record<string, unknown>;
  /** An unsigned token (`alg: none`) with the default claims. */
  unsigned(claims?: Record<string, unknown>): string;
  /** A token signed HS256 with the first key's public key (PEM) as the HMAC secret. */
  hs256WithPublicKey(claims?: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

export const AUDIENCE = "https://deploy.example.com";
export const REPO = { id: 74, name: "acme/widgets", ownerId: 65, owner: "acme" };

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");

async function newKey(): Promise<IssuerKey> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const kid = randomUUID();
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
  return { kid, privateKey, publicKey, jwk };
}

export async function startIssuer(): Promise<TestIssuer> {
  const hits = { discovery: 0, jwks: 0 };
  const keys: IssuerKey[] = [await newKey()];
  let url = "";
  let down = false;
  const server: Server = createServer((req, res) => {
    if (down) {
      if (req.url?.endsWith("openid-configuration")) hits.discovery++;
      res.statusCode = 503;
      res.end();
    } else if (req.url === "/.well-known/openid-configuration") {
      hits.discovery++;
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ issuer: url, jwks_uri: `${url}/.well-known/jwks`, id_token_signing_alg_values_supported: ["RS256"] }));
    } else if (req.url === "/.well-known/jwks") {
      hits.jwks++;
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ keys: keys.map((k) => k.jwk) }));
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

  const claims = (overrides: Record<string, unknown> = {}): Record<string, unknown> => {
    const now = Math.floor(Date.now() / 1000);
    const base: Record<string, unknown> = {
      jti: randomUUID(), sub: `repo:${REPO.name}:environment:production`, aud: AUDIENCE, iss: url,
      ref: "refs/heads/main", sha: "6113728f27ae82c7b1a177c8d03f9e96e0adf246", repository: REPO.name,
      repository_owner: REPO.owner, repository_owner_id: String(REPO.ownerId), repository_id: String(REPO.id),
      repository_visibility: "private", run_id: "5071906345", run_number: "12", run_attempt: "1",
      runner_environment: "github-hosted", actor: "octocat", actor_id: "583231", workflow: "deploy",
      head_ref: "", base_ref: "", event_name: "push", ref_type: "branch", ref_protected: "true",
      environment: "production",
      workflow_ref: `${REPO.name}/.github/workflows/deploy.yml@refs/heads/main`,
      job_workflow_ref: `${REPO.name}/.github/workflows/deploy.yml@refs/heads/main`,
      nbf: now - 5, iat: now - 5, exp: now + 300,
    };
    const out = { ...base, ...overrides };
    for (const [k, v] of Object.entries(out)) if (v === undefined) delete out[k];
    return out;
  };

  return {
    url,
    keys,
    hits,
    setDown(value) {
      down = value;
    },
    async addKey(publish = true) {
      const k = await newKey();
      if (publish) keys.push(k);
      return k;
    },
    claims,
    async mint(overrides = {}, options = {}) {
      const key = options.key ?? keys[0]!;
      return new SignJWT(claims(overrides)).setProtectedHeader({ alg: "RS256", typ: "JWT", kid: options.kid ?? key.kid }).sign(key.privateKey);
    },
    unsigned(overrides = {}) {
      return `${b64({ alg: "none", typ: "JWT" })}.${b64(claims(overrides))}.`;
    },
    async hs256WithPublicKey(overrides = {}) {
      const pem = await exportSPKI(keys[0]!.publicKey);
      const input = `${b64({ alg: "HS256", typ: "JWT", kid: keys[0]!.kid })}.${b64(claims(overrides))}`;
      return `${input}.${createHmac("sha256", pem).update(input).digest("base64url")}`;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
