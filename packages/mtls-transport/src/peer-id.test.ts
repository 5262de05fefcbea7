import { Socket } from "node:net";
import { SpiffeId } from "@spike-ts/spiffe";
import { describe, expect, it } from "vitest";
import { peerIdOf, recordPeerId } from "./peer-id.js";

describe("peerIdOf", () => {
  const id = SpiffeId.parse("spiffe://example.org/caller");

  it("finds the ID from a socket, a request, an http2 stream and through a socket proxy", () => {
    const socket = new Socket();
    recordPeerId(socket, id);
    const proxy = new Proxy(socket, {});
    expect(peerIdOf(socket)).toBe(id);
    expect(peerIdOf({ socket })).toBe(id);
    expect(peerIdOf({ socket: proxy })).toBe(id);
    expect(peerIdOf({ session: { socket: proxy } })).toBe(id);
    expect(peerIdOf({ stream: { session: { socket: proxy } } })).toBe(id);
    socket.destroy();
  });

  it("cannot be overwritten once recorded", () => {
    const socket = new Socket();
    recordPeerId(socket, id);
    expect(() => recordPeerId(socket, SpiffeId.parse("spiffe://example.org/evil"))).toThrow(TypeError);
    expect(peerIdOf(socket)).toBe(id);
    socket.destroy();
  });

  it("fails closed on an unverified socket", () => {
    const socket = new Socket();
    expect(() => peerIdOf(socket)).toThrow(expect.objectContaining({ code: "not_verified" }));
    expect(() => peerIdOf({ socket: null })).toThrow(expect.objectContaining({ code: "not_verified" }));
    socket.destroy();
  });
});
