/**
 * The learned part of the tumour attributes: candidate spans (site words at every granularity the text allows,
 * lists kept whole and split; sizes with a unit) described by sparse features, scored by one logistic regression per
 * field, then (for the fields where cross-validation chose them) boosted trees reading those scores across the report.
 * The training script (scripts/train-tumour.ts) and the extractor share these functions, so a candidate looks the same
 * at training and at run time.
 */
import type { BoostedTrees } from '../linking/boost.js';
import { readJsonResource } from '../resources.js';
import { alternation, type Region } from './source.js';

/** Where candidate sites may start and end: characters learned from the training reports' gold strings. */
export interface CandidateConfig {
  left: string;
  right: string;
  first: string;
  last: string;
  maxLength: number;
}

export interface FieldModel {
  bias: number;
  weights: Record<string, number>;
  /** A candidate is kept when its probability reaches this. */
  threshold: number;
}

export interface TumourModel {
  description: string;
  candidates: CandidateConfig;
  /** Site strings of the training reports' gold lists. */
  lexicon: { primary: string[]; metastasis: string[] };
  primarySite: FieldModel & { /** a second, third… site needs this much */ extraThreshold: number };
  primarySize: FieldModel;
  metastasisSites: FieldModel;
  /** Boosted trees over the regressions' scores seen across the report; when present, the thresholds apply to them. */
  stack?: StackModel;
}

export interface StackModel {
  /** Candidate features the trees read as 0/1, after the numeric columns of siteStackRows / sizeStackRows. */
  siteBinary: string[];
  sizeBinary: string[];
  /** The fields where the trees beat the regression in cross-validation; the others keep the regression's score. */
  trees: Partial<Record<'primarySite' | 'primarySize' | 'metastasisSites', BoostedTrees>>;
}

/** What the rule extractor read, as hints: the model weighs them with everything else. */
export interface RuleHints {
  primarySite: ReadonlySet<string>;
  primarySize: ReadonlySet<string>;
  metastasisSites: ReadonlySet<string>;
}

export interface Lexicon {
  primary: ReadonlySet<string>;
  metastasis: ReadonlySet<string>;
}

/** One distinct candidate string of a report, with every place it occurs and the union of their features. */
export interface Candidate {
  value: string;
  spans: Region[];
  features: string[];
}

