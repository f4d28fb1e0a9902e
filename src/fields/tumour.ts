import type { FieldValue } from '../document/types.js';
import { readFileSync } from 'node:fs';
import { MedstructError } from '../errors.js';
import { modelPath, readJsonResource } from '../resources.js';
import { SIZE_PATTERN } from './size.js';
import { alternation, fieldValue, matchAll, u16Of, wholeRegion, type Region, type Source } from './source.js';
import {
  binaryColumns, decide, FeatureSpace, flatProbability, flattenTrees, pairProbabilities, pairScorerOf, probability, scorerOf, siteStackRows, sizeStackRows, tumourCandidates,
  type BinaryColumns, type Candidate, type FlatTrees, type PairScorer, type StackRows, type Lexicon, type RuleHints, type Scored, type Scorer, type TumourModel,
} from './tumour-model.js';

interface TumourSchema {
  primaryTriggers: string[];
  metastasisTrigger: string;
  siteCore: string[];
  listSeparators: string;
  phraseStops: string[];
  leadingNoise: string[];
  trailingNoise: string[];
  negations: string[];
  massWords: string[];
  sizeMassWords: string[];
  massSiteStops: string[];
  descriptionStops: string[];
  boneLesion: string;
  organEnds: string;
  boneListStop: string;
  boneListNoise: string[];
  suspectedPattern: string;
  postSurgeryPattern: string;
  notSite: string;
}

const schema = readJsonResource<TumourSchema>('fields', 'tumour.json');
const sites = readJsonResource<{ primary: string[]; metastasis: string[] }>('fields', 'tumour-sites.json');

const CORE = alternation(schema.siteCore);
const SITE_WORD = `(?:${alternation([...sites.primary, ...sites.metastasis])}|[左右双两]?侧?[\\u4e00-\\u9fa5]{0,6}?(?:${CORE})[\\u4e00-\\u9fa5]{0,4}?)`;
const PRIMARY_RE = new RegExp(`(?<site>${alternation(sites.primary)}|[左右双两]?侧?[\\u4e00-\\u9fa5]{0,5}?(?:${CORE})(?:[上中下]叶)?(?:[尖前后内外背舌]*(?:基底)?段)?)(?:区|部)?(?:中央型|中心型|周围型)?(?:肺|乳腺)?(?:${alternation(schema.primaryTriggers)})`, 'dg');
const METASTASIS_RE = new RegExp(schema.metastasisTrigger, 'g');
const STOP_RE = new RegExp(`(?:${alternation(schema.phraseStops)})`, 'g');
const LEADING_RE = new RegExp(`^(?:${alternation(schema.leadingNoise)})+`);
const TRAILING_RE = new RegExp(`(?:${alternation(schema.trailingNoise)})+$`);
const NEGATION_RE = new RegExp(`(?:${alternation(schema.negations)})`);
const SITE_RE = new RegExp(`^${SITE_WORD}$`);
const SIZE_RE = new RegExp(SIZE_PATTERN, 'g');
const MASS_RE = new RegExp(`(?:${alternation(schema.massWords)})`);
const SIZE_MASS_RE = new RegExp(`(?:${alternation(schema.sizeMassWords)})`);
const DESCRIPTION_STOP_RE = new RegExp(`(?:${alternation(schema.descriptionStops)})`);
const BONE_LESION_RE = new RegExp(schema.boneLesion);
const ORGAN_END_RE = new RegExp(schema.organEnds);
const BONE_LIST_STOP_RE = new RegExp(schema.boneListStop);
const BONE_LIST_NOISE_RE = new RegExp(`^(?:${alternation(schema.boneListNoise)})+`);
const SITE_PREFIX = `(?<site>[左右双两]?侧?[上下]?[\\u4e00-\\u9fa5]{0,4}?(?:${CORE})(?:[上中下]叶)?(?:[尖前后内外背舌]*(?:基底)?段)?(?:门)?)(?:区|部)?`;
const SUSPECTED_RE = new RegExp(`${SITE_PREFIX}${schema.suspectedPattern}`, 'dg');
const POST_SURGERY_RE = new RegExp(schema.postSurgeryPattern, 'dg');
const NOT_SITE_RE = new RegExp(schema.notSite);
const CORE_RE = new RegExp(`(?:${CORE})`);
const MASS_SITE_RE = new RegExp(`^(?<site>[左右双两]?侧?[上下]?(?:${CORE})[^见示可近,，。;；\\s]{0,10}?)(?=${schema.massSiteStops.join('|')})`);

