/**
 * Compiles the medical knowledge graph (models/kg/kg.bin.gz) from ../shared/data/kg and ../shared/data/linking,
 * holds out a fixed slice of CHIP-CDN (data/linking/), fits the linker's scorer on the rest and tunes its
 * thresholds on a dev slice. Run with `npm run build:kg`. Not read at run time: only the artifact is.
 *
 * Not used: xywy food.txt (dishes, not clinical concepts), xywy deny.txt (negation cues, the attributes
 * stage's business), THUOCL (unlabelled word frequencies: no concept, type or synonym to take from it).
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PACKAGE_ROOT, readJsonResource, resourcePath } from '../src/resources.js';
import { boostedProbability, fitBoostedTrees } from '../src/linking/boost.js';
import { FEATURE_NAMES, fitLogistic, logistic, pairFeatures } from '../src/linking/features.js';
import { hospitalAbbreviations, loadHospitalAbbreviationRules } from '../src/linking/hospital-abbreviations.js';
import {
  encodeKg, KG_FILE, KnowledgeGraph, packKg, SURFACE_KINDS,
  type CompoundRow, type ConceptRow, type ConceptType, type HospitalRow, type KeywordRow, type KgRows, type LabRow, type ScorerWeights, type SurfaceKind, type SurfaceRow,
} from '../src/linking/kg.js';
import { chooseDiagnoses, contextRows, Linker, RERANK_FEATURES } from '../src/linking/linker.js';
import { normalizeKey, stableHash } from '../src/linking/normalize.js';
import { sharedDataPath } from './shared-data.js';

interface CdnRow { text: string; normalized_result: string }

const read = (...p: string[]): string => readFileSync(sharedDataPath(...p), 'utf8');
const lines = (...p: string[]): string[] => read(...p).split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
const readJson = <T>(...p: string[]): T => JSON.parse(read(...p)) as T;
const tsvResource = (name: string): string[][] =>
  readFileSync(resourcePath('linking', name), 'utf8').split(/\r?\n/).filter((l) => l.trim() && !l.startsWith('#')).map((l) => l.split('\t'));
const BOOSTING = { trees: 250, depth: 4, rate: 0.08 };
const goldNames = (row: CdnRow): string[] => [...new Set(row.normalized_result.split('##').map((n) => n.replace(/^"|"$/g, '').trim()).filter((n) => n && n !== 'O'))];

/** The deterministic split of CHIP-CDN train: 0 = held out (never used), 1 = dev (tuning), else train. */
const fold = (text: string): number => parseInt(stableHash(`chip-cdn:${text}`), 16) % 5;

class Builder {
  readonly concepts: ConceptRow[] = [];
  readonly surfaces: SurfaceRow[] = [];
  private readonly byKey = new Map<string, number>();
  private readonly surfaceSeen = new Set<string>();

  /** Diagnoses and symptoms share one namespace (腹痛 is both an ICD-10 R code and a symptom). */
  private static namespace(type: ConceptType): string {
    return type === 'disease' || type === 'symptom' ? 'dx' : type;
  }

  find(type: ConceptType, name: string): number | undefined {
    return this.byKey.get(`${Builder.namespace(type)}:${normalizeKey(name)}`);
  }

  add(type: ConceptType, name: string, id: string): number {
    const existing = this.find(type, name);
    if (existing !== undefined) return existing;
    const index = this.concepts.length;
    this.concepts.push([id, name, type, 0]);
    this.byKey.set(`${Builder.namespace(type)}:${normalizeKey(name)}`, index);
    this.surface(index, name, 'name');
    return index;
  }

  /** Folds an uncoded concept into another: its surfaces now name `into`, and it keeps none of its own. */
  merge(from: number, into: number): void {
    if (from === into) return;
    for (const row of this.surfaces) if (row[1] === from) row[1] = into;
    for (const [key, index] of this.byKey) if (index === from) this.byKey.set(key, into);
  }

  surface(concept: number, text: string, kind: SurfaceKind): void {
    const key = normalizeKey(text);
    if (key.length === 0 || key.length > 64) return;
    const seen = `${key}\u0000${concept}`;
    if (this.surfaceSeen.has(seen)) return;
    this.surfaceSeen.add(seen);
    this.surfaces.push([key, concept, SURFACE_KINDS.indexOf(kind)]);
  }
}

const idFor = (prefix: string, name: string): string => `${prefix}:${stableHash(name)}`;

