import { createHmac } from "node:crypto";
import { performance } from "node:perf_hooks";
import { sign } from "../../ingress/verify.js";
import { isoSeconds, type FakeClock } from "./clock.js";
import { guid as newGuid, type IdSource } from "./ids.js";
import type { Schemas } from "./shapes/urls.js";
import type { AppRecord } from "./state.js";

/** One delivery attempt, as the App's delivery log keeps it. */
export interface DeliveryRecord {
  id: number;
  guid: string;
  appId: number;
  deliveredAt: number;
  redelivery: boolean;
  /** Seconds, as GitHub reports it. */
  duration: number;
  status: string;
  statusCode: number;
  event: string;
  action: string | null;
  installationId: number | null;
  repositoryId: number | null;
  url: string | undefined;
  requestHeaders: Record<string, string>;
  payload: Record<string, unknown>;
  responseHeaders: Record<string, string> | null;
  responseBody: string | null;
}

/** How {@link Webhooks.failWebhooks} makes deliveries fail: not at all, unreachable, or with a status. */
export type FailMode = false | true | number;

const TIMEOUT_MS = 10_000;
const MAX_RESPONSE_CHARS = 4_096;

/** Sends signed webhooks, keeps the delivery log, and tracks sends in flight so tests can await them. */
export class Webhooks {
  readonly log: DeliveryRecord[] = [];
  private readonly pending = new Set<Promise<unknown>>();
  private readonly closing = new AbortController();
  private fail: FailMode = false;

  constructor(private readonly clock: FakeClock, private readonly ids: IdSource) {}

  failWebhooks(mode: FailMode): void {
    this.fail = mode;
  }

  /**
   * Sends `payload` as `event` to the App's webhook URL and records the attempt. `guid` (and
   * `redelivery: true`) for a redelivery; the returned promise settles once the attempt is logged.
   */
  send(
    app: AppRecord,
    event: string,
    payload: Record<string, unknown>,
    meta: { installationId: number | null; repositoryId: number | null; guid?: string; redelivery?: boolean },
  ): Promise<DeliveryRecord> {
    const p = this.attempt(app, event, payload, meta);
    this.pending.add(p);
    p.finally(() => this.pending.delete(p)).catch(() => undefined); // the caller sees a rejection through `p`
    return p;
  }

  /** Sends a logged delivery again with the same guid, logged as a new entry with `redelivery: true`. */
  redeliver(app: AppRecord, record: DeliveryRecord): Promise<DeliveryRecord> {
    return this.send(app, record.event, record.payload, {
      installationId: record.installationId,
      repositoryId: record.repositoryId,
      guid: record.guid,
      redelivery: true,
    });
  }

  /** Resolves once no send is in flight (including sends started while waiting). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Aborts sends in flight and waits for them to be logged. */
  async close(): Promise<void> {
    this.closing.abort();
    await this.idle();
  }

  private async attempt(
    app: AppRecord,
    event: string,
    payload: Record<string, unknown>,
    meta: { installationId: number | null; repositoryId: number | null; guid?: string; redelivery?: boolean },
  ): Promise<DeliveryRecord> {
    const body = JSON.stringify(payload);
    const guid = meta.guid ?? newGuid();
    const headers: Record<string, string> = {
      accept: "*/*",
      "content-type": "application/json",
      "user-agent": "GitHub-Hookshot/hookyard-fake",
      "x-github-delivery": guid,
      "x-github-event": event,
      "x-github-hook-id": String(app.hookId),
      "x-github-hook-installation-target-id": String(app.id),
      "x-github-hook-installation-target-type": "integration",
    };
    if (app.webhookSecret !== undefined) {
      headers["x-hub-signature"] = `sha1=${createHmac("sha1", app.webhookSecret).update(body).digest("hex")}`;
      headers["x-hub-signature-256"] = sign(app.webhookSecret, body);
    }
    const record: DeliveryRecord = {
      id: this.ids.id(),
      guid,
      appId: app.id,
      deliveredAt: this.clock.now(),
      redelivery: meta.redelivery ?? false,
      duration: 0,
      status: "",
      statusCode: 0,
      event,
      action: typeof payload.action === "string" ? payload.action : null,
      installationId: meta.installationId,
      repositoryId: meta.repositoryId,
      url: app.webhookUrl,
      requestHeaders: headers,
      payload,
      responseHeaders: null,
      responseBody: null,
    };
    const started = performance.now();
    await this.post(record, body);
    record.duration = Math.round(performance.now() - started) / 1000;
    this.log.push(record);
    return record;
  }

  private async post(record: DeliveryRecord, body: string): Promise<void> {
    if (record.url === undefined) {
      record.status = "We couldn't deliver this payload: no webhook URL is configured";
      return;
    }
    if (this.fail === true) {
      record.status = "We couldn't deliver this payload: Connection refused";
      return;
    }
    if (typeof this.fail === "number") {
      record.statusCode = this.fail;
      record.status = this.fail >= 200 && this.fail < 300 ? "OK" : `Invalid HTTP Response: ${this.fail}`;
      return;
    }
    try {
      const res = await fetch(record.url, {
        method: "POST",
        headers: record.requestHeaders,
        body,
        redirect: "manual",
        signal: AbortSignal.any([this.closing.signal, AbortSignal.timeout(TIMEOUT_MS)]),
      });
      record.statusCode = res.status;
      record.status = res.ok ? "OK" : `Invalid HTTP Response: ${res.status}`;
      record.responseHeaders = Object.fromEntries(res.headers);
      record.responseBody = (await res.text()).slice(0, MAX_RESPONSE_CHARS);
    } catch (err) {
      record.statusCode = 0;
      record.status = `We couldn't deliver this payload: ${this.closing.signal.aborted ? "aborted, the fake GitHub was closed" : failureText(err)}`;
    }
  }
}

function failureText(err: unknown): string {
  if (err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError")) return "timed out";
  const cause = err instanceof Error ? (err.cause as { code?: unknown; message?: unknown; errors?: { code?: unknown }[] } | undefined) : undefined;
  const code = cause?.code ?? cause?.errors?.[0]?.code;
  if (code === "ECONNREFUSED") return "Connection refused";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "Couldn't resolve host";
  if (code === "ECONNRESET") return "Connection reset by peer";
  if (typeof cause?.message === "string") return cause.message;
  return err instanceof Error ? err.message : String(err);
}

/** The fields a log entry shows both in the list and on its own. */
function deliveryFields(d: DeliveryRecord) {
  return {
    id: d.id,
    guid: d.guid,
    delivered_at: isoSeconds(d.deliveredAt),
    redelivery: d.redelivery,
    duration: d.duration,
    status: d.status,
    status_code: d.statusCode,
    event: d.event,
    action: d.action,
    installation_id: d.installationId,
    repository_id: d.repositoryId,
    throttled_at: null,
  };
}

/** A log entry as `hook-delivery-item` (the list). */
export function deliveryItem(d: DeliveryRecord): Schemas["hook-delivery-item"] {
  return deliveryFields(d);
}

/** A log entry as `hook-delivery` (one delivery, with request and response). */
export function deliveryDetail(d: DeliveryRecord): Schemas["hook-delivery"] {
  return {
    ...deliveryFields(d),
    url: d.url ?? "",
    request: { headers: { ...d.requestHeaders }, payload: d.payload },
    response: { headers: d.responseHeaders, payload: d.responseBody },
  };
}
