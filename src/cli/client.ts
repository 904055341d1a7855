import { HookyardError } from "../errors.js";

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

  listTasks(filter: { state?: string; name?: string; event?: string; repository?: string; limit?: number; cursor?: string } = {}) {
    return this.request<{ items: ApiTask[]; nextCursor: string | null }>("GET", "/tasks", { ...filter, limit: filter.limit?.toString() });
  }

  retryTask(id: string) {
    return this.request<ApiTask>("POST", `/tasks/${encodeURIComponent(id)}/retry`);
  }

  cancelTask(id: string) {
    return this.request<ApiTask>("POST", `/tasks/${encodeURIComponent(id)}/cancel`);
  }

  replayDelivery(id: string) {
    return this.request<{ delivery: string; tasks: string[] }>("POST", `/deliveries/${encodeURIComponent(id)}/replay`);
  }
}

/** A task as the API lists it. */
export interface ApiTask {
  id: string;
  name: string;
  deliveryId: string;
  event: string;
  action: string | null;
  repository: string | null;
  state: string;
  attempts: number;
  maxAttempts: number;
  runAt: string;
  updatedAt: string;
  lastError: { message: string; code?: string } | null;
}
