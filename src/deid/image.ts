import sharp from 'sharp';
import type { Polygon } from '../document/types.js';
import { MedstructError } from '../errors.js';
import type { OcrLine, OcrPage, OcrResult } from '../ocr/index.js';
import { findBarcodes, type Box } from './barcode.js';
import { imagesToPdf, onPage, renderPdfPages } from './pdf.js';
import { detectPhi, resolveMaskFlags } from './text.js';
import { categoryOf, type DeidOptions, type PhiSpan } from './types.js';

export interface ImageDeidOptions extends DeidOptions {
  /** OCR to use instead of the project's engine (bring-your-own OCR, tests). */
  ocr?: (bytes: Buffer) => Promise<OcrResult>;
  /** Box colour, `#rrggbb` (default black). */
  fill?: string;
  /** PDFs: resolution the pages are rendered at (default 150 dpi). */
  dpi?: number;
  /** PDFs: refuse files with more pages (default 100). */
  maxPages?: number;
}

const KEEP_FORMATS = ['jpeg', 'png', 'webp', 'tiff', 'avif'] as const;
type OutputFormat = (typeof KEEP_FORMATS)[number];
const MIME: Record<OutputFormat, string> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', tiff: 'image/tiff', avif: 'image/avif' };

function boxOf(points: readonly (readonly [number, number])[]): Box {
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const x0 = Math.min(...xs), y0 = Math.min(...ys);
  return { x: x0, y: y0, width: Math.max(...xs) - x0, height: Math.max(...ys) - y0 };
}

function polygonOf(box: Box): Polygon {
  return [[box.x, box.y], [box.x + box.width, box.y], [box.x + box.width, box.y + box.height], [box.x, box.y + box.height]];
}

/** Polygon of each code point of the line: the OCR's own character boxes, or equal slices of the line box. */
function charPolygons(line: OcrLine): Polygon[] {
  const chars = Array.from(line.text);
  if (line.chars.length === chars.length) return line.chars.map((c) => c.polygon);
  const [tl, tr, br, bl] = line.polygon;
  const lerp = (a: readonly number[], b: readonly number[], t: number): [number, number] => [a[0]! + (b[0]! - a[0]!) * t, a[1]! + (b[1]! - a[1]!) * t];
  return chars.map((_, i) => {
    const t0 = i / chars.length, t1 = (i + 1) / chars.length;
    return [lerp(tl, tr, t0), lerp(tl, tr, t1), lerp(bl, br, t1), lerp(bl, br, t0)];
  });
}

/**
 * The boxes covering [start, end) of the page text: one box per line the span touches, over exactly
 * the span's characters, padded by a quarter of the character height so no stroke shows.
 */
function spanBoxes(page: OcrPage, charIndex: Array<{ line: number; polygon: Polygon } | null>, start: number, end: number): Box[] {
  const byLine = new Map<number, Array<readonly [number, number]>>();
  for (let i = start; i < end; i++) {
    const at = charIndex[i];
    if (!at) continue;
    const points = byLine.get(at.line) ?? [];
    points.push(...at.polygon);
    byLine.set(at.line, points);
  }
  const boxes: Box[] = [];
  for (const points of byLine.values()) {
    const box = boxOf(points);
    const pad = Math.max(2, Math.round(box.height * 0.25));
    const x = Math.max(0, Math.floor(box.x - pad)), y = Math.max(0, Math.floor(box.y - pad));
    boxes.push({ x, y, width: Math.min(page.width, Math.ceil(box.x + box.width + pad)) - x, height: Math.min(page.height, Math.ceil(box.y + box.height + pad)) - y });
  }
  return boxes;
}

/** The number printed under or above a barcode (digits and capitals only, overlapping it horizontally, right next to it). */
function humanReadableDigits(page: OcrPage, code: Box): Box[] {
  const out: Box[] = [];
  for (const line of page.lines) {
    const compact = line.text.replace(/\s/g, '');
    if (!/^\*?[0-9A-Z]{6,}\*?$/.test(compact) || compact.replace(/\D/g, '').length < 0.7 * compact.length) continue;
    const box = boxOf(line.polygon);
    const horizontal = Math.min(box.x + box.width, code.x + code.width) - Math.max(box.x, code.x);
    const below = box.y - (code.y + code.height), above = code.y - (box.y + box.height);
    if (horizontal < 0.5 * box.width || Math.min(Math.abs(below), Math.abs(above)) > 0.35 * code.height) continue;
    const pad = Math.round(box.height * 0.2);
    out.push({ x: Math.max(0, Math.floor(box.x - pad)), y: Math.max(0, Math.floor(box.y - pad)), width: Math.ceil(box.width + 2 * pad), height: Math.ceil(box.height + 2 * pad) });
  }
  return out;
}