const PUNCT = /[,，。.;；:：、\t\n\r!?！？"“”]/;
/** Verbs and function words no site string holds (右肺下叶见… ends the site before 见). */
const SPAN_STOP = /[见示伴呈约于为其另未]/;
const CLAUSE_END = /[,，。;；\t\n\r]/;
const SENTENCE_END = /[。;；\t\n\r]/;
const LIST_MARKER = /(?<![\d.A-Za-z])(\d{1,2})[.、](?!\d)/g;
interface FeatureVocabulary {
  coreWords: string[];
  bone: string[];
  afterCues: string[];
  beforeCues: string[];
  negations: string[];
  sizeBefore: string[];
  sizeSentence: string[];
}

const vocabulary = readJsonResource<FeatureVocabulary>('fields', 'tumour-features.json');
/** Words that make a span a site: organs, bones, node stations, body regions. */
export const CORE_WORDS: readonly string[] = vocabulary.coreWords;
const anyOf = (words: readonly string[], flags = ''): RegExp => new RegExp(alternation(words), flags);
const CORE = anyOf(CORE_WORDS);
const BONE = anyOf(vocabulary.bone);
const AFTER_CUES = anyOf(vocabulary.afterCues, 'g');
const BEFORE_CUES = anyOf(vocabulary.beforeCues, 'g');
const NEGATION = anyOf(vocabulary.negations, 'g');
const SIZE_BEFORE = anyOf(vocabulary.sizeBefore, 'g');
const SIZE_SENTENCE = anyOf(vocabulary.sizeSentence, 'g');
const CORE_ALL = new RegExp(CORE.source, 'g');
const SIDE = /^(?:左|右|双|两)/;
const SIZE_RE = /\d+(?:\.\d+)?\s*(?:mm|MM|Mm|cm|CM|Cm|M(?![A-Za-z])|毫米|厘米)?(?:\s*\uFFFD?\s*[x×*X]\s*\uFFFD?\s*\d+(?:\.\d+)?\s*(?:mm|MM|Mm|cm|CM|Cm|毫米|厘米)?){0,2}/g;
const HAS_UNIT = /(?:mm|MM|Mm|cm|CM|Cm|毫米|厘米)$/;

/** The impression (诊断意见): the numbered list 1. 2. … up to the end of the sentence holding its last number. */
export function impressionRegions(text: string): Region[] {
  const markers: Array<{ n: number; pos: number }> = [];
  for (const m of text.matchAll(LIST_MARKER)) markers.push({ n: Number(m[1]), pos: m.index });
  const out: Region[] = [];
  let i = 0;
  while (i < markers.length) {
    if (markers[i]!.n !== 1) { i++; continue; }
    let last = i;
    for (let j = i + 1; j < markers.length && markers[j]!.n === markers[last]!.n + 1; j++) last = j;
    let end = markers[last]!.pos + 2;
    while (end < text.length && !/[。\t\n]/.test(text[end]!)) end++;
    out.push({ start: markers[i]!.pos, end });
    i = last + 1;
  }
  if (out.length === 0) {
    const tab = text.indexOf('\t');
    if (tab >= 0 && text.slice(tab + 1).trim() !== '') out.push({ start: tab + 1, end: text.length });
  }
  return out;
}

const bucket = (n: number, caps: readonly number[]): string => {
  for (const c of caps) if (n <= c) return String(c);
  return `>${caps[caps.length - 1]}`;
};

/** side + core of a site string (右肺下叶 → 右肺), or null without a core word. */
export function organOf(site: string): string | null {
  const core = CORE.exec(site);
  if (!core) return null;
  const side = SIDE.exec(site)?.[0] ?? '';
  return (side === '两' ? '双' : side) + core[0];
}

interface Cue { pos: number; end: number; cue: string }

const cuesOf = (text: string, re: RegExp): Cue[] => [...text.matchAll(re)].map((m) => ({ pos: m.index, end: m.index + m[0].length, cue: m[0] }));

/**
 * What every feature of a report reads, computed once per text: sections, clause and sentence bounds per position,
 * cue words, core-word positions.
 */
class Analysis {
  readonly impression: Uint8Array;
  readonly clauseStart: Int32Array;
  readonly clauseEnd: Int32Array;
  readonly sentenceStart: Int32Array;
  readonly sentenceEnd: Int32Array;
  readonly after: Cue[];
  readonly before: Cue[];
  readonly negations: Cue[];
  /** Smallest end of a core word starting at or after each position. */
  readonly coreEnd: Int32Array;
  readonly cancerOrgans = new Set<string>();
  readonly metastaticOrgans = new Set<string>();
  /** The impression names the cancer down to a lobe or segment (右肺上叶癌). */
  cancerSpecific = false;
  private readonly clauseFacts = new Map<number, string[]>();

  constructor(readonly text: string) {
    const n = text.length;
    this.impression = new Uint8Array(n + 1);
    for (const r of impressionRegions(text)) this.impression.fill(1, r.start, r.end);
    [this.clauseStart, this.clauseEnd] = this.bounds(CLAUSE_END);
    [this.sentenceStart, this.sentenceEnd] = this.bounds(SENTENCE_END);
    this.after = cuesOf(text, AFTER_CUES);
    this.before = cuesOf(text, BEFORE_CUES);
    this.negations = cuesOf(text, NEGATION);
    this.coreEnd = new Int32Array(n + 1).fill(n + 1);
    for (const c of cuesOf(text, CORE_ALL)) this.coreEnd[c.pos] = Math.min(this.coreEnd[c.pos]!, c.end);
    for (let i = n - 1; i >= 0; i--) this.coreEnd[i] = Math.min(this.coreEnd[i]!, this.coreEnd[i + 1]!);
  }

  /** Start and end of the piece holding each position; pieces end at `stops` and before a list number (…不著2.双肺…). */
  private bounds(stops: RegExp): [Int32Array, Int32Array] {
    const { text } = this;
    const n = text.length;
    const start = new Int32Array(n + 1);
    const end = new Int32Array(n + 1);
    let s = 0;
    for (let i = 0; i <= n; i++) {
      if (i > 0 && (stops.test(text[i - 1]!) || ((text[i - 1] === '.' || text[i - 1] === '、') && /\d/.test(text[i - 2] ?? '') && !/\d/.test(text[i] ?? '')))) s = i;
      start[i] = s;
    }
    let e = n;
    for (let i = n; i >= 0; i--) {
      if (i < n && stops.test(text[i]!)) e = i;
      end[i] = e;
    }
    return [start, end];
  }

  section(at: number): string {
    return this.impression[at] ? 'imp' : 'find';
  }

  /** The first cue in [from, to). */
  firstCue(cues: readonly Cue[], from: number, to: number): Cue | null {
    for (const c of cues) if (c.pos >= from) return c.end <= to ? c : null;
    return null;
  }

  /** The last cue inside [from, to). */
  lastCue(cues: readonly Cue[], from: number, to: number): Cue | null {
    let found: Cue | null = null;
    for (const c of cues) {
      if (c.end > to) break;
      if (c.pos >= from) found = c;
    }
    return found;
  }

  /** What a clause says as a whole (转移, 癌, 术后), cached per clause. */
  clause(start: number): string[] {
    let facts = this.clauseFacts.get(start);
    if (!facts) {
      const clause = this.text.slice(start, this.clauseEnd[start]);
      facts = [];
      if (clause.includes('转移')) facts.push('clause=转移');
      if (/癌|MT|恶性/.test(clause)) facts.push('clause=癌');
      if (clause.includes('术后')) facts.push('clause=术后');
      this.clauseFacts.set(start, facts);
    }
    return facts;
  }
}

/** Site spans [p, q) that start and end where the training reports' site strings do, holding a core word. */
function siteSpans(a: Analysis, config: CandidateConfig): Region[] {
  const { text } = a;
  const out: Region[] = [];
  for (let p = 0; p < text.length; p++) {
    if (!config.first.includes(text[p]!) || (p > 0 && !config.left.includes(text[p - 1]!))) continue;
    for (let q = p + 1; q <= Math.min(text.length, p + config.maxLength); q++) {
      if (PUNCT.test(text[q - 1]!) || SPAN_STOP.test(text[q - 1]!) || (text[q - 1] === '移' && text[q - 2] === '转')) break;
      if (a.coreEnd[p]! > q || !config.last.includes(text[q - 1]!) || (q < text.length && !config.right.includes(text[q]!))) continue;
      out.push({ start: p, end: q });
    }
  }
  return out;
}

/** The organ a site belongs to, bones as one (多发肋骨 and 胸椎 are both 骨). */
export function organClass(site: string): string | null {
  if (BONE.test(site)) return '骨';
  return CORE.exec(site)?.[0] ?? null;
}

/** Notes the organs named right before a cancer word (右肺癌 → 右肺) and those the impression calls metastatic. */
function noteOrgans(a: Analysis, spans: readonly Region[]): void {
  for (const s of spans) {
    const after = a.firstCue(a.after, s.end, a.clauseEnd[s.end]!);
    if (after?.cue === '转移' && a.impression[s.start]) {
      const organ = organClass(a.text.slice(s.start, s.end));
      if (organ) a.metastaticOrgans.add(organ);
    }
    const next = a.text.slice(s.end, s.end + 6);
    if (/^\S{0,3}?(?:癌|MT|Ca|CA|恶性|占位)/.test(next) && !next.startsWith('转移')) {
      const organ = organOf(a.text.slice(s.start, s.end));
      if (organ) a.cancerOrgans.add(organ);
      if (a.impression[s.start] && /[叶段]/.test(a.text.slice(s.start, s.end))) a.cancerSpecific = true;
    }
  }
}

/** Features of one occurrence of a site candidate. */
interface Nesting {
  inside: boolean;
  outer: boolean;
  /** insideLexM / outerLexM / insideRuleM / outerRuleM: a containing or contained candidate is a known metastasis string. */
  known: Set<string>;
}

function siteOccurrenceFeatures(a: Analysis, span: Region, nested: Nesting, out: Set<string>): void {
  const { text } = a;
  const sec = a.section(span.start);
  // Common features both alone and per section; rarer conjunctions per section only.
  const add = (f: string): void => { out.add(f); out.add(`${sec}|${f}`); };
  const only = (f: string): void => { out.add(`${sec}|${f}`); };
  out.add(`sec=${sec}`);
  add(`L1=${text[span.start - 1] ?? '^'}`);
  only(`L2=${text.slice(Math.max(0, span.start - 2), span.start)}`);
  add(`R1=${text[span.end] ?? '$'}`);
  only(`R2=${text.slice(span.end, span.end + 2)}`);
  const clauseStart = a.clauseStart[span.start]!;
  const clauseEnd = a.clauseEnd[span.end]!;
  const after = a.firstCue(a.after, span.end, clauseEnd);
  if (after) { add(`nc=${after.cue}`); only(`nc=${after.cue}|d${bucket(after.pos - span.end, [0, 2, 6])}`); } else add('nc=none');
  const value = text.slice(span.start, span.end);
  const organClassOf = organClass(value);
  only(`organ=${organClassOf}|nc=${after?.cue ?? 'none'}`);
  only(`E1=${value[value.length - 1]}|R1=${text[span.end] ?? '$'}`);
  only(`L1=${text[span.start - 1] ?? '^'}|R1=${text[span.end] ?? '$'}`);
  const before = a.lastCue(a.before, clauseStart, span.start);
  if (before) { add(`pc=${before.cue}`); only(`pc=${before.cue}|d${bucket(span.start - before.end, [0, 2])}`); } else add('pc=none');
  if (a.lastCue(a.negations, clauseStart, span.start)) add('neg');
  for (const f of a.clause(clauseStart)) add(f);
  if (clauseStart === span.start) add('clauseFirst');
  const sentenceStart = a.sentenceStart[span.start]!;
  if (/^[\s\d.、]*$/.test(text.slice(sentenceStart, span.start))) {
    const sentence = text.slice(sentenceStart, a.sentenceEnd[span.end]);
    const mass = /肿块|团块|肿物|软组织|占位/.test(sentence) ? 'mass' : /结节|病灶|病变/.test(sentence) ? 'nodule' : 'plain';
    add(`head=${mass}`);
    only(`head=${mass}|cancer=${a.cancerOrgans.has(organOf(value) ?? '') ? 'same' : a.cancerOrgans.size > 0 ? 'other' : 'none'}`);
    if (a.cancerSpecific) only(`head=${mass}|specificCancer`);
  }
  if (text.slice(clauseEnd, a.sentenceEnd[span.end]).includes('转移')) add('later=转移');
  if (/^[,，]\s*(?:考虑|首先考虑|不除外|多系)?转移/.test(text.slice(clauseEnd, clauseEnd + 8))) add('next=考虑转移');
  if (nested.inside) add('inside');
  if (nested.outer) add('outer');
  for (const k of nested.known) add(k);
  if (organClassOf && a.metastaticOrgans.has(organClassOf)) {
    add('metastaticOrgan');
    only(`metastaticOrgan|nc=${after?.cue ?? 'none'}`);
  }
  const organ = organOf(value);
  if (organ && a.cancerOrgans.has(organ)) {
    add('cancerOrgan');
    if (after) only(`cancerOrgan|nc=${after.cue}`);
  }
}

/** Features of the candidate string itself. */
function siteStringFeatures(value: string, lexicon: Lexicon, hints: RuleHints, out: Set<string>): void {
  out.add('bias');
  out.add(`F1=${value[0]}`);
  out.add(`E1=${value[value.length - 1]}`);
  out.add(`E2=${value.slice(-2)}`);
  out.add(`len=${bucket(value.length, [1, 2, 3, 4, 6, 9])}`);
  const core = CORE.exec(value)?.[0];
  out.add(`core=${core ?? 'none'}`);
  out.add(`side=${SIDE.exec(value)?.[0] ?? 'none'}`);
  if (/[及和与并]/.test(value)) out.add('coordinated');
  if (/[叶段]/.test(value)) out.add('lobe');
  if (/淋巴结$/.test(value)) out.add('node');
  if (/\d/.test(value)) out.add('digit');
  if (lexicon.primary.has(value)) out.add('lexP');
  if (lexicon.metastasis.has(value)) out.add('lexM');
  if (hints.primarySite.has(value)) out.add('ruleP');
  if (hints.metastasisSites.has(value)) out.add('ruleM');
}

export interface TumourCandidates {
  sites: Candidate[];
  sizes: Candidate[];
}

/** Every distinct site and size candidate of a report with its features. */
export function tumourCandidates(text: string, config: CandidateConfig, lexicon: Lexicon, hints: RuleHints): TumourCandidates {
  const a = new Analysis(text);
  const spans = siteSpans(a, config);
  noteOrgans(a, spans);
  return { sites: siteCandidates(a, spans, lexicon, hints), sizes: sizeCandidates(a, hints) };
}

function siteCandidates(a: Analysis, spans: Region[], lexicon: Lexicon, hints: RuleHints): Candidate[] {
  const byValue = new Map<string, { spans: Region[]; features: Set<string> }>();
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i]!;
    const nested: Nesting = { inside: false, outer: false, known: new Set() };
    // What the overlapping candidates are: a known metastasis string around or inside this one decides whole vs split.
    const note = (other: Region, relation: 'inside' | 'outer'): void => {
      nested[relation] = true;
      const v = a.text.slice(other.start, other.end);
      if (lexicon.metastasis.has(v)) nested.known.add(`${relation}LexM`);
      if (hints.metastasisSites.has(v)) nested.known.add(`${relation}RuleM`);
    };
    // Spans come sorted by start; only those starting within maxLength can nest.
    for (let j = i - 1; j >= 0 && spans[j]!.start > span.start - 20; j--) if (spans[j]!.end >= span.end) note(spans[j]!, 'inside');
    for (let j = i + 1; j < spans.length && spans[j]!.start < span.end; j++) {
      if (spans[j]!.end <= span.end) note(spans[j]!, 'outer');
      else if (spans[j]!.start === span.start) note(spans[j]!, 'inside');
    }
    const value = a.text.slice(span.start, span.end);
    let entry = byValue.get(value);
    if (!entry) {
      entry = { spans: [], features: new Set() };
      siteStringFeatures(value, lexicon, hints, entry.features);
      entry.features.add(a.impression[span.start] ? 'firstImp' : 'firstFind');
      byValue.set(value, entry);
    }
    entry.spans.push(span);
    siteOccurrenceFeatures(a, span, nested, entry.features);
  }
  const out: Candidate[] = [];
  for (const [value, { spans: s, features }] of byValue) {
    features.add(`occ=${bucket(s.length, [1, 2, 4])}`);
    out.push({ value, spans: s, features: [...features] });
  }
  return out;
}

