import { HookyardError } from "../../errors.js";

/** What GitHub answers a manifest conversion with: the new App and, once only, its credentials. */
export interface ManifestConversion {
  id: number;
  slug: string;
  name: string;
  html_url: string;
  owner: { login: string } | null;
  client_id: string;
  client_secret: string;
  webhook_secret: string | null;
  /** The App's private key (PEM). */
  pem: string;
}

/**
 * Exchanges the `code` GitHub's manifest flow redirected with for the new App and its
 * credentials (`POST /app-manifests/{code}/conversions`, no authentication). A code works once,
 * for an hour: otherwise `HOOKYARD_ERR_SETUP_CODE_INVALID`; GitHub unreachable or answering
 * oddly: `HOOKYARD_ERR_SETUP_CONVERSION_FAILED`. Messages never contain the credentials.
 *
 * @example
 * ```ts
 * const app = await convertManifestCode({ code, baseUrl: "https://api.github.com" });
 * ```
 */
export async function convertManifestCode(o: { code: string; baseUrl: string; fetch?: typeof fetch }): Promise<ManifestConversion> {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(o.code)) throw new HookyardError("HOOKYARD_ERR_SETUP_CODE_INVALID", "the manifest code is missing or malformed");
  const url = `${o.baseUrl.replace(/\/+$/, "")}/app-manifests/${o.code}/conversions`;
  let res: Response;
  try {
    res = await (o.fetch ?? fetch)(url, {
      method: "POST",
      headers: { accept: "application/vnd.github+json", "user-agent": "hookyard", "x-github-api-version": "2022-11-28" },
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    throw new HookyardError("HOOKYARD_ERR_SETUP_CONVERSION_FAILED", `cannot reach GitHub at ${o.baseUrl}: ${(err as Error).message}`, { cause: err });
  }
  if (res.status === 404 || res.status === 422) {
    throw new HookyardError("HOOKYARD_ERR_SETUP_CODE_INVALID", `GitHub does not accept this manifest code (HTTP ${res.status}): codes work once, for an hour; start again from /setup`);
  }
  if (res.status !== 201 && res.status !== 200) {
    throw new HookyardError("HOOKYARD_ERR_SETUP_CONVERSION_FAILED", `GitHub answered the manifest conversion with HTTP ${res.status}`);
  }
  const data = (await res.json().catch(() => null)) as Partial<ManifestConversion> | null;
  if (!data || typeof data.id !== "number" || typeof data.pem !== "string" || typeof data.client_id !== "string" || typeof data.client_secret !== "string") {
    throw new HookyardError("HOOKYARD_ERR_SETUP_CONVERSION_FAILED", "GitHub's manifest conversion answer lacks the App id, key or client credentials");
  }
  return data as ManifestConversion;
}
