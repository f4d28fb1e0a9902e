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

/** One distinct candidate string of a report, with every place it occurs and the ids of the union of their features. */
export interface Candidate {
  value: string;
  spans: Region[];
  features: number[];
}

const GROUP_LIMIT = 200_000;
const SMALL_KEYS = 4096;

/** The names of a feature group from its parts (the section, characters, cue words…). */
type Spelling = (a: string, b: string, c: string) => readonly string[];

/**
 * Feature strings ↔ ids. Training gives every new feature an id; at run time only the model's features have one
 * (the others weigh nothing and are dropped), so scoring is array lookups. It also collects one candidate's
 * features at a time, each id once, in first-seen order (a stamp per id instead of a set per candidate).
 */
export class FeatureSpace {
  readonly names: string[] = [];
  private readonly byName = new Map<string, number>();
  private readonly frozen: boolean;
  private seen = new Int32Array(1024);
  private stamp = 0;
  private collected: number[] = [];
  /** Ids of feature groups by a numeric key that spells them (see groupKey), so most features need no string at all. */
  private readonly groups = new Map<number, number[]>();
  /** The groups of small keys (constants, cue words without characters) in an array: the most frequent lookups. */
  private readonly smallGroups = new Array<number[] | undefined>(SMALL_KEYS);

  /** `names`: the only features that get an id (a trained model's); without them every feature gets one. */
  constructor(names?: Iterable<string>) {
    if (names) for (const name of names) this.id(name);
    this.frozen = names !== undefined;
  }

  get size(): number {
    return this.names.length;
  }

  /** The feature's id; -1 for a feature a fixed space does not hold. */
  id(name: string): number {
    let id = this.byName.get(name);
    if (id === undefined) {
      if (this.frozen) return -1;
      id = this.names.length;
      this.names.push(name);
      this.byName.set(name, id);
    }
    return id;
  }

  /** Ids of the features this space holds, in order. */
  ids(names: readonly string[]): number[] {
    const out: number[] = [];
    for (const name of names) {
      const id = this.id(name);
      if (id >= 0) out.push(id);
    }
    return out;
  }

  /**
   * The ids of a feature group remembered under `key`, a number that determines its names; the first time, the
   * names are `spell(a, b, c)` (a function of the parts rather than a closure, so a remembered group costs no allocation).
   */
  group(key: number, spell: Spelling, a = '', b = '', c = ''): number[] {
    if (key < SMALL_KEYS) return (this.smallGroups[key] ??= this.ids(spell(a, b, c)));
    let ids = this.groups.get(key);
    if (!ids) {
      // Keys hold characters of the text, so an endless stream of new reports could grow this without bound.
      if (this.groups.size >= GROUP_LIMIT) this.groups.clear();
      ids = this.ids(spell(a, b, c));
      this.groups.set(key, ids);
    }
    return ids;
  }

  /** Starts collecting the features of one candidate. */
  open(): void {
    if (this.stamp === 0x7fffffff) { this.seen.fill(0); this.stamp = 0; }
    this.stamp++;
    this.collected = [];
  }

  add(name: string): void {
    this.addId(this.id(name));
  }

  addId(id: number): void {
    if (id < 0) return;
    if (id >= this.seen.length) {
      const grown = new Int32Array(Math.max(id + 1, this.seen.length * 2));
      grown.set(this.seen);
      this.seen = grown;
    }
    if (this.seen[id] === this.stamp) return;
    this.seen[id] = this.stamp;
    this.collected.push(id);
  }

  addIds(ids: readonly number[]): void {
    for (const id of ids) this.addId(id);
  }

  /** The ids collected since open(). */
  close(): number[] {
    return this.collected;
  }
}

/** Classes of UTF-16 units, by bit: lookups in a 64 K table rather than regular expressions per character. */
const UNIT = { first: 1, left: 2, last: 4, right: 8, spanStop: 16, clauseEnd: 32, sentenceEnd: 64 } as const;

function markUnits(table: Uint8Array, units: string, bit: number): void {
  for (let i = 0; i < units.length; i++) table[units.charCodeAt(i)]! |= bit;
}

