/**
 * Sections of a report: explicit headers (resources/sections/headers.json) and, for reports without
 * headers, the findings/impression split the text itself shows.
 */
import { isReportType, type ReportType } from '../classify/types.js';
import type { MedDocument } from '../document/document.js';
import type { Section } from '../document/types.js';
import { MedstructError } from '../errors.js';
import type { Stage } from '../pipeline/stage.js';
import { readJsonResource } from '../resources.js';
import { codePointIndex } from '../util/code-points.js';
import { isSectionKey, type SectionKey } from './keys.js';

export * from './keys.js';

interface HeaderFile {
  keys: Record<string, { description: string; headers: string[] }>;
  byType: Record<string, Record<string, string>>;
  quotedIn: { types: Record<string, string[]> };
  implicit: {
    splitTypes: string[];
    wholeText: Record<string, string>;
    conclusionCues: string;
    descriptiveCues: string;
    clauseEnders: string;
    letterheadFields: string;
  };
}

interface HeaderRules {
  pattern: RegExp;
  keyOf: Map<string, SectionKey>;
  byType: Map<string, Map<string, SectionKey>>;
  quotedIn: Map<string, Set<SectionKey>>;
  splitTypes: Set<string>;
  wholeText: Map<string, SectionKey>;
  conclusion: RegExp;
  descriptive: RegExp;
  clauseEnders: RegExp;
  letterhead: RegExp;
}

/** Characters after which a header may start (besides the text start). */
const BOUNDARY = '\\n 。；;，,:!?！？)\\]】';
/** 一、 1. 2) (3) （四） before a header. */
const NUMBERING = '(?:(?:[一二三四五六七八九十]{1,3}|\\d{1,2})[、.)]\\s?|\\((?:\\d{1,2}|[一二三四五六七八九十]{1,3})\\)\\s?)?';
/** Longest header that is still recognised without a boundary before it (colon required). */
const ANYWHERE_MIN_LENGTH = 3;

const NUMBERED_START = /^\s*(?:1|一)[、.．]/u;
const NUMBERED_ITEM = /^\s*(?:\d{1,2}|[一二三四五六七八九十])[、.．]/u;

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

let cached: HeaderRules | null = null;

function checkedKey(key: string, where: string): SectionKey {
  if (!isSectionKey(key)) throw new MedstructError('INTERNAL', `Unknown section key in ${where}: ${key}`);
  return key;
}

export function loadHeaderRules(): HeaderRules {
  if (cached) return cached;
  const file = readJsonResource<HeaderFile>('sections', 'headers.json');
  const keyOf = new Map<string, SectionKey>();
  for (const [key, spec] of Object.entries(file.keys)) {
    const checked = checkedKey(key, 'sections/headers.json');
    for (const header of spec.headers) keyOf.set(header.toLowerCase(), checked);
  }
  const names = [...keyOf.keys()].sort((a, b) => b.length - a.length);
  const all = names.map(escape).join('|');
  const long = names.filter((n) => [...n].length >= ANYWHERE_MIN_LENGTH).map(escape).join('|');
  const atBoundary = `(?<![^${BOUNDARY}])${NUMBERING}([【\\[])?(${all})([】\\]])?(\\s?:|\\s*(?=\\n|$)|(?<=[】\\]]))`;
  const anywhere = `(${long})\\s?:`;
  const byType = new Map<string, Map<string, SectionKey>>();
  for (const [type, renames] of Object.entries(file.byType)) {
    byType.set(type, new Map(Object.entries(renames).map(([from, to]) => [from, checkedKey(to, 'sections/headers.json byType')])));
  }
  cached = {
    pattern: new RegExp(`${atBoundary}|${anywhere}`, 'giu'),
    keyOf,
    byType,
    quotedIn: new Map(Object.entries(file.quotedIn.types).map(([type, keys]) => [type, new Set(keys.map((k) => checkedKey(k, 'sections/headers.json quotedIn')))])),
    splitTypes: new Set(file.implicit.splitTypes),
    wholeText: new Map(Object.entries(file.implicit.wholeText).map(([type, key]) => [type, checkedKey(key, 'sections/headers.json implicit')])),
    conclusion: new RegExp(file.implicit.conclusionCues, 'iu'),
    descriptive: new RegExp(file.implicit.descriptiveCues, 'giu'),
    clauseEnders: new RegExp(file.implicit.clauseEnders, 'gu'),
    letterhead: new RegExp(file.implicit.letterheadFields, 'u'),
  };
  return cached;
}

