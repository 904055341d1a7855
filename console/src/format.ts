// Small formatting helpers shared by the pages.

export function ago(iso: string | null | undefined): string {
  if (!iso) return "—";
  const s = Math.round((Date.now() - Date.parse(iso)) / 1000);
  if (s < 0) return `in ${duration(-s * 1000)}`;
  if (s < 5) return "just now";
  return `${duration(s * 1000)} ago`;
}

export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (ms < 1000) return `${ms} ms`;
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}

export function between(from: string | null, to: string | null): string {
  return from && to ? duration(Date.parse(to) - Date.parse(from)) : "—";
}

export function when(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString(undefined, { hour12: false }) : "—";
}

/** The end of a long id: task ids begin with their time, so their tails tell them apart. */
export function short(id: string): string {
  return id.length > 12 ? `…${id.slice(-8)}` : id;
}

export function eventName(event: string, action: string | null): string {
  return action ? `${event}.${action}` : event;
}
