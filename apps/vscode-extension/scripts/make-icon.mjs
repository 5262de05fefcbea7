#!/usr/bin/env node
// Regenerates media/icon.png (128x128 RGBA, the Marketplace size) with no dependencies:
// a navy rounded square, a gold shield and a key hole, rasterised with 4x4 supersampling.
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { deflateSync } from "node:zlib";

const S = 128;
const navy = [31, 58, 95];
const gold = [242, 182, 50];

function inRoundRect(x, y) {
  const r = 22;
  const cx = Math.min(Math.max(x, r), S - r);
  const cy = Math.min(Math.max(y, r), S - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}
function inShield(x, y) {
  if (y < 16 || y > 112) return false;
  const half = y < 32 ? 24 + ((y - 16) / 16) * 16 : y < 64 ? 40 : 40 * (1 - (y - 64) / 48);
  const top = 16 + (Math.abs(x - 64) / 40) * 16;
  return Math.abs(x - 64) <= half && y >= top;
}
function inKeyHole(x, y) {
  return (x - 64) ** 2 + (y - 56) ** 2 <= 12 * 12 || (Math.abs(x - 64) <= 5 && y >= 56 && y <= 88);
}
function colour(x, y) {
  if (!inRoundRect(x, y)) return undefined;
  if (inShield(x, y) && !inKeyHole(x, y)) return gold;
  return navy;
}

const raw = Buffer.alloc(S * (S * 4 + 1));
for (let y = 0; y < S; y++) {
  raw[y * (S * 4 + 1)] = 0;
  for (let x = 0; x < S; x++) {
    const acc = [0, 0, 0, 0];
    for (let sy = 0; sy < 4; sy++)
      for (let sx = 0; sx < 4; sx++) {
        const c = colour(x + (sx + 0.5) / 4, y + (sy + 0.5) / 4);
        if (!c) continue;
        acc[0] += c[0]; acc[1] += c[1]; acc[2] += c[2]; acc[3] += 1;
      }
    const o = y * (S * 4 + 1) + 1 + x * 4;
    if (acc[3] > 0) {
      raw[o] = Math.round(acc[0] / acc[3]);
      raw[o + 1] = Math.round(acc[1] / acc[3]);
      raw[o + 2] = Math.round(acc[2] / acc[3]);
    }
    raw[o + 3] = Math.round((acc[3] / 16) * 255);
  }
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(S, 0);
ihdr.writeUInt32BE(S, 4);
ihdr[8] = 8; // bit depth
ihdr[9] = 6; // RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk("IHDR", ihdr),
  chunk("IDAT", deflateSync(raw, { level: 9 })),
  chunk("IEND", Buffer.alloc(0)),
]);
const out = join(dirname(fileURLToPath(import.meta.url)), "..", "media", "icon.png");
writeFileSync(out, png);
console.log(`wrote ${out} (${png.length} bytes)`);
