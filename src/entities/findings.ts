import type { MedDocument } from '../document/document.js';
import type { Entity } from '../document/types.js';
import { readJsonResource } from '../resources.js';
import type { EntityType } from '../taxonomy/taxonomy.js';
import { codePointIndex } from '../util/code-points.js';
import { isHan } from '../document/normalize.js';
import { GAZETTEER_TYPES, foldKey, type Gazetteer, type GazetteerMatches } from './gazetteer.js';
import { makeEntity, type EntityLayer } from './stage.js';

interface FindingFile {
  minLength: number;
  stopwords: string[];
  frames: string[];
  trailing: string[];
  blockedBefore: string[];
  continuedBy: string[];
  trailingPattern: string;
  modifiers: string[];
  modifierSuffixes: string;
  degrees: string[];
  degreeSuffixes: string;
  siteEnds: string;
  observations: Array<{ type: EntityType; regex: string }>;
}

const file = readJsonResource<FindingFile>('entities', 'findings.json');
const observations = file.observations.map((o) => ({ type: o.type, re: new RegExp(o.regex, 'gu') }));
const stopwords = new Set(file.stopwords);
const blockedBefore = new Set(file.blockedBefore);
const continuedBy = new Set(file.continuedBy);
/** Finding verbs as characters, by their first character. */
const framesByFirst = new Map<string, string[][]>();
for (const f of file.frames.map((frame) => Array.from(frame))) framesByFirst.set(f[0]!, [...(framesByFirst.get(f[0]!) ?? []), f]);
/** Trailing cues by their first character, so most words are checked with one look-up. */
const trailingByFirst = new Map<string, string[]>();
for (const t of file.trailing) trailingByFirst.set(Array.from(t)[0]!, [...(trailingByFirst.get(Array.from(t)[0]!) ?? []), t]);
const longestTrailing = Math.max(...file.trailing.map((t) => Array.from(t).length));
/** A duration right after a symptom states it (气促3天, 上腹部隐痛2月). */
const trailingPattern = new RegExp(`^(?:${file.trailingPattern})`, 'u');
/** A descriptor word list as a pattern. */
const descriptorPattern = (words: readonly string[]): string => words.join('|');
/** Characters that end descriptors of no list (囊性, 片状, 自身免疫性), and the longest word before one. */
const modifierSuffixes = new Set(Array.from(file.modifierSuffixes));
const degreeSuffixes = new Set(Array.from(file.degreeSuffixes));
const SUFFIXED_WORD_REACH = 4;
/** The characters a descriptor can end with, to skip the pattern where none stands. */
const lastCharacters = (words: readonly string[], suffixes: string): Set<string> => new Set([...words.map((w) => Array.from(w).at(-1)!), ...Array.from(suffixes)]);
/** Modifiers that belong to the finding they stand before (反应性增生, 社区获得性肺炎): any finding extends over them. */
const modifierAtEnd = new RegExp(`(?:${descriptorPattern(file.modifiers)})$`, 'u');
const modifierEnds = lastCharacters(file.modifiers, file.modifierSuffixes);
/** Degree and shape words (少量反流, 不规则增厚): only observations and symptoms extend over them, and over their site. */
const degreeAtEnd = new RegExp(`(?:${descriptorPattern(file.degrees)})$`, 'u');
const degreeAtStart = new RegExp(`^(?:${descriptorPattern(file.degrees)})`, 'u');
const degreeEnds = lastCharacters(file.degrees, file.degreeSuffixes);
/** How far left of its word a finding may extend over its site and descriptors, and the longest descriptor. */
const EXTENSION_REACH = 12;
const DESCRIPTOR_REACH = 6;
/** Characters that end names of structures (肠壁, 内中膜, 硬膜囊), and the longest such name read without a tagger. */
const siteEnds = new Set(Array.from(file.siteEnds));
const SITE_WORD_REACH = 4;
/** How far back in its clause a finding verb may stand (未见明显肿大的淋巴结). */
const FRAME_REACH = 8;
const CLAUSE_END = /[，,。；;！!？?：:\s]/u;
const LIST_OR_CLAUSE_END = /[，,。；;！!？?：:、\s()（）]/u;
const bit = (t: (typeof GAZETTEER_TYPES)[number]): number => 1 << GAZETTEER_TYPES.indexOf(t);
const DISEASE = bit('disease');
const SYMPTOM = bit('symptom');
const TERM = bit('term');
/** Entities a finding may contain: 胆囊结石 holds the anatomy 胆囊. */
const CONTAINABLE = new Set<EntityType>(['anatomy', 'location']);
const FINDING_TYPES = new Set<EntityType>(['disease', 'symptom']);

/** A candidate in normalized code-point offsets; `absorbs` lets an observation pattern replace shorter findings inside it. */
interface Candidate { start: number; end: number; type: EntityType; confidence: number; source: Entity['source']; absorbs: boolean; keepsTaggerFindings?: boolean; absorbsAlone?: boolean }