function sizeCandidates(a: Analysis, hints: RuleHints): Candidate[] {
  const { text } = a;
  const byValue = new Map<string, { spans: Region[]; features: Set<string> }>();
  let rank = 0;
  for (const m of text.matchAll(SIZE_RE)) {
    const value = m[0].trim();
    const start = m.index;
    if (!HAS_UNIT.test(value) || /[A-Za-z0-9.]/.test(text[start - 1] ?? '')) continue;
    const span = { start, end: start + value.length };
    let entry = byValue.get(value);
    if (!entry) { entry = { spans: [], features: new Set(['bias']) }; byValue.set(value, entry); }
    entry.spans.push(span);
    const f = entry.features;
    const sec = a.section(start);
    const add = (x: string): void => { f.add(x); f.add(`${sec}|${x}`); };
    add(`dims=${value.split(/[x×*X]/).length}`);
    add(`unit=${/mm|毫米/i.test(value) ? 'mm' : 'cm'}`);
    add(`rank=${bucket(rank++, [0, 1, 2, 4])}`);
    const sentenceStart = a.sentenceStart[start]!;
    const sentenceEnd = a.sentenceEnd[span.end]!;
    const prefix = text.slice(Math.max(a.clauseStart[start]!, start - 8), start);
    for (const c of prefix.matchAll(SIZE_BEFORE)) add(`pre=${c[0]}`);
    add(`R1=${text[span.end] ?? '$'}`);
    const sentence = text.slice(sentenceStart, sentenceEnd);
    for (const c of new Set([...sentence.matchAll(SIZE_SENTENCE)].map((x) => x[0]))) add(`sent=${c}`);
    const head = text.slice(sentenceStart, Math.min(sentenceEnd, sentenceStart + 16)).replace(/^[\s\d.、]+/, '');
    const organ = organOf(head.slice(0, 10));
    if (organ && a.cancerOrgans.has(organ)) add('sentCancerOrgan');
    else if (organ && [...a.cancerOrgans].some((o) => o.replace(SIDE, '') === organ.replace(SIDE, ''))) add('sentCancerCore');
    if (hints.primarySize.has(value)) add('ruleS');
  }
  return [...byValue].map(([value, { spans, features }]) => ({ value, spans, features: [...features] }));
}