function addIcd10(b: Builder): void {
  const byName = new Map<string, string>();
  for (const line of lines('kg', 'icd10-beijing-v601.tsv')) {
    const [code, name] = line.split('\t');
    if (!code || !name) continue;
    const previous = byName.get(name);
    // One concept per name, coded with its most specific code (the clinical extension code coders use).
    if (previous === undefined || code.replace(/[+*].*$/, '').length > previous.replace(/[+*].*$/, '').length) byName.set(name, code);
  }
  for (const [name, code] of byName) {
    const type: ConceptType = /^R\d/.test(code) ? 'symptom' : 'disease';
    const c = b.add(type, name, `icd10:${code}`);
    // 多发性神经病[多发性神经炎/周围神经炎] is also written as each bracketed alternative.
    const bracket = /^(.+?)\[(.+)\]$/.exec(name);
    if (bracket) {
      b.surface(c, bracket[1]!, 'synonym');
      for (const alt of bracket[2]!.split('/')) b.surface(c, alt, 'synonym');
    }
    const plain = name.replace(/^未特指的/, '').replace(/[,，]?未特指的?$/, '');
    if (plain !== name && plain.length >= 2) b.surface(c, plain, 'synonym');
  }
}

function addProcedures(b: Builder): void {
  for (const line of lines('kg', 'procedure-icd9cm3-2500.tsv')) {
    const [mention, code, name] = line.split('\t');
    if (!mention || !code || !name) continue;
    const c = b.add('procedure', name, `icd9cm3:${code}`);
    b.surface(c, mention, 'synonym');
  }
}

function addDrugs(b: Builder): void {
  const forms = readJsonResource<{ forms: string[]; prefixes: string[] }>('linking', 'drug-forms.json');
  const ingredient = (name: string): string => {
    let s = name;
    for (const p of forms.prefixes) if (s.startsWith(p)) s = s.slice(p.length);
    for (const f of forms.forms) if (s.endsWith(f) && s.length > f.length + 1) return s.slice(0, -f.length);
    return s;
  };
  const addProduct = (generic: string): number => {
    const c = b.add('drug', generic, idFor('drug', generic));
    const base = ingredient(generic);
    if (base !== generic) b.add('drug', base, idFor('drug', base));
    return c;
  };
  const folder = sharedDataPath('kg', 'drugs', '01-data');
  for (const file of readdirSync(folder).filter((f) => f.endsWith('.json')).sort()) {
    const rows = (JSON.parse(readFileSync(join(folder, file), 'utf8')) as { data: Array<{ drug_generic_name?: string; trade_name?: string }> }).data;
    for (const row of rows) {
      if (!row.drug_generic_name) continue;
      const c = addProduct(row.drug_generic_name.trim());
      if (row.trade_name) b.surface(c, row.trade_name.trim(), 'synonym');
    }
  }
  const known: string[] = [];
  for (const name of lines('kg', 'xywy', 'drug.txt')) { addProduct(name); known.push(name); }
  // producer.txt holds maker-prefixed products (鲁抗阿莫西林颗粒): the longest known drug it ends with.
  known.sort((a, b) => b.length - a.length);
  const bySuffix = new Map<string, string>();
  for (const name of known) if (name.length >= 3) bySuffix.set(name, name);
  for (const product of lines('kg', 'xywy', 'producer.txt')) {
    for (let start = 1; start < product.length - 2; start++) {
      const tail = product.slice(start);
      const hit = bySuffix.get(tail);
      if (hit) { b.surface(b.find('drug', hit)!, product, 'synonym'); break; }
    }
  }
}

