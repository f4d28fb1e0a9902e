import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { MedstructError } from '../errors.js';
import { modelPath } from '../resources.js';
import type { BoostedTrees } from './boost.js';
import { lowerBound } from '../util/search.js';

/** Concept types in the knowledge graph. */
export const CONCEPT_TYPES = ['disease', 'symptom', 'drug', 'lab', 'exam', 'procedure', 'department', 'hospital'] as const;
export type ConceptType = (typeof CONCEPT_TYPES)[number];

/** How a surface names its concept; the scorer weighs them differently. */
/** `derived`: a spelling made by applying a suffix rewrite learned from training (乳腺恶性肿瘤 → 乳腺癌). */
export const SURFACE_KINDS = ['name', 'synonym', 'abbreviation', 'colloquial', 'mention', 'derived'] as const;
export type SurfaceKind = (typeof SURFACE_KINDS)[number];

/** [id, standard name, type, prior: how often CHIP-CDN training used it as an answer]. Codes follow from the id (icd10:…, icd9cm3:…, lab:…). */
export type ConceptRow = [string, string, ConceptType, number];
/** [normalized surface key, concept index, kind index into SURFACE_KINDS] */
export type SurfaceRow = [string, number, number];
/** [concept index, abbreviation, English name, unit, reference range] */
export type LabRow = [number, string, string, string, string];
/** [concept index, province, city, national rank (0 = unranked)] */
export type HospitalRow = [number, string, string, number];
/** A diagnosis phrase seen in training and the concepts it was coded as. */
export type CompoundRow = [string, number[]];
/** A character n-gram whose presence in a diagnosis string implies a concept, with its training precision. */
export type KeywordRow = [string, number, number];

export interface ScorerWeights {
  features: string[];
  weights: number[];
  bias: number;
  /** Least score for a fuzzy candidate to count as a link. */
  threshold: number;
  /**
   * The diagnosis re-ranker over the linker's RERANK_FEATURES: boosted trees when fitted (else logistic
   * weights), the least probability kept, and the fallback for a string where nothing reaches it.
   */
  rerank: { weights: number[]; bias: number; trees?: BoostedTrees; threshold: number; fallback: number };
  /** Least share of a diagnosis segment that known terms must cover for them to stand without a fuzzy match. */
  coverage: number;
}

/** The graph as the build script assembles it, row by row. */
export interface KgRows {
  sources: string[];
  concepts: ConceptRow[];
  surfaces: SurfaceRow[];
  labs: LabRow[];
  hospitals: HospitalRow[];
  compounds: CompoundRow[];
  keywords: KeywordRow[];
  /** Every aligned training segment with the answers coded for it, for neighbour votes per segment. */
  segments: CompoundRow[];
  scorer: ScorerWeights;
}

/**
 * The compiled artifact (models/kg/kg.json.gz): columns joined into strings and typed arrays in base64, the
 * surfaces sorted by key and the bigram index precomputed, so loading is a parse and a few buffer views.
 */
export interface KgFile {
  version: 2;
  sources: string[];
  conceptIds: string;
  conceptNames: string;
  /** One digit per concept: index into CONCEPT_TYPES. */
  conceptTypes: string;
  /** [concept index, prior] for concepts with a non-zero prior. */
  priors: Array<[number, number]>;
  surfaceKeys: string;
  surfaceConcepts: string;
  surfaceKinds: string;
  alphabet: string;
  gramCodes: string;
  gramStarts: string;
  gramPostings: string;
  labs: LabRow[];
  hospitals: HospitalRow[];
  compounds: CompoundRow[];
  keywords: KeywordRow[];
  segments: CompoundRow[];
  scorer: ScorerWeights;
}

export const KG_FILE = 'kg.json.gz';

const SEPARATOR = '\n';

const toBase64 = (a: Int32Array | Uint8Array): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
function int32(base64: string): Int32Array {
  const bytes = Buffer.from(base64, 'base64');
  const aligned = new Uint8Array(bytes.length);
  aligned.set(bytes);
  return new Int32Array(aligned.buffer, 0, bytes.length / 4);
}

