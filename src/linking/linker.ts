import type { EntityType } from '../taxonomy/taxonomy.js';
import { readJsonResource } from '../resources.js';
import { pairFeatures, logistic, FEATURE_NAMES } from './features.js';
import { KnowledgeGraph, SURFACE_KINDS, type ConceptType } from './kg.js';
import { normalizeKey } from './normalize.js';

export interface LinkCandidate {
  id: string;
  name: string;
  type: string;
  codes: Record<string, string>;
  score: number;
}

export interface LabAnalyte {
  standardName: string;
  code: string;
  abbreviation: string;
  englishName: string;
  unit?: string;
  range?: string;
}

export interface HospitalLink extends LinkCandidate {
  province: string;
  city: string;
}

interface SplitRules {
  separators: string;
  conjunctions: string[];
  leadingQualifiers: string[];
  trailingQualifiers: string[];
}

/** Which KG concept types an entity type may link to: [preferred, accepted neighbours]. */
const TYPE_TARGETS: Partial<Record<EntityType, [ConceptType[], ConceptType[]]>> = {
  disease: [['disease'], ['symptom']],
  symptom: [['symptom'], ['disease']],
  drug: [['drug'], []],
  lab_test: [['lab'], ['exam']],
  exam: [['exam'], ['lab', 'procedure']],
  procedure: [['procedure'], ['exam']],
  department: [['department'], []],
  hospital: [['hospital'], []],
};

const NAME_KIND = SURFACE_KINDS.indexOf('name');
const MENTION_KIND = SURFACE_KINDS.indexOf('mention');
const FUZZY_POOL = 24;
const MAX_MENTION = 64;
const MIN_DICE = 0.25;

/** A candidate surface with its concept, before scoring. */
interface Hit {
  surface: number;
  dice: number;
}

/**
 * Links mentions to knowledge-graph concepts: exact and synonym/abbreviation lookup first, then fuzzy
 * character-bigram retrieval ranked by a logistic scorer fit on CHIP-CDN training pairs. Returns []
 * when no candidate is credible.
 */
export class Linker {
  readonly kg: KnowledgeGraph;
  private readonly separators: RegExp;
  private readonly conjunctions: RegExp;
  private readonly leading: string[];
  private readonly trailing: string[];
  private readonly overlap: Int32Array;
  private readonly touched: Int32Array;
  private readonly features = new Float64Array(FEATURE_NAMES.length);
  private readonly labByKey = new Map<string, number>();
  private readonly hospitalByConcept = new Map<number, number>();

  constructor(kg: KnowledgeGraph) {
    this.kg = kg;
    const rules = readJsonResource<SplitRules>('linking', 'diagnosis-split.json');
    this.separators = new RegExp(rules.separators, 'u');
    this.conjunctions = new RegExp(rules.conjunctions.map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'u');
    this.leading = rules.leadingQualifiers.map(normalizeKey).sort((a, b) => b.length - a.length);
    this.trailing = rules.trailingQualifiers.map(normalizeKey).sort((a, b) => b.length - a.length);
    this.overlap = new Int32Array(kg.surfaceKeys.length);
    this.touched = new Int32Array(kg.surfaceKeys.length);
    kg.labs.forEach((row, i) => this.labByKey.set(String(row[0]), i));
    kg.hospitals.forEach((row, i) => this.hospitalByConcept.set(row[0], i));
  }

  private candidate(concept: number, score: number): LinkCandidate {
    const kg = this.kg;
    return { id: kg.ids[concept]!, name: kg.names[concept]!, type: kg.types[concept]!, codes: kg.codes(concept), score: Math.round(score * 10000) / 10000 };
  }

  private agreement(concept: number, type: EntityType | undefined): number {
    if (type === undefined) return 1;
    const targets = TYPE_TARGETS[type];
    if (!targets) return 0;
    const t = this.kg.types[concept]!;
    if (targets[0].includes(t)) return 1;
    if (targets[1].includes(t)) return 0.5;
    return 0;
  }

  private score(mention: string, surface: number, dice: number, agreement: number): number {
    const kg = this.kg;
    const concept = kg.surfaceConcept[surface]!;
    pairFeatures(mention, kg.surfaceKeys[surface]!, dice, kg.surfaceKind[surface]!, agreement, kg.prior[concept]!, this.features);
    return logistic(kg.scorer.weights, kg.scorer.bias, this.features);
  }