function addLabs(b: Builder): LabRow[] {
  interface Analyte { abbr: string; names: string[]; english: string; unit: string; range: string; standard: string | null }
  const byAbbr = new Map<string, Analyte>();
  const keyOf = (abbr: string): string => abbr.toUpperCase();
  for (const line of lines('kg', 'lab', 'analytes.tsv').slice(1)) {
    const [abbr, zh, , en] = line.split('\t');
    if (!abbr || !zh || /[(（,，]/.test(abbr)) continue;
    let a = byAbbr.get(keyOf(abbr));
    if (!a) { a = { abbr, names: [], english: en ?? '', unit: '', range: '', standard: null }; byAbbr.set(keyOf(abbr), a); }
    a.names.push(zh.replace(/\s+/g, ''));
  }
  const panels = readJson<Record<string, { panel: string; items: Array<{ short_name: string; name: string; reference: string; unit: string }> }>>('kg', 'lab', 'panels.json');
  for (const panel of Object.values(panels)) {
    for (const item of panel.items) {
      if (!item.short_name || item.short_name === '-' || !item.name) continue;
      let a = byAbbr.get(keyOf(item.short_name));
      if (!a) { a = { abbr: item.short_name, names: [], english: '', unit: '', range: '', standard: null }; byAbbr.set(keyOf(item.short_name), a); }
      // The report panel's Chinese name is what lab sheets print; it becomes the standard name.
      a.standard ??= item.name;
      a.unit ||= item.unit;
      a.range ||= item.reference;
    }
  }
  const rows: LabRow[] = [];
  const conceptOf = new Map<string, number>();
  for (const a of byAbbr.values()) {
    const standard = a.standard ?? a.names[0];
    if (!standard) continue;
    const c = b.add('lab', standard, `lab:${a.abbr}`);
    conceptOf.set(keyOf(a.abbr), c);
    b.surface(c, a.abbr, 'abbreviation');
    for (const n of a.names) for (const part of n.split('/')) b.surface(c, part, 'synonym');
    if (a.english) b.surface(c, a.english.replace(/\s*\(.*\)$/, ''), 'synonym');
    rows.push([c, a.abbr, a.english, a.unit, a.range]);
  }
  for (const [variant, abbr] of tsvResource('lab-synonyms.tsv')) {
    const c = conceptOf.get(keyOf(abbr!));
    if (c !== undefined) b.surface(c, variant!, 'synonym');
  }
  for (const name of lines('kg', 'xywy', 'check.txt')) if (b.find('lab', name) === undefined) b.add('exam', name, idFor('exam', name));
  return rows;
}

function addHospitals(b: Builder): HospitalRow[] {
  interface Hospital { name: string; aliases: string[]; province: string; city: string; rank: number }
  const hospitals = new Map<string, Hospital>();
  const regions = new Set<string>();
  const rules = loadHospitalAbbreviationRules();
  const addRegion = (r: string): void => {
    regions.add(r);
    for (const suffix of rules.regionSuffixes) if (r.endsWith(suffix) && r.length > suffix.length + 1) regions.add(r.slice(0, -suffix.length));
  };
  for (const r of rules.extraRegions) addRegion(r);
  const upsert = (raw: string, province: string, city: string, rank: number): void => {
    const m = /^(.+?)[(（]([^)）]+)[)）]$/.exec(raw.trim());
    const name = (m ? m[1]! : raw).trim();
    const alias = m?.[2]?.trim();
    if (!name.endsWith('医院') && !name.endsWith('中心') && !name.endsWith('院')) return;
    let h = hospitals.get(name);
    if (!h) { h = { name, aliases: [], province, city, rank: 0 }; hospitals.set(name, h); }
    if (alias && !/院区|分院|南部|北部|东院|西院|^[东南西北]院$/.test(alias) && alias.length >= 4) h.aliases.push(alias);
    if (!h.province) h.province = province;
    if (!h.city) h.city = city;
    if (rank && (!h.rank || rank < h.rank)) h.rank = rank;
  };
  const china = readJson<{ provinceList: Array<{ province: string; cityList: Array<{ city: string; hospitalList?: Array<{ name: string }> }> }> }>('kg', 'hospitals', 'china-2020.json');
  for (const p of china.provinceList) {
    addRegion(p.province);
    for (const c of p.cityList) {
      addRegion(c.city);
      for (const h of c.hospitalList ?? []) upsert(h.name, p.province, c.city, 0);
    }
  }
  for (const h of readJson<Array<Record<string, string>>>('kg', 'hospitals', 'beijing-institutions.json')) {
    addRegion(h['2']!);
    if (/医院/.test(h['1']!)) upsert(h['1']!, '北京市', '北京市', 0);
  }
  for (const h of readJson<Array<{ index: string; name: string }>>('kg', 'hospitals', 'ranking.json')) upsert(h.name, '', '', Number(h.index));
  for (const d of readJson<Array<{ list: Array<{ name: string }>; nominate?: string }>>('kg', 'departments-ranking.json')) {
    for (const h of d.list) upsert(h.name, '', '', 0);
  }
  // Abbreviations: each goes to the one hospital that generates it, or to the best-ranked of several.
  const claims = new Map<string, Hospital[]>();
  for (const h of hospitals.values()) {
    for (const source of [h.name, ...h.aliases]) {
      for (const abbr of hospitalAbbreviations(source, regions, rules)) {
        const list = claims.get(abbr) ?? [];
        if (!list.includes(h)) list.push(h);
        claims.set(abbr, list);
      }
    }
  }
  const rows: HospitalRow[] = [];
  const conceptOf = new Map<Hospital, number>();
  for (const h of hospitals.values()) {
    const c = b.add('hospital', h.name, idFor('hospital', h.name));
    conceptOf.set(h, c);
    for (const alias of h.aliases) b.surface(c, alias, 'synonym');
    rows.push([c, h.province, h.city, h.rank]);
  }
  for (const [abbr, list] of claims) {
    if (hospitals.has(abbr)) continue;
    const ranked = list.filter((h) => h.rank > 0).sort((x, y) => x.rank - y.rank);
    const owner = list.length === 1 ? list[0] : ranked.length > 0 && (ranked.length === 1 || ranked[0]!.rank < ranked[1]!.rank) ? ranked[0] : undefined;
    if (owner) b.surface(conceptOf.get(owner)!, abbr, 'abbreviation');
  }
  return rows;
}

function addDepartments(b: Builder): void {
  for (const name of lines('kg', 'xywy', 'department.txt')) b.add('department', name, idFor('department', name));
  for (const d of readJson<Array<{ department: string }>>('kg', 'departments-ranking.json')) b.add('department', d.department, idFor('department', d.department));
}

