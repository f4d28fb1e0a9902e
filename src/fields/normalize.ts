import { readJsonResource } from '../resources.js';

interface UnitTable {
  canonical: Record<string, string[]>;
  length: Record<string, string[]>;
  lengthFactorToMm: Record<string, number>;
}

const table = readJsonResource<UnitTable>('fields', 'units.json');
const exact = new Map<string, string>();
const folded = new Map<string, string>();
for (const [unit, spellings] of Object.entries(table.canonical)) {
  for (const s of [unit, ...spellings]) {
    exact.set(s, unit);
    // G/L and T/L are cell counts; folding case would turn them into grams.
    if (s !== 'G/L' && s !== 'G/l' && s !== 'T/L' && s !== 'T/l') folded.set(s.toLowerCase(), unit);
  }
}
const lengthUnits = new Map<string, string>();
for (const [unit, spellings] of Object.entries(table.length)) for (const s of spellings) lengthUnits.set(s, unit);

/** Canonical spelling of a unit (10^9/L, g/L, mmol/L…), or null when the text is not a known unit. */
export function normalizeUnit(raw: string): string | null {
  const text = raw.replace(/\s+/g, '').replace(/[（(]/g, '').replace(/[)）]/g, '');
  if (text === '') return null;
  return exact.get(text) ?? folded.get(text.toLowerCase()) ?? null;
}

/** All unit spellings, for building patterns. */
export function unitSpellings(): string[] {
  return [...exact.keys()];
}

export function normalizeSex(text: string): string | null {
  if (/^(男|M)/.test(text)) return 'male';
  if (/^(女|F)/.test(text)) return 'female';
  return null;
}

/** Age in years (months and days as fractions, rounded to 2 decimals). */
export function normalizeAge(text: string): number | null {
  const m = /^(\d+(?:\.\d)?)\s*(岁|Y|y|个月|月|天|日|周)?(?:\s*(\d+)\s*(个月|月|天))?/.exec(text.trim());
  if (!m) return null;
  const n = Number(m[1]);
  const unit = m[2] ?? '岁';
  let years = unit === '岁' || unit === 'Y' || unit === 'y' ? n : unit === '周' ? n / 52 : unit === '天' || unit === '日' ? n / 365 : n / 12;
  if (m[3] !== undefined) years += m[4] === '天' ? Number(m[3]) / 365 : Number(m[3]) / 12;
  return Math.round(years * 100) / 100;
}

const pad = (n: string | undefined): string => (n ?? '0').padStart(2, '0');

/** ISO-like `YYYY-MM-DD[ HH:MM[:SS]]`, or null when the text holds no date. */
export function normalizeTime(text: string): string | null {
  const m = /(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s*(\d{1,2})\s*[:时]\s*(\d{1,2})(?:\s*[:分]\s*(\d{1,2}))?)?/.exec(text);
  if (!m) return null;
  let out = `${m[1]}-${pad(m[2])}-${pad(m[3])}`;
  if (m[4] !== undefined) out += ` ${pad(m[4])}:${pad(m[5])}${m[6] !== undefined ? `:${pad(m[6])}` : ''}`;
  return out;
}

/** A length unit (mm, cm, m) from its spelling, or null. */
export function lengthUnit(raw: string): string | null {
  return lengthUnits.get(raw) ?? null;
}

/** Millimetres per unit. */
export function toMm(value: number, unit: string): number {
  return Math.round(value * (table.lengthFactorToMm[unit] ?? 1) * 100) / 100;
}

/** Parses a number written with a decimal point or comma; null for non-numbers. */
export function parseNumber(text: string): number | null {
  const m = /^[<>≤≥]?\s*(\d+(?:[.,]\d+)?)$/.exec(text.trim());
  return m ? Number(m[1]!.replace(',', '.')) : null;
}