/** A field's weights in a Map: a lookup per feature is the hot loop of scoring. */
export interface Scorer {
  bias: number;
  weights: ReadonlyMap<string, number>;
}

export function scorerOf(field: FieldModel): Scorer {
  return { bias: field.bias, weights: new Map(Object.entries(field.weights)) };
}

export function probability(scorer: Scorer, features: readonly string[]): number {
  let z = scorer.bias;
  for (const f of features) z += scorer.weights.get(f) ?? 0;
  return 1 / (1 + Math.exp(-z));
}

/** The two site fields (primary, metastasis) under one lookup per feature: both score the same candidates. */
export interface PairScorer {
  bias: readonly [number, number];
  weights: ReadonlyMap<string, readonly [number, number]>;
}

export function pairScorerOf(first: FieldModel, second: FieldModel): PairScorer {
  const weights = new Map<string, [number, number]>();
  for (const [f, w] of Object.entries(first.weights)) weights.set(f, [w, 0]);
  for (const [f, w] of Object.entries(second.weights)) {
    const pair = weights.get(f);
    if (pair) pair[1] = w; else weights.set(f, [0, w]);
  }
  return { bias: [first.bias, second.bias], weights };
}

export function pairProbabilities(scorer: PairScorer, features: readonly string[]): [number, number] {
  let z0 = scorer.bias[0];
  let z1 = scorer.bias[1];
  for (const f of features) {
    const w = scorer.weights.get(f);
    if (w) { z0 += w[0]; z1 += w[1]; }
  }
  return [1 / (1 + Math.exp(-z0)), 1 / (1 + Math.exp(-z1))];
}