function addXywyDiagnoses(b: Builder): void {
  for (const name of lines('kg', 'xywy', 'disease.txt')) b.add('disease', name, idFor('disease', name));
  for (const name of lines('kg', 'xywy', 'symptom.txt')) b.add('symptom', name, idFor('symptom', name));
}

function addSynonymDictionaries(b: Builder): void {
  // MedTN: 'CUI||name' groups of synonyms, plus mentions annotated with CUIs. A group joins the concept of its
  // first member that is already known (ICD-10 names first), else becomes a concept named by its first member.
  for (const [folder, dictionary, type] of [['medtn-cmt', 'train_dictionary.txt', 'disease'], ['medtn-cskb', 'dictionary.txt', 'symptom']] as const) {
    const groups = new Map<string, string[]>();
    for (const line of lines('linking', folder, dictionary)) {
      const [cui, name] = line.split('||');
      if (!cui || !name) continue;
      const g = groups.get(cui) ?? [];
      g.push(name);
      groups.set(cui, g);
    }
    for (const file of ['processed_traindev.concept', 'processed_test.concept']) {
      for (const line of lines('linking', folder, file)) {
        const parts = line.split('||');
        const mention = parts[parts.length - 2];
        const cui = parts[parts.length - 1];
        if (mention && cui && groups.has(cui)) groups.get(cui)!.push(mention);
      }
    }
    for (const [cui, names] of groups) {
      const known = names.map((n) => b.find(type, n)).filter((c): c is number => c !== undefined);
      const icd = known.find((c) => b.concepts[c]![0].startsWith('icd10:'));
      const c = icd ?? known[0] ?? b.add(type, names[0]!, `${folder}:${cui}`);
      for (const n of names) b.surface(c, n.replace(/\s+/g, ''), 'synonym');
    }
  }
  // Curated colloquial terms (resources/linking/colloquial.tsv) are trusted like synonyms and win over IMCS-21.
  const curated = new Map(tsvResource('colloquial.tsv').map(([variant, standard]) => [normalizeKey(variant!), standard!]));
  for (const [variant, standard] of curated) {
    const c = b.find('symptom', standard) ?? b.add('symptom', standard, idFor('symptom', standard));
    const own = b.find('symptom', variant);
    // 发烧 listed as a symptom of its own (xywy, IMCS-21) is the same symptom as 发热.
    if (own !== undefined && !b.concepts[own]![0].startsWith('icd10:')) b.merge(own, c);
    b.surface(c, variant, 'synonym');
  }
  // IMCS-21: standard symptom ← colloquial variants. Variants that are themselves another concept's name
  // (腹泻 under 稀便), curated elsewhere, or a single character are too loose to keep.
  for (const line of lines('linking', 'imcs21', 'norm_symptom_list.txt')) {
    const [standard, variants] = line.split('\t');
    if (!standard || !variants) continue;
    const c = b.add('symptom', standard, idFor('symptom', standard));
    for (const v of variants.split('/')) {
      const other = b.find('symptom', v);
      if (v.length >= 2 && !curated.has(normalizeKey(v)) && (other === undefined || other === c)) b.surface(c, v, 'colloquial');
    }
  }
  for (const name of [...lines('linking', 'imcs21', 'all_norm_symptoms.txt'), ...lines('linking', 'imcs21', 'symptom_norm.csv').slice(1)]) {
    b.add('symptom', name, idFor('symptom', name));
  }
}

/** Assigns each gold name of a training row to the text segment it shares most characters with. */
function alignSegments(text: string, names: string[], separators: RegExp): Map<string, string[]> {
  const segments = normalizeKey(text).split(separators).filter((s) => s.length >= 2);
  const out = new Map<string, string[]>();
  if (segments.length === 0) return out;
  const similarity = (a: string, b: string): number => {
    const set = new Set(b);
    let shared = 0;
    for (const ch of a) if (set.has(ch)) shared++;
    return shared / Math.max(a.length, 1);
  };
  for (const name of names) {
    let best = segments[0]!;
    let bestScore = -1;
    for (const s of segments) {
      const score = similarity(normalizeKey(name), s);
      if (score > bestScore) { bestScore = score; best = s; }
    }
    if (bestScore <= 0 && segments.length > 1) continue;
    const list = out.get(best) ?? [];
    list.push(name);
    out.set(best, list);
  }
  return out;
}

interface Memory { compounds: CompoundRow[]; keywords: KeywordRow[]; segments: CompoundRow[] }

