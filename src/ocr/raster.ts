import sharp from 'sharp';
import type { Polygon } from '../document/types.js';
import { MedstructError } from '../errors.js';

// Every image is decoded once: libvips's operation cache (up to 50 MB by default) would only hold memory.
sharp.cache(false);

/** A single-channel 8-bit image, row-major. */
export interface GrayImage {
  width: number;
  height: number;
  data: Uint8Array;
}

export interface DecodedImage {
  /** Size after EXIF orientation: the "original" pixel frame every output coordinate refers to. */
  width: number;
  height: number;
  /** The working copy (downscaled when large), grey and illumination-normalised. */
  work: GrayImage;
  /** original pixels per working pixel. */
  scale: number;
}

/**
 * Decodes any image sharp reads (JPEG, PNG, WebP, TIFF, GIF, HEIF where built in), applies the EXIF
 * orientation, downscales so the long side is at most `maxSide`, and flattens uneven lighting.
 */
export async function decodeImage(bytes: Buffer, maxSide: number): Promise<DecodedImage> {
  let meta: Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>;
  try {
    meta = await sharp(bytes).metadata();
  } catch (error) {
    throw new MedstructError('CORRUPT_IMAGE', `The image cannot be decoded: ${(error as Error).message}`);
  }
  if (!meta.width || !meta.height) throw new MedstructError('CORRUPT_IMAGE');
  const swap = (meta.orientation ?? 1) >= 5;
  const width = swap ? meta.height : meta.width;
  const height = swap ? meta.width : meta.height;
  const factor = Math.min(1, maxSide / Math.max(width, height));
  const workWidth = Math.max(1, Math.round(width * factor));
  const workHeight = Math.max(1, Math.round(height * factor));
  let raw: Buffer;
  try {
    raw = await sharp(bytes)
      .rotate()
      .flatten({ background: '#ffffff' })
      .resize(workWidth, workHeight, { fit: 'fill', kernel: 'lanczos3' })
      .greyscale()
      .raw()
      .toBuffer();
  } catch (error) {
    throw new MedstructError('CORRUPT_IMAGE', `The image cannot be decoded: ${(error as Error).message}`);
  }
  const gray: GrayImage = { width: workWidth, height: workHeight, data: new Uint8Array(raw.buffer, raw.byteOffset, raw.length) };
  return { width, height, work: await normaliseIllumination(gray), scale: width / workWidth };
}

/**
 * Divides each pixel by a smooth estimate of the paper's brightness (a heavy blur of a brightness
 * envelope), so shadows, lighting gradients and grey paper become white, then stretches contrast.
 */
export async function normaliseIllumination(image: GrayImage): Promise<GrayImage> {
  const { width, height, data } = image;
  // A coarse grid of local maxima approximates the paper (text is dark, so maxima skip it).
  const cell = Math.max(8, Math.round(Math.max(width, height) / 64));
  const gw = Math.ceil(width / cell), gh = Math.ceil(height / cell);
  const grid = new Uint8Array(gw * gh);
  for (let gy = 0; gy < gh; gy++) {
    for (let gx = 0; gx < gw; gx++) {
      const values: number[] = [];
      for (let y = gy * cell; y < Math.min(height, (gy + 1) * cell); y += 2) {
        for (let x = gx * cell; x < Math.min(width, (gx + 1) * cell); x += 2) values.push(data[y * width + x]!);
      }
      values.sort((a, b) => a - b);
      grid[gy * gw + gx] = values[Math.floor(values.length * 0.9)] ?? 255;
    }
  }
  const background = await sharp(Buffer.from(grid), { raw: { width: gw, height: gh, channels: 1 } })
    .blur(1.5)
    .resize(width, height, { fit: 'fill', kernel: 'cubic' })
    .extractChannel(0)
    .raw()
    .toBuffer();
  const ratio = new Float32Array(width * height);
  const histogram = new Uint32Array(256);
  for (let i = 0; i < ratio.length; i++) {
    const r = Math.min(1, data[i]! / Math.max(24, background[i]!));
    ratio[i] = r;
    histogram[Math.round(r * 255)]!++;
  }
  // Stretch so the darkest 0.5 % of pixels become black; paper stays white.
  let dark = 0, acc = 0;
  while (dark < 255 && acc + histogram[dark]! < ratio.length * 0.005) acc += histogram[dark++]!;
  const low = Math.min(dark / 255, 0.6);
  const out = new Uint8Array(width * height);
  for (let i = 0; i < ratio.length; i++) {
    const v = (ratio[i]! - low) / (1 - low);
    out[i] = v <= 0 ? 0 : v >= 1 ? 255 : Math.round(v * 255);
  }
  return { width, height, data: out };
}

