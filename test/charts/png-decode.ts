import { inflateSync } from 'node:zlib';

/**
 * Just enough of a PNG reader for the chart's golden tests: the signature, IHDR, and the
 * pixels of an 8-bit RGBA, non-interlaced image (what resvg writes), unfiltered.
 */

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlace: number;
}

/** IHDR of a PNG, after checking the signature and that IHDR comes first. */
export function pngHeader(png: Buffer): PngHeader {
  if (!png.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('not a PNG signature');
  if (png.subarray(12, 16).toString('latin1') !== 'IHDR') throw new Error('IHDR is not first');
  return {
    width: png.readUInt32BE(16),
    height: png.readUInt32BE(20),
    bitDepth: png.readUInt8(24),
    colorType: png.readUInt8(25),
    interlace: png.readUInt8(28),
  };
}

/** The image's pixels as RGBA rows. */
export function decodePng(png: Buffer): PngHeader & { pixel(x: number, y: number): number[] } {
  const header = pngHeader(png);
  if (header.bitDepth !== 8 || header.colorType !== 6 || header.interlace !== 0)
    throw new Error('only 8-bit RGBA, non-interlaced');
  const idat: Buffer[] = [];
  let at = 8;
  while (at < png.length) {
    const length = png.readUInt32BE(at);
    const type = png.subarray(at + 4, at + 8).toString('latin1');
    if (type === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + length));
    if (type === 'IEND') break;
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const bpp = 4;
  const stride = header.width * bpp;
  const out = Buffer.alloc(stride * header.height);
  for (let y = 0; y < header.height; y += 1) {
    const filter = raw[y * (stride + 1)] as number;
    const src = y * (stride + 1) + 1;
    const dst = y * stride;
    for (let i = 0; i < stride; i += 1) {
      const a = i >= bpp ? (out[dst + i - bpp] as number) : 0;
      const b = y > 0 ? (out[dst - stride + i] as number) : 0;
      const c = i >= bpp && y > 0 ? (out[dst - stride + i - bpp] as number) : 0;
      const v = raw[src + i] as number;
      let pred = 0;
      if (filter === 1) pred = a;
      else if (filter === 2) pred = b;
      else if (filter === 3) pred = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      out[dst + i] = (v + pred) & 0xff;
    }
  }
  return {
    ...header,
    pixel(x, y) {
      const i = (Math.round(y) * header.width + Math.round(x)) * bpp;
      return [...out.subarray(i, i + 4)];
    },
  };
}