export interface Scored {
  candidate: Candidate;
  p: number;
}

/** The values a field keeps: primary sites and sizes the best one (then others past a higher bar), metastases every one past the threshold. */
export function decide(scored: Scored[], threshold: number, extraThreshold: number | null): Scored[] {
  const sorted = [...scored].sort((a, b) => b.p - a.p);
  if (extraThreshold === null) return sorted.filter((s) => s.p >= threshold);
  if (sorted.length === 0 || sorted[0]!.p < threshold) return [];
  return [sorted[0]!, ...sorted.slice(1).filter((s) => s.p >= extraThreshold)];
}

const logit = (p: number): number => Math.log(Math.max(p, 1e-9) / Math.max(1 - p, 1e-9));
const NONE = -20;

/** Each value's rank (0 = highest) among `values`. */
function ranks(values: readonly number[]): number[] {
  const order = values.map((_, i) => i).sort((x, y) => values[y]! - values[x]!);
  const out = new Array<number>(values.length);
  order.forEach((i, r) => { out[i] = r; });
  return out;
}

const maxOf = (values: readonly number[]): number => values.reduce((a, b) => Math.max(a, b), NONE);

/** Column index of each 0/1 feature the trees read. */
export function binaryIndex(names: readonly string[]): ReadonlyMap<string, number> {
  return new Map(names.map((n, i) => [n, i]));
}

