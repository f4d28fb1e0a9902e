import type { Point, Polygon } from '../document/types.js';
import type { OcrLine, OcrPage } from '../ocr/types.js';
import { readJsonResource } from '../resources.js';

/** A line placed in the upright, deskewed page frame (original-pixel units). */
export interface PlacedLine {
  index: number;
  line: OcrLine;
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  cy: number;
  height: number;
  /** dy/dx of the line's top edge in the deskewed frame. */
  slope: number;
}

export interface TableCell {
  text: string;
  /** Index of the line in `page.lines`. */
  line: number;
  x0: number;
  x1: number;
}

export interface TableRow {
  cells: TableCell[];
  /** 0 for the left (or only) table, 1 for the right table of a two-column sheet. */
  column: number;
  /** Whether the row is a table header (项目 / 结果 / 单位 / 参考范围 …). */
  header: boolean;
  /** Whether the row lies inside a table block (header or item rows after it). */
  inTable: boolean;
}

interface LayoutResource {
  headerTokens: string[];
}

let layoutResource: LayoutResource | null = null;
function resource(): LayoutResource {
  layoutResource ??= readJsonResource<LayoutResource>('ocr', 'layout.json');
  return layoutResource;
}

/** Maps original-image points to the upright page frame for a page turned by `rotation` degrees clockwise. */
export function uprightPoint(page: Pick<OcrPage, 'width' | 'height' | 'rotation'>, p: Point): Point {
  switch (page.rotation) {
    case 90: return [page.height - p[1], p[0]];
    case 180: return [page.width - p[0], page.height - p[1]];
    case 270: return [p[1], page.width - p[0]];
    default: return p;
  }
}

function uprightPolygon(page: OcrPage, poly: Polygon): Polygon {
  return poly.map((p) => uprightPoint(page, p)) as Polygon;
}

/** Width-weighted median angle (degrees) of the long lines in the upright frame. */
function estimateSkew(page: OcrPage): number {
  const samples: Array<{ angle: number; weight: number }> = [];
  for (const line of page.lines) {
    const q = uprightPolygon(page, line.polygon);
    const dx = q[1][0] - q[0][0], dy = q[1][1] - q[0][1];
    const width = Math.hypot(dx, dy);
    const height = Math.hypot(q[3][0] - q[0][0], q[3][1] - q[0][1]);
    if (width < 3 * height) continue;
    samples.push({ angle: (Math.atan2(dy, dx) * 180) / Math.PI, weight: width });
  }
  if (samples.length === 0) return 0;
  samples.sort((a, b) => a.angle - b.angle);
  const total = samples.reduce((s, x) => s + x.weight, 0);
  let acc = 0;
  for (const s of samples) {
    acc += s.weight;
    if (acc >= total / 2) return Math.round(s.angle * 100) / 100;
  }
  return 0;
}

/** Lines in the upright frame with the page's skew removed. */
export function placeLines(page: OcrPage): PlacedLine[] {
  const radians = (-page.skew * Math.PI) / 180;
  const cos = Math.cos(radians), sin = Math.sin(radians);
  return page.lines.map((line, index) => {
    const q = uprightPolygon(page, line.polygon).map(([x, y]) => [x * cos - y * sin, x * sin + y * cos] as Point);
    const xs = q.map((p) => p[0]), ys = q.map((p) => p[1]);
    const y0 = Math.min(...ys), y1 = Math.max(...ys);
    const dx = q[1]![0] - q[0]![0];
    const slope = Math.abs(dx) > 1e-6 ? (q[1]![1] - q[0]![1]) / dx : 0;
    return { index, line, x0: Math.min(...xs), x1: Math.max(...xs), y0, y1, cy: (y0 + y1) / 2, height: y1 - y0, slope };
  });
}

/**
 * Chains lines into rows left to right: a line's right neighbour is the nearest line after it whose
 * centre lies within half a line height of the line's own baseline extended (its local slope, so
 * perspective and residual skew do not break long table rows). Rows come back top to bottom.
 */
