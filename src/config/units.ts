/** Parsing of human durations ("2m", "30s", 1500) and sizes ("25mb", "1MiB", 1024). */

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const SIZE_UNITS: Record<string, number> = {
  b: 1, kb: 1024, kib: 1024, k: 1024, mb: 1024 ** 2, mib: 1024 ** 2, m: 1024 ** 2, gb: 1024 ** 3, gib: 1024 ** 3, g: 1024 ** 3,
};

function parseWithUnits(input: string | number, units: Record<string, number>, defaultUnit: string): number | undefined {
  if (typeof input === "number") return Number.isFinite(input) && input >= 0 ? input : undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(input);
  if (!match) return undefined;
  const factor = units[(match[2] || defaultUnit).toLowerCase()];
  if (factor === undefined) return undefined;
  return Math.round(Number(match[1]) * factor);
}

/**
 * Milliseconds from a duration: a number of ms, or a string with a unit (ms, s, m, h, d).
 *
 * @example
 * ```ts
 * parseDuration("2m"); // 120000
 * ```
 */
export function parseDuration(input: string | number): number | undefined {
  return parseWithUnits(input, DURATION_UNITS, "ms");
}

/**
 * Bytes from a size: a number of bytes, or a string with a unit (kb, mb, gb; binary multiples).
 *
 * @example
 * ```ts
 * parseSize("25mb"); // 26214400
 * ```
 */
export function parseSize(input: string | number): number | undefined {
  return parseWithUnits(input, SIZE_UNITS, "b");
}