  /** Surfaces sharing bigrams with the key, best Dice first (at most `limit`). */
  fuzzyHits(key: string, limit = FUZZY_POOL, accept?: (concept: number) => boolean): Hit[] {
    const kg = this.kg;
    const grams = kg.gramCodes(key);
    let touchedCount = 0;
    for (const g of grams) {
      const [start, end] = kg.postings(g);
      const data = kg.postingData;
      for (let i = start; i < end; i++) {
        const s = data[i]!;
        if (this.overlap[s] === 0) this.touched[touchedCount++] = s;
        this.overlap[s]!++;
      }
    }
    const hits: Hit[] = [];
    let floor = 0;
    for (let t = 0; t < touchedCount; t++) {
      const s = this.touched[t]!;
      const shared = this.overlap[s]!;
      this.overlap[s] = 0;
      const dice = (2 * shared) / (grams.length + kg.surfaceGrams[s]!);
      // Sharing one bigram with a long term is no evidence: ask for a real overlap before scoring.
      if (dice <= floor || dice < MIN_DICE) continue;
      if (accept && !accept(kg.surfaceConcept[s]!)) continue;
      hits.push({ surface: s, dice });
      if (hits.length >= limit * 4) {
        hits.sort((a, b) => b.dice - a.dice);
        hits.length = limit;
        floor = hits[limit - 1]!.dice;
      }
    }
    hits.sort((a, b) => b.dice - a.dice);
    if (hits.length > limit) hits.length = limit;
    return hits;
  }

  /** Scored candidates for a normalized key, best first, one per concept. */
  private rank(key: string, type: EntityType | undefined, accept: (concept: number) => boolean): Array<{ concept: number; score: number }> {
    const kg = this.kg;
    const best = new Map<number, number>();
    const [first, end] = kg.exact(key);
    {
      for (let surface = first; surface < end; surface++) {
        const concept = kg.surfaceConcept[surface]!;
        if (!accept(concept)) continue;
        // An exact hit is credible by itself; the scorer only orders hits of equal standing.
        const agreement = this.agreement(concept, type);
        const kind = kg.surfaceKind[surface]!;
        const standing = (kind === NAME_KIND ? 0.97 : kind === MENTION_KIND || SURFACE_KINDS[kind] === 'colloquial' ? 0.9 : 0.94) - (agreement === 1 ? 0 : 0.1);
        const score = standing + 0.03 * this.score(key, surface, 1, agreement);
        if (score > (best.get(concept) ?? -1)) best.set(concept, score);
      }
    }
    if (best.size === 0) {
      for (const hit of this.fuzzyHits(key, FUZZY_POOL, accept)) {
        const concept = kg.surfaceConcept[hit.surface]!;
        const score = this.score(key, hit.surface, hit.dice, this.agreement(concept, type));
        if (score > (best.get(concept) ?? -1)) best.set(concept, score);
      }
    }
    return [...best.entries()].map(([concept, score]) => ({ concept, score })).sort((a, b) => b.score - a.score);
  }

  /** Links one mention (best first; [] = unlinked). `type` restricts and weighs candidates by entity type. */
  link(mention: string, type?: EntityType): LinkCandidate[] {
    const key = normalizeKey(mention).slice(0, MAX_MENTION);
    if (key.length === 0) return [];
    if (type !== undefined && !TYPE_TARGETS[type]) return [];
    const accept = (concept: number): boolean => this.agreement(concept, type) > 0;
    const ranked = this.rank(key, type, accept);
    const threshold = this.kg.scorer.threshold;
    return ranked.filter((r) => r.score >= threshold).slice(0, 5).map((r) => this.candidate(r.concept, r.score));
  }

  private stripQualifiers(key: string): string {
    let s = key;
    for (let changed = true; changed && s.length > 1; ) {
      changed = false;
      for (const q of this.leading) if (s.startsWith(q) && s.length > q.length + 1) { s = s.slice(q.length); changed = true; break; }
      for (const q of this.trailing) if (s.endsWith(q) && s.length > q.length + 1) { s = s.slice(0, -q.length); changed = true; break; }
    }
    return s;
  }

  private diagnosisExact(key: string): number[] | null {
    const kg = this.kg;
    const compound = kg.compounds.get(key);
    if (compound) return compound;
    const [first, end] = kg.exact(key);
    let bestConcept = -1;
    let bestRank = -1;
    for (let surface = first; surface < end; surface++) {
      const concept = kg.surfaceConcept[surface]!;
      if (!kg.diagnosisConcept[concept]) continue;
      const kind = kg.surfaceKind[surface]!;
      // A training mention speaks for how coders code it; then the official name; then synonyms.
      const rank = (kind === MENTION_KIND ? 3 : kind === NAME_KIND ? 2 : 1) * 1000 + Math.min(999, kg.prior[concept]!);
      if (rank > bestRank) { bestRank = rank; bestConcept = concept; }
    }
    return bestConcept < 0 ? null : [bestConcept];
  }

  /** Known diagnosis terms inside a segment, longest first, not overlapping; with the share of characters covered. */
  private cover(key: string): { concepts: number[]; covered: number } {
    const kg = this.kg;
    const taken = new Uint8Array(key.length);
    const found: Array<{ start: number; end: number; concept: number }> = [];
    const maxLength = Math.min(key.length, kg.maxSurfaceLength);
    for (let length = maxLength; length >= 2; length--) {
      for (let start = 0; start + length <= key.length; start++) {
        if (taken[start] || taken[start + length - 1]) continue;
        const concepts = this.diagnosisExact(key.slice(start, start + length));
        if (!concepts) continue;
        let free = true;
        for (let i = start; i < start + length; i++) if (taken[i]) { free = false; break; }
        if (!free) continue;
        for (let i = start; i < start + length; i++) taken[i] = 1;
        for (const concept of concepts) found.push({ start, end: start + length, concept });
      }
    }
    found.sort((a, b) => a.start - b.start);
    return { concepts: found.map((f) => f.concept), covered: taken.reduce((s, x) => s + x, 0) / key.length };
  }