/** Distinct bigram codes of a key over an alphabet (a one-unit key is its own gram); unknown units are skipped. */
function gramCodesOf(key: string, alphabet: ReadonlyMap<number, number>): number[] {
  const out: number[] = [];
  const at = (k: number): number => alphabet.get(key.charCodeAt(k)) ?? 0;
  if (key.length === 1) {
    const a = at(0);
    if (a) out.push(a);
    return out;
  }
  let previous = key.length > 0 ? at(0) : 0;
  for (let k = 1; k < key.length; k++) {
    const current = at(k);
    if (previous && current) {
      const g = previous * 65536 + current;
      if (!out.includes(g)) out.push(g);
    }
    previous = current;
  }
  return out;
}

/** Packs the rows into the artifact: sorts surfaces by key and builds the bigram postings. */
export function packKg(rows: KgRows): KgFile {
  const surfaces = [...rows.surfaces].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
  const alphabet = new Map<number, number>();
  for (const [key] of surfaces) for (let k = 0; k < key.length; k++) if (!alphabet.has(key.charCodeAt(k))) alphabet.set(key.charCodeAt(k), alphabet.size + 1);
  const postings = new Map<number, number[]>();
  surfaces.forEach(([key], i) => {
    for (const g of gramCodesOf(key, alphabet)) {
      const list = postings.get(g);
      if (list) list.push(i);
      else postings.set(g, [i]);
    }
  });
  const grams = [...postings.keys()].sort((a, b) => a - b);
  const starts = new Int32Array(grams.length + 1);
  grams.forEach((g, i) => { starts[i + 1] = starts[i]! + postings.get(g)!.length; });
  const data = new Int32Array(starts[grams.length]!);
  grams.forEach((g, i) => data.set(postings.get(g)!, starts[i]!));
  return {
    version: 2,
    sources: rows.sources,
    conceptIds: rows.concepts.map((c) => c[0]).join(SEPARATOR),
    conceptNames: rows.concepts.map((c) => c[1]).join(SEPARATOR),
    conceptTypes: rows.concepts.map((c) => CONCEPT_TYPES.indexOf(c[2])).join(''),
    priors: rows.concepts.flatMap((c, i): Array<[number, number]> => (c[3] > 0 ? [[i, c[3]]] : [])),
    surfaceKeys: surfaces.map((s) => s[0]).join(SEPARATOR),
    surfaceConcepts: toBase64(Int32Array.from(surfaces, (s) => s[1])),
    surfaceKinds: toBase64(Uint8Array.from(surfaces, (s) => s[2])),
    alphabet: String.fromCharCode(...[...alphabet.keys()]),
    gramCodes: toBase64(Int32Array.from(grams)),
    gramStarts: toBase64(starts),
    gramPostings: toBase64(data),
    labs: rows.labs,
    hospitals: rows.hospitals,
    compounds: rows.compounds,
    keywords: rows.keywords,
    segments: rows.segments,
    scorer: rows.scorer,
  };
}

/** The knowledge graph in memory, indexed for exact and fuzzy lookup. */
export class KnowledgeGraph {
  readonly ids: string[];
  readonly names: string[];
  readonly types: ConceptType[];
  readonly prior: Float32Array;
  /** Concepts that CHIP-CDN-style diagnosis coding may answer with (ICD-10 Beijing names and training answers). */
  readonly diagnosisConcept: Uint8Array;
  /** Sorted surface keys; rows sharing a key are adjacent. */
  readonly surfaceKeys: string[];
  readonly surfaceConcept: Int32Array;
  readonly surfaceKind: Uint8Array;
  readonly surfaceGrams: Uint16Array;
  readonly labs: LabRow[];
  readonly hospitals: HospitalRow[];
  readonly compounds = new Map<string, number[]>();
  readonly keywords: KeywordRow[];
  readonly segments: CompoundRow[];
  readonly scorer: ScorerWeights;
  readonly maxSurfaceLength: number;
  private readonly alphabet = new Map<number, number>();
  private readonly gramCodesSorted: Int32Array;
  private readonly gramStarts: Int32Array;
  private readonly gramPostings: Int32Array;
  private byId: Map<string, number> | null = null;

