import type { z } from "zod";
import { HookyardError } from "../errors.js";
import type { Delivery, DeliveryDetail, Replayed, Task, TaskDetail } from "../http/api/schemas.js";

/** The API's shapes, from the schemas its routes are documented and checked with. */
export type ApiTask = z.output<typeof Task>;
export type ApiTaskDetail = z.output<typeof TaskDetail>;
export type ApiDelivery = z.output<typeof Delivery>;
export type ApiDeliveryDetail = z.output<typeof DeliveryDetail>;
export type ApiPage<T> = { items: T[]; nextCursor: string | null };
export type TaskFilter = { state?: string; name?: string; event?: string; repository?: string; delivery?: string; limit?: number; cursor?: string };
export type DeliveryFilter = { event?: string; action?: string; repository?: string; status?: string; limit?: number; cursor?: string };

/**
 * A small client for the management API, used by the CLI and usable from scripts.
 *
 * @example
 * ```ts
 * const api = new ApiClient("http://127.0.0.1:3000", process.env.HOOKYARD_API_TOKEN);
 * const { items } = await api.listTasks({ state: "failed" });
 * ```
 */
export class ApiClient {
  constructor(private readonly baseUrl: string, private readonly token?: string) {}

  async request<T>(method: "GET" | "POST", path: string, query: Record<string, string | undefined> = {}): Promise<T> {
    const url = new URL(`/api/v1${path}`, this.baseUrl);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
    let res: Response;
    try {
      res = await fetch(url, { method, headers: this.token ? { authorization: `Bearer ${this.token}` } : {} });
    } catch (err) {
      throw new HookyardError("HOOKYARD_ERR_CLI_REQUEST_FAILED", `cannot reach ${url.origin}: ${(err as Error).cause ? String((err as { cause: Error }).cause.message) : (err as Error).message}`);
    }
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (!res.ok) {
      const e = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new HookyardError("HOOKYARD_ERR_CLI_REQUEST_FAILED", `${res.status} ${e?.code ?? ""}: ${e?.message ?? text.slice(0, 200)}`.replace(" :", ":"));
    }
    return body as T;
  }

  listTasks(filter: TaskFilter = {}) {
    return this.request<ApiPage<ApiTask>>("GET", "/tasks", { ...filter, limit: filter.limit?.toString() });
  }

  getTask(id: string) {
    return this.request<ApiTaskDetail>("GET", `/tasks/${encodeURIComponent(id)}`);
  }

  retryTask(id: string) {
    return this.request<ApiTask>("POST", `/tasks/${encodeURIComponent(id)}/retry`);
  }

  cancelTask(id: string) {
    return this.request<ApiTask>("POST", `/tasks/${encodeURIComponent(id)}/cancel`);
  }

  listDeliveries(filter: DeliveryFilter = {}) {
    return this.request<ApiPage<ApiDelivery>>("GET", "/deliveries", { ...filter, limit: filter.limit?.toString() });
  }

  getDelivery(id: string) {
    return this.request<ApiDeliveryDetail>("GET", `/deliveries/${encodeURIComponent(id)}`);
  }

  replayDelivery(id: string) {
    return this.request<z.output<typeof Replayed>>("POST", `/deliveries/${encodeURIComponent(id)}/replay`);
  }
}