/** Rotates clockwise by `quarterTurns` × 90°. */
export function rotateGray(image: GrayImage, quarterTurns: number): GrayImage {
  const k = ((quarterTurns % 4) + 4) % 4;
  if (k === 0) return image;
  const { width: w, height: h, data } = image;
  const ow = k === 2 ? w : h, oh = k === 2 ? h : w;
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let nx: number, ny: number;
      if (k === 1) { nx = h - 1 - y; ny = x; } else if (k === 2) { nx = w - 1 - x; ny = h - 1 - y; } else { nx = y; ny = w - 1 - x; }
      out[ny * ow + nx] = data[y * w + x]!;
    }
  }
  return { width: ow, height: oh, data: out };
}

export async function resizeGray(image: GrayImage, width: number, height: number): Promise<GrayImage> {
  if (width === image.width && height === image.height) return image;
  const raw = await sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.length), { raw: { width: image.width, height: image.height, channels: 1 } })
    .resize(width, height, { fit: 'fill', kernel: width < image.width ? 'lanczos3' : 'cubic' })
    .extractChannel(0)
    .raw()
    .toBuffer();
  return { width, height, data: new Uint8Array(raw.buffer, raw.byteOffset, raw.length) };
}

/**
 * Samples the quadrilateral `quad` (corners TL, TR, BR, BL in reading direction) into an upright strip
 * `outWidth × outHeight` with bilinear interpolation, written as the network's normalised input
 * ((v/255 − 0.5)/0.5, same value in all three channels) at column offset 0 of a `stride`-wide tensor.
 */
export function sampleQuad(image: GrayImage, quad: Polygon, outWidth: number, outHeight: number, target: Float32Array, offset: number, stride: number): void {
  const { width, height, data } = image;
  const plane = outHeight * stride;
  for (let v = 0; v < outHeight; v++) {
    const fv = (v + 0.5) / outHeight;
    const lx = quad[0][0] + (quad[3][0] - quad[0][0]) * fv, ly = quad[0][1] + (quad[3][1] - quad[0][1]) * fv;
    const rx = quad[1][0] + (quad[2][0] - quad[1][0]) * fv, ry = quad[1][1] + (quad[2][1] - quad[1][1]) * fv;
    for (let u = 0; u < outWidth; u++) {
      const fu = (u + 0.5) / outWidth;
      const x = lx + (rx - lx) * fu - 0.5, y = ly + (ry - ly) * fu - 0.5;
      const x0 = Math.floor(x), y0 = Math.floor(y);
      const ax = x - x0, ay = y - y0;
      const px = (xx: number, yy: number): number => (xx < 0 || yy < 0 || xx >= width || yy >= height ? 255 : data[yy * width + xx]!);
      const value = (px(x0, y0) * (1 - ax) + px(x0 + 1, y0) * ax) * (1 - ay) + (px(x0, y0 + 1) * (1 - ax) + px(x0 + 1, y0 + 1) * ax) * ay;
      const n = (value / 255 - 0.5) / 0.5;
      const at = offset + v * stride + u;
      target[at] = n;
      target[at + plane] = n;
      target[at + 2 * plane] = n;
    }
  }
}
