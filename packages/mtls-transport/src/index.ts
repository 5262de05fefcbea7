export { createMtlsAgent } from "./agent.js";
export type { MtlsAgentOptions, MtlsConnectOptions } from "./agent.js";
export { createMtlsServerOptions } from "./server-options.js";
export type { MtlsServerOptions, MtlsServerOptionsInit } from "./server-options.js";
export { peerIdOf } from "./peer-id.js";
export type { PeerIdCarrier } from "./peer-id.js";
export { verifyPeer } from "./verify-peer.js";
export type { VerifiedPeer, VerifyPeerOptions } from "./verify-peer.js";
export { MtlsError, type MtlsErrorCode, type MtlsErrorDetails, type MtlsRole } from "./errors.js";
