// Live updates: the server-sent events of GET /api/v1/stream, read with fetch (EventSource cannot
// send the Authorization header), reconnecting with a growing delay.
import { useEffect, useState } from "preact/hooks";
import { authHeaders } from "./api.js";

export type LiveStatus = "connecting" | "live" | "offline";

/** Dispatches `change` (detail: the event's data) and `status` (detail: a LiveStatus). */
export const live = new EventTarget();
let status: LiveStatus = "connecting";
let controller: AbortController | null = null;

function setStatus(s: LiveStatus): void {
  status = s;
  live.dispatchEvent(new CustomEvent("status", { detail: s }));
}

/** Splits a stream's text into SSE messages and dispatches their data. */
function dispatchFrames(buffer: string): string {
  let at: number;
  while ((at = buffer.indexOf("\n\n")) >= 0) {
    const frame = buffer.slice(0, at);
    buffer = buffer.slice(at + 2);
    const data = frame.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\n");
    if (data) live.dispatchEvent(new CustomEvent("change", { detail: JSON.parse(data) as unknown }));
  }
  return buffer;
}

async function readStream(signal: AbortSignal): Promise<void> {
  const res = await fetch("/api/v1/stream", { headers: { accept: "text/event-stream", ...authHeaders() }, signal });
  if (!res.ok || !res.body) throw new Error(`stream answered ${res.status}`);
  setStatus("live");
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer = dispatchFrames(buffer + value);
  }
}

/** Starts (or restarts, after a login) the stream. */
export function connectLive(): void {
  controller?.abort();
  const own = new AbortController();
  controller = own;
  void (async () => {
    for (let delay = 1000; !own.signal.aborted; delay = Math.min(delay * 2, 15_000)) {
      setStatus("connecting");
      try {
        await readStream(own.signal);
        delay = 500; // a stream that ended cleanly (server restart): reconnect soon
      } catch {
        if (own.signal.aborted) return;
      }
      setStatus("offline");
      await new Promise((r) => setTimeout(r, delay));
    }
  })();
}

export function disconnectLive(): void {
  controller?.abort();
  controller = null;
}

/** Refetches follow a change after this long, and come at most once in {@link QUIET_MS}. */
const SETTLE_MS = 250;
const QUIET_MS = 1000;

/** A number that grows after live changes (at most once a second): pages refetch on it. */
export function useLiveVersion(): number {
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let quietUntil = 0;
    const onChange = () => {
      if (timer !== undefined) return;
      timer = setTimeout(() => {
        timer = undefined;
        quietUntil = Date.now() + QUIET_MS;
        setVersion((v) => v + 1);
      }, Math.max(SETTLE_MS, quietUntil - Date.now()));
    };
    live.addEventListener("change", onChange);
    return () => { live.removeEventListener("change", onChange); clearTimeout(timer); };
  }, []);
  return version;
}

export function useLiveStatus(): LiveStatus {
  const [s, setS] = useState(status);
  useEffect(() => {
    const on = (e: Event) => setS((e as CustomEvent<LiveStatus>).detail);
    live.addEventListener("status", on);
    return () => live.removeEventListener("status", on);
  }, []);
  return s;
}
