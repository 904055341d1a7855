import type { Logger } from "pino";

/** One rejected webhook request: its error code, HTTP status and where it came from. */
export interface Rejection {
  code: string;
  status: number;
  /** The client's address (Fastify's `req.ip`). */
  source?: string;
  /** The X-GitHub-Delivery header when it was well-formed (unverified when the signature failed). */
  delivery?: string;
}

export interface RejectionLogOptions {
  /** Warnings logged per window (default 10). */
  limit?: number;
  /** Window length in ms (default 1000). */
  windowMs?: number;
  now?: () => number;
  /** Counts each suppressed warning (metrics). */
  onSuppressed?: () => void;
}

/**
 * Logs one warn line per rejected delivery (reason code, status, source address), at most `limit`
 * per `windowMs`; the lines past the limit are counted and reported in one summary line when the
 * window ends, so that a flood of bad requests cannot fill the disk.
 *
 * @example
 * ```ts
 * const rejections = new RejectionLog(log, { limit: 10, windowMs: 1000 });
 * rejections.note({ code: "HOOKYARD_ERR_INGRESS_SIGNATURE_INVALID", status: 401, source: "203.0.113.9" });
 * ```
 */
export class RejectionLog {
  private readonly limit: number;
  private readonly windowMs: number;
  private readonly now: () => number;
  private windowStart = -Infinity;
  private logged = 0;
  private suppressed = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly log: Logger, private readonly o: RejectionLogOptions = {}) {
    this.limit = o.limit ?? 10;
    this.windowMs = o.windowMs ?? 1000;
    this.now = o.now ?? Date.now;
  }

  note(r: Rejection): void {
    const at = this.now();
    if (at - this.windowStart >= this.windowMs) {
      this.flush();
      this.windowStart = at;
      this.logged = 0;
    }
    if (this.logged < this.limit) {
      this.logged += 1;
      this.log.warn({ code: r.code, status: r.status, source: r.source, ...(r.delivery ? { delivery: r.delivery } : {}) }, "webhook delivery rejected");
      return;
    }
    this.suppressed += 1;
    this.o.onSuppressed?.();
    // the summary comes at the window's end even if no request follows
    this.timer ??= setTimeout(() => this.flush(), Math.max(0, this.windowStart + this.windowMs - at)).unref();
  }

  /** Logs the summary of suppressed warnings, if any (at the window's end, and on close). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.suppressed === 0) return;
    this.log.warn({ suppressed: this.suppressed, windowMs: this.windowMs }, "more webhook deliveries rejected; their warnings were suppressed");
    this.suppressed = 0;
  }
}