  private linkSegment(segment: string, out: Map<number, number>): void {
    const add = (concept: number, score: number): void => {
      if (score > (out.get(concept) ?? 0)) out.set(concept, score);
    };
    const direct = this.diagnosisExact(segment);
    if (direct) { for (const c of direct) add(c, 1); return; }
    const stripped = this.stripQualifiers(segment);
    if (stripped !== segment) {
      const exact = this.diagnosisExact(stripped);
      if (exact) { for (const c of exact) add(c, 0.95); return; }
    }
    const parts = stripped.split(this.conjunctions).filter((p) => p.length >= 2);
    if (parts.length > 1) {
      const linked = parts.map((p) => this.diagnosisExact(this.stripQualifiers(p)));
      if (linked.every((l) => l !== null)) { for (const l of linked) for (const c of l!) add(c, 0.9); return; }
    }
    const accept = (concept: number): boolean => this.kg.diagnosisConcept[concept] === 1;
    const ranked = this.rank(stripped, 'disease', accept);
    const best = ranked[0];
    const { concepts, covered } = this.cover(stripped);
    if (best && best.score >= this.kg.scorer.threshold) add(best.concept, best.score);
    if (covered >= 0.6 && concepts.length > 1) for (const c of concepts) add(c, 0.6 + 0.3 * covered);
    else if (!best || best.score < this.kg.scorer.threshold) {
      if (covered >= 0.5) for (const c of concepts) add(c, 0.5 + 0.3 * covered);
    }
  }

  /** Splits a doctor-written diagnosis string (胃癌术后；高血压3级) and links every diagnosis in it. */
  linkDiagnoses(text: string): LinkCandidate[] {
    const key = normalizeKey(text);
    if (key.length === 0) return [];
    const out = new Map<number, number>();
    const whole = this.kg.compounds.get(key);
    if (whole) for (const c of whole) out.set(c, 1);
    else {
      for (const segment of key.split(this.separators)) {
        if (segment.length === 0 || !/[\p{L}]/u.test(segment)) continue;
        this.linkSegment(segment.slice(0, MAX_MENTION), out);
      }
      for (const [gram, concept, precision] of this.kg.keywords) {
        if (precision >= this.kg.scorer.keywordPrecision && key.includes(gram) && !out.has(concept)) out.set(concept, precision * 0.9);
      }
    }
    // 癌 next to 鳞状细胞癌, 呕吐 next to 恶心和呕吐: the longer term already says it.
    const names = [...out.keys()].map((c) => this.kg.names[c]!);
    for (const c of [...out.keys()]) {
      const name = this.kg.names[c]!;
      if (names.some((other) => other !== name && other.includes(name))) out.delete(c);
    }
    return [...out.entries()].sort((a, b) => b[1] - a[1]).map(([c, s]) => this.candidate(c, s));
  }

  /** A lab analyte by abbreviation, Chinese name or report spelling (ALT, 谷丙转氨酶, 丙氨酸氨基转移酶). */
  lookupLabAnalyte(name: string): LabAnalyte | null {
    const key = normalizeKey(name).replace(/[:：]$/, '');
    if (key.length === 0) return null;
    const kg = this.kg;
    let concept = -1;
    const [first, end] = kg.exact(key);
    for (let surface = first; surface < end; surface++) if (kg.types[kg.surfaceConcept[surface]!] === 'lab') { concept = kg.surfaceConcept[surface]!; break; }
    // 血红蛋白(HGB): either half may be the known spelling.
    const parts = /^(.+?)\((.+)\)$/.exec(key);
    if (concept < 0 && parts) return this.lookupLabAnalyte(parts[2]!) ?? this.lookupLabAnalyte(parts[1]!);
    if (concept < 0) {
      const [best] = this.link(name, 'lab_test').filter((c) => c.type === 'lab' && c.score >= 0.8);
      if (!best) return null;
      concept = kg.indexOf(best.id)!;
    }
    const row = kg.labs[this.labByKey.get(String(concept)) ?? -1];
    if (!row) return null;
    const analyte: LabAnalyte = { standardName: kg.names[concept]!, code: kg.codes(concept).lab ?? row[1], abbreviation: row[1], englishName: row[2] };
    if (row[3]) analyte.unit = row[3];
    if (row[4]) analyte.range = row[4];
    return analyte;
  }

  /** A hospital by full name, alias or nickname (浙一医院 → 浙江大学医学院附属第一医院). */
  lookupHospital(name: string): HospitalLink | null {
    const [best] = this.link(name, 'hospital');
    if (!best) return null;
    const row = this.kg.hospitals[this.hospitalByConcept.get(this.kg.indexOf(best.id)!) ?? -1];
    return { ...best, province: row?.[1] ?? '', city: row?.[2] ?? '' };
  }
}
