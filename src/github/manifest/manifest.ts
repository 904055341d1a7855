import { randomBytes } from "node:crypto";

/** A GitHub App manifest: what GitHub's "create an App" form is pre-filled with. */
export type GitHubAppManifest = {
  name: string;
  /** The App's homepage. */
  url: string;
  description?: string;
  hook_attributes: { url: string; active?: boolean };
  /** Where GitHub sends the browser, with `?code=…&state=…`, once the App is created. */
  redirect_url: string;
  callback_urls?: string[];
  setup_url?: string;
  public: boolean;
  default_permissions: Record<string, "read" | "write">;
  default_events: string[];
};

/**
 * What a Hookyard App needs: read and write issues, pull requests and checks, read contents and
 * metadata. (`installation` events reach every App without being asked for.)
 */
export const DEFAULT_PERMISSIONS: Readonly<Record<string, "read" | "write">> = Object.freeze({
  issues: "write", pull_requests: "write", checks: "write", contents: "read", metadata: "read",
});

/** The events a Hookyard App subscribes to by default. */
export const DEFAULT_EVENTS: readonly string[] = Object.freeze(["issues", "issue_comment", "pull_request", "push"]);

export interface ManifestInput {
  /** Where GitHub reaches this server, e.g. `https://hooks.example.com` (no trailing slash needed). */
  publicUrl: string;
  /** The webhook path (`WEBHOOK_PATH`). */
  webhookPath: string;
  /** Where the browser reaches this server's `/setup/callback` (default `publicUrl`). */
  redirectBase?: string;
  /** The App's name (default `hookyard-` and six random hex digits; GitHub's form lets it be changed). */
  name?: string;
  permissions?: Record<string, "read" | "write">;
  events?: string[];
}

/**
 * The manifest of a new Hookyard App: webhooks to `publicUrl + webhookPath`, back to
 * `redirectBase + /setup/callback` once created, private, with {@link DEFAULT_PERMISSIONS} and
 * {@link DEFAULT_EVENTS}.
 *
 * @example
 * ```ts
 * buildManifest({ publicUrl: "https://hooks.example.com", webhookPath: "/api/github/webhooks" });
 * ```
 */
export function buildManifest(o: ManifestInput): GitHubAppManifest {
  const base = o.publicUrl.replace(/\/+$/, "");
  const back = (o.redirectBase ?? base).replace(/\/+$/, "");
  return {
    name: o.name ?? `hookyard-${randomBytes(3).toString("hex")}`,
    url: base,
    description: "Webhook automation on Hookyard",
    hook_attributes: { url: `${base}${o.webhookPath}`, active: true },
    redirect_url: `${back}/setup/callback`,
    public: false,
    default_permissions: { ...(o.permissions ?? DEFAULT_PERMISSIONS) },
    default_events: [...(o.events ?? DEFAULT_EVENTS)],
  };
}

/**
 * GitHub's web address for the API base URL in use: `https://github.com` for api.github.com, the
 * GitHub Enterprise Server host for `…/api/v3`, else the API's own origin (a fake GitHub).
 *
 * @example
 * ```ts
 * githubWebUrl("https://ghe.example.com/api/v3"); // "https://ghe.example.com"
 * ```
 */
export function githubWebUrl(apiBaseUrl: string): string {
  const u = new URL(apiBaseUrl);
  if (u.host === "api.github.com") return "https://github.com";
  const path = u.pathname.replace(/\/+$/, "");
  return `${u.origin}${path.endsWith("/api/v3") ? path.slice(0, -"/api/v3".length) : ""}`;
}

/**
 * Where the manifest form is POSTed: GitHub's "new App" page for the user, or for `org`, with the
 * CSRF `state` GitHub hands back to the redirect.
 *
 * @example
 * ```ts
 * manifestFormUrl({ webUrl: "https://github.com", org: "acme", state }); // https://github.com/organizations/acme/settings/apps/new?state=…
 * ```
 */
export function manifestFormUrl(o: { webUrl: string; org?: string; state: string }): string {
  const path = o.org ? `/organizations/${encodeURIComponent(o.org)}/settings/apps/new` : "/settings/apps/new";
  return `${o.webUrl.replace(/\/+$/, "")}${path}?state=${encodeURIComponent(o.state)}`;
}
