// The management API as the console calls it: the token (if any) from sessionStorage as a Bearer
// header, or the GitHub login cookie, which the browser sends itself.

const TOKEN_KEY = "hookyard.token";

export function getToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(token: string | null): void {
  if (token === null) sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, token);
}

export function authHeaders(): Record<string, string> {
  const token = getToken();
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** An error answer of the API: `{ error: { code, message } }`. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/** Listeners told when the API answers 401 (the console then shows its login page). */
export const authEvents = new EventTarget();

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json", ...authHeaders() };
  if (init.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`/api/v1${path}`, { method: init.method ?? "GET", headers, ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}) });
  const text = await res.text();
  const body = text ? (JSON.parse(text) as unknown) : null;
  if (!res.ok) {
    const err = (body as { error?: { code?: string; message?: string } } | null)?.error;
    const error = new ApiError(res.status, err?.code ?? "HTTP_" + res.status, err?.message ?? res.statusText);
    if (res.status === 401) authEvents.dispatchEvent(new CustomEvent("unauthorized", { detail: error }));
    throw error;
  }
  return body as T;
}

/** A query string from the fields that are set. */
export function qs(fields: Record<string, string | number | undefined | null>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined && v !== null && v !== "") p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : "";
}
