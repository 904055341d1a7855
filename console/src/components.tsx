// Building blocks of the pages: badges, tables, panels, buttons, notices.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { ApiError } from "./api.js";

export function Badge({ value }: { value: string }) {
  return <span class={`badge badge-${value}`} data-state={value}>{value}</span>;
}

export function Panel({ title, actions, children }: { title?: ComponentChildren; actions?: ComponentChildren; children: ComponentChildren }) {
  return (
    <section class="panel">
      {(title || actions) && <header class="panel-head"><h2>{title}</h2><div class="actions">{actions}</div></header>}
      <div class="panel-body">{children}</div>
    </section>
  );
}

export function ErrorNote({ error }: { error: Error | undefined }) {
  if (!error) return null;
  return <div class="notice notice-error" role="alert">{error instanceof ApiError ? `${error.code}: ${error.message}` : error.message}</div>;
}

export function Loading() {
  return <div class="muted loading">Loading…</div>;
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <div class="empty">{children}</div>;
}

/** A button that runs an action, shows it is busy, and reports its outcome. */
export function ActionButton(props: { label: string; busyLabel?: string; kind?: "primary" | "danger" | "plain"; run: () => Promise<string | void>; disabled?: boolean }) {
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);
  const click = async () => {
    setBusy(true);
    setNote(null);
    try {
      const text = await props.run();
      if (text) setNote({ ok: true, text });
    } catch (err) {
      setNote({ ok: false, text: err instanceof ApiError ? err.message : String(err) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <span class="action">
      <button type="button" class={`btn btn-${props.kind ?? "plain"}`} disabled={busy || props.disabled} onClick={click}>
        {busy ? (props.busyLabel ?? `${props.label}…`) : props.label}
      </button>
      {note && <span class={note.ok ? "action-ok" : "action-error"} role="status">{note.text}</span>}
    </span>
  );
}

/** A grid of label/value pairs. */
export function Facts({ items }: { items: [string, ComponentChildren][] }) {
  return (
    <dl class="facts">
      {items.map(([k, v]) => (
        <div class="fact" key={k}><dt>{k}</dt><dd>{v}</dd></div>
      ))}
    </dl>
  );
}

export function ErrorBlock({ error }: { error: { message: string; code?: string; stack?: string } }) {
  return (
    <div class="error-block">
      <div class="error-message">{error.code && <span class="code">{error.code}</span>} {error.message}</div>
      {error.stack && <pre class="stack">{error.stack}</pre>}
    </div>
  );
}
