import Bottleneck from "bottleneck";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { loadIoredis } from "../store/peers.js";

/**
 * The limiter groups `@octokit/plugin-throttling` paces requests with, configured as it configures
 * them: ten concurrent requests, one auth request at a time, a search every 2 s, a write every
 * second, a write that notifies people every 3 s.
 */
const GROUPS = {
  global: { maxConcurrent: 10 },
  auth: { maxConcurrent: 1 },
  search: { maxConcurrent: 1, minTime: 2000 },
  write: { maxConcurrent: 1, minTime: 1000 },
  notifications: { maxConcurrent: 1, minTime: 3000 },
} as const;

export type ThrottleGroupName = keyof typeof GROUPS;

/** What the throttling plugin calls on a group: `group.key(id).schedule(options, fn, ...args)`. */
export interface ThrottleGroup {
  key(id: string): { schedule(...args: unknown[]): Promise<unknown> };
}

export interface SharedThrottleOptions {
  /** The Redis URL (Probot's `REDIS_URL`). */
  url: string;
  log: Logger;
  /** Prefix of the limiter ids, so of their Redis keys `b_<namespace>octokit-write-<id>_…` (default `hookyard:`). */
  namespace?: string;
}

/**
 * Write pacing shared by every process that uses the same Redis, as Probot does with `REDIS_URL`:
 * the throttling plugin's limiter groups, kept in Redis by Bottleneck's clustering. ioredis (an
 * optional peer) is loaded and Redis is connected on the first request that needs a limiter.
 *
 * @example
 * ```ts
 * const throttle = new SharedThrottle({ url: "redis://127.0.0.1:6379", log });
 * new Octokit({ throttle: { ...throttle.groups, clustering: true, id: "42", onRateLimit, onSecondaryRateLimit } });
 * ```
 */
export class SharedThrottle {
  /** The groups to pass in Octokit's `throttle` options (`{ ...groups, clustering: true }`). */
  readonly groups: Record<ThrottleGroupName, ThrottleGroup>;
  private connecting: Promise<Record<ThrottleGroupName, Bottleneck.Group>> | undefined;
  private connection: Bottleneck.IORedisConnection | undefined;

  constructor(private readonly o: SharedThrottleOptions) {
    const group = (name: ThrottleGroupName): ThrottleGroup => ({
      key: (id) => ({
        // the plugin asks for a limiter synchronously; it is made once Redis is connected
        schedule: async (...args) => {
          const limiter = await this.limiter(name, id);
          return (limiter.schedule as (...a: unknown[]) => Promise<unknown>).apply(limiter, args);
        },
      }),
    });
    this.groups = { global: group("global"), auth: group("auth"), search: group("search"), write: group("write"), notifications: group("notifications") };
  }

  /** The limiter of one group for one throttle id (`done()` and `running()` count across the fleet). */
  async limiter(name: ThrottleGroupName, id: string): Promise<Bottleneck> {
    this.connecting ??= this.connect().catch((err: unknown) => {
      this.connecting = undefined; // the next request tries again
      throw err;
    });
    return (await this.connecting)[name].key(id);
  }

  async close(): Promise<void> {
    await this.connecting?.catch(() => undefined);
    await this.connection?.disconnect(true).catch(() => undefined);
  }

  private async connect(): Promise<Record<ThrottleGroupName, Bottleneck.Group>> {
    const Redis = await loadIoredis("REDIS_URL (shared throttling)");
    const client: Redis = new Redis(this.o.url, { maxRetriesPerRequest: 3, connectionName: "hookyard:throttle" });
    try {
      // Bottleneck waits for the client without limit: an unreachable Redis fails the request instead
      await client.ping();
    } catch (err) {
      client.disconnect();
      throw err;
    }
    const connection = new Bottleneck.IORedisConnection({ client, Redis } as Bottleneck.IORedisConnectionOptions);
    connection.on("error", (err: unknown) => this.o.log.error({ err }, "shared throttling: Redis error"));
    this.connection = connection;
    const ns = this.o.namespace ?? "hookyard:";
    const make = (name: ThrottleGroupName) => new Bottleneck.Group({ ...GROUPS[name], id: `${ns}octokit-${name}`, timeout: 2 * 60_000, connection });
    return { global: make("global"), auth: make("auth"), search: make("search"), write: make("write"), notifications: make("notifications") };
  }
}