/** Start of each recognized anatomy or location span, by its end (the longest when several end there), in normalized offsets. */
type SiteStarts = Map<number, number>;

/**
 * Adds the findings that the taggers missed (resources/entities/findings.json): gazetteer diseases and
 * symptoms, the finding lexicon's words and imaging observation patterns, where a report states a finding
 * and no recognized entity crosses their span.
 */
export class FindingLayer implements EntityLayer {
  private readonly gazetteer: Gazetteer;
  /** Disease and symptom words of the NER training corpora (models/ner/findings.tsv, scripts/build-findings-lexicon.ts). */
  private readonly lexicon: Gazetteer;

  constructor(gazetteer: Gazetteer, lexicon: Gazetteer) {
    this.gazetteer = gazetteer;
    this.lexicon = lexicon;
  }

  add(doc: MedDocument, shared: GazetteerMatches | null): void {
    const keys = shared?.keys ?? Int32Array.from(doc.norm.chars, (ch) => foldKey(ch.codePointAt(0)!));
    const gazetteerMatches = shared?.gazetteer === this.gazetteer ? shared : this.gazetteer.matchAll(keys, keys.length);
    const words = [
      ...dictionaryCandidates(doc, gazetteerMatches, true),
      ...dictionaryCandidates(doc, this.lexicon.matchAll(keys, keys.length), false),
      ...observationCandidates(doc),
    ];
    if (words.length === 0) return;
    // Recognized spans by start, so each candidate looks only at those that can reach it.
    const spans = doc.entities.map((e) => ({ entity: e, ...doc.toNorm(e.start, e.end) })).sort((a, b) => a.start - b.start);
    const longestSpan = spans.reduce((m, s) => Math.max(m, s.end - s.start), 0);
    const sites: SiteStarts = new Map();
    for (const s of spans) {
      if (CONTAINABLE.has(s.entity.type) && s.start < (sites.get(s.end) ?? Infinity)) sites.set(s.end, s.start);
    }
    const candidates: Candidate[] = [];
    for (const w of words) withDescriptors(candidates, doc.norm.chars, w, sites);
    // Longest first, so 胆囊结石 wins over 结石 and 低回声结节 over 回声.
    candidates.sort((a, b) => (b.end - b.start) - (a.end - a.start) || a.start - b.start);
    const added: Candidate[] = [];
    const taken = new Uint8Array(doc.norm.chars.length);
    const absorbed = new Set<Entity>();
    for (const c of candidates) {
      let overlapsAdded = false;
      for (let k = c.start; k < c.end && !overlapsAdded; k++) overlapsAdded = taken[k] === 1;
      if (overlapsAdded) continue;
      const inside: Entity[] = [];
      let sitesInside = 0;
      let blocked = false;
      for (let k = firstStartAtOrAfter(spans, c.start - longestSpan); k < spans.length && spans[k]!.start < c.end; k++) {
        const s = spans[k]!;
        if (absorbed.has(s.entity) || s.end <= c.start) continue;
        const contained = c.start <= s.start && s.end <= c.end;
        if (contained && CONTAINABLE.has(s.entity.type)) { sitesInside++; continue; }
        // A shorter finding inside an observation (结节 of 低回声结节) gives way; anything else blocks.
        if (contained && c.absorbs && FINDING_TYPES.has(s.entity.type) && (s.end - s.start) < (c.end - c.start)
          && !(c.keepsTaggerFindings && s.entity.source === 'model')) { inside.push(s.entity); continue; }
        blocked = true;
        break;
      }
      // A dictionary word takes in a tagger's finding only when nothing else recognized stands beside it (硬膜下血肿
      // over 血肿, but not 咽部充血 over 咽部 and 充血 nor 头痛头晕 over both, which EMR corpora annotate apart).
      if (blocked || (c.absorbsAlone && inside.some((e) => e.source === 'model') && inside.length + sitesInside > 1)) continue;
      for (const e of inside) absorbed.add(e);
      taken.fill(1, c.start, c.end);
      added.push(c);
    }
    if (absorbed.size > 0) doc.entities = doc.entities.filter((e) => !absorbed.has(e));
    for (const c of added) {
      const { start, end } = doc.fromNorm(c.start, c.end);
      doc.entities.push(makeEntity(doc, start, end, c.type, c.confidence, c.source));
    }
  }
}

