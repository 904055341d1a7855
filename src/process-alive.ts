/**
 * Whether a process with this pid exists on this machine (signal 0 checks without signalling; a
 * process we may not signal still exists). Used to take over lock files whose holder crashed.
 *
 * @example
 * ```ts
 * if (!processAlive(Number(readFileSync(lockFile, "utf8")))) rmSync(lockFile);
 * ```
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