export interface TumourAttributes {
  primarySite: FieldValue[];
  primarySize: FieldValue[];
  metastasisSites: FieldValue[];
}

const BOUNDARY = /[,，;；。:：\t\n]/;
const isDigit = (ch: string | undefined): boolean => ch !== undefined && ch >= '0' && ch <= '9';

/** Start of the clause holding `at`: back to the previous clause boundary or list number (…不著2.双肺…). */
function clauseStart(text: string, at: number, floor: number): number {
  let i = at;
  while (i > floor && !BOUNDARY.test(text[i - 1]!)) {
    if ((text[i - 1] === '.' || text[i - 1] === '、') && isDigit(text[i - 2]) && !isDigit(text[i])) return i;
    i--;
  }
  return i;
}

function primarySites(src: Source, region: Region): FieldValue[] {
  const out: FieldValue[] = [];
  const seen = new Set<string>();
  for (const m of matchAll(src, region, PRIMARY_RE)) {
    const site = m.indices!.groups!.site!;
    let start = region.start + site[0];
    const end = region.start + site[1];
    let value = src.text.slice(start, end);
    const lead = LEADING_RE.exec(value);
    if (lead) { start += lead[0].length; value = value.slice(lead[0].length); }
    if (value === '' || seen.has(value) || /转移/.test(src.text.slice(m.pos, m.pos + m[0].length))) continue;
    const before = src.text.slice(clauseStart(src.text, m.pos, region.start), m.pos);
    if (NEGATION_RE.test(before)) continue;
    seen.add(value);
    out.push(fieldValue(src, start, end, value, { start: m.pos, end: m.pos + m[0].length }));
  }
  return out;
}

/** Site words of a phrase (肝、椎体及右肺门淋巴结), split at list separators and cleaned of qualifiers. */
function sitesOfPhrase(src: Source, start: number, end: number, leading: RegExp = LEADING_RE): Region[] {
  const whole = src.text.slice(start, end).replace(/[(（][^)）]*[)）]/g, (s) => ' '.repeat(s.length));
  // 纵隔及膈上淋巴结 stays whole; 肝及椎体 is two sites.
  const bare = whole.replace(TRAILING_RE, '').trim();
  const keepAnd = /淋巴结$/.test(bare) && !ORGAN_END_RE.test(bare.split(/[及和与]/)[0]!.trim());
  const pieces = whole.split(keepAnd ? /[、,，]/ : new RegExp(schema.listSeparators));
  const out: Region[] = [];
  let offset = start;
  for (const piece of pieces) {
    const numbering = /^\s*(?:\d{1,2}\s*[.、)）]\s*)?/.exec(piece)![0].length;
    let s = offset + numbering;
    offset += piece.length + 1;
    let value = piece.slice(numbering).trim();
    const lead = leading.exec(value);
    if (lead) { s += lead[0].length; value = value.slice(lead[0].length); }
    value = value.replace(TRAILING_RE, '').trim();
    if (value !== '' && SITE_RE.test(value) && !NOT_SITE_RE.test(value)) out.push({ start: s, end: s + value.length });
  }
  return out;
}

/** The leading site words of a description clause (右腋窝淋巴结肿大 → 右腋窝淋巴结). */
function describedSites(src: Source, clause: Region): Region[] {
  const text = src.text.slice(clause.start, clause.end);
  const cut = text.search(DESCRIPTION_STOP_RE);
  if (cut <= 0) return [];
  return sitesOfPhrase(src, clause.start, clause.start + cut);
}

/**
 * Metastasis sites: the sites listed before 转移 (肝、椎体转移), or, when 转移 stands alone (…结节灶,考虑转移),
 * the sites the previous clause describes; with a bone metastasis, the bones the findings show destroyed.
 */
