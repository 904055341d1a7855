// The login page: the management API token (kept in sessionStorage for this tab), or GitHub login.
import { useState } from "preact/hooks";
import { api, ApiError, setToken } from "./api.js";
import type { ConsoleConfig } from "./types.js";

export function Login({ config, reason, onLogin }: { config: ConsoleConfig | undefined; reason: string | undefined; onLogin: () => void }) {
  const [token, setDraft] = useState("");
  const [error, setError] = useState<string | undefined>();
  const submit = async (e: Event) => {
    e.preventDefault();
    setToken(token.trim());
    try {
      await api("/stats");
      onLogin();
    } catch (err) {
      setToken(null);
      setError(err instanceof ApiError && err.status === 401 ? "That token was refused." : String(err instanceof Error ? err.message : err));
    }
  };
  return (
    <div class="login">
      <form class="login-box" onSubmit={submit}>
        <div class="brand brand-large"><span class="logo" aria-hidden="true">⚓</span> Hookyard</div>
        <p class="muted">{config?.tokenConfigured === false
          ? config.githubLogin ? "Log in with GitHub (for the users and teams this server lists)." : "No HOOKYARD_API_TOKEN is set on this server: the console answers callers on its own machine (loopback) only."
          : "Log in with the management API token (HOOKYARD_API_TOKEN)."}</p>
        {reason && <div class="notice notice-error" role="alert">{reason}</div>}
        {config?.tokenConfigured !== false && (
          <>
            <label>API token <input name="token" type="password" autocomplete="current-password" value={token} onInput={(e) => setDraft((e.target as HTMLInputElement).value)} /></label>
            {error && <div class="notice notice-error" role="alert">{error}</div>}
            <button class="btn btn-primary" type="submit" disabled={token.trim() === ""}>Log in</button>
          </>
        )}
        {config?.githubLogin && <a class="btn btn-plain github" href={config.loginUrl}>Log in with GitHub</a>}
      </form>
    </div>
  );
}
