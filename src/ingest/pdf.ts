import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { Point, Polygon } from '../document/types.js';
import { MedstructError } from '../errors.js';
import { orderLines } from '../layout/index.js';
import { mapPolygon } from '../ocr/geometry.js';
import type { OcrChar, OcrLine, OcrPage } from '../ocr/types.js';

/** Reads an image (a rendered page) into an OCR page in the image's pixels. */
export type PageReader = (image: Buffer) => Promise<OcrPage>;

export interface PdfOptions {
  maxPages: number;
  /** Resolution scanned pages are rendered at for OCR. */
  dpi: number;
  read: PageReader;
}

/** A page with fewer visible characters than this in its text layer is treated as scanned. */
const MIN_TEXT_CHARS = 12;

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
type PdfDocument = Awaited<ReturnType<PdfJs['getDocument']>['promise']>;
type PdfPage = Awaited<ReturnType<PdfDocument['getPage']>>;
interface TextItem { str: string; transform: number[]; width: number; height: number }

let pdfjs: Promise<PdfJs> | null = null;
function loadPdfJs(): Promise<PdfJs> {
  pdfjs ??= import('pdfjs-dist/legacy/build/pdf.mjs');
  return pdfjs;
}

function pdfjsAssets(): { cMapUrl: string; standardFontDataUrl: string } {
  const root = dirname(dirname(dirname(createRequire(import.meta.url).resolve('pdfjs-dist/legacy/build/pdf.mjs'))));
  return { cMapUrl: join(root, 'cmaps') + '/', standardFontDataUrl: join(root, 'standard_fonts') + '/' };
}

function glyphWeight(char: string): number {
  if (char === ' ') return 0.3;
  return char.codePointAt(0)! >= 0x2e80 ? 1 : 0.55;
}

/** Composes two PDF matrices `[a b c d e f]` (first `m2`, then `m1`). */
function multiply(m1: number[], m2: number[]): number[] {
  return [
    m1[0]! * m2[0]! + m1[2]! * m2[1]!, m1[1]! * m2[0]! + m1[3]! * m2[1]!,
    m1[0]! * m2[2]! + m1[2]! * m2[3]!, m1[1]! * m2[2]! + m1[3]! * m2[3]!,
    m1[0]! * m2[4]! + m1[2]! * m2[5]! + m1[4]!, m1[1]! * m2[4]! + m1[3]! * m2[5]! + m1[5]!,
  ];
}

interface Run { text: string; origin: Point; dir: Point; up: Point; size: number; width: number }

/** A text-layer run split into glyph boxes: widths are shared out by glyph class (CJK full, Latin about half). */
function runToLine(run: Run): OcrLine {
  const chars = Array.from(run.text);
  const total = chars.reduce((s, c) => s + glyphWeight(c), 0) || 1;
  const at = (along: number, rise: number): Point => [
    run.origin[0] + run.dir[0] * along + run.up[0] * rise,
    run.origin[1] + run.dir[1] * along + run.up[1] * rise,
  ];
  const top = run.size * 0.88, bottom = -run.size * 0.12;
  let offset = 0;
  const placed: OcrChar[] = chars.map((char) => {
    const w = (glyphWeight(char) / total) * run.width;
    const polygon: Polygon = [at(offset, top), at(offset + w, top), at(offset + w, bottom), at(offset, bottom)];
    offset += w;
    return { char, polygon, confidence: 1 };
  });
  const polygon: Polygon = [at(0, top), at(run.width, top), at(run.width, bottom), at(0, bottom)];
  return { text: run.text, confidence: 1, polygon, chars: placed };
}

/**
 * The page's text layer as lines in page points (72 per inch, y down): neighbouring runs on one
 * baseline are joined, and runs of two or more spaces split a line into cells.
 */
