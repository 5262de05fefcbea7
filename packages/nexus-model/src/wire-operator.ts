/** `POST /v1/operator/recover`: no fields, send `{}`. */
export type WireRecoverRequest = Record<string, never>;

/** Recovery shards keyed by index string from `"1"`; each is an array of 32 byte values. */
export interface WireRecoverResponse {
  shards: Record<string, number[]> | null;
  err?: string;
}

/** `POST /v1/operator/restore`: one shard and its index. */
export interface WireRestoreRequest {
  id: number;
  shard: number[];
}

/** Restoration progress. */
export interface WireRestoreResponse {
  collected: number;
  remaining: number;
  restored: boolean;
  err?: string;
}

/** `POST /v1/bootstrap/verify`: base64 nonce and ciphertext. */
export interface WireBootstrapVerifyRequest {
  nonce: string;
  ciphertext: string;
}

/** The hex SHA-256 of the decrypted plaintext. */
export interface WireBootstrapVerifyResponse {
  hash: string;
  err?: string;
}
