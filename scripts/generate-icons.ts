/**
 * Draws Stigmer Desktop's icons and writes them as PNG files: `node scripts/generate-icons.ts [outDir]`
 * (default `resources/`). The PNGs are committed; rerun this after changing the design.
 *
 * Every shape is a signed distance field over the unit square, so each size is rendered natively
 * (no downscaling blur) and edges are anti-aliased from the distance alone.
 *
 * The mark is a trail of four nodes drawn as an angular "S": agents coordinating through a shared
 * trail (stigmergy). Tray icons add a status badge whose shape, not only its colour, tells the
 * state apart: ok = dot, working = ring, error = diamond.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';

/** Straight (not premultiplied) colour, each channel 0..1. */
type Rgba = readonly [r: number, g: number, b: number, a: number];
type Point = readonly [x: number, y: number];
/** Signed distance to a shape's edge in canvas widths, negative inside. */
type Shape = (x: number, y: number) => number;
interface Layer {
  shape: Shape;
  paint: (x: number, y: number) => Rgba;
}

const clamp01 = (v: number) => Math.min(1, Math.max(0, v));
const hex = (value: string, alpha = 1): Rgba => {
  const n = Number.parseInt(value.slice(1), 16);
  return [(n >> 16) / 255, ((n >> 8) & 255) / 255, (n & 255) / 255, alpha];
};
const mix = (a: Rgba, b: Rgba, t: number): Rgba => [0, 1, 2, 3].map((i) => a[i]! + (b[i]! - a[i]!) * t) as unknown as Rgba;

const circle =
  ([cx, cy]: Point, r: number): Shape =>
  (x, y) =>
    Math.hypot(x - cx, y - cy) - r;
const ring = (c: Point, r: number, halfWidth: number): Shape => {
  const disc = circle(c, r);
  return (x, y) => Math.abs(disc(x, y)) - halfWidth;
};
const diamond =
  ([cx, cy]: Point, r: number): Shape =>
  (x, y) =>
    (Math.abs(x - cx) + Math.abs(y - cy) - r) / Math.SQRT2;
const segment = ([ax, ay]: Point, [bx, by]: Point, halfWidth: number): Shape => {
  const dx = bx - ax;
  const dy = by - ay;
  const lengthSquared = dx * dx + dy * dy;
  return (x, y) => {
    const t = clamp01(((x - ax) * dx + (y - ay) * dy) / lengthSquared);
    return Math.hypot(x - ax - t * dx, y - ay - t * dy) - halfWidth;
  };
};
/** A square centred on the canvas, `inset` from each side, with corners of `radius`. */
const roundedSquare = (inset: number, radius: number): Shape => {
  const half = 0.5 - inset - radius;
  return (x, y) => {
    const qx = Math.abs(x - 0.5) - half;
    const qy = Math.abs(y - 0.5) - half;
    return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius;
  };
};
const union =
  (shapes: readonly Shape[]): Shape =>
  (x, y) => {
    let d = Infinity;
    for (const shape of shapes) d = Math.min(d, shape(x, y));
    return d;
  };
const subtract =
  (shape: Shape, hole: Shape): Shape =>
  (x, y) =>
    Math.max(shape(x, y), -hole(x, y));
const offset =
  (shape: Shape, dx: number, dy: number): Shape =>
  (x, y) =>
    shape(x - dx, y - dy);

/** The trail mark inside the box [left, left+size]²; `weight` thickens it for small sizes. */
function trailMark(left: number, top: number, size: number, weight: number): Shape {
  const nodeRadius = 0.1 * weight * size;
  const halfStroke = 0.042 * weight * size;
  // Short, gently sloped top and bottom strokes around a long diagonal make the trail read as an "S".
  const ys = [0, 0.27, 0.73, 1].map((f) => top + nodeRadius + f * (size - 2 * nodeRadius));
  const xs = [left + size - nodeRadius * 1.6, left + nodeRadius * 1.6];
  const nodes: Point[] = ys.map((y, i) => [xs[i % 2]!, y]);
  const edges = nodes.slice(1).map((node, i) => segment(nodes[i]!, node, halfStroke));
  return union([...nodes.map((node) => circle(node, nodeRadius)), ...edges]);
}

const BRAND_TOP = hex('#4f46e5');
const BRAND_BOTTOM = hex('#0d9488');
const brandGradient = (x: number, y: number) => mix(BRAND_TOP, BRAND_BOTTOM, clamp01((x + y - 0.3) / 1.4));
const solid = (colour: Rgba) => () => colour;

export type TrayStatus = 'ok' | 'working' | 'error';
const STATUS_COLOUR: Record<TrayStatus, Rgba> = { ok: hex('#22c55e'), working: hex('#f59e0b'), error: hex('#ef4444') };
const BADGE_CENTRE: Point = [0.79, 0.79];
const BADGE_RADIUS = 0.21;
const BADGE_GAP = 0.075;
const badge = (status: TrayStatus): Shape =>
  status === 'ok'
    ? circle(BADGE_CENTRE, BADGE_RADIUS)
    : status === 'working'
      ? ring(BADGE_CENTRE, BADGE_RADIUS - 0.055, 0.055)
      : diamond(BADGE_CENTRE, BADGE_RADIUS * 1.2);
