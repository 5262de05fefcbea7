import type { Authorizer, X509Source } from "@spike-ts/spiffe";
import { MtlsError } from "./errors.js";

/** Throws `invalid_options` unless `source` looks like an `X509Source` and `authorize` is a function. */
export function validateSourceAndAuthorizer(
  factory: string,
  source: unknown,
  authorize: unknown,
  now: unknown,
): asserts source is X509Source {
  const s = source as Partial<X509Source> | null | undefined;
  if (
    s === null ||
    typeof s !== "object" ||
    typeof s.getX509Svid !== "function" ||
    typeof s.getX509BundleForTrustDomain !== "function" ||
    typeof s.onUpdate !== "function"
  ) {
    throw new MtlsError(
      "invalid_options",
      `mtls: ${factory} needs options.source, an X509Source (getX509Svid, getX509BundleForTrustDomain, onUpdate), e.g. from createX509Source()`,
    );
  }
  if (typeof (authorize as Authorizer | undefined) !== "function") {
    throw new MtlsError(
      "invalid_options",
      `mtls: ${factory} needs options.authorize, an Authorizer such as authorizeId("spiffe://example.org/service")`,
    );
  }
  if (now !== undefined && typeof now !== "function") {
    throw new MtlsError("invalid_options", `mtls: ${factory} options.now must be a function returning a Date`);
  }
}
