import { normalizeUnit } from '../fields/normalize.js';
import { readJsonResource } from '../resources.js';

interface UnitLexicon {
  units: string[];
  confusions: string[][];
  costs: { confusion: number; substitution: number; missingGlyph: number; extraGlyph: number };
  maxDistance: number;
  margin: number;
  nameUnits: Array<{ pattern: string; unit: string }>;
}

interface CompiledLexicon extends UnitLexicon {
  known: Set<string>;
  /** Every pair of glyphs the recogniser confuses, as `ab`. */
  confusable: Set<string>;
  names: Array<{ pattern: RegExp; unit: string }>;
}

let compiled: CompiledLexicon | null = null;
function lexicon(): CompiledLexicon {
  if (compiled) return compiled;
  const raw = readJsonResource<UnitLexicon>('ocr', 'lab-units.json');
  const confusable = new Set<string>();
  for (const group of raw.confusions) for (const a of group) for (const b of group) if (a !== b) confusable.add(a + b);
  compiled = {
    ...raw,
    known: new Set(raw.units),
    confusable,
    names: raw.nameUnits.map((n) => ({ pattern: new RegExp(n.pattern, 'u'), unit: n.unit })),
  };
  return compiled;
}

/** A unit as the lexicon spells it (X10E9/L → 10^9/L, umol/L → μmol/L, fl → fL), or null when it is not a unit. */
export function lexiconUnit(text: string): string | null {
  const squashed = text.replace(/\s+/g, '');
  const { known } = lexicon();
  if (known.has(squashed)) return squashed;
  const power = squashed.replace(/^[xX×*]?10[eE*~^](\d{1,2})/, '10^$1');
  const canonical = normalizeUnit(power) ?? normalizeUnit(squashed);
  if (canonical !== null && known.has(canonical)) return canonical;
  return [...known].find((u) => u.toLowerCase() === power.toLowerCase()) ?? null;
}

/** Whether a cell reads as a unit as it stands. */
export function isUnit(text: string): boolean {
  return lexiconUnit(text) !== null || normalizeUnit(text) !== null;
}

/** The unit an analyte's name implies (百分比 → %), from the lexicon's name patterns. */
export function unitImpliedByName(name: string): string | null {
  return lexicon().names.find((n) => n.pattern.test(name))?.unit ?? null;
}

/**
 * Edit distance from the glyphs read to a unit: confused glyphs (μ/u, l/1, 0/O…) cost little, and a read
 * glyph the recogniser was unsure of costs less to replace or drop than a confident one.
 */
export function unitDistance(read: string[], unit: string[], confidences?: number[]): number {
  const { costs, confusable } = lexicon();
  const doubt = (i: number): number => 0.5 + 0.5 * (confidences?.[i] ?? 1);
  let previous = [0];
  for (let j = 1; j <= unit.length; j++) previous[j] = j * costs.missingGlyph;
  for (let i = 1; i <= read.length; i++) {
    const a = read[i - 1]!;
    const current = [previous[0]! + costs.extraGlyph * doubt(i - 1)];
    for (let j = 1; j <= unit.length; j++) {
      const b = unit[j - 1]!;
      const swap = a === b ? 0 : (confusable.has(a + b) ? costs.confusion : costs.substitution) * doubt(i - 1);
      current[j] = Math.min(previous[j]! + costs.extraGlyph * doubt(i - 1), current[j - 1]! + costs.missingGlyph, previous[j - 1]! + swap);
    }
    previous = current;
  }
  return previous[unit.length]!;
}

export interface UnitRepair {
  unit: string;
  /** True when `unit` differs from what was read. */
  repaired: boolean;
}

/**
 * The unit of a lab item from what OCR read. A read unit that is already a unit is kept as read.
 * Otherwise the nearest lexicon unit replaces it when it lies within the lexicon's distance limit and
 * no other unit is nearly as close; the analyte's expected unit (knowledge graph or name) is preferred
 * unless another unit is clearly closer. Text with Chinese characters (阴性, 个/HP misread) is never repaired.
 */
export function repairUnit(read: string, expected: string | null, confidences?: number[]): UnitRepair {
  const text = read.replace(/\s+/g, '');
  const kept = { unit: text, repaired: false };
  if (text === '' || isUnit(text) || /[\u3400-\u9fff]/u.test(text)) return kept;
  const { units, maxDistance, margin } = lexicon();
  const glyphs = Array.from(text);
  const aligned = confidences && confidences.length === glyphs.length ? confidences : undefined;
  const scored = units.map((unit) => {
    const target = Array.from(unit);
    const distance = unitDistance(glyphs, target, aligned);
    return { unit, distance, limit: Math.min(maxDistance, 0.5 * Math.max(glyphs.length, target.length)) };
  }).sort((a, b) => a.distance - b.distance);
  const wanted = expected === null ? null : lexiconUnit(expected);
  const preferred = wanted === null ? undefined : scored.find((s) => s.unit === wanted);
  if (preferred && preferred.distance <= preferred.limit && !scored.some((s) => s.unit !== wanted && s.distance + margin < preferred.distance)) {
    return { unit: preferred.unit, repaired: true };
  }
  const [best, second] = scored;
  if (best && best.distance <= best.limit && (second === undefined || second.distance >= best.distance + margin)) return { unit: best.unit, repaired: true };
  return kept;
}
