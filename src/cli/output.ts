/** How the CLI prints: aligned tables, colour only on a terminal, JSON on request. */

/** Whether colour is used on `stream`: a TTY, and neither `NO_COLOR` (https://no-color.org) set nor `TERM=dumb`. */
export function colourOn(stream: NodeJS.WriteStream = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && !env.NO_COLOR && env.TERM !== "dumb";
}

const CODES = { red: 31, green: 32, yellow: 33, cyan: 36, dim: 2, bold: 1 } as const;
export type Colour = keyof typeof CODES;

/** `text` in `colour` when colour is on for stdout. */
export function paint(text: string, colour: Colour | undefined, on: boolean = colourOn()): string {
  return on && colour && text !== "" ? `\u001b[${CODES[colour]}m${text}\u001b[0m` : text;
}

/** The colour of a task state or delivery status. */
export function stateColour(state: string): Colour | undefined {
  return ({ failed: "red", completed: "green", retrying: "yellow", running: "cyan", cancelled: "dim", ignored: "dim" } as Record<string, Colour>)[state];
}

/** A cell: its text, and optionally a colour applied after alignment. */
export type Cell = string | { text: string; colour?: Colour | undefined };

/**
 * An aligned table: a header row and rows, columns two spaces apart, the last column unpadded,
 * colour (on a TTY) applied after padding so alignment holds.
 *
 * @example
 * ```ts
 * table(["ID", "STATE"], [["t1", { text: "failed", colour: "red" }]]);
 * ```
 */
export function table(header: string[], rows: Cell[][], on: boolean = colourOn()): string {
  const text = (c: Cell | undefined) => (typeof c === "string" ? c : (c?.text ?? ""));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => text(r[i]).length)));
  const line = (r: Cell[], bold = false) => r.map((c, i) => {
    const t = text(c);
    const padded = i === r.length - 1 ? t : t.padEnd(widths[i] as number);
    const colour = bold ? "bold" : typeof c === "string" ? undefined : c.colour;
    return i === r.length - 1 ? paint(padded, colour, on) : paint(t, colour, on) + padded.slice(t.length);
  }).join("  ").trimEnd();
  return [line(header, true), ...rows.map((r) => line(r))].join("\n");
}

/** `key: value` lines, keys aligned. */
export function fields(pairs: [string, Cell][], on: boolean = colourOn()): string {
  const width = Math.max(...pairs.map(([k]) => k.length)) + 1;
  return pairs.map(([k, v]) => `${`${k}:`.padEnd(width)}  ${typeof v === "string" ? v : paint(v.text, v.colour, on)}`).join("\n");
}

/** The JSON a `--json` command prints. */
export function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** A nullable value as a table cell. */
export const orDash = (v: string | number | null | undefined): string => (v === null || v === undefined || v === "" ? "-" : String(v));
