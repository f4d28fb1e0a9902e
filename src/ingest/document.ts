import { MedDocument, codePoints } from '../document/document.js';
import type { Page, Point, Polygon } from '../document/types.js';
import { MedstructError } from '../errors.js';
import { orderLines, tableRows } from '../layout/index.js';
import type { OcrChar, OcrLine, OcrPage } from '../ocr/types.js';
import { runningRows } from './running.js';

/** Separator between the cells of one table row in the document text. */
export const CELL_SEPARATOR = '\t';

/**
 * Builds the document from pages: one text line per table row (cells joined by a tab), rows in
 * reading order, the right table of a two-column sheet after the left one, a blank line between
 * pages. Page numbers, and banners repeated at the top or bottom of later pages, are left out (the
 * pages keep their OCR lines). Every code point of a cell keeps its polygon and page; separators get the page only.
 */
export function documentFromPages(pages: OcrPage[]): MedDocument {
  let text = '';
  const polygons: Array<Polygon | null> = [];
  const pageOf: number[] = [];
  const docPages: Page[] = [];
  let length = 0;
  const append = (piece: string, polygon: Polygon | null, page: number): void => {
    for (const cp of codePoints(piece)) {
      text += cp;
      polygons.push(polygon);
      pageOf.push(page);
      length++;
    }
  };
  const rowsByPage = pages.map((page) => tableRows(page));
  const running = runningRows(rowsByPage.map((rows) => rows.map((row) => ({ text: row.cells.map((c) => c.text).join(' '), inTable: row.inTable }))));
  pages.forEach((page, p) => {
    const number = p + 1;
    if (p > 0) append('\n\n', null, number);
    const textStart = length;
    rowsByPage[p]!.filter((_, r) => !running[p]!.has(r)).forEach((row, r) => {
      if (r > 0) append('\n', null, number);
      row.cells.forEach((cell, c) => {
        if (c > 0) append(CELL_SEPARATOR, null, number);
        for (const ch of page.lines[cell.line]!.chars) append(ch.char, ch.polygon, number);
      });
    });
    docPages.push({ number, width: page.width, height: page.height, lines: page.lines, textStart, textEnd: length });
  });
  return new MedDocument(text, { pages: docPages, charPolygons: polygons, charPages: Int32Array.from(pageOf) });
}

/** A line from another OCR engine. `polygon` is 4 corners or an [x, y, w, h] box; `chars` optional. */
export interface ForeignLine {
  text: string;
  polygon?: Polygon | number[] | Array<{ x: number; y: number } | { X: number; Y: number }>;
  confidence?: number;
  page?: number;
  chars?: Array<{ char: string; polygon?: ForeignLine['polygon'] }>;
}

/** Tencent MRS `OcrInfoList` item: `{ Items: [{ Words, Coords, WordCoords }], Text }`. */
export interface MrsOcrInfo {
  Items?: Array<{ Words?: string; Coords?: unknown; WordCoords?: unknown[] }>;
  Text?: string;
}

function toPoint(value: unknown): Point | null {
  if (Array.isArray(value) && value.length >= 2 && typeof value[0] === 'number' && typeof value[1] === 'number') return [value[0], value[1]];
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const x = o.x ?? o.X, y = o.y ?? o.Y;
    if (typeof x === 'number' && typeof y === 'number') return [x, y];
  }
  return null;
}

/** Reads the polygon shapes engines emit: 4 points, 8 numbers, [x, y, w, h], or MRS {LeftTop, RightTop, RightBottom, LeftBottom} / {X, Y, Width, Height}. */
export function toPolygon(value: unknown): Polygon | null {
  if (!value) return null;
  if (Array.isArray(value)) {
    if (value.length === 4 && value.every((v) => typeof v === 'number')) {
      const [x, y, w, h] = value as number[];
      return [[x!, y!], [x! + w!, y!], [x! + w!, y! + h!], [x!, y! + h!]];
    }
    if (value.length === 8 && value.every((v) => typeof v === 'number')) {
      const v = value as number[];
      return [[v[0]!, v[1]!], [v[2]!, v[3]!], [v[4]!, v[5]!], [v[6]!, v[7]!]];
    }
    if (value.length >= 4) {
      const points = value.map(toPoint);
      if (points.every((p) => p !== null)) return [points[0]!, points[1]!, points[2]!, points[3]!];
    }
    return null;
  }
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (o.LeftTop && o.RightBottom) {
      const lt = toPoint(o.LeftTop), rt = toPoint(o.RightTop), rb = toPoint(o.RightBottom), lb = toPoint(o.LeftBottom);
      if (lt && rb) return [lt, rt ?? [rb[0], lt[1]], rb, lb ?? [lt[0], rb[1]]];
    }
    const x = o.X ?? o.x ?? o.Left, y = o.Y ?? o.y ?? o.Top, w = o.Width ?? o.width, h = o.Height ?? o.height;
    if ([x, y, w, h].every((n) => typeof n === 'number')) return toPolygon([x, y, w, h]);
  }
  return null;
}

