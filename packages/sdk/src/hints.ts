import { MtlsError } from "@spike-ts/mtls-transport";
import { NexusError } from "@spike-ts/nexus-client";
import type { SecretMetadata } from "@spike-ts/nexus-client";
import { CIPHER_RESOURCE_PATH } from "@spike-ts/nexus-model";

const LITE_TAIL = " (lite workloads may only encrypt and decrypt)";
const CLIENT_AUTH_TAIL = " (or set requireClientAuth: false)";

/** Replaces what follows the status tag `(...);` of a nexus-client message with `hint`. */
function withHint(message: string, hint: string): string {
  const at = message.indexOf("); ");
  return at < 0 ? `${message}; ${hint}` : `${message.slice(0, at + 3)}${hint}`;
}

function rebuildNexus(e: NexusError, message: string): NexusError {
  return new NexusError(e.code, message, {
    cause: e,
    ...(e.operation === undefined ? {} : { operation: e.operation }),
    ...(e.status === undefined ? {} : { status: e.status }),
    ...(e.serverCode === undefined ? {} : { serverCode: e.serverCode }),
    ...(e.target === undefined ? {} : { target: e.target }),
    ...(e.callerId === undefined ? {} : { callerId: e.callerId }),
    attempts: e.attempts,
  });
}

/**
 * Rewords lower-layer hints for an SDK user: the fix named must be one they can apply through
 * the SDK, and fit the operation. The class, code and fields stay the same; the original error
 * is the `cause`. Anything else is returned as it is. @internal
 */
export function rewordForSdk(e: unknown): unknown {
  if (NexusError.is(e, "unauthorized") && (e.operation === "cipher.encrypt" || e.operation === "cipher.decrypt")) {
    const who = e.callerId ?? "this workload";
    return rebuildNexus(
      e,
      withHint(
        e.message,
        `give ${who} a policy granting execute on ${CIPHER_RESOURCE_PATH}, or run it with a lite-workload or pilot superuser SVID`,
      ),
    );
  }
  if (NexusError.is(e, "unauthorized") && e.message.endsWith(LITE_TAIL)) {
    return rebuildNexus(e, `${e.message.slice(0, -LITE_TAIL.length)} (a lite-workload SVID may only encrypt and decrypt)`);
  }
  if (MtlsError.is(e, "client_auth_not_requested") && e.message.endsWith(CLIENT_AUTH_TAIL)) {
    const message =
      `${e.message.slice(0, -CLIENT_AUTH_TAIL.length)}; SPIKE Nexus always asks for one, so SPIKE_NEXUS_API_URL ` +
      "(or the nexusUrl option) most likely points at something else, such as a proxy that ends tls: point it at Nexus itself";
    return new MtlsError(e.code, message, {
      cause: e,
      ...(e.role === undefined ? {} : { role: e.role }),
      ...(e.peerId === undefined ? {} : { peerId: e.peerId }),
      ...(e.address === undefined ? {} : { address: e.address }),
    });
  }
  return e;
}

/**
 * Adds the deleted versions seen in metadata to an undelete `not_found`, so the caller can name
 * one. Returns `e` unchanged when the metadata has none to offer. @internal
 */
export function withDeletedVersions(e: NexusError, metadata: SecretMetadata): NexusError {
  const deleted = metadata.versions.filter((v) => v.deletedTime !== undefined).map((v) => v.version);
  const hint =
    deleted.length === 0
      ? `; metadata shows no deleted version of ${e.target ?? "this path"}`
      : `; deleted versions in metadata: ${deleted.join(", ")} (pass them as versions: [${deleted.join(", ")}])`;
  return rebuildNexus(e, `${e.message}${hint}`);
}