/** Punctuation, and the verbs and function words no site string holds (右肺下叶见… ends the site before 见). */
const SPAN_STOP = ',，。.;；:：、\t\n\r!?！？"“”见示伴呈约于为其另未';
const CLAUSE_END = ',，。;；\t\n\r';
const SENTENCE_END = '。;；\t\n\r';
const STATIC_UNITS = new Uint8Array(65536);
markUnits(STATIC_UNITS, SPAN_STOP, UNIT.spanStop);
markUnits(STATIC_UNITS, CLAUSE_END, UNIT.clauseEnd);
markUnits(STATIC_UNITS, SENTENCE_END, UNIT.sentenceEnd);
const LIST_MARKER = /(?<![\d.A-Za-z])(\d{1,2})[.、](?!\d)/g;
interface FeatureVocabulary {
  coreWords: string[];
  bone: string[];
  afterCues: string[];
  beforeCues: string[];
  negations: string[];
  sizeBefore: string[];
  sizeSentence: string[];
  listPart: string;
  listNumber: string;
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
/** Runs of two or more items joined by 、 within a clause. */
const LIST_RUN = /[^,，。;；:：\s!?！？、]+(?:、[^,，。;；:：\s!?！？、]+)+/g;
/** Items of a list: 、 and the conjunctions that close it (第4、5肋及T3、T7椎体). */
const LIST_SEPARATOR = /[、及和]/;
const LIST_PART = new RegExp(`^(?:${vocabulary.listPart})$`);
const LIST_PART_END = new RegExp(`(?:${vocabulary.listPart})$`);
const LIST_NUMBER = new RegExp(`^(?:${vocabulary.listNumber})`);
const BONE_START = new RegExp(`^(?:${BONE.source})`);
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

const bucketIndex = (n: number, caps: readonly number[]): number => {
  for (const [i, c] of caps.entries()) if (n <= c) return i;
  return caps.length;
};

/*
 * Feature groups are remembered under numeric keys (FeatureSpace.group): a tag for the kind of group, the section,
 * and up to two parts (a character as its code + 1, 0 for none; a cue, organ or bucket index). Keys of small parts
 * stay small integers, which Maps hash fastest.
 */
const TAGS = 16;
const TAG = { both: 0, single: 1, L1: 2, L2: 3, pc: 4, R1: 5, R2: 6, nc: 7, E1R1: 8, organNc: 9, L1R1: 10, metastaticNc: 11, cancerNc: 12, head: 13, headCancer: 14, headSpecific: 15 } as const;
const PART = 65538;
const groupKey = (tag: number, imp: number, a: number, b = 0): number => ((b * PART + a) * 2 + imp) * TAGS + tag;
const code = (ch: string | undefined): number => (ch === undefined ? 0 : ch.charCodeAt(0) + 1);
const DISTANCE_AFTER = [0, 2, 6];
const DISTANCE_BEFORE = [0, 2];
/** Features with no parts, by index: FeatureSpace.group under TAG.both (alone and per section) or TAG.single. */
const CONSTANTS = [
  'neg', 'clauseFirst', 'clause=转移', 'clause=癌', 'clause=术后', 'later=转移', 'next=考虑转移', 'pc=none', 'nc=none',
  'inside', 'outer', 'insideLexM', 'outerLexM', 'insideRuleM', 'outerRuleM', 'metastaticOrgan', 'cancerOrgan',
  'bias', 'firstImp', 'firstFind', 'coordinated', 'lobe', 'node', 'digit', 'lexP', 'lexM', 'ruleP', 'ruleM', 'sec=imp', 'sec=find',
  'listPart', 'listPart+metastaticBone',
] as const;
type Constant = (typeof CONSTANTS)[number];
const CONSTANT_INDEX = new Map<string, number>(CONSTANTS.map((c, i) => [c, i]));
const HEADS = ['mass', 'nodule', 'plain'] as const;
const CANCER_RELATIONS = ['same', 'other', 'none'] as const;
const section = (imp: number): string => (imp ? 'imp' : 'find');

/** How each kind of feature group is named; `sec` is the section (imp / find). */
const SPELL = {
  both: (sec, name) => [name, `${sec}|${name}`],
  single: (name) => [name],
  L1: (sec, ch) => [`L1=${ch}`, `${sec}|L1=${ch}`],
  L2: (sec, chars) => [`${sec}|L2=${chars}`],
  pc: (sec, cue, distance) => [`pc=${cue}`, `${sec}|pc=${cue}`, `${sec}|pc=${cue}|d${distance}`],
  head: (sec, head) => [`head=${head}`, `${sec}|head=${head}`],
  headSpecific: (sec, head) => [`${sec}|head=${head}|specificCancer`],
  R1: (sec, ch) => [`R1=${ch}`, `${sec}|R1=${ch}`],
  R2: (sec, chars) => [`${sec}|R2=${chars}`],
  nc: (sec, cue, distance) => [`nc=${cue}`, `${sec}|nc=${cue}`, `${sec}|nc=${cue}|d${distance}`],
  E1R1: (sec, last, right) => [`${sec}|E1=${last}|R1=${right}`],
  organNc: (sec, organ, cue) => [`${sec}|organ=${organ}|nc=${cue}`],
  L1R1: (sec, left, right) => [`${sec}|L1=${left}|R1=${right}`],
  headCancer: (sec, head, relation) => [`${sec}|head=${head}|cancer=${relation}`],
  metastaticNc: (sec, cue) => [`${sec}|metastaticOrgan|nc=${cue}`],
  cancerNc: (sec, cue) => [`${sec}|cancerOrgan|nc=${cue}`],
} satisfies Record<keyof typeof TAG, Spelling>;

function pushAll(ids: number[], group: readonly number[]): void {
  for (const id of group) ids.push(id);
}

/** A constant feature alone and per section. */
function both(space: FeatureSpace, name: Constant, imp: number): number[] {
  return space.group(groupKey(TAG.both, imp, CONSTANT_INDEX.get(name)!), SPELL.both, section(imp), name);
}

/** A constant feature, alone. */
function single(space: FeatureSpace, name: Constant): number[] {
  return space.group(groupKey(TAG.single, 0, CONSTANT_INDEX.get(name)!), SPELL.single, name);
}

/** side + core of a site string (右肺下叶 → 右肺), or null without a core word. */
export function organOf(site: string): string | null {
  const core = CORE.exec(site);
  if (!core) return null;
  const side = SIDE.exec(site)?.[0] ?? '';
  return (side === '两' ? '双' : side) + core[0];
}

const isDigit = (ch: string | undefined): boolean => ch !== undefined && ch >= '0' && ch <= '9';

interface Cue { pos: number; end: number; cue: string; /** 1 + its place in CUE_INDEX */ index: number }

const CUE_INDEX = new Map<string, number>([...new Set([...vocabulary.afterCues, ...vocabulary.beforeCues, ...vocabulary.negations])].map((c, i) => [c, i + 1]));

/**
 * Cue words of a text (matched left to right, so they do not overlap and their ends rise with their starts) with,
 * per position, the first cue starting there or later and the last cue ending there or earlier.
 */
class Cues {
  readonly list: Cue[];
  private readonly firstFrom: Int32Array;
  private readonly lastBy: Int32Array;

