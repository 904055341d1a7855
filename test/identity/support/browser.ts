/**
 * A small HTTP client that keeps cookies the way a browser does for one host: `Set-Cookie` is
 * stored by name and path (Max-Age / Expires honoured, `Max-Age=0` deletes), `Secure` cookies are
 * only sent over https, and a request carries the cookies whose path covers its URL. Redirects are
 * not followed: tests look at each `Location`.
 */
export class Browser {
  private readonly jar = new Map<string, { name: string; value: string; path: string; secure: boolean; expires: number | undefined }>();

  /** The server the paths are relative to (a restarted server listens elsewhere: change it). */
  constructor(public base: string) {}

  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const url = new URL(path, this.base);
    const headers = new Headers(init.headers);
    const cookie = this.cookieHeader(url);
    if (cookie) headers.set("cookie", cookie);
    const res = await fetch(url, { ...init, headers, redirect: "manual" });
    for (const line of res.headers.getSetCookie()) this.store(line, url);
    return res;
  }

  /** A GET with `Accept: text/html`, as a browser navigates. */
  navigate(path: string): Promise<Response> {
    return this.fetch(path, { headers: { accept: "text/html,application/xhtml+xml" } });
  }

  /** The value of a stored cookie, by name. */
  cookie(name: string): string | undefined {
    for (const c of this.jar.values()) if (c.name === name && !this.expired(c)) return c.value;
    return undefined;
  }

  /** Every stored cookie's name. */
  names(): string[] {
    return [...this.jar.values()].filter((c) => !this.expired(c)).map((c) => c.name);
  }

  /** Stores a cookie as if the server had set it (a replayed or stolen cookie). */
  put(name: string, value: string, path = "/"): void {
    this.jar.set(`${name};${path}`, { name, value, path, secure: false, expires: undefined });
  }

  /** Overwrites a stored cookie's value (tampering), keeping its attributes. */
  setCookie(name: string, value: string): void {
    for (const c of this.jar.values()) if (c.name === name) c.value = value;
  }

  private store(line: string, url: URL): void {
    const [pair = "", ...attrs] = line.split(";").map((p) => p.trim());
    const eq = pair.indexOf("=");
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    let path = url.pathname.replace(/\/[^/]*$/, "") || "/";
    let secure = false;
    let expires: number | undefined;
    for (const a of attrs) {
      const [k = "", v = ""] = a.split("=", 2);
      const key = k.toLowerCase();
      if (key === "path") path = v;
      else if (key === "secure") secure = true;
      else if (key === "max-age") expires = Date.now() + Number(v) * 1000;
      else if (key === "expires" && expires === undefined) expires = Date.parse(v);
    }
    const id = `${name};${path}`;
    if (expires !== undefined && expires <= Date.now()) this.jar.delete(id);
    else this.jar.set(id, { name, value, path, secure, expires });
  }

  private cookieHeader(url: URL): string {
    return [...this.jar.values()]
      .filter((c) => !this.expired(c) && (!c.secure || url.protocol === "https:") && (url.pathname === c.path || url.pathname.startsWith(c.path.endsWith("/") ? c.path : `${c.path}/`)))
      .map((c) => `${c.name}=${c.value}`)
      .join("; ");
  }

  private expired(c: { expires: number | undefined }): boolean {
    return c.expires !== undefined && c.expires <= Date.now();
  }
}
