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
   * weights), the least probability kept, and the fallback for a string where nothing reaches it. `context`,
   * when fitted, re-scores each candidate from its features, its first probability and its standing among
   * the string's other candidates (CONTEXT_FEATURES); the cut-offs then apply to its probability.
   */
  rerank: { weights: number[]; bias: number; trees?: BoostedTrees; context?: BoostedTrees; threshold: number; fallback: number };
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
 * The packed graph: columns joined into strings and typed arrays, the surfaces sorted by key and the bigram
 * index precomputed, so loading is a few buffer views and splits.
 */
export interface KgFile {
  version: 3;
  sources: string[];
  conceptIds: string;
  conceptNames: string;
  /** One digit per concept: index into CONCEPT_TYPES. */
  conceptTypes: string;
  /** [concept index, prior] for concepts with a non-zero prior. */
  priors: Array<[number, number]>;
  surfaceKeys: string;
  surfaceConcepts: Int32Array;
  surfaceKinds: Uint8Array;
  alphabet: string;
  gramCodes: Int32Array;
  gramStarts: Int32Array;
  gramPostings: Int32Array;
  labs: LabRow[];
  hospitals: HospitalRow[];
  compounds: CompoundRow[];
  keywords: KeywordRow[];
  segments: CompoundRow[];
  scorer: ScorerWeights;
}

/**
 * The compiled artifact, gzipped: "MSKG", a little-endian u32 header length, the JSON header (small rows and the
 * section table), then the big columns as raw UTF-8 text and 4-byte-aligned typed arrays. Loading never holds
 * the whole graph as one JSON text beside its parsed copy, which keeps the peak memory of a load low.
 */
export const KG_FILE = 'kg.bin.gz';
const MAGIC = 'MSKG';
const TEXT_COLUMNS = ['conceptIds', 'conceptNames', 'surfaceKeys'] as const;
const INT32_COLUMNS = ['surfaceConcepts', 'gramCodes', 'gramStarts', 'gramPostings'] as const;
const BYTE_COLUMNS = ['surfaceKinds'] as const;
type Column = (typeof TEXT_COLUMNS)[number] | (typeof INT32_COLUMNS)[number] | (typeof BYTE_COLUMNS)[number];

const SEPARATOR = '\n';

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
    version: 3,
    sources: rows.sources,
    conceptIds: rows.concepts.map((c) => c[0]).join(SEPARATOR),
    conceptNames: rows.concepts.map((c) => c[1]).join(SEPARATOR),
    conceptTypes: rows.concepts.map((c) => CONCEPT_TYPES.indexOf(c[2])).join(''),
    priors: rows.concepts.flatMap((c, i): Array<[number, number]> => (c[3] > 0 ? [[i, c[3]]] : [])),
    surfaceKeys: surfaces.map((s) => s[0]).join(SEPARATOR),
    surfaceConcepts: Int32Array.from(surfaces, (s) => s[1]),
    surfaceKinds: Uint8Array.from(surfaces, (s) => s[2]),
    alphabet: String.fromCharCode(...[...alphabet.keys()]),
    gramCodes: Int32Array.from(grams),
    gramStarts: starts,
    gramPostings: data,
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
    this.surfaceConcept = file.surfaceConcepts;
    this.surfaceKind = file.surfaceKinds;
    for (let i = 0; i < file.alphabet.length; i++) this.alphabet.set(file.alphabet.charCodeAt(i), i + 1);
    this.gramCodesSorted = file.gramCodes;
    this.gramStarts = file.gramStarts;
    this.gramPostings = file.gramPostings;
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

/** Serializes a packed graph into the artifact's bytes (before gzip). */
export function encodeKg(file: KgFile): Buffer {
  const columns: Array<[Column, Uint8Array]> = [
    ...TEXT_COLUMNS.map((c): [Column, Uint8Array] => [c, Buffer.from(file[c], 'utf8')]),
    ...[...INT32_COLUMNS, ...BYTE_COLUMNS].map((c): [Column, Uint8Array] => [c, new Uint8Array(file[c].buffer, file[c].byteOffset, file[c].byteLength)]),
  ];
  const sections: Partial<Record<Column, [number, number]>> = {};
  let offset = 0;
  for (const [name, bytes] of columns) {
    sections[name] = [offset, bytes.byteLength];
    offset += Math.ceil(bytes.byteLength / 4) * 4;
  }
  const rest: Record<string, unknown> = { ...file };
  for (const [name] of columns) delete rest[name];
  const header = Buffer.from(JSON.stringify({ ...rest, sections }), 'utf8');
  const headerLength = Math.ceil(header.length / 4) * 4;
  const out = Buffer.alloc(8 + headerLength + offset, 0);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(headerLength, 4);
  header.copy(out, 8);
  out.fill(0x20, 8 + header.length, 8 + headerLength);
  for (const [name, bytes] of columns) out.set(bytes, 8 + headerLength + sections[name]![0]);
  return out;
}

/** Reads the artifact's bytes back; typed columns are views into `bytes` when aligned, else copies. */
export function decodeKg(bytes: Buffer): KgFile {
  if (bytes.length < 8 || bytes.toString('latin1', 0, 4) !== MAGIC) throw new MedstructError('MODEL_NOT_FOUND', 'Knowledge graph artifact is not in the current format; run npm run build:kg');
  const headerLength = bytes.readUInt32LE(4);
  const header = JSON.parse(bytes.toString('utf8', 8, 8 + headerLength)) as Omit<KgFile, Column> & { sections: Record<Column, [number, number]> };
  if (header.version !== 3) throw new MedstructError('MODEL_NOT_FOUND', 'Knowledge graph artifact has an old format; run npm run build:kg');
  const base = 8 + headerLength;
  const at = (name: Column): [number, number] => {
    const [offset, length] = header.sections[name];
    return [bytes.byteOffset + base + offset, length];
  };
  const int32 = (name: Column): Int32Array => {
    const [start, length] = at(name);
    if (start % 4 === 0) return new Int32Array(bytes.buffer, start, length / 4);
    return new Int32Array(bytes.buffer.slice(start, start + length));
  };
  const text = (name: Column): string => {
    const [start, length] = at(name);
    return bytes.toString('utf8', start - bytes.byteOffset, start - bytes.byteOffset + length);
  };
  const [kindsStart, kindsLength] = at('surfaceKinds');
  return {
    version: header.version,
    sources: header.sources,
    conceptTypes: header.conceptTypes,
    priors: header.priors,
    alphabet: header.alphabet,
    labs: header.labs,
    hospitals: header.hospitals,
    compounds: header.compounds,
    keywords: header.keywords,
    segments: header.segments,
    scorer: header.scorer,
    conceptIds: text('conceptIds'),
    conceptNames: text('conceptNames'),
    surfaceKeys: text('surfaceKeys'),
    surfaceConcepts: int32('surfaceConcepts'),
    gramCodes: int32('gramCodes'),
    gramStarts: int32('gramStarts'),
    gramPostings: int32('gramPostings'),
    surfaceKinds: new Uint8Array(bytes.buffer, kindsStart, kindsLength),
  };
}

/** Reads and indexes the compiled knowledge graph; MODEL_NOT_FOUND when it has not been built. */
export function loadKnowledgeGraph(path = modelPath('kg', KG_FILE)): KnowledgeGraph {
  if (!existsSync(path)) throw new MedstructError('MODEL_NOT_FOUND', `Knowledge graph not found at ${path}; run npm run build:kg`);
  return new KnowledgeGraph(decodeKg(gunzipSync(readFileSync(path))));
}