  constructor(text: string, re: RegExp) {
    this.list = [...text.matchAll(re)].map((m) => ({ pos: m.index, end: m.index + m[0].length, cue: m[0], index: CUE_INDEX.get(m[0])! }));
    const n = text.length;
    this.firstFrom = new Int32Array(n + 2).fill(-1);
    this.lastBy = new Int32Array(n + 1).fill(-1);
    for (let k = this.list.length - 1; k >= 0; k--) this.firstFrom[this.list[k]!.pos] = k;
    for (let i = n; i >= 0; i--) if (this.firstFrom[i] === -1) this.firstFrom[i] = this.firstFrom[i + 1]!;
    for (const [k, c] of this.list.entries()) this.lastBy[c.end] = k;
    for (let i = 1; i <= n; i++) if (this.lastBy[i] === -1) this.lastBy[i] = this.lastBy[i - 1]!;
  }

  /** The first cue in [from, to). */
  first(from: number, to: number): Cue | null {
    const k = this.firstFrom[from]!;
    if (k < 0) return null;
    const c = this.list[k]!;
    return c.end <= to ? c : null;
  }

  /** The last cue inside [from, to). */
  last(from: number, to: number): Cue | null {
    const k = this.lastBy[to]!;
    if (k < 0) return null;
    const c = this.list[k]!;
    return c.pos >= from ? c : null;
  }
}

/** The features of a site occurrence that depend on its start alone, and the kind of mass of the sentence it opens. */
interface StartFeatures {
  ids: number[];
  /** The index in HEADS (mass, nodule, plain) when the span opens its sentence, else -1. */
  head: number;
}

/**
 * What every feature of a report reads, computed once per text: sections, clause and sentence bounds per position,
 * cue words, core-word positions; and the features of site occurrences that depend on their start or end only,
 * cached per position.
 */
class Analysis {
  readonly impression: Uint8Array;
  readonly clauseStart: Int32Array;
  readonly clauseEnd: Int32Array;
  readonly sentenceStart: Int32Array;
  readonly sentenceEnd: Int32Array;
  readonly after: Cues;
  readonly before: Cues;
  readonly negations: Cues;
  /** Smallest end of a core word starting at or after each position. */
  readonly coreEnd: Int32Array;
  readonly cancerOrgans = new Set<string>();
  readonly metastaticOrgans = new Set<string>();
  /** The impression names the cancer down to a lobe or segment (右肺上叶癌). */
  cancerSpecific = false;
  /** Site spans that are parts of a list of bones (listParts), by start × (text length + 1) + end. */
  readonly listParts = new Set<number>();
  private readonly clauseFacts = new Map<number, Constant[]>();
  private readonly byStart: Array<StartFeatures | undefined>;
  /** Per end and section (2 × end + 1 in the impression). */
  private readonly byEnd: Array<number[] | undefined>;

  constructor(readonly text: string, readonly space: FeatureSpace) {
    const n = text.length;
    this.impression = new Uint8Array(n + 1);
    for (const r of impressionRegions(text)) this.impression.fill(1, r.start, r.end);
    [this.clauseStart, this.clauseEnd] = this.bounds(UNIT.clauseEnd);
    [this.sentenceStart, this.sentenceEnd] = this.bounds(UNIT.sentenceEnd);
    this.after = new Cues(text, AFTER_CUES);
    this.before = new Cues(text, BEFORE_CUES);
    this.negations = new Cues(text, NEGATION);
    this.coreEnd = new Int32Array(n + 1).fill(n + 1);
    for (const m of text.matchAll(CORE_ALL)) this.coreEnd[m.index] = Math.min(this.coreEnd[m.index]!, m.index + m[0].length);
    for (let i = n - 1; i >= 0; i--) this.coreEnd[i] = Math.min(this.coreEnd[i]!, this.coreEnd[i + 1]!);
    this.byStart = new Array<StartFeatures | undefined>(n + 1);
    this.byEnd = new Array<number[] | undefined>(2 * n + 2);
  }

  /** Start and end of the piece holding each position; pieces end at `stops` and before a list number (…不著2.双肺…). */
  private bounds(stop: number): [Int32Array, Int32Array] {
    const { text } = this;
    const n = text.length;
    const start = new Int32Array(n + 1);
    const end = new Int32Array(n + 1);
    let s = 0;
    for (let i = 0; i <= n; i++) {
      if (i > 0 && (STATIC_UNITS[text.charCodeAt(i - 1)]! & stop || ((text[i - 1] === '.' || text[i - 1] === '、') && isDigit(text[i - 2]) && !isDigit(text[i])))) s = i;
      start[i] = s;
    }
    let e = n;
    for (let i = n; i >= 0; i--) {
      if (i < n && STATIC_UNITS[text.charCodeAt(i)]! & stop) e = i;
      end[i] = e;
    }
    return [start, end];
  }

  section(at: number): string {
    return this.impression[at] ? 'imp' : 'find';
  }

  /** The first cue word after a span ending at `end`, within its clause. */
  afterCue(end: number): Cue | null {
    return this.after.first(end, this.clauseEnd[end]!);
  }

