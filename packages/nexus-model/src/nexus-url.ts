import { quote } from "./bytes.js";
import { NexusModelError } from "./errors.js";

/** The base URL used when `SPIKE_NEXUS_API_URL` is unset or empty. */
export const DEFAULT_NEXUS_API_URL = "https://localhost:8553";

/** The environment variable that holds the Nexus base URL. */
export const NEXUS_API_URL_ENV = "SPIKE_NEXUS_API_URL";

function cleanPath(p: string): string {
  const out: string[] = [];
  for (const seg of p.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") out.pop();
    else out.push(seg);
  }
  return `/${out.join("/")}`;
}

/**
 * Checks a Nexus base URL and returns it parsed: `http:` or `https:`, no user
 * name or password, no query and no fragment. A path prefix is kept.
 * Throws `NexusModelError` (`base_url_invalid`).
 */
export function parseNexusBaseUrl(baseUrl: string | URL): URL {
  let u: URL;
  try {
    u = new URL(String(baseUrl));
  } catch (cause) {
    throw new NexusModelError("base_url_invalid", `nexus-model: base url ${quote(String(baseUrl))} is not a url; use https://host:8553`, { cause });
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") {
    throw new NexusModelError("base_url_invalid", `nexus-model: base url scheme ${u.protocol} is not supported; use https:`);
  }
  if (u.username !== "" || u.password !== "") {
    throw new NexusModelError("base_url_invalid", "nexus-model: base url must not carry credentials; nexus authenticates with mTLS");
  }
  if (u.search !== "" || u.hash !== "") {
    throw new NexusModelError("base_url_invalid", `nexus-model: base url ${quote(u.origin + u.pathname)} must not have a query or fragment`);
  }
  return u;
}

/**
 * Builds a request URL the way the Go SDK does: Go `url.JoinPath(base, path)`
 * (any path prefix in the base is kept; duplicate slashes, `.` and `..` are
 * cleaned) and then `?action=<action>` when `action` is not empty.
 *
 * @example
 * ```ts
 * joinNexusUrl("https://nexus.example/prefix/", "/v1/store/secrets", "get");
 * // "https://nexus.example/prefix/v1/store/secrets?action=get"
 * ```
 */
export function joinNexusUrl(baseUrl: string | URL, path: string, action = ""): string {
  const u = parseNexusBaseUrl(baseUrl);
  const joined = cleanPath(`${u.pathname}/${path}`);
  const query = action === "" ? "" : `?action=${encodeURIComponent(action)}`;
  return `${u.origin}${joined}${query}`;
}

/**
 * The base URL from an environment object (pass `process.env`):
 * `SPIKE_NEXUS_API_URL`, or {@link DEFAULT_NEXUS_API_URL} when unset or empty.
 */
export function nexusBaseUrlFromEnv(env: Readonly<Record<string, string | undefined>>): string {
  const v = env[NEXUS_API_URL_ENV];
  return v === undefined || v === "" ? DEFAULT_NEXUS_API_URL : v;
}