function metastasisSites(src: Source, region: Region): FieldValue[] {
  const out: FieldValue[] = [];
  const seen = new Set<string>();
  const text = src.text;
  const add = (r: Region, evidence: Region): void => {
    const value = text.slice(r.start, r.end);
    if (seen.has(value)) return;
    seen.add(value);
    out.push(fieldValue(src, r.start, r.end, value, evidence));
  };
  let bone = false;
  for (const m of matchAll(src, region, METASTASIS_RE)) {
    const clause = clauseStart(text, m.pos, region.start);
    if (NEGATION_RE.test(text.slice(clause, m.pos))) continue;
    let start = clause;
    for (const s of matchAll(src, { start, end: m.pos }, STOP_RE)) start = s.pos + s[0].length;
    const evidence = { start: clause, end: m.pos + m[0].length };
    let found = sitesOfPhrase(src, start, m.pos);
    // 右肺癌并双肺、肝,双侧肾上腺转移: earlier comma pieces that are nothing but sites belong to the list.
    if (found.length > 0 && start === clause) {
      let end = clause - 1;
      while (end > region.start && text[end] !== undefined && /[,，]/.test(text[end]!)) {
        let from = clauseStart(text, end, region.start);
        for (const s of matchAll(src, { start: from, end }, STOP_RE)) from = s.pos + s[0].length;
        const piece = text.slice(from, end);
        const sites = sitesOfPhrase(src, from, end);
        const covered = sites.reduce((n, r) => n + (r.end - r.start), 0);
        if (sites.length === 0 || covered < piece.replace(/[、及和与\s]/g, '').length - 2) break;
        found = [...sites, ...found];
        if (from !== clauseStart(text, end, region.start)) break;
        end = from - 1;
      }
    }
    // …结节灶,考虑转移: the clause names no site, so the sites are those the previous clause describes.
    if (found.length === 0 && clause > region.start && !CORE_RE.test(text.slice(clause, m.pos))) {
      const previous = clauseStart(text, clause - 1, region.start);
      found = describedSites(src, { start: previous, end: clause - 1 });
    }
    for (const r of found) {
      add(r, evidence);
      if (/骨$/.test(text.slice(r.start, r.end))) bone = true;
    }
  }
  if (bone) {
    for (const c of matchAll(src, region, /[^。；;\t\n]+/g)) {
      if (!BONE_LESION_RE.test(c[0])) continue;
      const lead = /^[\s\d.、]*(?:骨窗示[:：]?)?/.exec(c[0])![0].length;
      const clause = { start: c.pos + lead, end: c.pos + c[0].length };
      // Bone lists keep their qualifiers as written (多发肋骨, 部分胸腰椎椎体).
      const cut = c[0].slice(lead).search(BONE_LIST_STOP_RE);
      if (cut <= 0) continue;
      for (const r of sitesOfPhrase(src, clause.start, clause.start + cut, BONE_LIST_NOISE_RE)) if (/[骨椎]/.test(text.slice(r.start, r.end))) add(r, clause);
    }
  }
  return out;
}

const SIDE = /^[左右双两]/;
const coreOf = (site: string): string | null => CORE_RE.exec(site)?.[0] ?? null;

/**
 * Where the findings describe the primary mass: a sentence that starts with a site of the same organ and side as the
 * cancer mention (右肺癌 → 右肺下叶支气管开口处示…肿块) and names a mass. Reports word the primary site that precisely.
 */
function massSentence(src: Source, region: Region, cancer: string, massRe: RegExp, needsSize: boolean): { site: Region; sentence: Region } | null {
  const core = coreOf(cancer);
  if (core === null) return null;
  const side = SIDE.exec(cancer)?.[0] ?? null;
  for (const c of matchAll(src, region, /[^。；;\t\n]+/g)) {
    // For the size, the site may open any comma clause (右侧胸廓塌陷,右肺下叶见…肿块,大小约…); the site itself is
    // refined only from a sentence that opens with it.
    const starts = needsSize ? [0, ...[...c[0].matchAll(/[,，]/g)].map((x) => x.index + 1)] : [0];
    for (const at of starts) {
      const rest = c[0].slice(at);
      const lead = /^[\s\d.、]*/.exec(rest)![0].length;
      const m = MASS_SITE_RE.exec(rest.slice(lead));
      if (!m) continue;
      const site = m.groups!.site!;
      if (!site.includes(core) || (side !== null && (SIDE.exec(site)?.[0] ?? null) !== side)) continue;
      if (!massRe.test(rest) || /术后|缺如/.test(rest)) continue;
      const sentence = { start: c.pos + at, end: c.pos + c[0].length };
      if (needsSize && !firstSize(src, sentence)) continue;
      const start = c.pos + at + lead;
      return { site: { start, end: start + site.length }, sentence };
    }
  }
  return null;
}