  /** What a clause says as a whole (转移, 癌, 术后), cached per clause. */
  clause(start: number): Constant[] {
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

  /**
   * Features of a site occurrence read from its start: the characters and cue before it, its clause, its sentence.
   * Common features come both alone and per section; rarer conjunctions per section only.
   */
  startFeatures(start: number): StartFeatures {
    let cached = this.byStart[start];
    if (cached) return cached;
    const { text, space } = this;
    const imp = this.impression[start]!;
    const sec = section(imp);
    const ids: number[] = [];
    pushAll(ids, single(space, imp ? 'sec=imp' : 'sec=find'));
    const left = text[start - 1] ?? '^';
    pushAll(ids, space.group(groupKey(TAG.L1, imp, code(left)), SPELL.L1, sec, left));
    pushAll(ids, space.group(groupKey(TAG.L2, imp, start >= 2 ? code(text[start - 2]) : 0, start >= 1 ? code(text[start - 1]) : 0), SPELL.L2, sec, text.slice(Math.max(0, start - 2), start)));
    const clauseStart = this.clauseStart[start]!;
    const before = this.before.last(clauseStart, start);
    if (before) {
      const d = start - before.end;
      pushAll(ids, space.group(groupKey(TAG.pc, imp, before.index, bucketIndex(d, DISTANCE_BEFORE)), SPELL.pc, sec, before.cue, bucket(d, DISTANCE_BEFORE)));
    } else pushAll(ids, both(space, 'pc=none', imp));
    if (this.negations.last(clauseStart, start)) pushAll(ids, both(space, 'neg', imp));
    for (const f of this.clause(clauseStart)) pushAll(ids, both(space, f, imp));
    if (clauseStart === start) pushAll(ids, both(space, 'clauseFirst', imp));
    let head = -1;
    const sentenceStart = this.sentenceStart[start]!;
    if (/^[\s\d.、]*$/.test(text.slice(sentenceStart, start))) {
      // A span holds no sentence end, so its sentence ends where the one at its start does.
      const sentence = text.slice(sentenceStart, this.sentenceEnd[start]);
      head = /肿块|团块|肿物|软组织|占位/.test(sentence) ? 0 : /结节|病灶|病变/.test(sentence) ? 1 : 2;
      const name = HEADS[head]!;
      pushAll(ids, space.group(groupKey(TAG.head, imp, head), SPELL.head, sec, name));
      if (this.cancerSpecific) pushAll(ids, space.group(groupKey(TAG.headSpecific, imp, head), SPELL.headSpecific, sec, name));
    }
    cached = { ids, head };
    this.byStart[start] = cached;
    return cached;
  }

  /** Features of a site occurrence read from its end (and its start's section): the characters and cue after it, the rest of its sentence. */
  endFeatures(end: number, imp: number): number[] {
    const at = 2 * end + imp;
    const cached = this.byEnd[at];
    if (cached) return cached;
    const { text, space } = this;
    const sec = section(imp);
    const ids: number[] = [];
    const right = text[end] ?? '$';
    pushAll(ids, space.group(groupKey(TAG.R1, imp, code(right)), SPELL.R1, sec, right));
    pushAll(ids, space.group(groupKey(TAG.R2, imp, code(text[end]), code(text[end + 1])), SPELL.R2, sec, text.slice(end, end + 2)));
    const after = this.afterCue(end);
    if (after) {
      const d = after.pos - end;
      pushAll(ids, space.group(groupKey(TAG.nc, imp, after.index, bucketIndex(d, DISTANCE_AFTER)), SPELL.nc, sec, after.cue, bucket(d, DISTANCE_AFTER)));
    } else pushAll(ids, both(space, 'nc=none', imp));
    const last = text[end - 1]!;
    pushAll(ids, space.group(groupKey(TAG.E1R1, imp, code(last), code(right)), SPELL.E1R1, sec, last, right));
    const clauseEnd = this.clauseEnd[end]!;
    if (text.slice(clauseEnd, this.sentenceEnd[end]).includes('转移')) pushAll(ids, both(space, 'later=转移', imp));
    if (/^[,，]\s*(?:考虑|首先考虑|不除外|多系)?转移/.test(text.slice(clauseEnd, clauseEnd + 8))) pushAll(ids, both(space, 'next=考虑转移', imp));
    this.byEnd[at] = ids;
    return ids;
  }
}

/** 转移 (metastasis) ends a site. */
const ZHUAN = '转'.charCodeAt(0);
const YI = '移'.charCodeAt(0);
const unitCache = new WeakMap<CandidateConfig, Uint8Array>();

/** The classes of every UTF-16 unit for a candidate config: where sites may start, end, and what they may not hold. */
function candidateUnits(config: CandidateConfig): Uint8Array {
  let table = unitCache.get(config);
  if (!table) {
    table = STATIC_UNITS.slice();
    markUnits(table, config.first, UNIT.first);
    markUnits(table, config.left, UNIT.left);
    markUnits(table, config.last, UNIT.last);
    markUnits(table, config.right, UNIT.right);
    unitCache.set(config, table);
  }
  return table;
}

/** Site spans [p, q) that start and end where the training reports' site strings do, holding a core word. */
function siteSpans(a: Analysis, config: CandidateConfig): Region[] {
  const { text } = a;
  const n = text.length;
  const table = candidateUnits(config);
  const units = new Uint8Array(n + 1);
  for (let i = 0; i < n; i++) units[i] = table[text.charCodeAt(i)]!;
  // Past the end a site may end (nothing follows it).
  units[n] = UNIT.right;
  const out: Region[] = [];
  for (let p = 0; p < n; p++) {
    if (!(units[p]! & UNIT.first) || (p > 0 && !(units[p - 1]! & UNIT.left))) continue;
    const coreEnd = a.coreEnd[p]!;
    for (let q = p + 1; q <= Math.min(n, p + config.maxLength); q++) {
      const unit = units[q - 1]!;
      if (unit & UNIT.spanStop || (text.charCodeAt(q - 1) === YI && text.charCodeAt(q - 2) === ZHUAN)) break;
      if (coreEnd > q || !(unit & UNIT.last) || !(units[q]! & UNIT.right)) continue;
      out.push({ start: p, end: q });
    }
  }
  const parts = listParts(a, out);
  if (parts.length === 0) return out;
  const key = (r: Region): number => r.start * (n + 1) + r.end;
  const known = new Set(out.map(key));
  for (const part of parts) {
    a.listParts.add(key(part));
    if (!known.has(key(part))) { known.add(key(part)); out.push(part); }
  }
  return out.sort((x, y) => x.start - y.start || x.end - y.end);
}

/** Whether [start, end) holds punctuation or a verb no site string holds. */
function hasSpanStop(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (STATIC_UNITS[text.charCodeAt(i)]! & UNIT.spanStop) return true;
  return false;
}

/**
 * The parts of a list of bones, which the gold lists often name one by one and no boundary learned from whole site
 * strings reaches: 右侧第2 and 8肋骨 of 右侧第2、8肋骨, T3 of 第5肋及T3、T7椎体, 3 and 5椎体 of L2、3、5椎体.
 */
function listParts(a: Analysis, spans: readonly Region[]): Region[] {
  const { text } = a;
  const out: Region[] = [];
  if (!text.includes('、')) return out;
  for (const run of text.matchAll(LIST_RUN)) {
    if (!BONE.test(run[0])) continue;
    const items = run[0].split(LIST_SEPARATOR);
    let at = run.index;
    for (let k = 0; k < items.length; k++) {
      const item = items[k]!;
      // The first item may carry words before the part (骨窗示右侧第3); the others are the part alone.
      const part = k === items.length - 1 ? null : (k === 0 ? LIST_PART_END : LIST_PART).exec(item);
      if (part) out.push({ start: at + part.index, end: at + item.length });
      else if (k > 0) {
        // A part that runs on into its bone: 5椎体, 七肋骨.
        const number = LIST_NUMBER.exec(item);
        const bone = number ? BONE_START.exec(item.slice(number[0].length)) : null;
        if (number && bone) {
          const boneStart = at + number[0].length;
          const ends = new Set([boneStart + bone[0].length]);
          for (const s of spans) if (s.start >= boneStart && s.start < at + item.length && s.end > boneStart) ends.add(s.end);
          for (const end of ends) if (!hasSpanStop(text, boneStart, end)) out.push({ start: at, end });
        }
      }
      at += item.length + 1;
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
    if (a.impression[s.start] && a.afterCue(s.end)?.cue === '转移') {
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

/** Overlapping candidates of an occurrence: bits of what contains it or lies inside it. */
const INSIDE = 1;
const OUTER = 2;
/** A containing / contained candidate is a known metastasis string (lexicon, rules). */
const INSIDE_LEX_M = 4;
const OUTER_LEX_M = 8;
const INSIDE_RULE_M = 16;
const OUTER_RULE_M = 32;
const NESTING_FEATURES: ReadonlyArray<[number, Constant]> = [
  [INSIDE, 'inside'], [OUTER, 'outer'], [INSIDE_LEX_M, 'insideLexM'], [OUTER_LEX_M, 'outerLexM'], [INSIDE_RULE_M, 'insideRuleM'], [OUTER_RULE_M, 'outerRuleM'],
];

/** 1 + the place of each organ class (organClass) in this list; 0 for none. */
const ORGAN_INDEX = new Map<string, number>([...new Set([...CORE_WORDS, '骨'])].map((o, i) => [o, i + 1]));

/** What one site string is, the same in every report: the features of the string alone, its organ. */
interface SiteString {
  ids: number[];
  organ: string | null;
  organClass: string | null;
  organIndex: number;
}

const SITE_STRING_LIMIT = 100_000;
const siteStringCache = new WeakMap<FeatureSpace, Map<string, SiteString>>();

function siteString(value: string, space: FeatureSpace): SiteString {
  let cache = siteStringCache.get(space);
  if (!cache) { cache = new Map(); siteStringCache.set(space, cache); }
  let site = cache.get(value);
  if (!site) {
    if (cache.size >= SITE_STRING_LIMIT) cache.clear();
    const names = [
      'bias', `F1=${value[0]}`, `E1=${value[value.length - 1]}`, `E2=${value.slice(-2)}`, `len=${bucket(value.length, [1, 2, 3, 4, 6, 9])}`,
      `core=${CORE.exec(value)?.[0] ?? 'none'}`, `side=${SIDE.exec(value)?.[0] ?? 'none'}`,
    ];
    if (/[及和与并]/.test(value)) names.push('coordinated');
    if (/[叶段]/.test(value)) names.push('lobe');
    if (/淋巴结$/.test(value)) names.push('node');
    if (/\d/.test(value)) names.push('digit');
    const organClassOf = organClass(value);
    site = { ids: space.ids(names), organ: organOf(value), organClass: organClassOf, organIndex: organClassOf ? ORGAN_INDEX.get(organClassOf)! : 0 };
    cache.set(value, site);
  }
  return site;
}

/** Features of the candidate string: what it is, and whether the lexicon and the rules know it. */
function siteStringFeatures(value: string, site: SiteString, lexicon: Lexicon, hints: RuleHints, space: FeatureSpace): void {
  space.addIds(site.ids);
  if (lexicon.primary.has(value)) space.addIds(single(space, 'lexP'));
  if (lexicon.metastasis.has(value)) space.addIds(single(space, 'lexM'));
  if (hints.primarySite.has(value)) space.addIds(single(space, 'ruleP'));
  if (hints.metastasisSites.has(value)) space.addIds(single(space, 'ruleM'));
}

/** Features of one occurrence of a site candidate: those of its start and end (cached) and those of the pair. */
function siteOccurrenceFeatures(a: Analysis, span: Region, site: SiteString, nesting: number): void {
  const { text, space } = a;
  const imp = a.impression[span.start]!;
  const sec = section(imp);
  const start = a.startFeatures(span.start);
  space.addIds(start.ids);
  space.addIds(a.endFeatures(span.end, imp));
  const afterCue = a.afterCue(span.end);
  const after = afterCue?.cue ?? 'none';
  const cue = afterCue?.index ?? 0;
  space.addIds(space.group(groupKey(TAG.organNc, imp, site.organIndex, cue), SPELL.organNc, sec, String(site.organClass), after));
  const left = text[span.start - 1] ?? '^';
  const right = text[span.end] ?? '$';
  space.addIds(space.group(groupKey(TAG.L1R1, imp, code(left), code(right)), SPELL.L1R1, sec, left, right));
  if (start.head >= 0) {
    const relation = a.cancerOrgans.has(site.organ ?? '') ? 0 : a.cancerOrgans.size > 0 ? 1 : 2;
    space.addIds(space.group(groupKey(TAG.headCancer, imp, start.head, relation), SPELL.headCancer, sec, HEADS[start.head], CANCER_RELATIONS[relation]));
  }
  for (const [bit, name] of NESTING_FEATURES) if (nesting & bit) space.addIds(both(space, name, imp));
  if (a.listParts.size > 0 && a.listParts.has(span.start * (text.length + 1) + span.end)) {
    space.addIds(both(space, 'listPart', imp));
    if (a.metastaticOrgans.has('骨')) space.addIds(both(space, 'listPart+metastaticBone', imp));
  }
  if (site.organClass && a.metastaticOrgans.has(site.organClass)) {
    space.addIds(both(space, 'metastaticOrgan', imp));
    space.addIds(space.group(groupKey(TAG.metastaticNc, imp, cue), SPELL.metastaticNc, sec, after));
  }
  if (site.organ && a.cancerOrgans.has(site.organ)) {
    space.addIds(both(space, 'cancerOrgan', imp));
    if (afterCue) space.addIds(space.group(groupKey(TAG.cancerNc, imp, cue), SPELL.cancerNc, sec, after));
  }
}

export interface TumourCandidates {
  sites: Candidate[];
  sizes: Candidate[];
}

/** Every distinct site and size candidate of a report with the ids of its features in `space`. */
export function tumourCandidates(text: string, config: CandidateConfig, lexicon: Lexicon, hints: RuleHints, space: FeatureSpace): TumourCandidates {
  const a = new Analysis(text, space);
  const spans = siteSpans(a, config);
  noteOrgans(a, spans);
  return { sites: siteCandidates(a, spans, lexicon, hints), sizes: sizeCandidates(a, hints) };
}

/** What the candidates overlapping each span are: a known metastasis string around or inside it decides whole vs split. */
function nestings(a: Analysis, spans: readonly Region[], lexicon: Lexicon, hints: RuleHints): Uint8Array {
  const out = new Uint8Array(spans.length);
  // Per span, as the other one of a pair: 1 known to the lexicon as a metastasis string, 2 to the rules; -1 not looked up yet.
  const known = new Int8Array(spans.length).fill(-1);
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i]!;
    // Spans come sorted by start; only those starting within maxLength can nest.
    for (let j = i - 1; j >= 0 && spans[j]!.start > span.start - 20; j--) if (spans[j]!.end >= span.end) out[i]! |= nestingBits(a, spans, known, j, lexicon, hints, true);
    for (let j = i + 1; j < spans.length && spans[j]!.start < span.end; j++) {
      if (spans[j]!.end <= span.end) out[i]! |= nestingBits(a, spans, known, j, lexicon, hints, false);
      else if (spans[j]!.start === span.start) out[i]! |= nestingBits(a, spans, known, j, lexicon, hints, true);
    }
  }
  return out;
}

/** The bits a span gets from the span `j` containing it (`inside`) or lying inside it. */
function nestingBits(a: Analysis, spans: readonly Region[], known: Int8Array, j: number, lexicon: Lexicon, hints: RuleHints, inside: boolean): number {
  let bits = known[j]!;
  if (bits < 0) {
    const v = a.text.slice(spans[j]!.start, spans[j]!.end);
    bits = (lexicon.metastasis.has(v) ? 1 : 0) | (hints.metastasisSites.has(v) ? 2 : 0);
    known[j] = bits;
  }
  return inside
    ? INSIDE | (bits & 1 ? INSIDE_LEX_M : 0) | (bits & 2 ? INSIDE_RULE_M : 0)
    : OUTER | (bits & 1 ? OUTER_LEX_M : 0) | (bits & 2 ? OUTER_RULE_M : 0);
}

function siteCandidates(a: Analysis, spans: Region[], lexicon: Lexicon, hints: RuleHints): Candidate[] {
  const nesting = nestings(a, spans, lexicon, hints);
  // Occurrences grouped by string, in the order the strings first occur.
  const byValue = new Map<string, number[]>();
  spans.forEach((span, i) => {
    const value = a.text.slice(span.start, span.end);
    const list = byValue.get(value);
    if (list) list.push(i); else byValue.set(value, [i]);
  });
  const { space } = a;
  const out: Candidate[] = [];
  for (const [value, occurrences] of byValue) {
    space.open();
    const site = siteString(value, space);
    siteStringFeatures(value, site, lexicon, hints, space);
    space.addIds(single(space, a.impression[spans[occurrences[0]!]!.start] ? 'firstImp' : 'firstFind'));
    for (const i of occurrences) siteOccurrenceFeatures(a, spans[i]!, site, nesting[i]!);
    space.add(`occ=${bucket(occurrences.length, [1, 2, 4])}`);
    out.push({ value, spans: occurrences.map((i) => spans[i]!), features: space.close() });
  }
  return out;
}

function sizeCandidates(a: Analysis, hints: RuleHints): Candidate[] {
  const { text, space } = a;
  // Occurrences grouped by string; the rank counts every size with a unit, in text order.
  const byValue = new Map<string, Array<{ span: Region; rank: number }>>();
  let rank = 0;
  for (const m of text.matchAll(SIZE_RE)) {
    const value = m[0].trim();
    const start = m.index;
    if (!HAS_UNIT.test(value) || /[A-Za-z0-9.]/.test(text[start - 1] ?? '')) continue;
    const occurrence = { span: { start, end: start + value.length }, rank: rank++ };
    const list = byValue.get(value);
    if (list) list.push(occurrence); else byValue.set(value, [occurrence]);
  }
  const out: Candidate[] = [];
  for (const [value, occurrences] of byValue) {
    space.open();
    space.add('bias');
    for (const { span, rank: r } of occurrences) {
      const { start } = span;
      const sec = a.section(start);
      const add = (x: string): void => { space.add(x); space.add(`${sec}|${x}`); };
      add(`dims=${value.split(/[x×*X]/).length}`);
      add(`unit=${/mm|毫米/i.test(value) ? 'mm' : 'cm'}`);
      add(`rank=${bucket(r, [0, 1, 2, 4])}`);
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
    out.push({ value, spans: occurrences.map((o) => o.span), features: space.close() });
  }
  return out;
}

/** A field's weights by feature id: a lookup per feature is the hot loop of scoring. */
export interface Scorer {
  bias: number;
  weights: Float64Array;
}

export function scorerOf(field: FieldModel, space: FeatureSpace): Scorer {
  const weights = new Float64Array(space.size);
  for (const [name, w] of Object.entries(field.weights)) {
    const id = space.id(name);
    if (id >= 0 && id < weights.length) weights[id] = w;
  }
  return { bias: field.bias, weights };
}

export function probability(scorer: Scorer, features: readonly number[]): number {
  const w = scorer.weights;
  let z = scorer.bias;
  for (const f of features) if (f < w.length) z += w[f]!;
  return 1 / (1 + Math.exp(-z));
}

/**
 * The two site fields' weights side by side ([primary, metastasis] per feature id): both score the same candidates,
 * and one memory line per feature serves both (the weights are far larger than the processor's caches).
 */
export interface PairScorer {
  bias: readonly [number, number];
  weights: Float64Array;
}

export function pairScorerOf(first: FieldModel, second: FieldModel, space: FeatureSpace): PairScorer {
  const weights = new Float64Array(2 * space.size);
  for (const [k, field] of [first, second].entries()) {
    for (const [name, w] of Object.entries(field.weights)) {
      const id = space.id(name);
      if (id >= 0 && id < space.size) weights[2 * id + k] = w;
    }
  }
  return { bias: [first.bias, second.bias], weights };
}

/** The two probabilities, each the same sum as probability() with that field's Scorer. */
export function pairProbabilities(scorer: PairScorer, features: readonly number[]): [number, number] {
  const w = scorer.weights;
  let z0 = scorer.bias[0];
  let z1 = scorer.bias[1];
  for (const f of features) {
    if (2 * f >= w.length) continue;
    z0 += w[2 * f]!;
    z1 += w[2 * f + 1]!;
  }
  return [1 / (1 + Math.exp(-z0)), 1 / (1 + Math.exp(-z1))];
}

export interface Scored {
  candidate: Candidate;
  p: number;
}

/** The values a field keeps: primary sites and sizes the best one (then others past a higher bar), metastases every one past the threshold. */
export function decide(scored: readonly Scored[], threshold: number, extraThreshold: number | null): Scored[] {
  const byScore = (a: Scored, b: Scored): number => b.p - a.p;
  if (extraThreshold === null) return scored.filter((s) => s.p >= threshold).sort(byScore);
  let best: Scored | null = null;
  for (const s of scored) if (!best || s.p > best.p) best = s;
  if (!best || best.p < threshold) return [];
  return [best, ...scored.filter((s) => s !== best && s.p >= extraThreshold).sort(byScore)];
}

const logit = (p: number): number => Math.log(Math.max(p, 1e-9) / Math.max(1 - p, 1e-9));
const NONE = -20;

/**
 * Each value's rank among `values` (0 = highest; equal values in their order), capped at `cap`: only the few values
 * above the cap-th largest need counting.
 */
function cappedRanks(values: readonly number[], cap: number): number[] {
  const out = new Array<number>(values.length).fill(cap);
  if (values.length === 0) return out;
  const sorted = Float64Array.from(values).sort();
  const bar = sorted[Math.max(0, sorted.length - cap)]!;
  values.forEach((v, k) => {
    if (v < bar) return;
    let rank = 0;
    for (let j = 0; j < values.length && rank < cap; j++) if (values[j]! > v || (values[j] === v && j < k)) rank++;
    out[k] = rank;
  });
  return out;
}

const maxOf = (values: readonly number[]): number => values.reduce((a, b) => Math.max(a, b), NONE);

/** The 0/1 features the trees read: their count, and each feature id's column (-1 for the others). */
export interface BinaryColumns {
  count: number;
  column: Int16Array;
}

export function binaryColumns(names: readonly string[], space: FeatureSpace): BinaryColumns {
  const ids = names.map((n) => space.id(n));
  const column = new Int16Array(space.size).fill(-1);
  ids.forEach((id, i) => { if (id >= 0) column[id] = i; });
  return { count: names.length, column };
}

/** The trees' rows of a report's candidates, one after another in one array. */
export interface StackRows {
  width: number;
  data: Float64Array;
}

/** The rows one by one (views into the array), as the trees are fitted on. */
export function rowsOf(rows: StackRows): Float64Array[] {
  return Array.from({ length: rows.data.length / rows.width }, (_, k) => rows.data.subarray(k * rows.width, (k + 1) * rows.width));
}

/** Rows of `numeric` columns (left to fill) then the 0/1 columns of each candidate's features. */
function stackRows(candidates: readonly Candidate[], numeric: number, binary: BinaryColumns): StackRows {
  const width = numeric + binary.count;
  const data = new Float64Array(candidates.length * width);
  const { column } = binary;
  candidates.forEach((c, k) => {
    for (const f of c.features) {
      const at = f < column.length ? column[f]! : -1;
      if (at >= 0) data[k * width + numeric + at] = 1;
    }
  });
  return { width, data };
}

/**
 * Rows of the site candidates for the trees: the regressions' logits, each candidate against the report's others
 * (gap to the best, rank), and the best logit of a candidate containing it or contained in it (whole list vs parts).
 */
export function siteStackRows(sites: readonly Candidate[], primary: readonly number[], metastasis: readonly number[], sizes: readonly number[], binary: BinaryColumns): StackRows {
  const zp = primary.map(logit);
  const zm = metastasis.map(logit);
  const bestP = maxOf(zp);
  const bestM = maxOf(zm);
  const bestS = maxOf(sizes.map(logit));
  const rankP = cappedRanks(zp, 9);
  const rankM = cappedRanks(zm, 9);
  let likelyM = 0;
  for (const z of zm) if (z > 0) likelyM++;
  const containerP = new Float64Array(sites.length).fill(NONE);
  const containerM = new Float64Array(sites.length).fill(NONE);
  const containedP = new Float64Array(sites.length).fill(NONE);
  const containedM = new Float64Array(sites.length).fill(NONE);
  // The occurrences by start (a counting sort): those starting inside a span and ending no later lie inside it.
  let total = 0;
  let limit = 0;
  for (const c of sites) for (const span of c.spans) { total++; limit = Math.max(limit, span.end); }
  const first = new Int32Array(limit + 2);
  for (const c of sites) for (const span of c.spans) first[span.start + 1]!++;
  for (let at = 1; at <= limit + 1; at++) first[at]! += first[at - 1]!;
  const ends = new Int32Array(total);
  const owner = new Int32Array(total);
  const fill = first.slice(0, limit + 1);
  sites.forEach((c, k) => {
    for (const span of c.spans) { const at = fill[span.start]!++; ends[at] = span.end; owner[at] = k; }
  });
  sites.forEach((c, outer) => {
    for (const span of c.spans) {
      for (let at = first[span.start]!; at < first[span.end]!; at++) {
        const inner = owner[at]!;
        if (ends[at]! > span.end || inner === outer) continue;
        containerP[inner] = Math.max(containerP[inner]!, zp[outer]!);
        containerM[inner] = Math.max(containerM[inner]!, zm[outer]!);
        containedP[outer] = Math.max(containedP[outer]!, zp[inner]!);
        containedM[outer] = Math.max(containedM[outer]!, zm[inner]!);
      }
    }
  });
  const rows = stackRows(sites, 13, binary);
  const { data, width } = rows;
  for (let k = 0, at = 0; k < sites.length; k++, at += width) {
    data[at] = zp[k]!;
    data[at + 1] = zm[k]!;
    data[at + 2] = zp[k]! - bestP;
    data[at + 3] = zm[k]! - bestM;
    data[at + 4] = rankP[k]!;
    data[at + 5] = rankM[k]!;
    data[at + 6] = sites.length;
    data[at + 7] = likelyM;
    data[at + 8] = bestS;
    data[at + 9] = containerP[k]! - zp[k]!;
    data[at + 10] = containerM[k]! - zm[k]!;
    data[at + 11] = containedP[k]! - zp[k]!;
    data[at + 12] = containedM[k]! - zm[k]!;
  }
  return rows;
}

/** Rows of the size candidates for the trees: the regression's logit against the report's other sizes, and the best site logits. */
export function sizeStackRows(sizes: readonly Candidate[], scores: readonly number[], primary: readonly number[], metastasis: readonly number[], binary: BinaryColumns): StackRows {
  const z = scores.map(logit);
  const best = maxOf(z);
  const rank = cappedRanks(z, 9);
  const bestP = maxOf(primary.map(logit));
  const bestM = maxOf(metastasis.map(logit));
  const rows = stackRows(sizes, 6, binary);
  sizes.forEach((_, k) => rows.data.set([z[k]!, z[k]! - best, rank[k]!, sizes.length, bestP, bestM], k * rows.width));
  return rows;
}

/**
 * Boosted trees in flat typed arrays, the run-time form of BoostedTrees (the same sums in the same order), with
 * the most the trees from each one on can still add, so a score that cannot reach a threshold stops early.
 */
export interface FlatTrees {
  depth: number;
  base: number;
  count: number;
  feature: Int32Array;
  threshold: Float64Array;
  leaf: Float64Array;
  /** [k]: the sum of the largest leaf of trees k, k + 1, …; [count] = 0. */
  restMax: Float64Array;
}

export function flattenTrees(model: BoostedTrees): FlatTrees {
  const internal = (1 << model.depth) - 1;
  const leaves = 1 << model.depth;
  const count = model.trees.length;
  const feature = new Int32Array(count * internal);
  const threshold = new Float64Array(count * internal);
  const leaf = new Float64Array(count * leaves);
  const restMax = new Float64Array(count + 1);
  model.trees.forEach((tree, k) => {
    feature.set(tree.feature, k * internal);
    threshold.set(tree.threshold, k * internal);
    leaf.set(tree.leaf, k * leaves);
  });
  for (let k = count - 1; k >= 0; k--) restMax[k] = restMax[k + 1]! + Math.max(...model.trees[k]!.leaf);
  return { depth: model.depth, base: model.base, count, feature, threshold, leaf, restMax };
}

/** Margin on the early stop, far above the rounding of the sums, so a stopped score is surely below the floor. */
const STOP_MARGIN = 1e-6;

/**
 * What boostedProbability (src/linking/boost.ts) gives for the same trees and the row at `offset` of `x`; or, once the remaining trees
 * cannot lift the score to `floor`, some probability below `floor` (callers only keep scores at or above it).
 */
export function flatProbability(trees: FlatTrees, x: Float64Array, offset: number, floor = 0): number {
  const { depth, feature, threshold, leaf, restMax } = trees;
  const internal = (1 << depth) - 1;
  const leaves = 1 << depth;
  const stopBelow = floor > 0 ? logit(floor) - STOP_MARGIN : -Infinity;
  let z = trees.base;
  for (let k = 0, nodes = 0, leafAt = -internal; k < trees.count; k++, nodes += internal, leafAt += leaves) {
    if (z + restMax[k]! < stopBelow) return 1 / (1 + Math.exp(-(z + restMax[k]!)));
    let node = 0;
    for (let d = 0; d < depth; d++) node = 2 * node + (x[offset + feature[nodes + node]!]! > threshold[nodes + node]! ? 2 : 1);
    z += leaf[leafAt + node]!;
  }
  return 1 / (1 + Math.exp(-z));
}