/** What the training rows teach: phrases coded before, segment synonyms, answer priors and keyword rules. */
function addTrainingMemory(b: Builder, rows: CdnRow[], separators: RegExp): Memory {
  const conceptOfName = (name: string): number => b.find('disease', name) ?? b.add('disease', name, idFor('disease', name));
  const compounds = new Map<string, Set<number>>();
  const segments = new Map<string, Set<number>>();
  const gramTotal = new Map<string, number>();
  const gramWith = new Map<string, Map<number, number>>();
  for (const row of rows) {
    const names = goldNames(row);
    if (names.length === 0) continue;
    const concepts = names.map(conceptOfName);
    for (const c of concepts) b.concepts[c]![3] += 1;
    const key = normalizeKey(row.text);
    compounds.set(key, new Set(concepts));
    for (const [segment, segmentNames] of alignSegments(row.text, names, separators)) {
      const coded = segments.get(segment) ?? new Set<number>();
      for (const n of segmentNames) coded.add(conceptOfName(n));
      segments.set(segment, coded);
      if (segmentNames.length === 1) b.surface(conceptOfName(segmentNames[0]!), segment, 'mention');
      else if (!compounds.has(segment)) compounds.set(segment, new Set(segmentNames.map(conceptOfName)));
    }
    const grams = new Set<string>();
    for (let n = 1; n <= 4; n++) for (let i = 0; i + n <= key.length; i++) grams.add(key.slice(i, i + n));
    for (const g of grams) {
      gramTotal.set(g, (gramTotal.get(g) ?? 0) + 1);
      let m = gramWith.get(g);
      if (!m) { m = new Map(); gramWith.set(g, m); }
      for (const c of new Set(concepts)) m.set(c, (m.get(c) ?? 0) + 1);
    }
  }
  addRewriteSurfaces(b, rows, separators);
  const keywords: KeywordRow[] = [];
  for (const [g, total] of gramTotal) {
    if (total < 5 || !/\p{Script=Han}/u.test(g)) continue;
    for (const [c, hits] of gramWith.get(g)!) {
      const precision = (hits + 1) / (total + 2);
      if (hits >= 5 && precision >= 0.5) keywords.push([g, c, Math.round(precision * 1000) / 1000]);
    }
  }
  // A longer gram that implies the same concept as one of its substrings adds nothing.
  keywords.sort((x, y) => x[0].length - y[0].length);
  const kept: KeywordRow[] = [];
  for (const k of keywords) if (!kept.some((s) => s[1] === k[1] && k[0].includes(s[0]) && s[2] >= k[2])) kept.push(k);
  return { compounds: [...compounds].map(([k, v]) => [k, [...v]]), keywords: kept, segments: [...segments].map(([k, v]) => [k, [...v]]) };
}

/**
 * Learns how coders rewrite the end of a phrase (右肺小细胞癌 → 右肺恶性肿瘤: 小细胞癌 → 恶性肿瘤) from aligned
 * training pairs, then spells every diagnosis name the other way round as a `derived` surface, so exact and
 * covering lookup find 右肺小细胞癌 without a fuzzy guess. Rules seen fewer than MIN_REWRITE times are dropped.
 */
function addRewriteSurfaces(b: Builder, rows: CdnRow[], separators: RegExp): void {
  const MIN_REWRITE = 3;
  const split = readJsonResource<{ leadingQualifiers: string[] }>('linking', 'diagnosis-split.json');
  const leading = split.leadingQualifiers.map(normalizeKey).sort((x, y) => y.length - x.length);
  const strip = (s: string): string => {
    for (const q of leading) if (s.startsWith(q) && s.length > q.length + 1) return s.slice(q.length);
    return s;
  };
  const counts = new Map<string, number>();
  for (const row of rows) {
    for (const [segment, names] of alignSegments(row.text, goldNames(row), separators)) {
      const mention = strip(segment);
      for (const name of names) {
        const gold = normalizeKey(name);
        let common = 0;
        while (common < mention.length && common < gold.length && mention[common] === gold[common]) common++;
        const from = mention.slice(common);
        const to = gold.slice(common);
        if (common < 1 || from === to || from.length === 0 || from.length > 8 || to.length === 0 || to.length > 10) continue;
        const rule = `${from}\u0000${to}`;
        counts.set(rule, (counts.get(rule) ?? 0) + 1);
      }
    }
  }
  const byTarget = new Map<string, string[]>();
  for (const [rule, count] of counts) {
    if (count < MIN_REWRITE) continue;
    const [from, to] = rule.split('\u0000') as [string, string];
    const list = byTarget.get(to) ?? [];
    list.push(from);
    byTarget.set(to, list);
  }
  const coded = (c: number): boolean => b.concepts[c]![0].startsWith('icd10:') || b.concepts[c]![3] > 0;
  const taken = new Set(b.surfaces.filter((s) => coded(s[1])).map((s) => s[0]));
  const targets = [...byTarget.keys()];
  b.concepts.forEach(([, name], concept) => {
    if (!coded(concept)) return;
    const key = normalizeKey(name);
    for (const to of targets) {
      if (!key.endsWith(to) || key.length - to.length < 1) continue;
      for (const from of byTarget.get(to)!) {
        const derived = key.slice(0, key.length - to.length) + from;
        if (derived.length >= 2 && !taken.has(derived)) b.surface(concept, derived, 'derived');
      }
    }
  });
}