async function textLayer(page: PdfPage): Promise<{ lines: OcrLine[]; visible: number; garbled: number; width: number; height: number }> {
  const viewport = page.getViewport({ scale: 1 });
  const content = await page.getTextContent();
  const runs: Run[] = [];
  for (const raw of content.items) {
    const item = raw as TextItem;
    if (typeof item.str !== 'string' || item.str.trim() === '') continue;
    const m = multiply(viewport.transform, item.transform);
    const size = Math.hypot(m[2]!, m[3]!);
    const scaleX = Math.hypot(m[0]!, m[1]!) || 1;
    const dir: Point = [m[0]! / scaleX, m[1]! / scaleX];
    const up: Point = size > 0 ? [m[2]! / size, m[3]! / size] : [0, -1];
    // `width` is in text space scaled to user units; the viewport only adds its own scale (1 here).
    const run: Run = { text: item.str, origin: [m[4]!, m[5]!], dir, up, size, width: item.width };
    const last = runs[runs.length - 1];
    if (last && Math.abs(last.size - size) < 0.2 * size) {
      const end: Point = [last.origin[0] + last.dir[0] * last.width, last.origin[1] + last.dir[1] * last.width];
      const gapAlong = (run.origin[0] - end[0]) * dir[0] + (run.origin[1] - end[1]) * dir[1];
      const offBaseline = Math.abs((run.origin[0] - end[0]) * up[0] + (run.origin[1] - end[1]) * up[1]);
      if (offBaseline < 0.3 * size && gapAlong > -0.3 * size && gapAlong < 0.6 * size) {
        const spaces = gapAlong > 0.25 * size ? ' ' : '';
        last.text += spaces + run.text;
        last.width += Math.max(0, gapAlong) + run.width;
        continue;
      }
    }
    runs.push(run);
  }
  const lines: OcrLine[] = [];
  let visible = 0, garbled = 0;
  for (const run of runs) {
    for (const char of run.text) {
      if (/\s/.test(char)) continue;
      visible++;
      const cp = char.codePointAt(0)!;
      if ((cp >= 0xe000 && cp <= 0xf8ff) || cp === 0xfffd || cp < 0x20) garbled++;
    }
    const line = runToLine(run);
    // Cells: two or more spaces inside a run separate table columns.
    let start = 0;
    const chars = line.chars;
    for (let i = 0; i <= chars.length; i++) {
      const gap = i < chars.length && chars[i]!.char === ' ' && chars[i + 1]?.char === ' ';
      if (i === chars.length || gap) {
        const piece = chars.slice(start, i);
        while (piece.length > 0 && piece[0]!.char === ' ') piece.shift();
        while (piece.length > 0 && piece[piece.length - 1]!.char === ' ') piece.pop();
        if (piece.length > 0) {
          const first = piece[0]!.polygon, last = piece[piece.length - 1]!.polygon;
          lines.push({ text: piece.map((c) => c.char).join(''), confidence: 1, polygon: [first[0], last[1], last[2], first[3]], chars: piece });
        }
        while (i < chars.length && chars[i]!.char === ' ') i++;
        start = i;
      }
    }
  }
  return { lines, visible, garbled, width: viewport.width, height: viewport.height };
}

async function renderWithPdfJs(page: PdfPage, dpi: number): Promise<Buffer> {
  const viewport = page.getViewport({ scale: dpi / 72 });
  const { createCanvas } = (await import('@napi-rs/canvas')) as { createCanvas: (w: number, h: number) => { getContext(kind: '2d'): unknown; toBuffer(mime: 'image/png'): Buffer } };
  const canvas = createCanvas(Math.ceil(viewport.width), Math.ceil(viewport.height));
  const context = canvas.getContext('2d');
  await page.render({ canvasContext: context as never, viewport, canvas: canvas as never }).promise;
  return canvas.toBuffer('image/png');
}

const execFileAsync = promisify(execFile);