interface HeaderHit {
  /** Normalized code-point offsets. */
  headerStart: number;
  headerEnd: number;
  key: SectionKey;
}

function findHeaders(normText: string, rules: HeaderRules): HeaderHit[] {
  const toCp = codePointIndex(normText);
  const hits: HeaderHit[] = [];
  rules.pattern.lastIndex = 0;
  for (let m = rules.pattern.exec(normText); m !== null; m = rules.pattern.exec(normText)) {
    const name = (m[2] ?? m[5] ?? '').toLowerCase();
    const key = rules.keyOf.get(name);
    if (!key) continue;
    // A bracket opened must close ("【禁忌" alone is not a header).
    if (m[1] !== undefined && m[3] === undefined) continue;
    hits.push({ headerStart: toCp(m.index), headerEnd: toCp(m.index + m[0].length), key });
  }
  return hits;
}

const isBlank = (ch: string | undefined): boolean => ch === ' ' || ch === '\n';

/** Trims blanks from a normalized span. */
function trimmed(chars: readonly string[], start: number, end: number): [number, number] {
  while (start < end && isBlank(chars[start])) start++;
  while (end > start && isBlank(chars[end - 1])) end--;
  return [start, end];
}

function section(doc: MedDocument, key: SectionKey, normStart: number, normEnd: number, header: [number, number] | null): Section | null {
  const [s, e] = trimmed(doc.norm.chars, normStart, normEnd);
  if (e <= s) return null;
  const span = doc.fromNorm(s, e);
  if (!header) return { key, title: null, header: null, start: span.start, end: span.end };
  const [hs, he] = trimmed(doc.norm.chars, header[0], header[1]);
  const headerSpan = doc.fromNorm(hs, he);
  return { key, title: doc.slice(headerSpan.start, headerSpan.end), header: headerSpan, start: span.start, end: span.end };
}

const CLAUSE_STOPS = new Set(['。', '；', ';', '\n']);

/**
 * Sentence spans of the normalized text: split at 。；; and line breaks, and after a clause ender
 * (请结合临床…) that runs straight into the next statement.
 */
function clauses(doc: MedDocument, rules: HeaderRules): Array<[number, number]> {
  const chars = doc.norm.chars;
  const toCp = codePointIndex(doc.norm.text);
  const extraStops = new Set<number>();
  rules.clauseEnders.lastIndex = 0;
  for (let m = rules.clauseEnders.exec(doc.norm.text); m !== null; m = rules.clauseEnders.exec(doc.norm.text)) {
    extraStops.add(toCp(m.index + m[0].length) - 1);
  }
  const out: Array<[number, number]> = [];
  let start = 0;
  const push = (end: number): void => {
    if (chars.slice(start, end).some((c) => !isBlank(c))) out.push([start, end]);
    start = end;
  };
  for (let i = 0; i < chars.length; i++) {
    if (CLAUSE_STOPS.has(chars[i]!)) push(i + 1);
    else if (extraStops.has(i) && !CLAUSE_STOPS.has(chars[i + 1] ?? '。') && !/[，,、:：)）]/.test(chars[i + 1] ?? '')) push(i + 1);
  }
  if (start < chars.length) push(chars.length);
  return out;
}

/**
 * Findings/impression of a report without headers: the trailing (or, as some systems export them,
 * leading) run of sentences that read as conclusions, when descriptive sentences make up the rest.
 */