function compile(memoryRows: CdnRow[], scorer: ScorerWeights): KgRows {
  const b = new Builder();
  addIcd10(b);
  addProcedures(b);
  addXywyDiagnoses(b);
  addSynonymDictionaries(b);
  const labs = addLabs(b);
  addDrugs(b);
  addDepartments(b);
  const hospitals = addHospitals(b);
  const split = readJsonResource<{ separators: string }>('linking', 'diagnosis-split.json');
  const memory = addTrainingMemory(b, memoryRows, new RegExp(split.separators, 'u'));
  return {
    sources: ['icd10-beijing-v601', 'procedure-icd9cm3-2500', 'xywy', 'original-drug-list', 'lab analytes+panels', 'hospitals', 'departments-ranking', 'medtn-cmt', 'medtn-cskb', 'imcs21', 'chip-cdn (train slice)', 'resources/linking'],
    concepts: b.concepts,
    surfaces: b.surfaces,
    labs,
    hospitals,
    compounds: memory.compounds,
    keywords: memory.keywords,
    segments: memory.segments,
    scorer,
  };
}

/** Scorer training pairs: each single-answer training segment against its fuzzy candidates (itself excluded). */
function trainingPairs(linker: Linker, rows: CdnRow[], separators: RegExp): { x: Float64Array[]; y: number[] } {
  const kg = linker.kg;
  const x: Float64Array[] = [];
  const y: number[] = [];
  const accept = (c: number): boolean => kg.diagnosisConcept[c] === 1;
  for (const row of rows) {
    for (const [segment, names] of alignSegments(row.text, goldNames(row), separators)) {
      if (names.length !== 1) continue;
      const gold = normalizeKey(names[0]!);
      for (const hit of linker.fuzzyHits(segment, 24, accept)) {
        const s = hit.surface;
        if (kg.surfaceKind[s] === SURFACE_KINDS.indexOf('mention') && kg.surfaceKeys[s] === segment) continue;
        const c = kg.surfaceConcept[s]!;
        const agreement = kg.types[c] === 'disease' ? 1 : 0.5;
        x.push(pairFeatures(segment, kg.surfaceKeys[s]!, hit.dice, kg.surfaceKind[s]!, agreement, kg.prior[c]!, new Float64Array(FEATURE_NAMES.length)));
        y.push(normalizeKey(kg.names[c]!) === gold ? 1 : 0);
      }
    }
  }
  // Procedure mentions (ICD-9-CM-3 training pairs) teach the scorer about concepts no diagnosis answer ever
  // used, so that a zero prior alone does not sink them. Each mention's own surface is left out.
  const isProcedure = (c: number): boolean => kg.types[c] === 'procedure';
  for (const line of lines('kg', 'procedure-icd9cm3-2500.tsv')) {
    const [mention, , name] = line.split('\t');
    if (!mention || !name) continue;
    const key = normalizeKey(mention);
    const gold = normalizeKey(name);
    if (key === gold) continue;
    for (const hit of linker.fuzzyHits(key, 24, isProcedure)) {
      const s = hit.surface;
      if (kg.surfaceKeys[s] === key) continue;
      const c = kg.surfaceConcept[s]!;
      x.push(pairFeatures(key, kg.surfaceKeys[s]!, hit.dice, kg.surfaceKind[s]!, 1, kg.prior[c]!, new Float64Array(FEATURE_NAMES.length)));
      y.push(normalizeKey(kg.names[c]!) === gold ? 1 : 0);
    }
  }
  return { x, y };
}

