import type { OcrPage } from '../ocr/types.js';
import { readJsonResource } from '../resources.js';
import { tableRows, type TableCell, type TableRow } from './index.js';
import { isUnit, repairUnit, unitImpliedByName } from './units.js';

/** One lab item rebuilt from a table row. */
export interface LabRow {
  name: string;
  abbreviation: string | null;
  result: string;
  unit: string | null;
  /** The unit as OCR read it; differs from `unit` when the unit was repaired. */
  unitRead: string | null;
  /** True when `unit` was repaired from a misread (`g/` → g/L); evidence keeps `unitRead`. */
  unitRepaired: boolean;
  range: string | null;
  /** `↑` high, `↓` low, or null (normal or unknown). */
  flag: '↑' | '↓' | null;
  /** True when the flag was not read but derived from the result and the range. */
  flagInferred: boolean;
  /** Indices of the page lines (cells) the row was built from. */
  lines: number[];
  column: number;
}

interface LayoutResource {
  flagMarks: Record<string, '↑' | '↓'>;
}

let marks: Record<string, '↑' | '↓'> | null = null;
function flagMarks(): Record<string, '↑' | '↓'> {
  marks ??= readJsonResource<LayoutResource>('ocr', 'layout.json').flagMarks;
  return marks;
}

const NUMBER = String.raw`[-+]?\d+(?:\.\d+)?`;
const RANGE = new RegExp(String.raw`^(?:(${NUMBER})\s*[-~～—–]{1,2}\s*(${NUMBER})|([<>≤≥＜＞]=?)\s*(${NUMBER}))$`);
const RESULT = new RegExp(String.raw`^([<>≤≥＜＞]?\s*${NUMBER})\s*([↑↓HL▲▼]?)$`);
const QUALITATIVE = /^(阴性|阳性|弱阳性|[+-]{1,4}|\(?[+-]\)?|正常|异常)\s*([↑↓HL]?)$/;
const SEQUENCE = /^\d{1,3}[.、]?$/;
const CJK = /[\u3400-\u9fff]/;
const ABBREVIATION = /^[A-Za-z][A-Za-z0-9\-%#*/.]{0,11}$/;

function halfWidth(text: string): string {
  return text.replace(/[\uff01-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\s+/g, ' ').trim();
}

/** Flag from the result and the reference range when none was printed or read. */
export function inferFlag(result: string, range: string | null): '↑' | '↓' | null {
  if (range === null) return null;
  const value = Number.parseFloat(result.replace(/^[<>≤≥]\s*/, ''));
  if (!Number.isFinite(value)) return null;
  const match = RANGE.exec(range);
  if (!match) return null;
  if (match[1] !== undefined) {
    const low = Number.parseFloat(match[1]), high = Number.parseFloat(match[2]!);
    if (value > high) return '↑';
    if (value < low) return '↓';
    return null;
  }
  const bound = Number.parseFloat(match[4]!);
  if (match[3]!.startsWith('<') || match[3]!.startsWith('≤')) return value > bound ? '↑' : null;
  return value < bound ? '↓' : null;
}

export interface LabRowOptions {
  /** The unit the analyte is usually reported in (e.g. from the knowledge graph), or null when unknown. */
  expectedUnit?: (name: string, abbreviation: string | null) => string | null;
  /** Character confidences of a cell's text, one per code point, when the OCR gave them. */
  confidences?: (cell: TableCell) => number[] | undefined;
}

/** Parses one table row's cells into a lab item, or null when the row is not one. */
export function parseLabRow(row: TableRow, options: LabRowOptions = {}): LabRow | null {
  let name: string | null = null;
  let abbreviation: string | null = null;
  let result: string | null = null;
  let unit: string | null = null;
  let range: string | null = null;
  let unitCell: TableCell | null = null;
  let flag: '↑' | '↓' | null = null;
  let expected: string | null | undefined;
  const expectedUnit = (): string | null => (expected ??= name === null ? null : options.expectedUnit?.(name, abbreviation) ?? unitImpliedByName(name));
  const kept = row.cells.map((c) => ({ cell: c, text: halfWidth(c.text) })).filter((c) => c.text !== '');
  const cells = kept.map((c) => c.text);
  for (const [i, text] of cells.entries()) {
    const mark = flagMarks()[text];
    if (i === 0 && SEQUENCE.test(text) && cells.length > 3) continue;
    // A sequence number misread as letters (11 → n) before a Chinese name.
    if (i === 0 && /^[A-Za-z|]{1,2}$/.test(text) && CJK.test(cells[1] ?? '') && cells.length > 4) continue;
    if (mark !== undefined && result !== null && flag === null) { flag = mark; continue; }
    if (name === null) {
      if (!CJK.test(text) && !ABBREVIATION.test(text)) return null;
      name = text;
      continue;
    }
    if (result === null && abbreviation === null && ABBREVIATION.test(text) && !/^\d/.test(text)) { abbreviation = text; continue; }
    const rangeMatch = RANGE.exec(text);
    if (result !== null && range === null && rangeMatch) { range = text.replace(/\s+/g, ''); continue; }
    if (result === null) {
      const numeric = RESULT.exec(text) ?? QUALITATIVE.exec(text);
      if (numeric) {
        result = numeric[1]!.replace(/\s+/g, '');
        const attached = numeric[2] ? flagMarks()[numeric[2]] : undefined;
        if (attached) flag = attached;
        continue;
      }
      return null;
    }
    // A lone symbol between result and unit is a flag mark the OCR could not read; the range decides it.
    if (flag === null && unit === null && /^[^\p{L}\p{N}%]$/u.test(text)) continue;
    // So is a lone glyph followed by another unit-like cell (↑ misread as 个).
    const following = cells[i + 1];
    if (flag === null && unit === null && Array.from(text).length === 1 && following !== undefined && !RANGE.test(following)) continue;
    // …and so is any non-unit cell right before one that reads as a unit or is repaired to one.
    if (flag === null && unit === null && following !== undefined && !isUnit(text) && (isUnit(following) || repairUnit(following, expectedUnit()).repaired)) continue;
    if (unit === null && !rangeMatch) { unit = text.replace(/\s+/g, ''); unitCell = kept[i]!.cell; continue; }
  }
  if (name === null || result === null) return null;
  let flagInferred = false;
  if (flag === null) {
    flag = inferFlag(result, range);
    flagInferred = flag !== null;
  }
  const unitRead = unit;
  let unitRepaired = false;
  if (unit !== null) {
    const repair = repairUnit(unit, expectedUnit(), unitCell ? options.confidences?.(unitCell) : undefined);
    unit = repair.unit;
    unitRepaired = repair.repaired;
  }
  return { name, abbreviation, result, unit, unitRead, unitRepaired, range, flag, flagInferred, lines: row.cells.map((c) => c.line), column: row.column };
}

/** The lab items of a page, left table before right table on two-column sheets. */
export function labRows(page: OcrPage, options: Pick<LabRowOptions, 'expectedUnit'> = {}): LabRow[] {
  const out: LabRow[] = [];
  const confidences = (cell: TableCell): number[] => page.lines[cell.line]!.chars.map((c) => c.confidence);
  for (const row of tableRows(page)) {
    if (!row.inTable || row.header) continue;
    const item = parseLabRow(row, { ...options, confidences });
    if (item) out.push(item);
  }
  return out;
}