/** Cuts a gap around the badge out of whatever lies beneath it, so it reads on any background. */
const clearForBadge = (shape: Shape) => subtract(shape, circle(BADGE_CENTRE, BADGE_RADIUS + BADGE_GAP));

/** The application icon, laid out on Apple's grid (824 px body on 1024 px) so it sits well in the Dock. */
function appIcon(): Layer[] {
  const body = roundedSquare(0.0977, 0.18);
  const mark = trailMark(0.27, 0.27, 0.46, 1);
  const shadowColour = hex('#0b1020', 0.28);
  return [
    { shape: offset(body, 0, 0.012), paint: solid(hex('#000000', 0.22)) },
    { shape: body, paint: brandGradient },
    { shape: (x, y) => offset(mark, 0, 0.014)(x, y) - 0.006, paint: solid(shadowColour) },
    { shape: mark, paint: solid(hex('#ffffff')) },
  ];
}

/** macOS menu-bar template: black and alpha only; macOS tints it for light and dark menu bars. */
function trayTemplate(status: TrayStatus | undefined): Layer[] {
  const mark = trailMark(0.04, 0.04, 0.92, 1.45);
  const black = solid(hex('#000000'));
  if (status === undefined) return [{ shape: mark, paint: black }];
  return [
    { shape: clearForBadge(mark), paint: black },
    { shape: badge(status), paint: black },
  ];
}

/** Windows/Linux tray icon: the brand tile carries its own background, so it reads on light and dark panels. */
function trayColour(status: TrayStatus): Layer[] {
  const tile = roundedSquare(0, 0.2);
  return [
    { shape: clearForBadge(tile), paint: brandGradient },
    { shape: clearForBadge(trailMark(0.11, 0.1, 0.7, 1.7)), paint: solid(hex('#ffffff')) },
    { shape: badge(status), paint: solid(STATUS_COLOUR[status]) },
  ];
}

/** Rasterises layers bottom to top into straight-alpha RGBA bytes. */
function render(layers: readonly Layer[], size: number): Buffer {
  const pixels = Buffer.alloc(size * size * 4);
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      const x = (col + 0.5) / size;
      const y = (row + 0.5) / size;
      let [r, g, b, a] = [0, 0, 0, 0];
      for (const layer of layers) {
        const coverage = clamp01(0.5 - layer.shape(x, y) * size);
        if (coverage === 0) continue;
        const [lr, lg, lb, la] = layer.paint(x, y);
        const srcA = la * coverage;
        const outA = srcA + a * (1 - srcA);
        const blend = (src: number, dst: number) => (src * srcA + dst * a * (1 - srcA)) / outA;
        [r, g, b, a] = [blend(lr, r), blend(lg, g), blend(lb, b), outA];
      }
      pixels.set(
        [r, g, b, a].map((v) => Math.round(v * 255)),
        (row * size + col) * 4,
      );
    }
  }
  return pixels;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

/** Encodes square RGBA pixels as an 8-bit truecolour-with-alpha PNG. */
export function encodePng(rgba: Buffer, size: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // bit depth 8, colour type RGBA, deflate, adaptive filtering, no interlace
  const stride = size * 4;
  const scanlines = Buffer.alloc(size * (stride + 1)); // each row starts with filter type 0 (None)
  for (let row = 0; row < size; row++) rgba.copy(scanlines, row * (stride + 1) + 1, row * stride, (row + 1) * stride);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(scanlines, { level: 9 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

export interface IconFile {
  name: string;
  size: number;
  rgba: Buffer;
}

/** Every icon file this project ships, rendered in memory. */
export function renderIcons(): IconFile[] {
  const TRAY_SIZE = 16;
  const files: { name: string; size: number; layers: Layer[] }[] = [{ name: 'icon.png', size: 1024, layers: appIcon() }];
  const retina = (base: string, layers: Layer[]) => [
    { name: `${base}.png`, size: TRAY_SIZE, layers },
    { name: `${base}@2x.png`, size: TRAY_SIZE * 2, layers },
  ];
  files.push(...retina('trayTemplate', trayTemplate(undefined)));
  files.push(...retina('trayWorkingTemplate', trayTemplate('working')));
  files.push(...retina('trayErrorTemplate', trayTemplate('error')));
  for (const status of ['ok', 'working', 'error'] as const) files.push(...retina(`tray-${status}`, trayColour(status)));
  return files.map(({ name, size, layers }) => ({ name, size, rgba: render(layers, size) }));
}

if (import.meta.main) {
  const outDir = path.resolve(process.argv[2] ?? path.join(import.meta.dirname, '..', 'resources'));
  mkdirSync(outDir, { recursive: true });
  for (const icon of renderIcons()) {
    writeFileSync(path.join(outDir, icon.name), encodePng(icon.rgba, icon.size));
    console.log(`${icon.name} ${icon.size}×${icon.size}`);
  }
}