  constructor(file: KgFile) {
    this.ids = file.conceptIds.split(SEPARATOR);
    this.names = file.conceptNames.split(SEPARATOR);
    const n = this.ids.length;
    this.types = new Array<ConceptType>(n);
    for (let i = 0; i < n; i++) this.types[i] = CONCEPT_TYPES[file.conceptTypes.charCodeAt(i) - 48]!;
    this.prior = new Float32Array(n);
    for (const [i, p] of file.priors) this.prior[i] = p;
    this.diagnosisConcept = new Uint8Array(n);
    for (let i = 0; i < n; i++) if (this.ids[i]!.startsWith('icd10:') || this.prior[i]! > 0) this.diagnosisConcept[i] = 1;
    this.surfaceKeys = file.surfaceKeys.split(SEPARATOR);
    this.surfaceConcept = int32(file.surfaceConcepts);
    this.surfaceKind = new Uint8Array(Buffer.from(file.surfaceKinds, 'base64'));
    for (let i = 0; i < file.alphabet.length; i++) this.alphabet.set(file.alphabet.charCodeAt(i), i + 1);
    this.gramCodesSorted = int32(file.gramCodes);
    this.gramStarts = int32(file.gramStarts);
    this.gramPostings = int32(file.gramPostings);
    this.surfaceGrams = new Uint16Array(this.surfaceKeys.length);
    for (let p = 0; p < this.gramPostings.length; p++) this.surfaceGrams[this.gramPostings[p]!]!++;
    let maxLength = 0;
    for (const key of this.surfaceKeys) if (key.length > maxLength) maxLength = key.length;
    this.maxSurfaceLength = maxLength;
    this.labs = file.labs;
    this.hospitals = file.hospitals;
    for (const [key, concepts] of file.compounds) this.compounds.set(key, concepts);
    this.keywords = file.keywords;
    this.segments = file.segments;
    this.scorer = file.scorer;
  }

  get size(): number {
    return this.ids.length;
  }

  /** Codes by system, from the concept id: icd10:K35.900 → { icd10: 'K35.900' }. */
  codes(concept: number): Record<string, string> {
    const id = this.ids[concept]!;
    const colon = id.indexOf(':');
    const system = id.slice(0, colon);
    return system === 'icd10' || system === 'icd9cm3' || system === 'lab' ? { [system]: id.slice(colon + 1) } : {};
  }

  indexOf(id: string): number | undefined {
    if (!this.byId) {
      this.byId = new Map();
      this.ids.forEach((x, i) => this.byId!.set(x, i));
    }
    return this.byId.get(id);
  }

  /** Surface rows whose key is exactly `key`, as [first, end). */
  exact(key: string): [number, number] {
    const keys = this.surfaceKeys;
    const lo = lowerBound(keys, key);
    let end = lo;
    while (end < keys.length && keys[end] === key) end++;
    return [lo, end];
  }

  gramCodes(key: string): number[] {
    return gramCodesOf(key, this.alphabet);
  }

  /** Range of the postings of one gram in `postingData`, [start, end); empty when no surface has it. */
  postings(gram: number): [number, number] {
    const codes = this.gramCodesSorted;
    const lo = lowerBound(codes, gram);
    if (lo >= codes.length || codes[lo] !== gram) return [0, 0];
    return [this.gramStarts[lo]!, this.gramStarts[lo + 1]!];
  }

  get postingData(): Int32Array {
    return this.gramPostings;
  }

  /** ICD-10 ancestors of a code by the code's own structure: A00.901 → A00.9 → A00. */
  static icd10Ancestors(code: string): string[] {
    const base = code.replace(/[+*].*$/, '');
    const out: string[] = [];
    const m = /^([A-Z]\d\d)(?:\.(\d)(\w*))?$/.exec(base);
    if (!m) return out;
    if (m[3]) out.push(`${m[1]}.${m[2]}`);
    if (m[2] !== undefined) out.push(m[1]!);
    return out;
  }
}

/** Reads and indexes the compiled knowledge graph; MODEL_NOT_FOUND when it has not been built. */
export function loadKnowledgeGraph(path = modelPath('kg', KG_FILE)): KnowledgeGraph {
  if (!existsSync(path)) throw new MedstructError('MODEL_NOT_FOUND', `Knowledge graph not found at ${path}; run npm run build:kg`);
  const file = JSON.parse(gunzipSync(readFileSync(path)).toString('utf8')) as KgFile;
  if (file.version !== 2) throw new MedstructError('MODEL_NOT_FOUND', `Knowledge graph at ${path} has an old format; run npm run build:kg`);
  return new KnowledgeGraph(file);
}
