/** `POST /v1/cipher/encrypt` in JSON mode; `plaintext` is standard base64; `algorithm` is ignored. */
export interface WireCipherEncryptRequest {
  plaintext: string;
  algorithm?: string;
}

/** The JSON encrypt answer; `nonce` and `ciphertext` are base64, `version` is 1. */
export interface WireCipherEncryptResponse {
  version: number;
  nonce: string;
  ciphertext: string;
  err?: string;
}

/** `POST /v1/cipher/decrypt` in JSON mode. */
export interface WireCipherDecryptRequest {
  version: number;
  nonce: string;
  ciphertext: string;
  algorithm?: string;
}

/** The JSON decrypt answer; an empty plaintext comes back as `null`. */
export interface WireCipherDecryptResponse {
  plaintext: string | null;
  err?: string;
}
