/**
 * Options of {@link deepMergeAll}: the options the `deepmerge` package takes, which is what Probot's
 * `context.config(fileName, defaults, deepMergeOptions)` passes on.
 */
export interface MergeOptions {
  /** How an array in a later value meets one in an earlier value. Default: concatenated. `(_, source) => source` replaces. */
  arrayMerge?: (target: unknown[], source: unknown[], options: ResolvedMergeOptions) => unknown[];
  /** Which values are merged key by key rather than replaced. Default: any object except `Date` and `RegExp`. */
  isMergeableObject?: (value: unknown) => boolean;
  /** A merge function for one key, or undefined for the default. */
  customMerge?: (key: string, options?: ResolvedMergeOptions) => ((target: unknown, source: unknown, options: ResolvedMergeOptions) => unknown) | undefined;
  /** `false`: values are taken as they are instead of copied. Default true. */
  clone?: boolean;
}

/** The options as an `arrayMerge` or `customMerge` function receives them (defaults filled in). */
export interface ResolvedMergeOptions extends MergeOptions {
  arrayMerge: NonNullable<MergeOptions["arrayMerge"]>;
  isMergeableObject: NonNullable<MergeOptions["isMergeableObject"]>;
  /** Copies `value` when it is mergeable and `clone` is not false. */
  cloneUnlessOtherwiseSpecified: (value: unknown, options: ResolvedMergeOptions) => unknown;
}

type Dict = Record<string, unknown>;

const isMergeable = (value: unknown): boolean => {
  if (value === null || typeof value !== "object") return false;
  const tag = Object.prototype.toString.call(value);
  return tag !== "[object RegExp]" && tag !== "[object Date]";
};

const cloneUnless = (value: unknown, o: ResolvedMergeOptions): unknown =>
  o.clone !== false && o.isMergeableObject(value) ? merge(Array.isArray(value) ? [] : {}, value, o) : value;

const concatArrays = (target: unknown[], source: unknown[], o: ResolvedMergeOptions): unknown[] =>
  [...target, ...source].map((v) => o.cloneUnlessOtherwiseSpecified(v, o));

/** A key that would write to the prototype chain instead of the object (prototype pollution). */
const unsafe = (target: unknown, key: string): boolean =>
  key === "__proto__" || (target !== null && typeof target === "object" && key in target && !Object.prototype.propertyIsEnumerable.call(target, key));

function mergeObject(target: unknown, source: unknown, o: ResolvedMergeOptions): Dict {
  const out: Dict = {};
  if (o.isMergeableObject(target)) {
    for (const key of Object.keys(target as Dict)) out[key] = o.cloneUnlessOtherwiseSpecified((target as Dict)[key], o);
  }
  if (source === null || typeof source !== "object") return out;
  for (const key of Object.keys(source as Dict)) {
    if (unsafe(target, key)) continue;
    const value = (source as Dict)[key];
    if (o.isMergeableObject(target) && Object.prototype.hasOwnProperty.call(target, key) && o.isMergeableObject(value)) {
      const t = (target as Dict)[key];
      const custom = o.customMerge?.(key, o);
      out[key] = typeof custom === "function" ? custom(t, value, o) : merge(t, value, o);
    } else {
      out[key] = o.cloneUnlessOtherwiseSpecified(value, o);
    }
  }
  return out;
}

function merge(target: unknown, source: unknown, o: ResolvedMergeOptions): unknown {
  const sourceIsArray = Array.isArray(source);
  if (sourceIsArray !== Array.isArray(target)) return o.cloneUnlessOtherwiseSpecified(source, o);
  if (sourceIsArray) return o.arrayMerge(target as unknown[], source as unknown[], o);
  return mergeObject(target, source, o);
}

function resolve(options: MergeOptions = {}): ResolvedMergeOptions {
  return {
    ...options,
    arrayMerge: options.arrayMerge ?? concatArrays,
    isMergeableObject: options.isMergeableObject ?? isMergeable,
    cloneUnlessOtherwiseSpecified: cloneUnless,
  };
}

/**
 * Deep-merges `values` left to right into a new object, with `deepmerge.all`'s semantics: objects
 * merge key by key, arrays concatenate (unless `arrayMerge` says otherwise), anything else in a later
 * value replaces the earlier one. Keys that would reach the prototype are skipped.
 *
 * @example
 * ```ts
 * deepMergeAll([{ a: { x: 1 }, l: [1] }, { a: { y: 2 }, l: [2] }]); // { a: { x: 1, y: 2 }, l: [1, 2] }
 * deepMergeAll([{ l: [1] }, { l: [2] }], { arrayMerge: (_, source) => source }); // { l: [2] }
 * ```
 */
export function deepMergeAll<T = Dict>(values: readonly unknown[], options?: MergeOptions): T {
  const o = resolve(options);
  return values.reduce<unknown>((acc, value) => merge(acc, value, o), {}) as T;
}
