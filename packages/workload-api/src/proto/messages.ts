import { fromJSON } from "@grpc/proto-loader";
import type { MessageTypeDefinition, ServiceDefinition } from "@grpc/proto-loader";
import { workloadApiDescriptor } from "./descriptor.js";

/** `X509SVID` as decoded (proto field names, bytes as Buffer, defaults filled). */
export interface X509SvidMessage {
  spiffe_id: string;
  x509_svid: Buffer;
  x509_svid_key: Buffer;
  bundle: Buffer;
  hint: string;
}
/** `X509SVIDResponse`. */
export interface X509SvidResponseMessage {
  svids: X509SvidMessage[];
  crl: Buffer[];
  federated_bundles: Record<string, Buffer>;
}
/** `X509BundlesResponse`. */
export interface X509BundlesResponseMessage {
  crl: Buffer[];
  bundles: Record<string, Buffer>;
}
/** `JWTSVIDRequest`. */
export interface JwtSvidRequestMessage {
  audience: string[];
  spiffe_id: string;
}
/** `JWTSVID`. */
export interface JwtSvidMessage {
  spiffe_id: string;
  svid: string;
  hint: string;
}
/** `JWTSVIDResponse`. */
export interface JwtSvidResponseMessage {
  svids: JwtSvidMessage[];
}
/** `JWTBundlesResponse`. */
export interface JwtBundlesResponseMessage {
  bundles: Record<string, Buffer>;
}
/** `ValidateJWTSVIDRequest`. */
export interface ValidateJwtSvidRequestMessage {
  audience: string;
  svid: string;
}
/** `google.protobuf.Value` as decoded with `oneofs: true`. */
export interface StructValueMessage {
  kind?: "null_value" | "number_value" | "string_value" | "bool_value" | "struct_value" | "list_value";
  null_value?: string | number;
  number_value?: number;
  string_value?: string;
  bool_value?: boolean;
  struct_value?: StructMessage;
  list_value?: { values: StructValueMessage[] };
}
/** `google.protobuf.Struct`. */
export interface StructMessage {
  fields: Record<string, StructValueMessage>;
}
/** `ValidateJWTSVIDResponse`. */
export interface ValidateJwtSvidResponseMessage {
  spiffe_id: string;
  claims: StructMessage | null;
}

/** Decoding options: proto field names, 64-bit as strings, enums as names, defaults filled. */
const loaderOptions = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true } as const;

/** The loaded package definition (no file I/O; built from {@link workloadApiDescriptor}). */
export const workloadApiPackage = fromJSON(
  // protobufjs' INamespace typing omits map fields' keyType and wants method comments.
  workloadApiDescriptor as unknown as Parameters<typeof fromJSON>[0],
  loaderOptions,
);

/** The `SpiffeWorkloadAPI` service definition for grpc-js servers and clients. */
export const workloadApiService = workloadApiPackage["SpiffeWorkloadAPI"] as ServiceDefinition;

/** Binary codec for one message type. */
export interface MessageCodec<T> {
  encode(value: T): Buffer;
  decode(bytes: Buffer): T;
}

function codec<T>(name: string): MessageCodec<T> {
  const def = workloadApiPackage[name] as MessageTypeDefinition<T, T> | undefined;
  if (!def || typeof def.serialize !== "function") throw new Error(`workload-api: internal: message ${name} missing from descriptor`);
  return { encode: (v) => def.serialize(v), decode: (b) => def.deserialize(b) };
}

/** Codecs of every Workload API message. */
export const messages = {
  X509SVIDRequest: codec<Record<string, never>>("X509SVIDRequest"),
  X509SVIDResponse: codec<X509SvidResponseMessage>("X509SVIDResponse"),
  X509BundlesRequest: codec<Record<string, never>>("X509BundlesRequest"),
  X509BundlesResponse: codec<X509BundlesResponseMessage>("X509BundlesResponse"),
  JWTSVIDRequest: codec<JwtSvidRequestMessage>("JWTSVIDRequest"),
  JWTSVIDResponse: codec<JwtSvidResponseMessage>("JWTSVIDResponse"),
  JWTBundlesRequest: codec<Record<string, never>>("JWTBundlesRequest"),
  JWTBundlesResponse: codec<JwtBundlesResponseMessage>("JWTBundlesResponse"),
  ValidateJWTSVIDRequest: codec<ValidateJwtSvidRequestMessage>("ValidateJWTSVIDRequest"),
  ValidateJWTSVIDResponse: codec<ValidateJwtSvidResponseMessage>("ValidateJWTSVIDResponse"),
} as const;

/** HTTP/2 paths of the RPCs. */
export const paths = {
  FetchX509SVID: "/SpiffeWorkloadAPI/FetchX509SVID",
  FetchX509Bundles: "/SpiffeWorkloadAPI/FetchX509Bundles",
  FetchJWTSVID: "/SpiffeWorkloadAPI/FetchJWTSVID",
  FetchJWTBundles: "/SpiffeWorkloadAPI/FetchJWTBundles",
  ValidateJWTSVID: "/SpiffeWorkloadAPI/ValidateJWTSVID",
  FetchWITSVID: "/SpiffeWorkloadAPI/FetchWITSVID",
  FetchWITBundles: "/SpiffeWorkloadAPI/FetchWITBundles",
} as const;
