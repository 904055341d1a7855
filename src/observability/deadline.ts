/**
 * Resolves true once `p` settles (either way), false once the clock reaches `at` (epoch ms) first.
 * `p` is not cancelled: what it does goes on; only the wait for it is bounded. The shutdown uses it
 * so that a store that hangs or a client that never closes cannot hold the process.
 *
 * @example
 * ```ts
 * if (!(await settlesBy(store.close(), Date.now() + 5_000))) log.warn("the store did not close in time");
 * ```
 */
export async function settlesBy(p: Promise<unknown> | undefined, at: number): Promise<boolean> {
  if (p === undefined) return true;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, at - Date.now()))));
  try {
    return await Promise.race([p.then(() => true, () => true), late]);
  } finally {
    clearTimeout(timer);
  }
}
