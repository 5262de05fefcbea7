import { Client, Metadata, credentials } from "@grpc/grpc-js";
import type { StatusObject } from "@grpc/grpc-js";
import { afterEach } from "vitest";
import { WorkloadApiError } from "../src/errors.js";
import { paths } from "../src/proto/messages.js";

/** Registers cleanups run (in reverse) after each test. */
export function useCleanup(): (fn: () => unknown) => void {
  const stack: (() => unknown)[] = [];
  afterEach(async () => {
    for (const fn of stack.splice(0).reverse()) await fn();
  });
  return (fn) => {
    stack.push(fn);
  };
}

/** Resolves with the `WorkloadApiError` `p` rejects with; fails on success or on any other error. */
export async function rejection(p: Promise<unknown>): Promise<WorkloadApiError> {
  const e = await p.then(
    () => {
      throw new Error("expected a rejection");
    },
    (x: unknown) => x,
  );
  if (!WorkloadApiError.is(e)) throw new Error(`expected a WorkloadApiError, got ${String(e)}`);
  return e;
}

/** Resolves with the first value `subscribe` delivers that passes `accept`; rejects after `ms`. */
export function nextEvent<T>(
  subscribe: (listener: (v: T) => void) => () => void,
  accept: (v: T) => boolean = () => true,
  ms = 10_000,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no matching event within ${ms} ms`));
    }, ms);
    const off = subscribe((v) => {
      if (!accept(v)) return;
      clearTimeout(timer);
      off();
      resolve(v);
    });
  });
}

/** A raw grpc-js client that sends exactly the metadata given (or none). */
export function rawClient(address: string, options: Record<string, string | number> = {}): Client {
  const target = address.replace(/^unix:\/\//, "unix:");
  return new Client(target, credentials.createInsecure(), options);
}

export interface RawResult {
  status: StatusObject;
  messages: Buffer[];
}

const id = (b: Buffer) => b;

/** Calls a server-streaming RPC, reads up to `max` messages, returns them with the final status. */
export function rawStream(client: Client, rpc: keyof typeof paths, md: Metadata, max = 1, request = Buffer.alloc(0)): Promise<RawResult> {
  return new Promise((resolve) => {
    const got: Buffer[] = [];
    const call = client.makeServerStreamRequest<Buffer, Buffer>(paths[rpc], id, id, request, md);
    call.on("data", (b: Buffer) => {
      got.push(b);
      if (got.length >= max) call.cancel();
    });
    call.on("error", () => {});
    call.on("status", (status: StatusObject) => resolve({ status, messages: got }));
  });
}

/** Calls a unary RPC. */
export function rawUnary(client: Client, rpc: keyof typeof paths, md: Metadata, request: Buffer): Promise<{ status?: StatusObject; value?: Buffer }> {
  return new Promise((resolve) => {
    client.makeUnaryRequest<Buffer, Buffer>(paths[rpc], id, id, request, md, {}, (err, value) => {
      if (err) resolve({ status: { code: err.code, details: err.details, metadata: err.metadata } });
      else resolve(value === undefined ? {} : { value });
    });
  });
}

/** Metadata with the given security header values (none when empty). */
export function header(...values: string[]): Metadata {
  const md = new Metadata();
  for (const v of values) md.add("workload.spiffe.io", v);
  return md;
}