function charsOf(line: ForeignLine, polygon: Polygon | null): OcrChar[] {
  const chars = codePoints(line.text);
  const given = line.chars && line.chars.length === chars.length ? line.chars.map((c) => toPolygon(c.polygon)) : null;
  return chars.map((char, i) => {
    let charPolygon = given?.[i] ?? null;
    if (!charPolygon && polygon) {
      // No glyph boxes: spread the characters evenly along the line's top and bottom edges.
      const lerp = (a: Point, b: Point, t: number): Point => [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t];
      const t0 = i / chars.length, t1 = (i + 1) / chars.length;
      charPolygon = [lerp(polygon[0], polygon[1], t0), lerp(polygon[0], polygon[1], t1), lerp(polygon[3], polygon[2], t1), lerp(polygon[3], polygon[2], t0)];
    }
    return { char, polygon: charPolygon ?? [[0, 0], [0, 0], [0, 0], [0, 0]], confidence: line.confidence ?? 1 };
  });
}

function isMrs(input: unknown): input is MrsOcrInfo[] {
  return Array.isArray(input) && input.some((e) => e && typeof e === 'object' && ('Items' in e || 'Text' in e));
}

/**
 * Bring-your-own OCR: lines with boxes from another engine (or MRS's `OcrInfoList`, one entry per
 * page), laid out and joined exactly as medstruct's own OCR output. Lines without boxes keep their order.
 */
export function documentFromOcrLines(input: ForeignLine[] | MrsOcrInfo[] | { OcrInfoList: MrsOcrInfo[] }): MedDocument {
  let lines: ForeignLine[];
  const list = !Array.isArray(input) && input && typeof input === 'object' && 'OcrInfoList' in input ? input.OcrInfoList : input;
  if (!Array.isArray(list)) throw new MedstructError('INVALID_ARGUMENT', 'Expected an array of OCR lines or an OcrInfoList');
  if (isMrs(list)) {
    lines = [];
    list.forEach((info, p) => {
      const items = info.Items ?? [];
      if (items.length === 0 && info.Text) {
        for (const text of info.Text.split(/\r?\n/)) lines.push({ text, page: p + 1 });
        return;
      }
      for (const item of items) {
        if (typeof item.Words !== 'string') continue;
        const words = codePoints(item.Words);
        const wordPolygons = Array.isArray(item.WordCoords) && item.WordCoords.length === words.length ? item.WordCoords : null;
        lines.push({
          text: item.Words,
          polygon: toPolygon(item.Coords) ?? undefined,
          page: p + 1,
          chars: wordPolygons ? words.map((char, i) => ({ char, polygon: toPolygon(wordPolygons[i]) ?? undefined })) : undefined,
        });
      }
    });
  } else {
    lines = list as ForeignLine[];
  }
  const byPage = new Map<number, OcrLine[]>();
  let positioned = true;
  for (const line of lines) {
    if (typeof line.text !== 'string') throw new MedstructError('INVALID_ARGUMENT', 'Every OCR line needs a text');
    const text = line.text.replace(/\s+$/, '');
    if (text === '') continue;
    const polygon = toPolygon(line.polygon);
    if (!polygon) positioned = false;
    const entry: OcrLine = { text, confidence: line.confidence ?? 1, polygon: polygon ?? [[0, 0], [0, 0], [0, 0], [0, 0]], chars: charsOf({ ...line, text }, polygon) };
    const page = line.page ?? 1;
    if (!byPage.has(page)) byPage.set(page, []);
    byPage.get(page)!.push(entry);
  }
  if (byPage.size === 0) throw new MedstructError('EMPTY_INPUT', 'No OCR line has text');
  const pages = [...byPage.entries()].sort((a, b) => a[0] - b[0]).map(([, pageLines]) => {
    const extent = pageLines.flatMap((l) => l.polygon);
    const page: OcrPage = { width: Math.max(0, ...extent.map((p) => p[0])), height: Math.max(0, ...extent.map((p) => p[1])), rotation: 0, skew: 0, lines: pageLines };
    return positioned ? orderLines(page) : page;
  });
  if (!positioned) return documentFromPlainLines(pages);
  return documentFromPages(pages);
}

/** Lines without positions: kept in the given order, one per text line. */
function documentFromPlainLines(pages: OcrPage[]): MedDocument {
  let text = '';
  const polygons: Array<Polygon | null> = [];
  const pageOf: number[] = [];
  const docPages: Page[] = [];
  pages.forEach((page, p) => {
    if (p > 0) for (const cp of ['\n', '\n']) { text += cp; polygons.push(null); pageOf.push(p + 1); }
    const textStart = polygons.length;
    page.lines.forEach((line, i) => {
      if (i > 0) { text += '\n'; polygons.push(null); pageOf.push(p + 1); }
      for (const ch of line.chars) { text += ch.char; polygons.push(null); pageOf.push(p + 1); }
    });
    docPages.push({ number: p + 1, width: page.width, height: page.height, lines: page.lines, textStart, textEnd: polygons.length });
  });
  return new MedDocument(text, { pages: docPages, charPolygons: polygons, charPages: Int32Array.from(pageOf) });
}