function firstSize(src: Source, region: Region): FieldValue | null {
  for (const s of matchAll(src, region, SIZE_RE)) {
    if (!/[A-Za-z毫厘]/.test(s[0]) || /[A-Za-z0-9.]/.test(src.text[s.pos - 1] ?? '')) continue;
    return fieldValue(src, s.pos, s.pos + s[0].length, s[0].trim(), region);
  }
  return null;
}

/**
 * When no cancer is named: a mass called malignant (右肺下叶占位,考虑恶性) names the primary site, and a mastectomy
 * (左乳术后) implies a breast primary.
 */
function impliedPrimary(src: Source, region: Region): FieldValue | null {
  for (const re of [SUSPECTED_RE, POST_SURGERY_RE]) {
    for (const m of matchAll(src, region, re)) {
      const site = m.indices!.groups!.site!;
      let start = region.start + site[0];
      let value = m.groups!.site!;
      const lead = LEADING_RE.exec(value);
      if (lead) { start += lead[0].length; value = value.slice(lead[0].length); }
      if (value === '' || NEGATION_RE.test(src.text.slice(clauseStart(src.text, m.pos, region.start), m.pos))) continue;
      return fieldValue(src, start, start + value.length, value, { start: m.pos, end: m.pos + m[0].length });
    }
  }
  return null;
}

/** What the rules read: the primary site (as the cancer is named, or where the findings put the mass), its size, the metastasis lists. */
function ruleTumour(src: Source): TumourAttributes {
  const region = wholeRegion(src);
  const cancer = primarySites(src, region)[0] ?? impliedPrimary(src, region) ?? undefined;
  const mass = cancer ? massSentence(src, region, cancer.normalized as string, MASS_RE, false) : null;
  const sized = cancer ? massSentence(src, region, cancer.normalized as string, SIZE_MASS_RE, true) : null;
  const specific = cancer !== undefined && /[叶段门限]/.test(cancer.normalized as string);
  const primarySite = mass && !specific ? [fieldValue(src, mass.site.start, mass.site.end, src.text.slice(mass.site.start, mass.site.end), mass.sentence)] : cancer ? [cancer] : [];
  const size = sized ? firstSize(src, sized.sentence) : null;
  return {
    primarySite,
    primarySize: size ? [size] : [],
    metastasisSites: metastasisSites(src, region),
  };
}

/** The rules' reading as hints for the learned scorer: values as the folded source text spells them. */
export function ruleHints(src: Source): RuleHints {
  const found = ruleTumour(src);
  const spelled = (values: FieldValue[]): Set<string> => new Set(values.map((v) => src.text.slice(u16Of(src, v.start), u16Of(src, v.end))));
  return { primarySite: spelled(found.primarySite), primarySize: spelled(found.primarySize), metastasisSites: spelled(found.metastasisSites) };
}

interface LoadedModel {
  tumour: TumourModel;
  lexicon: Lexicon;
  /** The features the model weighs or its trees read; the others are never looked up again. */
  space: FeatureSpace;
  /** Primary site and metastasis weights side by side. */
  sites: PairScorer;
  sizes: Scorer;
  stack: { trees: Partial<Record<keyof TumourAttributes, FlatTrees>>; siteBinary: BinaryColumns; sizeBinary: BinaryColumns } | null;
}

let model: LoadedModel | null = null;