function main(): void {
  const started = performance.now();
  const all = readJson<CdnRow[]>('linking', 'chip-cdn', 'train.json');
  const heldOut = all.filter((r) => fold(r.text) === 0);
  const dev = all.filter((r) => fold(r.text) === 1);
  const train = all.filter((r) => fold(r.text) >= 2);
  const dataDir = join(PACKAGE_ROOT, 'data', 'linking');
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, 'chip-cdn-heldout.json'), JSON.stringify(heldOut, null, 0));
  writeFileSync(join(dataDir, 'chip-cdn-dev.json'), JSON.stringify(dev, null, 0));
  console.log(`CHIP-CDN: ${train.length} train, ${dev.length} dev, ${heldOut.length} held out → ${dataDir}`);
  if (process.argv.includes('--data-only')) return;

  const split = readJsonResource<{ separators: string }>('linking', 'diagnosis-split.json');
  const separators = new RegExp(split.separators, 'u');
  const rerank: ScorerWeights['rerank'] = { weights: new Array<number>(RERANK_FEATURES.length).fill(0), bias: 0, threshold: 0.5, fallback: 1 };
  const scorer: ScorerWeights = { features: [...FEATURE_NAMES], weights: new Array<number>(FEATURE_NAMES.length).fill(0), bias: 0, threshold: 0.3, coverage: 0.3, rerank };
  const trainKg = new KnowledgeGraph(packKg(compile(train, scorer)));
  const trainLinker = new Linker(trainKg);
  const pairs = trainingPairs(trainLinker, train, separators);
  const fitted = fitLogistic(pairs.x, pairs.y);
  scorer.weights = fitted.weights.map((w) => Math.round(w * 1e5) / 1e5);
  scorer.bias = Math.round(fitted.bias * 1e5) / 1e5;
  console.log(`pair scorer: ${pairs.x.length} pairs (${pairs.y.filter((v) => v === 1).length} positive)`);
  console.log(Object.fromEntries(FEATURE_NAMES.map((f, i) => [f, scorer.weights[i]])), 'bias', scorer.bias);

  // The re-ranker learns from out-of-fold candidates: the non-held-out rows split in five, each fifth linked
  // by a graph that remembers only the other four, so no row sees its own answer. Its cut-off is the one with
  // the best out-of-fold F1.
  const pool = [...train, ...dev];
  const FOLDS = 5;
  const rerankFold = (text: string): number => parseInt(stableHash(`rerank:${text}`), 16) % FOLDS;
  const examples: Array<{ x: Float64Array[]; y: number[]; ids: string[]; names: string[]; segments: number; gold: Set<string>; fold: number }> = [];
  for (let k = 0; k < FOLDS; k++) {
    const kg = new KnowledgeGraph(packKg(compile(pool.filter((r) => rerankFold(r.text) !== k), scorer)));
    const linker = new Linker(kg);
    for (const row of pool.filter((r) => rerankFold(r.text) === k)) {
      const gold = new Set(goldNames(row));
      const key = normalizeKey(row.text);
      const found = linker.diagnosisCandidates(key);
      const concepts = [...found.keys()];
      examples.push({
        x: concepts.map((c) => found.get(c)!), y: concepts.map((c) => (gold.has(kg.names[c]!) ? 1 : 0)),
        ids: concepts.map((c) => kg.ids[c]!), names: concepts.map((c) => kg.names[c]!), segments: linker.segmentCount(key), gold, fold: k,
      });
    }
    console.log(`re-ranker fold ${k}: ${examples.length} rows so far`);
  }
  const reachable = examples.reduce((n, d) => n + d.y.reduce((a, b) => a + b, 0), 0) / examples.reduce((n, d) => n + d.gold.size, 0);
  console.log(`re-ranker: ${examples.reduce((n, d) => n + d.x.length, 0)} candidates, ${(100 * reachable).toFixed(1)}% of answers among them`);
  // Out-of-fold probabilities: each fold's candidates scored by a model fitted on the other folds' candidates.
  type Fitted = (x: Float64Array) => number;
  const outOfFold = (rows: Float64Array[][], fit: (x: Float64Array[], y: number[]) => Fitted): number[][] => {
    const probabilities = examples.map(() => [] as number[]);
    for (let k = 0; k < FOLDS; k++) {
      const rest = examples.flatMap((d, e) => (d.fold === k ? [] : [e]));
      const predict = fit(rest.flatMap((e) => rows[e]!), rest.flatMap((e) => examples[e]!.y));
      examples.forEach((d, e) => { if (d.fold === k) probabilities[e] = rows[e]!.map(predict); });
    }
    return probabilities;
  };
  const bestRule = (probabilities: number[][]): { cut: number; fallback: number; f1: number } => {
    const f1At = (rule: { threshold: number; fallback: number }): number => {
      let tp = 0, fp = 0, fn = 0;
      examples.forEach((d, e) => {
        const predicted = new Set(chooseDiagnoses(d.names.map((name, i) => ({ name, p: probabilities[e]![i]! })), rule).map((s) => s.name));
        for (const p of predicted) if (d.gold.has(p)) tp++; else fp++;
        for (const g of d.gold) if (!predicted.has(g)) fn++;
      });
      return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
    };
    let best = { cut: 0.5, fallback: 1, f1: -1 };
    for (let step = 0; step <= 20; step++) {
      const cut = Math.round((0.2 + step * 0.025) * 1000) / 1000;
      for (const fallback of [0.1, 0.2, 0.3, 1]) {
        const score = f1At({ threshold: cut, fallback: Math.min(fallback, cut) });
        if (score > best.f1) best = { cut, fallback: Math.min(fallback, cut), f1: score };
      }
    }
    return best;
  };
  // Two first re-rankers; the one with the better out-of-fold F1 (at its best cut-off) ships, refitted on all candidates.
  const fitters: Record<'logistic' | 'trees', (x: Float64Array[], y: number[]) => Fitted> = {
    logistic: (x, y) => { const m = fitLogistic(x, y); return (v) => logistic(m.weights, m.bias, v); },
    trees: (x, y) => { const m = fitBoostedTrees(x, y, BOOSTING); return (v) => boostedProbability(m, v); },
  };
  const firstRows = examples.map((d) => d.x);
  const outcome: Record<string, { cut: number; fallback: number; f1: number; probabilities: number[][] }> = {};
  for (const [kind, fit] of Object.entries(fitters)) {
    const probabilities = outOfFold(firstRows, fit);
    outcome[kind] = { ...bestRule(probabilities), probabilities };
    console.log(`re-ranker ${kind}: out-of-fold F1 ${outcome[kind].f1.toFixed(4)} at cut ${outcome[kind].cut}, fallback ${outcome[kind].fallback}`);
  }
  const useTrees = outcome.trees!.f1 > outcome.logistic!.f1;
  let chosen = useTrees ? outcome.trees! : outcome.logistic!;
  // Stacking: the second re-ranker sees the first's out-of-fold probabilities of all of a string's candidates
  // (as it will see the shipped first model's at run time) and is itself judged out-of-fold.
  let contextData: Float64Array[][] | null = null;
  if (useTrees) {
    const first = outcome.trees!.probabilities;
    contextData = examples.map((d, e) => contextRows(d.x, d.ids, d.names, first[e]!, d.segments));
    const probabilities = outOfFold(contextData, fitters.trees);
    const second = { ...bestRule(probabilities), probabilities };
    console.log(`second re-ranker (context): out-of-fold F1 ${second.f1.toFixed(4)} at cut ${second.cut}, fallback ${second.fallback}`);
    if (second.f1 > chosen.f1) chosen = second;
    else contextData = null;
  }
  const model = fitLogistic(examples.flatMap((d) => d.x), examples.flatMap((d) => d.y));
  rerank.weights = model.weights.map((w) => Math.round(w * 1e5) / 1e5);
  rerank.bias = Math.round(model.bias * 1e5) / 1e5;
  rerank.threshold = chosen.cut;
  rerank.fallback = chosen.fallback;
  if (useTrees) rerank.trees = fitBoostedTrees(examples.flatMap((d) => d.x), examples.flatMap((d) => d.y), BOOSTING);
  if (contextData) rerank.context = fitBoostedTrees(contextData.flat(), examples.flatMap((d) => d.y), BOOSTING);
  console.log(`chosen: ${useTrees ? 'boosted trees' : 'logistic'} re-ranker${contextData ? ' + context re-ranker' : ''}, cut ${rerank.threshold}, fallback ${rerank.fallback}, out-of-fold F1 ${chosen.f1.toFixed(4)}`);
  if (process.env.KG_DEV_ERRORS) {
    const errors: string[] = [];
    for (const row of dev) {
      const gold = new Set(goldNames(row));
      const found = trainLinker.diagnosisCandidates(normalizeKey(row.text));
      const lines: string[] = [];
      for (const [c, x] of found) {
        const p = logistic(rerank.weights, rerank.bias, x);
        const isGold = gold.has(trainKg.names[c]!);
        if (isGold !== p >= rerank.threshold) lines.push(`  ${isGold ? 'MISS' : 'FP  '} ${trainKg.names[c]} p=${p.toFixed(2)} ${RERANK_FEATURES.map((f, i) => (x[i] ? `${f}=${x[i]!.toFixed(2)}` : '')).filter(Boolean).join(' ')}`);
      }
      const unreachable = [...gold].filter((g) => ![...found.keys()].some((c) => trainKg.names[c] === g));
      if (lines.length || unreachable.length) errors.push(`${row.text}\n${lines.join('\n')}${unreachable.length ? `\n  UNREACHABLE ${unreachable.join(' | ')}` : ''}`);
    }
    writeFileSync(join(dataDir, 'dev-errors.txt'), errors.join('\n'));
  }

  // The shipped graph remembers train + dev; the held-out slice stays out.
  const final = compile([...train, ...dev], scorer);
  mkdirSync(join(PACKAGE_ROOT, 'models', 'kg'), { recursive: true });
  const bytes = gzipSync(encodeKg(packKg(final)), { level: 9 });
  writeFileSync(join(PACKAGE_ROOT, 'models', 'kg', KG_FILE), bytes);
  const count = (t: ConceptType): number => final.concepts.filter((c) => c[2] === t).length;
  console.log(`wrote models/kg/${KG_FILE}: ${(bytes.length / 1e6).toFixed(2)} MB, ${final.concepts.length} concepts (${(['disease', 'symptom', 'drug', 'lab', 'exam', 'procedure', 'department', 'hospital'] as const).map((t) => `${t} ${count(t)}`).join(', ')}), ${final.surfaces.length} surfaces, ${final.compounds.length} compounds, ${final.keywords.length} keyword rules in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

main();