/** Poppler renders with the system's CJK fonts, so it draws PDFs whose Chinese fonts are not embedded. */
async function renderWithPoppler(bytes: Uint8Array, pageNumber: number, dpi: number): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'medstruct-pdf-'));
  try {
    const file = join(dir, 'in.pdf');
    await writeFile(file, bytes);
    const { stdout } = await execFileAsync('pdftoppm', ['-f', String(pageNumber), '-l', String(pageNumber), '-r', String(dpi), '-gray', '-png', file], { encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 });
    return stdout;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Whether most recognised characters are letters or digits (not □ boxes). */
function isReadable(page: OcrPage): boolean {
  const chars = page.lines.flatMap((l) => l.chars);
  return chars.filter((c) => /[\p{L}\p{N}]/u.test(c.char)).length > chars.length / 2;
}

function describeFailure(renderer: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (renderer === 'poppler' && code === 'ENOENT') return 'poppler\'s pdftoppm is not installed';
  return `${renderer} failed: ${(error as Error).message}`;
}

/**
 * Renders a page and OCRs it. Pages whose text layer is garbled render with poppler first (it draws
 * non-embedded Chinese fonts with the system's CJK fonts through poppler-data's CMaps), other pages
 * with pdfjs first; the other renderer is the fallback. A page that draws text but comes out blank
 * (or as empty boxes) from every renderer keeps its text layer when that is sound; a garbled one
 * cannot be read: PDF_RENDER_FAILED names what to install.
 */
async function ocrPage(bytes: Uint8Array, page: PdfPage, pageNumber: number, layer: { visible: number; garbled: boolean; lines: OcrLine[] }, options: PdfOptions, size: { width: number; height: number }): Promise<OcrPage> {
  const pdfjsRenderer = { name: 'pdfjs', render: () => renderWithPdfJs(page, options.dpi) };
  const popplerRenderer = { name: 'poppler', render: () => renderWithPoppler(bytes, pageNumber, options.dpi) };
  const failures: string[] = [];
  let read: OcrPage | null = null;
  for (const renderer of layer.garbled ? [popplerRenderer, pdfjsRenderer] : [pdfjsRenderer, popplerRenderer]) {
    let image: Buffer;
    try {
      image = await renderer.render();
    } catch (error) {
      failures.push(describeFailure(renderer.name, error));
      continue;
    }
    read = await options.read(image);
    // A scan without a text layer may be blank; a page that draws text but reads as nothing, or as the
    // empty boxes a renderer draws for glyphs it lacks, was drawn wrong.
    if (layer.visible === 0 || isReadable(read)) break;
    failures.push(`${renderer.name} drew no readable text`);
    read = null;
  }
  if (read === null) {
    // A short but sound text layer (a page number, a signature line) is better than nothing.
    if (!layer.garbled) return orderLines({ width: size.width, height: size.height, rotation: 0, skew: 0, lines: layer.lines });
    throw new MedstructError('PDF_RENDER_FAILED', `Page ${pageNumber} cannot be rendered for OCR (${failures.join('; ')}); install poppler-utils, poppler-data and a Chinese font`, { page: pageNumber });
  }
  // Back from rendered pixels to page points.
  const k = size.width / read.width;
  const scale: [number, number, number, number, number, number] = [k, 0, 0, 0, k, 0];
  return {
    ...read,
    width: size.width,
    height: size.height,
    lines: read.lines.map((line) => ({
      ...line,
      polygon: mapPolygon(scale, line.polygon),
      chars: line.chars.map((c) => ({ ...c, polygon: mapPolygon(scale, c.polygon) })),
    })),
  };
}

/**
 * Every page of a PDF as an OCR page in page points: the text layer for digital pages, rendered and
 * OCRed for scanned pages (little or garbled text), so mixed documents work page by page.
 */
export async function readPdf(bytes: Uint8Array, options: PdfOptions): Promise<OcrPage[]> {
  const { getDocument } = await loadPdfJs();
  let doc: PdfDocument;
  try {
    doc = await getDocument({
      data: new Uint8Array(bytes),
      ...pdfjsAssets(),
      cMapPacked: true,
      disableFontFace: true,
      isEvalSupported: false,
      useSystemFonts: false,
      verbosity: 0,
      stopAtErrors: false,
    }).promise;
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'PasswordException') throw new MedstructError('ENCRYPTED_PDF');
    throw new MedstructError('CORRUPT_PDF', `The PDF cannot be parsed: ${(error as Error).message}`);
  }
  try {
    if (doc.numPages === 0) throw new MedstructError('EMPTY_PDF');
    if (doc.numPages > options.maxPages) throw new MedstructError('TOO_MANY_PAGES', `The PDF has ${doc.numPages} pages; the limit is ${options.maxPages}`, { pages: doc.numPages, maxPages: options.maxPages });
    const pages: OcrPage[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      let page: PdfPage;
      try {
        page = await doc.getPage(n);
      } catch (error) {
        throw new MedstructError('CORRUPT_PDF', `Page ${n} cannot be read: ${(error as Error).message}`);
      }
      const layer = await textLayer(page);
      const garbled = layer.garbled > 0.3 * layer.visible;
      if (layer.visible >= MIN_TEXT_CHARS && !garbled) {
        pages.push(orderLines({ width: layer.width, height: layer.height, rotation: 0, skew: 0, lines: layer.lines }));
      } else {
        pages.push(await ocrPage(bytes, page, n, { visible: layer.visible, garbled, lines: layer.lines }, options, layer));
      }
      page.cleanup();
    }
    return pages;
  } finally {
    await doc.destroy();
  }
}
