export { SpiffeError } from "./errors.js";
export type { SpiffeErrorCode } from "./errors.js";
export { TrustDomain } from "./trust-domain.js";
export { SpiffeId, validatePath, validatePathSegment } from "./spiffe-id.js";
export { MAX_SPIFFE_ID_LENGTH, MAX_TRUST_DOMAIN_LENGTH } from "./id-rules.js";
export { splitDer } from "./der.js";
export { X509Bundle } from "./x509-bundle.js";
export type { X509BundleSource } from "./x509-bundle.js";
export { X509BundleSet } from "./x509-bundle-set.js";
export { parseX509Svid, parseX509SvidPem, spiffeIdFromCertificate, x509SvidChainDer } from "./x509-svid.js";
export type { ParseX509SvidOptions, X509Svid } from "./x509-svid.js";
export { verifyX509Svid } from "./verify-x509-svid.js";
export type { VerifiedX509Svid, VerifyX509SvidOptions } from "./verify-x509-svid.js";
export type { X509Source, X509SvidSource } from "./source.js";
export {
  assertAuthorized,
  authorizeAny,
  authorizeId,
  authorizeIf,
  authorizeMemberOf,
  authorizeOneOf,
} from "./authorizers.js";
export type { AuthorizationResult, Authorizer } from "./authorizers.js";
export { JwtBundle } from "./jwt-bundle.js";
export type { JwtBundleSource } from "./jwt-bundle.js";
export { JwtBundleSet } from "./jwt-bundle-set.js";
export { JWT_SVID_ALGORITHMS } from "./jws.js";
export type { JwtSvidAlgorithm } from "./jws.js";
export { JWT_LEEWAY_SECONDS, parseAndValidateJwtSvid, parseJwtSvidInsecure } from "./jwt-svid.js";
export type { JwtSvid, JwtSvidOptions } from "./jwt-svid.js";