function implicitSplit(doc: MedDocument, rules: HeaderRules, impressionKey: SectionKey, findingsKey: SectionKey): Section[] {
  const chars = doc.norm.chars;
  const parts = clauses(doc, rules);
  if (parts.length < 2) return [];
  const text = (p: [number, number]): string => chars.slice(p[0], p[1]).join('');
  const descriptiveHits = (s: string): number => s.match(rules.descriptive)?.length ?? 0;
  const concludes = (p: [number, number]): boolean => {
    const s = text(p);
    return rules.conclusion.test(s) && descriptiveHits(s) <= 1 && s.length < 160;
  };
  // In an opening list, numbered items belong to it, and so do short plain statements that continue an item after "；".
  const continuesList = (p: [number, number], afterSemicolon: boolean): boolean => {
    const s = text(p);
    const hits = descriptiveHits(s);
    const numbered = NUMBERED_ITEM.test(s);
    return s.length < 160 && hits <= (numbered ? 2 : 1)
      && (numbered || rules.conclusion.test(s) || (afterSemicolon && hits === 0 && s.length < 40));
  };
  const endsWithSemicolon = (p: [number, number] | undefined): boolean => p !== undefined && /[；;]\s*$/.test(text(p));
  const numberedStart = NUMBERED_START.test(text(parts[0]!));
  const describes = (p: [number, number]): boolean => descriptiveHits(text(p)) >= 2;
  const trailing = (): Section[] => {
    let tail = parts.length;
    while (tail > 0 && concludes(parts[tail - 1]!)) tail--;
    if (tail === parts.length || !parts.slice(0, tail).some(describes)) return [];
    return [
      section(doc, findingsKey, parts[0]![0], parts[tail - 1]![1], null),
      section(doc, impressionKey, parts[tail]![0], chars.length, null),
    ].filter((s): s is Section => s !== null);
  };
  const leading = (): Section[] => {
    let head = 0;
    while (head < parts.length && continuesList(parts[head]!, endsWithSemicolon(parts[head - 1]))) head++;
    if (head === 0 || head === parts.length || parts.slice(head).filter(describes).length < (numberedStart ? 1 : 2)) return [];
    return [
      section(doc, impressionKey, 0, parts[head - 1]![1], null),
      section(doc, findingsKey, parts[head]![0], chars.length, null),
    ].filter((s): s is Section => s !== null);
  };
  // A report that opens with a numbered list opens with its conclusions (impression-first exports).
  if (numberedStart) {
    const first = leading();
    return first.length > 0 ? first : trailing();
  }
  const last = trailing();
  return last.length > 0 ? last : leading();
}

/** Text before the first header of an exam report, when it is a conclusion rather than a letterhead. */
function leadingImpression(doc: MedDocument, rules: HeaderRules, end: number, key: SectionKey): Section | null {
  const text = doc.norm.chars.slice(0, end).join('');
  if (!rules.conclusion.test(text) || rules.letterhead.test(text) || text.trim().length < 4) return null;
  return section(doc, key, 0, end, null);
}

/**
 * Sections of a document, in text order. `type` (default: the document's classification) renames
 * generic keys (a pathology report's impression is its pathology_diagnosis) and picks the fallback
 * for reports without headers.
 */
export function detectSections(doc: MedDocument, type: ReportType | null = classifiedType(doc)): Section[] {
  const rules = loadHeaderRules();
  const renames = type ? rules.byType.get(type) : undefined;
  const rename = (key: SectionKey): SectionKey => renames?.get(key) ?? key;
  const quoted = type ? rules.quotedIn.get(type) : undefined;
  const hits = findHeaders(doc.norm.text, rules).filter((hit) => !quoted?.has(hit.key));
  const sections: Section[] = [];
  hits.forEach((hit, i) => {
    const next = hits[i + 1]?.headerStart ?? doc.norm.chars.length;
    const s = section(doc, rename(hit.key), hit.headerEnd, next, [hit.headerStart, hit.headerEnd]);
    if (s) sections.push(s);
  });
  if (sections.length > 0 && type && rules.splitTypes.has(type) && !sections.some((s) => s.key === rename('impression'))) {
    const preamble = leadingImpression(doc, rules, hits[0]!.headerStart, rename('impression'));
    if (preamble) sections.unshift(preamble);
  }
  if (sections.length > 0 || !type) return sections;
  if (rules.splitTypes.has(type)) return implicitSplit(doc, rules, rename('impression'), rename('findings'));
  const whole = rules.wholeText.get(type);
  const all = whole ? section(doc, whole, 0, doc.norm.chars.length, null) : null;
  return all ? [all] : [];
}

function classifiedType(doc: MedDocument): ReportType | null {
  const c = doc.classification as { type?: unknown } | null;
  return c && typeof c.type === 'string' && isReportType(c.type) ? c.type : null;
}

/** Sets `doc.sections`; runs after the classify stage when there is one (it reads `doc.classification`). */
export const sectionsStage: Stage = {
  name: 'sections',
  process(doc: MedDocument): void {
    doc.sections = detectSections(doc);
  },
};
