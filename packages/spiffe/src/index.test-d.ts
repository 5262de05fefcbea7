import type { KeyObject } from "node:crypto";
import { expectTypeOf } from "vitest";
import {
  type AuthorizationResult,
  type Authorizer,
  type JwtSvid,
  type SpiffeErrorCode,
  type X509Source,
  type X509Svid,
  SpiffeError,
  SpiffeId,
  TrustDomain,
  X509Bundle,
  X509BundleSet,
  authorizeId,
  parseX509Svid,
  verifyX509Svid,
} from "./index.js";
import { type StaticX509Source, createStaticX509Source, createTestCa } from "./testing/index.js";

expectTypeOf(SpiffeId.parse).returns.toEqualTypeOf<SpiffeId>();
expectTypeOf<SpiffeId["trustDomain"]>().toEqualTypeOf<TrustDomain>();
expectTypeOf<SpiffeId["path"]>().toEqualTypeOf<string>();
expectTypeOf(authorizeId).returns.toEqualTypeOf<Authorizer>();
expectTypeOf<ReturnType<Authorizer>>().toEqualTypeOf<AuthorizationResult>();
expectTypeOf(parseX509Svid).returns.toEqualTypeOf<X509Svid>();
expectTypeOf<X509Svid["privateKey"]>().toEqualTypeOf<KeyObject>();
expectTypeOf(verifyX509Svid).parameter(1).toMatchTypeOf<{ getX509BundleForTrustDomain(td: TrustDomain): X509Bundle }>();
expectTypeOf<X509BundleSet>().toMatchTypeOf<X509Source extends infer S ? Pick<S & X509Source, "getX509BundleForTrustDomain"> : never>();
expectTypeOf<JwtSvid["audience"]>().toEqualTypeOf<string[]>();
expectTypeOf<SpiffeError["code"]>().toEqualTypeOf<SpiffeErrorCode>();
expectTypeOf<"id_empty">().toMatchTypeOf<SpiffeErrorCode>();
expectTypeOf(createStaticX509Source).returns.toEqualTypeOf<StaticX509Source>();
expectTypeOf<StaticX509Source>().toMatchTypeOf<X509Source>();
expectTypeOf(createTestCa().issueSvid).returns.toHaveProperty("chainDer").toEqualTypeOf<Uint8Array>();
