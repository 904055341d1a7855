// The console's shell: navigation, the live-update indicator, login, and the page for the route.
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ApiError, authEvents, getToken, setToken } from "./api.js";
import { connectLive, disconnectLive, useLiveStatus } from "./live.js";
import { Login } from "./login.js";
import { AgentRuns } from "./pages/agent-runs.js";
import { Deliveries } from "./pages/deliveries.js";
import { DeliveryPage } from "./pages/delivery.js";
import { Failed } from "./pages/failed.js";
import { Overview } from "./pages/overview.js";
import { TaskPage } from "./pages/task.js";
import { Tasks } from "./pages/tasks.js";
import { useRoute, type Route } from "./router.js";
import type { ConsoleConfig } from "./types.js";

const NAV: [string, string][] = [["", "Overview"], ["deliveries", "Deliveries"], ["tasks", "Tasks"], ["failed", "Failed"], ["agent-runs", "Agent runs"]];

function Page({ route }: { route: Route }) {
  const [section, id] = route.path;
  if (section === "deliveries") return id ? <DeliveryPage id={id} /> : <Deliveries route={route} />;
  if (section === "tasks") return id ? <TaskPage id={id} /> : <Tasks route={route} />;
  if (section === "failed") return <Failed route={route} />;
  if (section === "agent-runs") return <AgentRuns />;
  return <Overview />;
}

function LiveDot() {
  const status = useLiveStatus();
  return <span class={`live live-${status}`} data-live={status} title="Live updates (server-sent events)"><i />{status === "live" ? "live" : status}</span>;
}

function App() {
  const route = useRoute();
  const [config, setConfig] = useState<ConsoleConfig | undefined>();
  const [refused, setRefused] = useState<string | undefined>();
  const [session, setSession] = useState(0);
  useEffect(() => {
    void fetch("/console/config.json").then((r) => r.json() as Promise<ConsoleConfig>).then(setConfig, () => undefined);
    const on = (e: Event) => setRefused((e as CustomEvent<ApiError>).detail.message);
    authEvents.addEventListener("unauthorized", on);
    return () => authEvents.removeEventListener("unauthorized", on);
  }, []);
  useEffect(() => {
    if (refused === undefined) connectLive();
    else disconnectLive();
  }, [refused, session]);
  if (refused !== undefined) {
    return <Login config={config} reason={getToken() ? "The saved token was refused: log in again." : config?.tokenConfigured || config?.githubLogin ? undefined : refused || undefined} onLogin={() => { setRefused(undefined); setSession(session + 1); }} />;
  }
  const top = route.path[0] ?? "";
  return (
    <div class="shell">
      <header class="topbar">
        <a class="brand" href="#/"><span class="logo" aria-hidden="true">⚓</span> Hookyard</a>
        <nav>
          {NAV.map(([path, label]) => <a key={path} href={`#/${path}`} class={top === path ? "active" : ""}>{label}</a>)}
        </nav>
        <div class="topbar-right">
          <LiveDot />
          {getToken() ? <button class="btn btn-ghost" type="button" onClick={() => { setToken(null); setRefused(""); }}>Log out</button>
            : config?.githubLogin && <form method="post" action="/auth/github/logout?return_to=%2Fconsole%2F"><button class="btn btn-ghost" type="submit">Log out</button></form>}
        </div>
      </header>
      <main key={session}><Page route={route} /></main>
    </div>
  );
}

render(<App />, document.getElementById("app") as HTMLElement);