function loadModel(): LoadedModel {
  if (!model) {
    const file = modelPath('tumour', 'model.json');
    let tumour: TumourModel;
    try {
      tumour = JSON.parse(readFileSync(file, 'utf8')) as TumourModel;
    } catch (err) {
      throw new MedstructError('MODEL_NOT_FOUND', `Tumour-attribute model ${file} is unreadable (${(err as Error).message}); run npm run train:tumour`);
    }
    const space = new FeatureSpace([
      ...Object.keys(tumour.primarySite.weights), ...Object.keys(tumour.metastasisSites.weights), ...Object.keys(tumour.primarySize.weights),
      ...(tumour.stack?.siteBinary ?? []), ...(tumour.stack?.sizeBinary ?? []),
    ]);
    model = {
      tumour,
      lexicon: { primary: new Set(tumour.lexicon.primary), metastasis: new Set(tumour.lexicon.metastasis) },
      space,
      sites: pairScorerOf(tumour.primarySite, tumour.metastasisSites, space),
      sizes: scorerOf(tumour.primarySize, space),
      stack: tumour.stack ? {
        trees: Object.fromEntries(Object.entries(tumour.stack.trees).map(([field, trees]) => [field, flattenTrees(trees)])),
        siteBinary: binaryColumns(tumour.stack.siteBinary, space),
        sizeBinary: binaryColumns(tumour.stack.sizeBinary, space),
      } : null,
    };
  }
  return model;
}

/**
 * Tumour attributes of an imaging report, each written as the report words it: candidate spans scored by the
 * trained model (models/tumour/model.json), the rules' reading among the features.
 */
export function extractTumour(src: Source): TumourAttributes {
  const loaded = loadModel();
  const { tumour, lexicon } = loaded;
  const hints = ruleHints(src);
  const { sites, sizes } = tumourCandidates(src.text, tumour.candidates, lexicon, hints, loaded.space);
  const values = (picked: Scored[]): FieldValue[] => picked
    .map(({ candidate }) => {
      const span = candidate.spans[0]!;
      return fieldValue(src, span.start, span.end, candidate.value, clauseAround(src.text, span));
    })
    .sort((a, b) => a.start - b.start);
  const p: number[] = [];
  const m: number[] = [];
  for (const candidate of sites) {
    const [primary, metastasis] = pairProbabilities(loaded.sites, candidate.features);
    p.push(primary);
    m.push(metastasis);
  }
  const s = sizes.map((candidate) => probability(loaded.sizes, candidate.features));
  const [ps, ms, ss] = loaded.stack ? stackedScores(loaded.stack, tumour, sites, sizes, p, m, s) : [p, m, s];
  const primary: Scored[] = sites.map((candidate, k) => ({ candidate, p: ps[k]! }));
  const metastasis: Scored[] = sites.map((candidate, k) => ({ candidate, p: ms[k]! }));
  const sized: Scored[] = sizes.map((candidate, k) => ({ candidate, p: ss[k]! }));
  return {
    primarySite: values(decide(primary, tumour.primarySite.threshold, tumour.primarySite.extraThreshold)),
    primarySize: values(decide(sized, tumour.primarySize.threshold, 2)),
    metastasisSites: values(decide(metastasis, tumour.metastasisSites.threshold, null)),
  };
}

/**
 * Primary, metastasis and size probabilities, from the trees (reading the regressions' scores of the whole report)
 * where the model has them. A tree score below every bar of its field only needs to be known as such (flatProbability's floor).
 */
function stackedScores(stack: NonNullable<LoadedModel['stack']>, tumour: TumourModel, sites: Candidate[], sizes: Candidate[], p: number[], m: number[], s: number[]): [number[], number[], number[]] {
  const { trees } = stack;
  const siteRows = trees.primarySite || trees.metastasisSites ? siteStackRows(sites, p, m, s, stack.siteBinary) : null;
  const boosted = (model: FlatTrees | undefined, rows: () => StackRows, floor: number, fallback: number[]): number[] => {
    if (!model) return fallback;
    const { data, width } = rows();
    return fallback.map((_, k) => flatProbability(model, data, k * width, floor));
  };
  return [
    boosted(trees.primarySite, () => siteRows!, Math.min(tumour.primarySite.threshold, tumour.primarySite.extraThreshold), p),
    boosted(trees.metastasisSites, () => siteRows!, tumour.metastasisSites.threshold, m),
    boosted(trees.primarySize, () => sizeStackRows(sizes, s, p, m, stack.sizeBinary), tumour.primarySize.threshold, s),
  ];
}

/** The clause a value was read from, as its evidence. */
function clauseAround(text: string, span: Region): Region {
  let start = span.start;
  while (start > 0 && !/[,，。;；\t\n]/.test(text[start - 1]!)) start--;
  let end = span.end;
  while (end < text.length && !/[,，。;；\t\n]/.test(text[end]!)) end++;
  return { start, end };
}
