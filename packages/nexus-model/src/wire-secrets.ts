/** `POST /v1/store/secrets`: upsert; `values` replaces the whole map. */
export interface WireSecretPutRequest {
  path: string;
  values: Record<string, string>;
}

/** `POST /v1/store/secrets?action=get`; `version` 0 or absent means current. */
export interface WireSecretGetRequest {
  path: string;
  version?: number;
}

/** The answer to get: only the data. `null` is possible on SQLite for a put without values. */
export interface WireSecretGetResponse {
  data: Record<string, string> | null;
  err?: string;
}

/** `POST /v1/store/secrets?action=delete`; `[]` (or `0` in the list) means current. */
export interface WireSecretDeleteRequest {
  path: string;
  versions: number[] | null;
}

/** `POST /v1/store/secrets?action=undelete`; the Go SDK always sends `[]` rather than `null`. */
export interface WireSecretUndeleteRequest {
  path: string;
  versions: number[];
}

/** `POST /v1/store/secrets?action=list`: no fields, send `{}`. */
export type WireSecretListRequest = Record<string, never>;

/** Every secret path, sorted by byte value, soft-deleted ones included. */
export interface WireSecretListResponse {
  keys: string[];
  err?: string;
}

/** `POST /v1/store/secrets/metadata?action=get`; `version` 0 or absent means current. */
export interface WireSecretMetadataRequest {
  path: string;
  version?: number;
}

/** One version in a metadata answer; times are Go RFC 3339 strings. */
export interface WireSecretVersionInfo {
  createdTime: string;
  version: number;
  deletedTime: string | null;
}

/** The path-level metadata. */
export interface WireSecretMetadataContent {
  currentVersion: number;
  oldestVersion: number;
  createdTime: string;
  updatedTime: string;
  maxVersions: number;
}

/** The metadata answer: `versions` keyed by decimal version strings (on SQLite it collapses to `"0"`). */
export interface WireSecretMetadataResponse {
  versions?: Record<string, WireSecretVersionInfo>;
  metadata: WireSecretMetadataContent;
  err?: string;
}

/** The success body of put, delete, undelete, policy put/delete: `{}`. */
export interface WireEmptyResponse {
  err?: string;
}
