/**
 * A small PNG reader for the packaging tests: the size from IHDR, and the pixels of 8-bit
 * RGBA or grey+alpha images (what icon tools write), with every PNG scanline filter undone.
 */
import { inflateSync } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export interface PngImage {
  width: number;
  height: number;
  /** RGBA, 4 bytes a pixel, row by row. */
  rgba: Buffer;
}

function chunks(file: Buffer, name: string): { type: string; data: Buffer }[] {
  if (!file.subarray(0, 8).equals(SIGNATURE)) throw new Error(`${name} is not a PNG file`);
  const found: { type: string; data: Buffer }[] = [];
  for (let at = 8; at < file.length;) {
    const length = file.readUInt32BE(at);
    found.push({ type: file.toString('latin1', at + 4, at + 8), data: file.subarray(at + 8, at + 8 + length) });
    at += 12 + length;
  }
  if (found[0]?.type !== 'IHDR') throw new Error(`${name}: the first chunk is not IHDR`);
  return found;
}

/** Width and height as declared in the IHDR chunk. */
export function pngSize(file: Buffer, name = 'PNG'): { width: number; height: number } {
  const header = chunks(file, name)[0]!.data;
  return { width: header.readUInt32BE(0), height: header.readUInt32BE(4) };
}

const paeth = (a: number, b: number, c: number) => {
  const p = a + b - c;
  const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
};

export function decodePng(file: Buffer, name = 'PNG'): PngImage {
  const all = chunks(file, name);
  const header = all[0]!.data;
  const [width, height] = [header.readUInt32BE(0), header.readUInt32BE(4)];
  const [bitDepth, colourType, , , interlace] = header.subarray(8, 13);
  const channels = colourType === 6 ? 4 : colourType === 4 ? 2 : 0;
  if (bitDepth !== 8 || channels === 0 || interlace !== 0) {
    throw new Error(`${name}: only 8-bit, non-interlaced RGBA or grey+alpha PNGs are read here`);
  }
  const raw = inflateSync(Buffer.concat(all.filter((c) => c.type === 'IDAT').map((c) => c.data)));
  const stride = width * channels;
  const pixels = Buffer.alloc(height * stride);
  for (let row = 0; row < height; row++) {
    const filter = raw[row * (stride + 1)]!;
    const line = raw.subarray(row * (stride + 1) + 1, (row + 1) * (stride + 1));
    for (let i = 0; i < stride; i++) {
      const left = i >= channels ? pixels[row * stride + i - channels]! : 0;
      const up = row > 0 ? pixels[(row - 1) * stride + i]! : 0;
      const upLeft = row > 0 && i >= channels ? pixels[(row - 1) * stride + i - channels]! : 0;
      const predictor = [0, left, up, (left + up) >> 1, paeth(left, up, upLeft)][filter];
      if (predictor === undefined) throw new Error(`${name}: unknown scanline filter ${filter}`);
      pixels[row * stride + i] = (line[i]! + predictor) & 0xff;
    }
  }
  if (channels === 4) return { width, height, rgba: pixels };
  const rgba = Buffer.alloc(width * height * 4);
  for (let p = 0; p < width * height; p++) rgba.set([pixels[2 * p]!, pixels[2 * p]!, pixels[2 * p]!, pixels[2 * p + 1]!], 4 * p);
  return { width, height, rgba };
}
