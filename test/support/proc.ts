import { readFileSync } from "node:fs";

/** Whether `pid` is running (a killed process whose parent is gone may stay a zombie until init reaps it: that is not running). */
export function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}
