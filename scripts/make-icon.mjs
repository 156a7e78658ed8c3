// Draws images/icon.png (128x128): a brick wall crossed by a request (→) and its response (←).
// No image library: shapes are sampled 4x4 per pixel and written as a PNG with node:zlib.
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const N = 128;
const SS = 4;

const hex = (h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
const mix = (a, b, t) => a.map((v, i) => v + (b[i] - v) * t);

function inRoundRect(x, y, x0, y0, x1, y1, r) {
  const cx = Math.min(Math.max(x, x0 + r), x1 - r);
  const cy = Math.min(Math.max(y, y0 + r), y1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r && x >= x0 && x <= x1 && y >= y0 && y <= y1;
}

/** Arrow along y = cy from xa to xb (head at xb), shaft half-height h, head half-height hh, head length hl. */
function inArrow(x, y, xa, xb, cy, h, hh, hl) {
  const dir = Math.sign(xb - xa);
  const u = (x - xa) * dir; // distance along the arrow
  const len = Math.abs(xb - xa);
  if (u < 0 || u > len) return false;
  if (u <= len - hl) return Math.abs(y - cy) <= h;
  return Math.abs(y - cy) <= (hh * (len - u)) / hl;
}

const BG_TOP = hex('#24344a');
const BG_BOTTOM = hex('#141d2a');
const MORTAR = hex('#2e3b4f');
const BRICKS = [hex('#e2623a'), hex('#cf4f2c'), hex('#d8582f'), hex('#c44626')];
const REQUEST = hex('#7fd0ff');
const RESPONSE = hex('#8fe38f');
const OUTLINE = hex('#0f1620');

// The wall: a column of bricks in the middle.
const WALL = { x0: 44, x1: 84, y0: 16, y1: 112 };
const BRICK_H = 12;
const BRICK_W = 20;
const GAP = 2;

function wallColor(x, y) {
  if (x < WALL.x0 || x >= WALL.x1 || y < WALL.y0 || y >= WALL.y1) return null;
  const row = Math.floor((y - WALL.y0) / BRICK_H);
  const yin = (y - WALL.y0) % BRICK_H;
  const shift = row % 2 ? BRICK_W / 2 : 0;
  const col = Math.floor((x - WALL.x0 + shift) / BRICK_W);
  const xin = (x - WALL.x0 + shift) % BRICK_W;
  if (yin < GAP || xin < GAP) return MORTAR;
  const c = BRICKS[(row * 3 + col * 5) % BRICKS.length];
  // a little light from the top of each brick
  return mix(c, [255, 255, 255], yin < GAP + 2 ? 0.18 : 0);
}

function sample(x, y) {
  if (!inRoundRect(x, y, 4, 4, 124, 124, 24)) return null;
  let c = mix(BG_TOP, BG_BOTTOM, (y - 4) / 120);
  const w = wallColor(x, y);
  if (w) c = w;
  // request: left to right, above; response: right to left, below. Dark outline first.
  const arrows = [
    { xa: 12, xb: 116, cy: 44, color: REQUEST },
    { xa: 116, xb: 12, cy: 84, color: RESPONSE },
  ];
  for (const a of arrows) {
    if (inArrow(x, y, a.xa - 3 * Math.sign(a.xb - a.xa), a.xb + 4 * Math.sign(a.xb - a.xa), a.cy, 7.5, 17, 25)) c = OUTLINE;
  }
  for (const a of arrows) {
    if (inArrow(x, y, a.xa, a.xb, a.cy, 4.5, 13, 20)) c = a.color;
  }
  return c;
}

const raw = Buffer.alloc(N * (N * 4 + 1));
for (let py = 0; py < N; py++) {
  raw[py * (N * 4 + 1)] = 0; // filter: none
  for (let px = 0; px < N; px++) {
    let r = 0,
      g = 0,
      b = 0,
      a = 0;
    for (let sy = 0; sy < SS; sy++) {
      for (let sx = 0; sx < SS; sx++) {
        const c = sample(px + (sx + 0.5) / SS, py + (sy + 0.5) / SS);
        if (!c) continue;
        r += c[0];
        g += c[1];
        b += c[2];
        a += 1;
      }
    }
    const o = py * (N * 4 + 1) + 1 + px * 4;
    if (a) {
      raw[o] = Math.round(r / a);
      raw[o + 1] = Math.round(g / a);
      raw[o + 2] = Math.round(b / a);
    }
    raw[o + 3] = Math.round((255 * a) / (SS * SS));
  }
}

const CRC = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(N, 0);
ihdr.writeUInt32BE(N, 4);
ihdr[8] = 8; // bit depth
ihdr[9] = 6; // RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
const out = new URL('../images/icon.png', import.meta.url);
writeFileSync(out, png);
console.log(`wrote ${out.pathname} (${png.length} bytes)`);