function parseFill(fill: string | undefined): [number, number, number] {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(fill ?? '#000000');
  if (!m) throw new MedstructError('INVALID_ARGUMENT', `fill must be #rrggbb (got ${fill})`);
  return [parseInt(m[1]!, 16), parseInt(m[2]!, 16), parseInt(m[3]!, 16)];
}

/**
 * A PDF page by page: each page rendered, masked like an image, and written into a new PDF of page
 * images, so no text layer or metadata of the original survives. Spans carry their page number.
 */
async function deidentifyPdf(bytes: Buffer, options: ImageDeidOptions): Promise<{ image: Buffer; mime: string; spans: PhiSpan[] }> {
  const dpi = options.dpi ?? 150;
  const pages = await renderPdfPages(bytes, { dpi, maxPages: options.maxPages });
  const masked: Buffer[] = [];
  const spans: PhiSpan[] = [];
  for (const [i, page] of pages.entries()) {
    const result = await deidentifyImage(page, options);
    masked.push(result.image);
    spans.push(...onPage(result.spans, i + 1));
  }
  return { image: await imagesToPdf(masked, dpi), mime: 'application/pdf', spans };
}

/**
 * Masks PHI on an image (PDFs page by page, see deidentifyPdf): OCR reads it, the text detector finds PHI, and filled boxes cover exactly
 * those characters; barcodes and QR codes are covered too (flag `barcode`). The image is returned
 * upright (EXIF orientation applied) without any metadata, in its own format (JPEG, PNG, WebP, TIFF,
 * AVIF) or else as PNG. Spans carry the page text offsets and the covered polygons.
 */
export async function deidentifyImage(bytes: Buffer, options: ImageDeidOptions = {}): Promise<{ image: Buffer; mime: string; spans: PhiSpan[] }> {
  if (!Buffer.isBuffer(bytes) || bytes.length === 0) throw new MedstructError('EMPTY_INPUT');
  if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') return deidentifyPdf(bytes, options);
  let format: string;
  try {
    format = (await sharp(bytes).metadata()).format ?? '';
  } catch {
    throw new MedstructError('CORRUPT_IMAGE');
  }
  const fill = parseFill(options.fill);
  const selected = resolveMaskFlags(options.mask);
  const { data, info } = await sharp(bytes).rotate().removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const ocr = options.ocr ?? (async (b: Buffer) => (await import('../ocr/index.js')).ocrImage(b));
  const page = (await ocr(bytes)).pages[0] ?? { width: info.width, height: info.height, rotation: 0, skew: 0, lines: [] };

  const charIndex: Array<{ line: number; polygon: Polygon } | null> = [];
  const texts: string[] = [];
  page.lines.forEach((line, li) => {
    if (li > 0) charIndex.push(null);
    for (const polygon of charPolygons(line)) charIndex.push({ line: li, polygon });
    texts.push(line.text);
  });
  const text = texts.join('\n');
  const spans: PhiSpan[] = [];
  const boxes: Box[] = [];
  for (const span of detectPhi(text, options)) {
    const covered = spanBoxes(page, charIndex, span.start, span.end);
    boxes.push(...covered);
    spans.push({ ...span, replacement: '■', source: span.source, page: 1, polygons: covered.map(polygonOf) });
  }
  if (selected.has('barcode')) {
    // Recognized characters shield their pixels from the code search; bars read as I, l, 1 or | do not.
    const textBoxes = page.lines
      .filter((l) => l.confidence >= 0.8)
      .flatMap((l) => l.chars.filter((c) => !/[\sIl1|!丨]/.test(c.char)).map((c) => boxOf(c.polygon)));
    for (const box of findBarcodes(data, info.width, info.height, info.channels, textBoxes)) {
      const covered = [box, ...humanReadableDigits(page, box)];
      boxes.push(...covered);
      spans.push({ start: 0, end: 0, type: 'barcode', category: categoryOf('barcode'), text: '', replacement: '■', source: 'image', page: 1, polygons: covered.map(polygonOf) });
    }
  }
  for (const box of boxes) {
    const x1 = Math.min(info.width, box.x + box.width), y1 = Math.min(info.height, box.y + box.height);
    for (let y = Math.max(0, box.y); y < y1; y++) {
      for (let x = Math.max(0, box.x); x < x1; x++) {
        const o = (y * info.width + x) * info.channels;
        for (let c = 0; c < info.channels; c++) data[o + c] = fill[Math.min(c, 2)]!;
      }
    }
  }
  const outFormat: OutputFormat = (KEEP_FORMATS as readonly string[]).includes(format) ? (format as OutputFormat) : 'png';
  const image = await sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } })
    .toFormat(outFormat)
    .toBuffer();
  return { image, mime: MIME[outFormat], spans };
}