function withBinary(numeric: number[], features: readonly string[], index: ReadonlyMap<string, number>): Float64Array {
  const row = new Float64Array(numeric.length + index.size);
  row.set(numeric);
  for (const f of features) {
    const at = index.get(f);
    if (at !== undefined) row[numeric.length + at] = 1;
  }
  return row;
}

/**
 * Rows of the site candidates for the trees: the regressions' logits, each candidate against the report's others
 * (gap to the best, rank), and the best logit of a candidate containing it or contained in it (whole list vs parts).
 */
export function siteStackRows(sites: readonly Candidate[], primary: readonly number[], metastasis: readonly number[], sizes: readonly number[], index: ReadonlyMap<string, number>): Float64Array[] {
  const zp = primary.map(logit);
  const zm = metastasis.map(logit);
  const bestP = maxOf(zp);
  const bestM = maxOf(zm);
  const bestS = maxOf(sizes.map(logit));
  const rankP = ranks(zp);
  const rankM = ranks(zm);
  const likelyM = zm.filter((z) => z > 0).length;
  const containerP = new Array<number>(sites.length).fill(NONE);
  const containerM = new Array<number>(sites.length).fill(NONE);
  const containedP = new Array<number>(sites.length).fill(NONE);
  const containedM = new Array<number>(sites.length).fill(NONE);
  const spans = sites.flatMap((c, k) => c.spans.map((s) => ({ start: s.start, end: s.end, k }))).sort((x, y) => x.start - y.start || y.end - x.end);
  const nest = (outer: number, inner: number): void => {
    if (outer === inner) return;
    containerP[inner] = Math.max(containerP[inner]!, zp[outer]!);
    containerM[inner] = Math.max(containerM[inner]!, zm[outer]!);
    containedP[outer] = Math.max(containedP[outer]!, zp[inner]!);
    containedM[outer] = Math.max(containedM[outer]!, zm[inner]!);
  };
  // Sorted by start, longer first: a later span starting inside an earlier one is either inside it or crosses it.
  for (let i = 0; i < spans.length; i++) {
    for (let j = i + 1; j < spans.length && spans[j]!.start < spans[i]!.end; j++) if (spans[j]!.end <= spans[i]!.end) nest(spans[i]!.k, spans[j]!.k);
  }
  return sites.map((c, k) => withBinary([
    zp[k]!, zm[k]!, zp[k]! - bestP, zm[k]! - bestM, Math.min(rankP[k]!, 9), Math.min(rankM[k]!, 9), sites.length, likelyM, bestS,
    containerP[k]! - zp[k]!, containerM[k]! - zm[k]!, containedP[k]! - zp[k]!, containedM[k]! - zm[k]!,
  ], c.features, index));
}

/** Rows of the size candidates for the trees: the regression's logit against the report's other sizes, and the best site logits. */
export function sizeStackRows(sizes: readonly Candidate[], scores: readonly number[], primary: readonly number[], metastasis: readonly number[], index: ReadonlyMap<string, number>): Float64Array[] {
  const z = scores.map(logit);
  const best = maxOf(z);
  const rank = ranks(z);
  const bestP = maxOf(primary.map(logit));
  const bestM = maxOf(metastasis.map(logit));
  return sizes.map((c, k) => withBinary([z[k]!, z[k]! - best, Math.min(rank[k]!, 9), sizes.length, bestP, bestM], c.features, index));
}
