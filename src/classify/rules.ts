import { foldChar } from '../document/normalize.js';
import { MedstructError } from '../errors.js';
import { readJsonResource } from '../resources.js';
import { REPORT_TYPES, isReportType, type ReportType } from './types.js';

interface RuleSpec {
  type: string;
  where: 'head' | 'any';
  weight: number;
  pattern: string;
}

interface SubtypeSpec {
  subtype: string;
  min: number;
  pattern: string;
}

interface CompiledRule {
  typeIndex: number;
  head: boolean;
  weight: number;
  pattern: RegExp;
}

export interface CueRules {
  headChars: number;
  rules: CompiledRule[];
  subtypes: Map<ReportType, Array<{ subtype: string; min: number; pattern: RegExp }>>;
}

let cached: CueRules | null = null;

function compile(pattern: string, flags: string, where: string): RegExp {
  try {
    return new RegExp(pattern, flags);
  } catch (error) {
    throw new MedstructError('INTERNAL', `Bad pattern in ${where}: ${pattern} (${(error as Error).message})`);
  }
}

/** The keyword cues of resources/classify (rules.json, subtypes.json), compiled once. */
export function loadCueRules(): CueRules {
  if (cached) return cached;
  const spec = readJsonResource<{ headChars: number; rules: RuleSpec[] }>('classify', 'rules.json');
  const rules = spec.rules.map((r) => {
    if (!isReportType(r.type)) throw new MedstructError('INTERNAL', `Unknown report type in classify/rules.json: ${r.type}`);
    return { typeIndex: REPORT_TYPES.indexOf(r.type), head: r.where === 'head', weight: r.weight, pattern: compile(r.pattern, 'u', 'classify/rules.json') };
  });
  const subtypeSpec = readJsonResource<{ subtypes: Record<string, SubtypeSpec[]> }>('classify', 'subtypes.json');
  const subtypes = new Map<ReportType, Array<{ subtype: string; min: number; pattern: RegExp }>>();
  for (const [type, list] of Object.entries(subtypeSpec.subtypes)) {
    if (!isReportType(type)) throw new MedstructError('INTERNAL', `Unknown report type in classify/subtypes.json: ${type}`);
    subtypes.set(type, list.map((s) => ({ subtype: s.subtype, min: s.min, pattern: compile(s.pattern, 'gu', 'classify/subtypes.json') })));
  }
  cached = { headChars: spec.headChars, rules, subtypes };
  return cached;
}

/** Longest stretch the cues read: the head and tail of a very long document decide its type. */
const CUE_HEAD_CHARS = 8000;
const CUE_TAIL_CHARS = 2000;

/** The text the cue patterns read: half-width, lower-case, no whitespace (OCR spaces titles apart). */
export function cueView(text: string): string {
  const limit = CUE_HEAD_CHARS + CUE_TAIL_CHARS;
  const source = text.length > limit * 2 ? `${text.slice(0, CUE_HEAD_CHARS)}\n${text.slice(text.length - CUE_TAIL_CHARS)}` : text;
  const out: string[] = [];
  for (const raw of source) {
    const ch = foldChar(raw);
    if (ch === ' ' || ch === '\n' || ch === '\r' || ch === '\t' || ch === '\u3000') continue;
    out.push(ch >= 'A' && ch <= 'Z' ? ch.toLowerCase() : ch);
  }
  return out.join('');
}

/** Logit bonus per report type (indexed like REPORT_TYPES) from the keyword cues found in the text. */
export function cueBonus(view: string, rules: CueRules = loadCueRules()): Float64Array {
  const bonus = new Float64Array(REPORT_TYPES.length);
  const head = view.slice(0, rules.headChars);
  for (const rule of rules.rules) {
    if (rule.pattern.test(rule.head ? head : view)) bonus[rule.typeIndex]! += rule.weight;
  }
  return bonus;
}

/** The finer subtype of a type: the subtype whose cues occur most, when they reach its minimum. */
export function pickSubtype(type: ReportType, view: string, rules: CueRules = loadCueRules()): string | null {
  const candidates = rules.subtypes.get(type);
  if (!candidates) return null;
  let best: string | null = null;
  let bestHits = 0;
  for (const candidate of candidates) {
    const hits = view.match(candidate.pattern)?.length ?? 0;
    if (hits >= candidate.min && hits > bestHits) {
      best = candidate.subtype;
      bestHits = hits;
    }
  }
  return best;
}
