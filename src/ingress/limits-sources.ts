import { BlockList, isIPv4 } from "node:net";

const MAPPED_V4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

/**
 * A check of client addresses against an allow-list of IPv4/IPv6 CIDRs (node's `net.BlockList`).
 * An IPv4 client seen on a dual-stack socket as `::ffff:a.b.c.d` is checked as `a.b.c.d`. Returns
 * undefined for an empty list (every source allowed).
 *
 * @example
 * ```ts
 * const allowSource = sourceAllowList(["140.82.112.0/20", "2a0a:a440::/29"]);
 * allowSource?.("140.82.115.3"); // true
 * ```
 */
export function sourceAllowList(cidrs: readonly string[]): ((ip: string) => boolean) | undefined {
  if (cidrs.length === 0) return undefined;
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address = "", prefix] = cidr.split("/");
    const type = isIPv4(address) ? "ipv4" : "ipv6";
    list.addSubnet(address, prefix === undefined ? (type === "ipv4" ? 32 : 128) : Number(prefix), type);
  }
  return (ip: string) => {
    const v4 = MAPPED_V4.exec(ip)?.[1];
    if (v4 !== undefined) return list.check(v4, "ipv4") || list.check(ip, "ipv6");
    return list.check(ip, isIPv4(ip) ? "ipv4" : "ipv6");
  };
}