/** Index of the first span (sorted by start) that starts at or after `start`. */
function firstStartAtOrAfter(spans: ReadonlyArray<{ start: number }>, start: number): number {
  let lo = 0;
  let hi = spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (spans[mid]!.start < start) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Dictionary words stated as findings. From the gazetteer (`noisySymptoms`) a symptom needs the common-term
 * mark or three characters, since its short symptom list holds names and fragments.
 */
function dictionaryCandidates(doc: MedDocument, matches: GazetteerMatches, noisySymptoms: boolean): Candidate[] {
  const out: Candidate[] = [];
  for (let m = 0; m < matches.count; m++) {
    const mask = matches.masks[m]!;
    const start = matches.starts[m]!;
    const end = matches.ends[m]!;
    const length = end - start;
    if (length < file.minLength) continue;
    const disease = (mask & DISEASE) !== 0;
    const symptom = (mask & SYMPTOM) !== 0 && (!noisySymptoms || (mask & TERM) !== 0 || length >= 3);
    if (!disease && !symptom) continue;
    if (stopwords.has(doc.norm.chars.slice(start, end).join('')) || !statesFinding(doc.norm.chars, start, end)) continue;
    out.push({ start, end, type: (mask & SYMPTOM) !== 0 ? 'symptom' : 'disease', confidence: 0.7, source: 'dictionary', absorbs: true, absorbsAlone: true });
  }
  return out;
}

/**
 * Whether a word at [start, end) stands where reports state findings: its clause (or list item) ends right
 * after it or with a trailing cue or connector (…可能, …待排, …史, …伴), or a finding verb stands before it
 * in its clause (未见…, 考虑…, 伴…). Parts of longer words (肿瘤坏死因子, 出血点, 肿瘤科) and treatments (抗感染) are not.
 */
function statesFinding(chars: readonly string[], start: number, end: number): boolean {
  if (start > 0 && blockedBefore.has(chars[start - 1]!)) return false;
  if (end < chars.length && continuedBy.has(chars[end]!)) return false;
  if (end >= chars.length || LIST_OR_CLAUSE_END.test(chars[end]!)) return true;
  const after = chars.slice(end, end + Math.max(longestTrailing, 8)).join('');
  if (trailingByFirst.get(chars[end]!)?.some((t) => after.startsWith(t)) || trailingPattern.test(after)) return true;
  let from = start;
  while (from > 0 && start - from < FRAME_REACH && !CLAUSE_END.test(chars[from - 1]!)) from--;
  const before = chars.slice(from, start).join('');
  return file.frames.some((f) => before.includes(f));
}

/**
 * Adds the candidate to `out`, and the candidate read with what reports write before a finding as part of it: modifiers
 * (反应性增生, 急性硬膜下血肿) and, for observations and symptoms, degree and shape words and the recognized site
 * ([肠壁][不规则]增厚, [右肾]积水, [二尖瓣][少量]反流). Extensions stop at the clause or list item and after a
 * finding verb (胆总管未见扩张 stays 扩张) and may absorb a shorter finding inside them (结节 of 囊实性结节); one
 * over degree words or a site absorbs none that the taggers found (EMR corpora annotate 双下肢 and 水肿 apart,
 * and 肿大 without 稍), so the extension over modifiers alone is offered too.
 */
function withDescriptors(out: Candidate[], chars: readonly string[], c: Candidate, sites: SiteStarts): void {
  out.push(c);
  if (c.start === 0) return;
  const previous = chars[c.start - 1]!;
  if (!sites.has(c.start) && !siteEnds.has(previous) && !modifierEnds.has(previous) && !degreeEnds.has(previous)) return;
  let clause = c.start;
  while (clause > 0 && c.start - clause < EXTENSION_REACH && !LIST_OR_CLAUSE_END.test(chars[clause - 1]!)) clause--;
  const floor = lastFrameEnd(chars, clause, c.start);
  if (floor === c.start) return;
  const modified = extendLeft(chars, c.start, floor, sites, null, false);
  if (modified < c.start) out.push({ ...c, start: modified, absorbs: true });
  const described = c.type === 'disease' ? modified : extendLeft(chars, c.start, floor, sites, sites, c.source === 'rule');
  if (described < modified) out.push({ ...c, start: described, absorbs: true, keepsTaggerFindings: true });
}

/** End of the last finding verb within [from, to), or `from` when there is none. */
function lastFrameEnd(chars: readonly string[], from: number, to: number): number {
  let end = from;
  for (let p = from; p < to; p++) {
    for (const frame of framesByFirst.get(chars[p]!) ?? []) {
      const e = p + frame.length;
      if (e <= to && e > end && frame.every((ch, i) => chars[p + i] === ch)) end = e;
    }
  }
  return end;
}

/**
 * How far left of `start` (not past `floor`) a finding extends over modifiers and, given `sites`, over degree and
 * shape words and recognized sites. Degree words count before a site or modifier, or with `loneDegrees` (an
 * observation, which says little alone: [不规则]增厚) on their own, but never right after the finding verb or the
 * clause start, where they belong to the cue (无明显咳嗽). A named finding keeps its name (少量气胸 stays 气胸).
 */
function extendLeft(
  chars: readonly string[], start: number, floor: number, knownSites: SiteStarts, sites: SiteStarts | null, loneDegrees: boolean,
): number {
  let at = start;
  let committed = start;
  for (;;) {
    const site = sites?.get(at);
    if (site !== undefined && site >= floor) {
      at = committed = site;
      continue;
    }
    if (at <= floor) return committed;
    const last = chars[at - 1]!;
    const left = modifierEnds.has(last) || degreeEnds.has(last) ? chars.slice(Math.max(floor, at - DESCRIPTOR_REACH), at).join('') : '';
    const modifier = modifierEnds.has(last)
      ? (modifierAtEnd.exec(left)?.[0].length ?? suffixedWordLength(chars, at, floor, modifierSuffixes, knownSites)) : 0;
    if (modifier > 0 && !endsCourseWord(chars, at, modifier)) {
      at = committed = at - modifier;
      continue;
    }
    const degree = sites !== null && degreeEnds.has(last)
      ? (degreeAtEnd.exec(left)?.[0].length ?? suffixedWordLength(chars, at, floor, degreeSuffixes, knownSites)) : 0;
    if (degree > 0) {
      at -= degree;
      if (loneDegrees && at > floor) committed = at;
      continue;
    }
    const unrecognized = sites === null ? at : unrecognizedSiteStart(chars, at, floor, sites);
    if (unrecognized === at) return committed;
    at = committed = unrecognized;
  }
}

/**
 * Start of a site word the taggers did not recognize ending at `end` ([肠]壁, 内中膜, 脑沟): a short Han run ending
 * in a structure character (`siteEnds`: 壁, 膜, 囊, 管…) that starts at the floor, at a recognized site or after a
 * non-Han character (a longer run is ambiguous); `end` itself when there is none.
 */
function unrecognizedSiteStart(chars: readonly string[], end: number, floor: number, sites: SiteStarts): number {
  if (end - 1 <= floor || !siteEnds.has(chars[end - 1]!)) return end;
  let from = end - 1;
  while (from > floor && !sites.has(from) && isHan(chars[from - 1]) && end - from < SITE_WORD_REACH) from--;
  if (from !== floor && !sites.has(from) && isHan(chars[from - 1])) return end;
  // A degree word the run starts with is not part of the name (明显[节段]运动异常).
  const degree = degreeAtStart.exec(chars.slice(from, end - 1).join(''));
  return degree === null ? from : from + Array.from(degree[0]).length;
}

/**
 * Length of the shortest word of up to four Han characters and one of `suffixes` that ends at `end` (囊性, 浆液性,
 * 自身免疫性) and starts where a word can: at the floor, after a recognized site, after a non-Han character or after
 * a listed descriptor (少量[浆液性]); 0 when there is none, as for 理性 of 生理性.
 */
function suffixedWordLength(chars: readonly string[], end: number, floor: number, suffixes: ReadonlySet<string>, sites: SiteStarts): number {
  if (!suffixes.has(chars[end - 1]!)) return 0;
  for (let n = 1; n <= SUFFIXED_WORD_REACH && end - 1 - n >= floor; n++) {
    const start = end - 1 - n;
    const ch = chars[start]!;
    if (!isHan(ch) || modifierSuffixes.has(ch) || degreeSuffixes.has(ch)) return 0;
    if (start === floor || sites.has(start) || !isHan(chars[start - 1])) return n + 1;
    const left = chars.slice(Math.max(floor, start - DESCRIPTOR_REACH), start).join('');
    if (modifierAtEnd.test(left) || degreeAtEnd.test(left)) return n + 1;
  }
  return 0;
}

/** Whether the modifier ending at `end` is a course word of the stopwords (阵发性) or the tail of one (作性 of 发作性). */
function endsCourseWord(chars: readonly string[], end: number, length: number): boolean {
  for (let from = end - length; from >= Math.max(0, end - length - 2); from--) {
    if (stopwords.has(chars.slice(from, end).join(''))) return true;
  }
  return false;
}

function observationCandidates(doc: MedDocument): Candidate[] {
  const text = doc.norm.text;
  const chars = doc.norm.chars;
  const toCp = codePointIndex(text);
  const out: Candidate[] = [];
  for (const o of observations) {
    o.re.lastIndex = 0;
    for (let m = o.re.exec(text); m !== null; m = o.re.exec(text)) {
      // An empty match would not move the search on (a pattern edited to allow one must not hang the stage).
      if (m[0].length === 0) { o.re.lastIndex++; continue; }
      if (m[0].length < file.minLength) continue;
      const start = toCp(m.index);
      const end = toCp(m.index + m[0].length);
      if (!statesFinding(chars, start, end)) continue;
      out.push({ start, end, type: o.type, confidence: 0.75, source: 'rule', absorbs: true });
    }
  }
  return out;
}
