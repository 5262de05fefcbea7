/** `POST /v1/acl/policy`: upsert by name. Note the request spelling `spiffeidPattern`. */
export interface WirePolicyPutRequest {
  name: string;
  spiffeidPattern: string;
  pathPattern: string;
  permissions: string[];
}

/** `POST /v1/acl/policy?action=get`: `id` carries the policy **name**. */
export interface WirePolicyReadRequest {
  id: string;
}

/**
 * A stored policy as Nexus sends it. The SPIFFE key is spelled
 * **`spiffiedPattern`** (sic) on read; `id` is always `""`.
 */
export interface WirePolicy {
  id: string;
  name: string;
  spiffiedPattern: string;
  pathPattern: string;
  permissions: string[] | null;
  createdAt: string;
  updatedAt: string;
}

/** The answer to policy get. */
export type WirePolicyReadResponse = WirePolicy & { err?: string };

/**
 * `POST /v1/acl/policy?action=list`: both filters are exact string compares;
 * `""` means no filter; when both are set only `spiffeidPattern` applies.
 */
export interface WirePolicyListRequest {
  spiffeidPattern: string;
  pathPattern: string;
}

/** One list item (SDK v0.19.x): `id` is always `""`. */
export interface WirePolicyListItem {
  id: string;
  name: string;
}

/** The answer to policy list, in no particular order. */
export interface WirePolicyListResponse {
  policies: WirePolicyListItem[] | null;
  err?: string;
}

/** `POST /v1/acl/policy?action=delete`: `id` carries the policy **name**. */
export interface WirePolicyDeleteRequest {
  id: string;
}
