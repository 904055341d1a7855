/**
 * Glob patterns for refs and workflow refs: `*` matches within one path segment, `**` across
 * segments, `?` one character other than `/`; everything else is literal.
 *
 * @example
 * ```ts
 * globToRegExp("refs/tags/v*").test("refs/tags/v1.2.0"); // true
 * ```
 */
export function globToRegExp(glob: string): RegExp {
  let out = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === "*" && glob[i + 1] === "*") {
      out += ".*";
      i++;
    } else if (c === "*") {
      out += "[^/]*";
    } else if (c === "?") {
      out += "[^/]";
    } else {
      out += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
    }
  }
  return new RegExp(`^${out}$`);
}
