import { SpiffeError, quote } from "./errors.js";

/** The scheme prefix of every SPIFFE ID, matched byte for byte (case-sensitive). */
export const SPIFFE_SCHEME_PREFIX = "spiffe://";

/** The longest SPIFFE ID we accept, in bytes (the standard's MUST-support limit). */
export const MAX_SPIFFE_ID_LENGTH = 2048;

/** The longest trust domain name we accept, in bytes (the standard's limit). */
export const MAX_TRUST_DOMAIN_LENGTH = 255;

function isTdChar(c: number): boolean {
  // a-z 0-9 . - _
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2d || c === 0x5f;
}

function isSegChar(c: number): boolean {
  // A-Z a-z 0-9 . - _
  return (
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x2e ||
    c === 0x2d ||
    c === 0x5f
  );
}

/** Throws unless `name` is a valid trust domain name (checked code unit by code unit). */
export function checkTrustDomainName(name: string): void {
  if (name.length === 0) throw new SpiffeError("td_missing", "trust domain is missing");
  if (name.length > MAX_TRUST_DOMAIN_LENGTH) {
    throw new SpiffeError("td_too_long", `trust domain is longer than ${MAX_TRUST_DOMAIN_LENGTH} bytes`);
  }
  for (let i = 0; i < name.length; i++) {
    if (!isTdChar(name.charCodeAt(i))) {
      throw new SpiffeError(
        "td_chars",
        `trust domain characters are limited to lowercase letters, numbers, dots, dashes, and underscores: ${quote(name)}`,
      );
    }
  }
}

/** Throws unless `path` is a valid SPIFFE ID path ("" or "/seg/seg..."). */
export function checkPath(path: string): void {
  if (path.length === 0) return;
  if (path.charCodeAt(0) !== 0x2f) {
    throw new SpiffeError("path_no_leading_slash", `path must have a leading slash: ${quote(path)}`);
  }
  let segStart = 0; // index of the "/" opening the current segment
  for (let i = 1; i <= path.length; i++) {
    const c = i < path.length ? path.charCodeAt(i) : 0x2f;
    if (c === 0x2f) {
      const len = i - segStart - 1;
      if (len === 0) {
        if (i === path.length) {
          throw new SpiffeError("path_trailing_slash", `path cannot have a trailing slash: ${quote(path)}`);
        }
        throw new SpiffeError("path_empty_segment", `path cannot contain empty segments: ${quote(path)}`);
      }
      if (
        (len === 1 && path.charCodeAt(segStart + 1) === 0x2e) ||
        (len === 2 && path.charCodeAt(segStart + 1) === 0x2e && path.charCodeAt(segStart + 2) === 0x2e)
      ) {
        throw new SpiffeError("path_dot_segment", `path cannot contain dot segments: ${quote(path)}`);
      }
      segStart = i;
    } else if (!isSegChar(c)) {
      throw new SpiffeError(
        "path_chars",
        `path segment characters are limited to letters, numbers, dots, dashes, and underscores: ${quote(path)}`,
      );
    }
  }
}

/** Throws unless `segment` is one valid path segment (no "/"). */
export function checkPathSegment(segment: string): void {
  if (segment.length === 0) throw new SpiffeError("path_empty_segment", "path cannot contain empty segments");
  if (segment === "." || segment === "..") {
    throw new SpiffeError("path_dot_segment", "path cannot contain dot segments");
  }
  for (let i = 0; i < segment.length; i++) {
    if (!isSegChar(segment.charCodeAt(i))) {
      throw new SpiffeError(
        "path_chars",
        `path segment characters are limited to letters, numbers, dots, dashes, and underscores: ${quote(segment)}`,
      );
    }
  }
}

/** Splits and validates a SPIFFE ID string; returns the trust domain name and the path. */
export function splitSpiffeId(text: string): { trustDomain: string; path: string } {
  if (typeof text !== "string") throw new SpiffeError("invalid_argument", "spiffe id must be a string");
  if (text.length === 0) throw new SpiffeError("id_empty", "spiffe id cannot be empty");
  // UTF-16 length <= UTF-8 byte length, so this never rejects an ID of <= 2048 bytes; longer
  // non-ASCII inputs are rejected by the character rules below anyway.
  if (text.length > MAX_SPIFFE_ID_LENGTH) {
    throw new SpiffeError("id_too_long", `spiffe id is longer than ${MAX_SPIFFE_ID_LENGTH} bytes`);
  }
  if (!text.startsWith(SPIFFE_SCHEME_PREFIX)) {
    throw new SpiffeError("id_scheme", `scheme is missing or invalid (want "spiffe://"): ${quote(text)}`);
  }
  const start = SPIFFE_SCHEME_PREFIX.length;
  let end = start;
  while (end < text.length && text.charCodeAt(end) !== 0x2f) {
    if (!isTdChar(text.charCodeAt(end))) {
      throw new SpiffeError(
        "td_chars",
        `trust domain characters are limited to lowercase letters, numbers, dots, dashes, and underscores: ${quote(text)}`,
      );
    }
    end++;
  }
  if (end === start) throw new SpiffeError("td_missing", `trust domain is missing: ${quote(text)}`);
  if (end - start > MAX_TRUST_DOMAIN_LENGTH) {
    throw new SpiffeError("td_too_long", `trust domain is longer than ${MAX_TRUST_DOMAIN_LENGTH} bytes`);
  }
  const path = text.slice(end);
  checkPath(path);
  return { trustDomain: text.slice(start, end), path };
}
