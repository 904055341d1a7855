import { createCipheriv, createDecipheriv, createHash, randomBytes, type KeyObject } from "node:crypto";
import type { Redis } from "ioredis";

/** An installation token and when GitHub says it expires. */
export interface CachedToken {
  token: string;
  /** epoch ms, from GitHub's `expires_at` */
  expiresAt: number;
  permissions?: Record<string, string>;
  repositorySelection?: string;
}

/**
 * Where installation tokens are kept between uses: in this process, or in Redis for a fleet.
 * `lock`/`unlock` let one process of a fleet fetch while the others wait for its result.
 */
export interface TokenStore {
  get(key: string): Promise<CachedToken | undefined>;
  set(key: string, value: CachedToken): Promise<void>;
  delete(key: string): Promise<void>;
  /** True when this caller may fetch the token for `key` (no other process is fetching it). */
  lock(key: string, ttlMs: number): Promise<boolean>;
  unlock(key: string): Promise<void>;
}

/**
 * Tokens in this process's memory; an entry is dropped once its token has expired.
 *
 * @example
 * ```ts
 * const tokens = new InstallationTokens({ store: new MemoryTokenStore(), fetch });
 * ```
 */
export class MemoryTokenStore implements TokenStore {
  private readonly map = new Map<string, CachedToken>();
  constructor(private readonly now: () => number = Date.now) {}
  async get(key: string): Promise<CachedToken | undefined> {
    const v = this.map.get(key);
    if (v && v.expiresAt <= this.now()) this.map.delete(key);
    return this.map.get(key);
  }
  async set(key: string, value: CachedToken): Promise<void> {
    this.map.set(key, value);
  }
  async delete(key: string): Promise<void> {
    this.map.delete(key);
  }
  async lock(): Promise<boolean> {
    return true; // one process: the in-flight map of InstallationTokens already makes fetches single
  }
  async unlock(): Promise<void> {}
}

/**
 * Tokens shared by every process of a fleet through Redis. Values are encrypted (AES-256-GCM) with
 * a key derived from the App's private key, so reading Redis alone does not yield a usable token;
 * each entry expires in Redis when the token does.
 *
 * @example
 * ```ts
 * const store = new RedisTokenStore(new Redis(process.env.REDIS_URL), privateKey);
 * ```
 */
export class RedisTokenStore implements TokenStore {
  private readonly key: Buffer;

  constructor(
    /** The client, or its promise (ioredis is an optional peer, loaded when REDIS_URL is set). */
    private readonly redis: Redis | Promise<Redis>,
    appKey: KeyObject,
    private readonly prefix = "hookyard:tokens:",
    private readonly now: () => number = Date.now,
  ) {
    const der = appKey.export({ type: "pkcs1", format: "der" });
    this.key = createHash("sha256").update("hookyard installation token cache v1\0").update(der).digest();
  }

  async get(key: string): Promise<CachedToken | undefined> {
    const raw = await (await this.redis).getBuffer(this.prefix + key);
    if (!raw || raw.length < 29) return undefined;
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      const json = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
      const value = JSON.parse(json) as CachedToken;
      return value.expiresAt > this.now() ? value : undefined;
    } catch {
      return undefined; // written with another App key, or corrupt: fetch a fresh one
    }
  }

  async set(key: string, value: CachedToken): Promise<void> {
    const ttl = value.expiresAt - this.now();
    if (ttl <= 0) return;
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(value), "utf8"), cipher.final()]);
    await (await this.redis).set(this.prefix + key, Buffer.concat([iv, cipher.getAuthTag(), body]), "PX", ttl);
  }

  async delete(key: string): Promise<void> {
    await (await this.redis).del(this.prefix + key);
  }

  async lock(key: string, ttlMs: number): Promise<boolean> {
    return (await (await this.redis).set(`${this.prefix}${key}:lock`, "1", "PX", ttlMs, "NX")) === "OK";
  }

  async unlock(key: string): Promise<void> {
    await (await this.redis).del(`${this.prefix}${key}:lock`);
  }
}