export function groupRows(placed: PlacedLine[]): PlacedLine[][] {
  const byX = placed.slice().sort((a, b) => a.x0 - b.x0);
  // Every plausible (left, right) pair, best first: short gaps and small baseline deviations win.
  const pairs: Array<{ left: PlacedLine; right: PlacedLine; cost: number }> = [];
  for (const left of byX) {
    const slope = left.x1 - left.x0 > 3 * left.height ? left.slope : 0;
    for (const right of byX) {
      if (right === left || right.x0 < left.x1 - 0.3 * left.height) continue;
      const expected = left.cy + slope * ((right.x0 + right.x1) / 2 - (left.x0 + left.x1) / 2);
      const deviation = Math.abs(right.cy - expected);
      const tolerance = 0.5 * Math.min(left.height, right.height);
      if (deviation > tolerance) continue;
      pairs.push({ left, right, cost: Math.max(0, right.x0 - left.x1) + 4 * deviation });
    }
  }
  pairs.sort((a, b) => a.cost - b.cost);
  const next = new Map<PlacedLine, PlacedLine>();
  const hasLeft = new Set<PlacedLine>();
  for (const { left, right } of pairs) {
    if (next.has(left) || hasLeft.has(right)) continue;
    next.set(left, right);
    hasLeft.add(right);
  }
  const rows: PlacedLine[][] = [];
  for (const start of byX) {
    if (hasLeft.has(start)) continue;
    const row = [start];
    for (let at = next.get(start); at; at = next.get(at)) row.push(at);
    rows.push(row);
  }
  const middle = (row: PlacedLine[]): number => row.reduce((s, l) => s + l.cy, 0) / row.length;
  const top = (row: PlacedLine[]): number => Math.min(...row.map((l) => l.y0));
  // Rows sharing a band (a wrapped title beside a short label) keep left-to-right order.
  return rows.sort((a, b) => {
    const overlap = Math.abs(middle(a) - middle(b)) < 0.5 * Math.min(a[0]!.height, b[0]!.height);
    return overlap ? a[0]!.x0 - b[0]!.x0 : top(a) - top(b);
  });
}

/** Sets the page's skew and sorts its lines into reading order (rows top to bottom, cells left to right). */
export function orderLines(page: OcrPage): OcrPage {
  const skewed: OcrPage = { ...page, skew: estimateSkew(page) };
  const order = groupRows(placeLines(skewed)).flat();
  return { ...skewed, lines: order.map((p) => p.line) };
}

function headerToken(text: string): string | null {
  for (const token of resource().headerTokens) if (text.includes(token)) return token;
  return null;
}

/** Cells that only lab items have: a bare number (with a flag), a reference range, a flag, a qualitative result. */
const ITEM_CELL = /^[<>≤≥]?\s*[-+]?\d+(?:\.\d+)?\s*[↑↓HL]?$|^[<>≤≥]?\s*\d+(?:\.\d+)?\s*[-~～—–]{1,2}\s*\d+(?:\.\d+)?$|^[↑↓HL]$|阴性|阳性/;

/**
 * Rebuilds the page's tables into rows of cells. A header row that repeats its column titles side by
 * side (项目 结果 单位 参考范围 | 项目 结果 单位 参考范围) marks a two-column sheet: its rows are split at
 * the second title's left edge and the right table's rows follow the left table's. Rows outside tables
 * come back as single-column rows in reading order.
 */
export function tableRows(page: OcrPage): TableRow[] {
  const rows = groupRows(placeLines(page)).map((row) => row.map((p) => ({ text: p.line.text, line: p.index, x0: p.x0, x1: p.x1 })));
  const tokens = rows.map((cells) => cells.map((c) => headerToken(c.text)));
  const isHeader = tokens.map((t) => t.filter((x) => x !== null).length >= 2);
  const isItem = rows.map((cells, i) => !isHeader[i] && cells.some((c) => ITEM_CELL.test(c.text)));
  const out: TableRow[] = [];
  let i = 0;
  while (i < rows.length) {
    if (!isHeader[i]) {
      out.push({ cells: rows[i]!, column: 0, header: false, inTable: false });
      i++;
      continue;
    }
    // The table runs to its last item row; one non-item row between items (a wrapped name) stays inside.
    let end = i;
    for (let k = i + 1; k < rows.length && !isHeader[k]; k++) {
      if (isItem[k]) end = k;
      else if (!isItem[k + 1]) break;
    }
    const header = rows[i]!;
    const first = tokens[i]!.findIndex((t) => t !== null);
    const again = tokens[i]!.findIndex((t, k) => k > first + 1 && t === tokens[i]![first]);
    const splitX = again > 0 ? (header[again - 1]!.x1 + header[again]!.x0) / 2 : null;
    const right: TableRow[] = [];
    for (let k = i; k <= end; k++) {
      const cells = rows[k]!;
      const left = splitX === null ? cells : cells.filter((c) => c.x0 < splitX);
      const rest = splitX === null ? [] : cells.filter((c) => c.x0 >= splitX);
      if (left.length > 0) out.push({ cells: left, column: 0, header: k === i, inTable: true });
      if (rest.length > 0) right.push({ cells: rest, column: 1, header: k === i, inTable: true });
    }
    out.push(...right);
    i = end + 1;
  }
  return out;
}
