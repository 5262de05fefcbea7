import { quote } from "./bytes.js";
import { NexusModelError, type RuleViolation } from "./errors.js";

/** A caller class Nexus recognises by SPIFFE ID; any other ID is governed by policies. */
export type NexusRole = "superuser" | "recover" | "restore" | "lite-workload" | "bootstrap" | "keeper" | "nexus";

/** Every role, in the order Nexus checks them. */
export const NEXUS_ROLES: readonly NexusRole[] = Object.freeze([
  "superuser",
  "recover",
  "restore",
  "lite-workload",
  "bootstrap",
  "keeper",
  "nexus",
]);

/** The SPIFFE ID path of each role below `spiffe://<td>`. */
export const ROLE_PATHS: Readonly<Record<NexusRole, string>> = Object.freeze({
  superuser: "/spike/pilot/role/superuser",
  recover: "/spike/pilot/role/recover",
  restore: "/spike/pilot/role/restore",
  "lite-workload": "/spike/workload/role/lite",
  bootstrap: "/spike/bootstrap",
  keeper: "/spike/keeper",
  nexus: "/spike/nexus",
});

/** The trust-root environment variable that lists the trust domains of each role. */
export const ROLE_TRUST_ROOT_ENV: Readonly<Record<NexusRole, string>> = Object.freeze({
  superuser: "SPIKE_TRUST_ROOT_PILOT",
  recover: "SPIKE_TRUST_ROOT_PILOT",
  restore: "SPIKE_TRUST_ROOT_PILOT",
  "lite-workload": "SPIKE_TRUST_ROOT_LITE_WORKLOAD",
  bootstrap: "SPIKE_TRUST_ROOT_BOOTSTRAP",
  keeper: "SPIKE_TRUST_ROOT_KEEPER",
  nexus: "SPIKE_TRUST_ROOT_NEXUS",
});

/** The trust domain every role list defaults to. */
export const DEFAULT_TRUST_ROOT = "spike.ist";

/** The trust domains accepted for each role. */
export type TrustRoots = Readonly<Record<NexusRole, readonly string[]>>;

const tdChars = /^[a-z0-9._-]+$/;

/**
 * Parses a comma-separated trust-root list (`"a.org, b.org"`): entries are
 * trimmed; unset or empty gives `["spike.ist"]`. An empty entry (a trailing
 * comma) or a bad trust domain name throws `NexusModelError`
 * (`trust_root_invalid`); the Go SDK would exit the process instead.
 */
export function parseTrustRootList(value: string | undefined, variable = "trust root"): string[] {
  if (value === undefined || value.trim() === "") return [DEFAULT_TRUST_ROOT];
  const items = value.split(",").map((s) => s.trim());
  for (const td of items) {
    if (td === "") {
      throw new NexusModelError("trust_root_invalid", `nexus-model: ${variable} ${quote(value)} has an empty entry; remove the extra comma`);
    }
    if (!tdChars.test(td)) {
      throw new NexusModelError(
        "trust_root_invalid",
        `nexus-model: ${variable} entry ${quote(td)} is not a trust domain name; use lower-case letters, digits, . _ -`,
      );
    }
  }
  return items;
}

/**
 * Reads the role trust roots from an environment object (pass `process.env`).
 * Only the `SPIKE_TRUST_ROOT_*` variables of {@link ROLE_TRUST_ROOT_ENV} count;
 * `SPIKE_TRUST_ROOT` itself is not a fallback, as in Nexus.
 */
export function trustRootsFromEnv(env: Readonly<Record<string, string | undefined>>): TrustRoots {
  const out = {} as Record<NexusRole, readonly string[]>;
  for (const role of NEXUS_ROLES) {
    const name = ROLE_TRUST_ROOT_ENV[role];
    out[role] = Object.freeze(parseTrustRootList(env[name], name));
  }
  return Object.freeze(out);
}

/** Trust roots with one trust domain for every role (the usual dev setup). */
export function trustRootsFor(trustDomain: string): TrustRoots {
  const list = Object.freeze(parseTrustRootList(trustDomain));
  const out = {} as Record<NexusRole, readonly string[]>;
  for (const role of NEXUS_ROLES) out[role] = list;
  return Object.freeze(out);
}

/** The base SPIFFE ID of each role in `trustDomain`, e.g. `spiffe://example.org/spike/pilot/role/superuser`. */
export function roleIds(trustDomain: string): Readonly<Record<NexusRole, string>> {
  const [td] = parseTrustRootList(trustDomain);
  const out = {} as Record<NexusRole, string>;
  for (const role of NEXUS_ROLES) out[role] = `spiffe://${td}${ROLE_PATHS[role]}`;
  return Object.freeze(out);
}

/**
 * Whether `spiffeId` holds `role`: it equals `spiffe://<td><role path>` or starts
 * with that plus `/`, for some trust domain of the role.
 */
export function hasRole(spiffeId: string, role: NexusRole, trustRoots: TrustRoots): boolean {
  for (const td of trustRoots[role]) {
    const base = `spiffe://${td}${ROLE_PATHS[role]}`;
    if (spiffeId === base || spiffeId.startsWith(`${base}/`)) return true;
  }
  return false;
}

/** Every role `spiffeId` holds (usually zero or one). */
export function rolesOf(spiffeId: string, trustRoots: TrustRoots): NexusRole[] {
  return NEXUS_ROLES.filter((r) => hasRole(spiffeId, r, trustRoots));
}

/** The peer SPIFFE ID rule Nexus applies in every handler, as Go source text. */
export const PEER_SPIFFE_ID_REGEX_SOURCE = "^spiffe://[a-zA-Z0-9.-]+(/[a-zA-Z0-9._-]+)*$";
const peerIdRule = /^spiffe:\/\/[a-zA-Z0-9.-]+(\/[a-zA-Z0-9._-]+)*$/;

/**
 * Checks a caller's SPIFFE ID as Nexus does before any policy check; IDs with
 * `%`, `:`, `~` or `@` in the path fail, and Nexus answers 401.
 */
export function validatePeerSpiffeId(id: string): RuleViolation | undefined {
  if (typeof id === "string" && peerIdRule.test(id)) return undefined;
  return {
    code: "spiffe_id_invalid",
    status: 401,
    message: `nexus-model: spiffe id ${quote(id)} is refused by nexus; only letters, digits and . - _ are allowed in its segments (nexus answers 401)`,
  };
}
