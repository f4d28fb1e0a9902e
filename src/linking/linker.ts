import type { EntityType } from '../taxonomy/taxonomy.js';
import { readJsonResource } from '../resources.js';
import { boostedProbability } from './boost.js';
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

/** resources/linking/mention-evidence.json: what a fuzzy candidate of a single mention must show. */
interface MentionEvidence {
  neutralPrefixes: string[];
  neutralSuffixes: string[];
  neutralInfixes: string[];
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
const DERIVED_KIND = SURFACE_KINDS.indexOf('derived');
const FUZZY_POOL = 24;
const MAX_MENTION = 64;
const MIN_DICE = 0.25;
const NEIGHBORS = 10;
const FUZZY_CANDIDATES = 5;

/** Features of a candidate diagnosis for the re-ranker, in the order of ScorerWeights.rerank.weights. */
// How often an answer was coded in training is left out on purpose: the shipped graph remembers more rows
// than the folds the re-ranker learns on, and count features shift with that and mislead the trees.
export const RERANK_FEATURES = [
  'segmentScore', 'segmentExact', 'keyword', 'neighborVote', 'neighborBest', 'nameCharsInText', 'nameInText', 'constant',
  'neighborCount', 'voteTimesChars', 'bestTimesChars', 'segmentTimesChars', 'keywordTimesVote', 'noSegment', 'fuzzyScore', 'coverHit', 'segmentVote', 'segmentBest',
  'nameBigramsInText', 'nameLength', 'morphology', 'procedureLike',
  'missingChars', 'segmentCharsInName', 'nameCharsInSegment', 'segmentBigramDice', 'headInText',
] as const;
/** What the second re-ranker adds to RERANK_FEATURES: a candidate's first probability and its standing in the string. */
export const CONTEXT_FEATURES = [
  'firstProbability', 'rank', 'shareOfBest', 'best', 'secondBest', 'strongCandidates', 'segments',
  'insideStrongOther', 'containsStrongOther', 'sameCodeBlockAbove', 'candidates',
] as const;
const STRONG = 0.3;

/**
 * Second-stage rows: each candidate's features followed by CONTEXT_FEATURES, from the first re-ranker's
 * probabilities of all candidates of the same string (`ids` and `names` in the same order).
 */
export function contextRows(features: Float64Array[], ids: string[], names: string[], p: number[], segments: number): Float64Array[] {
  const order = p.map((_, j) => j).sort((a, b) => p[b]! - p[a]!);
  const rank = new Array<number>(p.length);
  order.forEach((j, r) => { rank[j] = r; });
  const best = order.length > 0 ? p[order[0]!]! : 0;
  const second = order.length > 1 ? p[order[1]!]! : 0;
  const strong = p.filter((v) => v >= STRONG).length;
  const block = (id: string): string => (id.startsWith('icd10:') ? id.slice(6, 9) : '');
  return features.map((x, j) => {
    const row = new Float64Array(x.length + CONTEXT_FEATURES.length);
    row.set(x);
    let inside = 0, contains = 0, sameBlockAbove = 0;
    const own = block(ids[j]!);
    for (let k = 0; k < p.length; k++) {
      if (k === j || p[k]! < STRONG) continue;
      if (names[k]!.includes(names[j]!)) inside = Math.max(inside, p[k]!);
      if (names[j]!.includes(names[k]!)) contains = Math.max(contains, p[k]!);
      if (own && p[k]! > p[j]! && block(ids[k]!) === own) sameBlockAbove++;
    }
    row.set([p[j]!, Math.min(rank[j]!, 10), p[j]! / (best || 1), best, second, strong, segments, inside, contains, sameBlockAbove, p.length], x.length);
    return row;
  });
}

const F = Object.fromEntries(RERANK_FEATURES.map((name, i) => [name, i])) as Record<(typeof RERANK_FEATURES)[number], number>;

/**
 * Which scored candidates a diagnosis string is coded as: those at or above the cut-off, or else the best one
 * when it reaches the fallback; a term contained in another chosen one (癌 beside 鳞状细胞癌) is dropped.
 */
export function chooseDiagnoses<T extends { name: string; p: number }>(scored: T[], rule: { threshold: number; fallback: number }): T[] {
  const sorted = [...scored].sort((a, b) => b.p - a.p);
  let chosen = sorted.filter((s) => s.p >= rule.threshold);
  if (chosen.length === 0 && sorted[0] && sorted[0].p >= rule.fallback) chosen = [sorted[0]];
  return chosen.filter((s) => !chosen.some((o) => o.name !== s.name && o.name.includes(s.name)));
}

/** Training phrases and their answers, indexed by bigram for nearest-neighbour votes. */
class PhraseIndex {
  readonly concepts: number[][] = [];
  private readonly grams: number[] = [];
  private readonly postings = new Map<number, number[]>();
  private readonly kg: KnowledgeGraph;

  constructor(kg: KnowledgeGraph, phrases: Array<[string, number[]]>) {
    this.kg = kg;
    for (const [phrase, concepts] of phrases) {
      const index = this.concepts.length;
      const grams = kg.gramCodes(phrase);
      this.concepts.push(concepts);
      this.grams.push(grams.length);
      for (const g of grams) {
        const list = this.postings.get(g);
        if (list) list.push(index);
        else this.postings.set(g, [index]);
      }
    }
  }

  /** The phrases sharing the most bigrams with the key (Dice), best first. */
  neighbors(key: string, k: number): Array<{ phrase: number; similarity: number }> {
    const grams = this.kg.gramCodes(key);
    const shared = new Map<number, number>();
    for (const g of grams) for (const phrase of this.postings.get(g) ?? []) shared.set(phrase, (shared.get(phrase) ?? 0) + 1);
    const out: Array<{ phrase: number; similarity: number }> = [];
    for (const [phrase, count] of shared) out.push({ phrase, similarity: (2 * count) / (grams.length + this.grams[phrase]!) });
    out.sort((a, b) => b.similarity - a.similarity);
    return out.slice(0, k);
  }
}

/** A concept ranked for a key, with the surface that scored it and whether that surface matched the key exactly. */
interface RankedConcept {
  concept: number;
  score: number;
  surface: number;
  exact: boolean;
}

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
  private readonly evidence: MentionEvidence;
  private readonly neutralInfix: RegExp;
  private readonly overlap: Int32Array;
  private readonly touched: Int32Array;
  private readonly features = new Float64Array(FEATURE_NAMES.length);
  private readonly labByKey = new Map<string, number>();
  private readonly hospitalByConcept = new Map<number, number>();
  /** Training phrases indexed by bigram, for neighbour votes: whole texts, and single segments. */
  private readonly texts: PhraseIndex;
  private readonly segmentPhrases: PhraseIndex;

  constructor(kg: KnowledgeGraph) {
    this.kg = kg;
    const rules = readJsonResource<SplitRules>('linking', 'diagnosis-split.json');
    this.separators = new RegExp(rules.separators, 'u');
    this.conjunctions = new RegExp(rules.conjunctions.map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'u');
    this.leading = rules.leadingQualifiers.map(normalizeKey).sort((a, b) => b.length - a.length);
    this.trailing = rules.trailingQualifiers.map(normalizeKey).sort((a, b) => b.length - a.length);
    this.evidence = readJsonResource<MentionEvidence>('linking', 'mention-evidence.json');
    this.neutralInfix = new RegExp(`[${this.evidence.neutralInfixes.join('')}]`, 'gu');
    this.overlap = new Int32Array(kg.surfaceKeys.length);
    this.touched = new Int32Array(kg.surfaceKeys.length);
    kg.labs.forEach((row, i) => this.labByKey.set(String(row[0]), i));
    kg.hospitals.forEach((row, i) => this.hospitalByConcept.set(row[0], i));
    this.texts = new PhraseIndex(kg, [...kg.compounds]);
    this.segmentPhrases = new PhraseIndex(kg, kg.segments);
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
  private rank(key: string, type: EntityType | undefined, accept: (concept: number) => boolean): RankedConcept[] {
    const kg = this.kg;
    const best = new Map<number, { score: number; surface: number }>();
    const [first, end] = kg.exact(key);
    {
      for (let surface = first; surface < end; surface++) {
        const concept = kg.surfaceConcept[surface]!;
        if (!accept(concept)) continue;
        // An exact hit is credible by itself; the scorer only orders hits of equal standing.
        const agreement = this.agreement(concept, type);
        const kind = kg.surfaceKind[surface]!;
        const standing = (kind === NAME_KIND ? 0.97 : kind === DERIVED_KIND ? 0.8 : kind === MENTION_KIND || SURFACE_KINDS[kind] === 'colloquial' ? 0.9 : 0.94) - (agreement === 1 ? 0 : 0.1);
        const score = standing + 0.03 * this.score(key, surface, 1, agreement);
        if (score > (best.get(concept)?.score ?? -1)) best.set(concept, { score, surface });
      }
    }
    const exact = best.size > 0;
    if (!exact) {
      for (const hit of this.fuzzyHits(key, FUZZY_POOL, accept)) {
        const concept = kg.surfaceConcept[hit.surface]!;
        const score = this.score(key, hit.surface, hit.dice, this.agreement(concept, type));
        if (score > (best.get(concept)?.score ?? -1)) best.set(concept, { score, surface: hit.surface });
      }
    }
    return [...best.entries()].map(([concept, { score, surface }]) => ({ concept, score, surface, exact })).sort((a, b) => b.score - a.score);
  }

  /**
   * Whether a fuzzy candidate of a single mention has real evidence: its standard name, or the synonym that
   * matched, explains the mention (resources/linking/mention-evidence.json). A training phrase that merely
   * contains the mention (低回声团 inside a phrase coded as 妊娠状态) is no evidence for its answer.
   */
  private evidenced(key: string, candidate: RankedConcept): boolean {
    const kg = this.kg;
    const name = normalizeKey(kg.names[candidate.concept]!).replace(/\[.*\]$|,.*$/, '');
    if (this.explains(key, name)) return true;
    return kg.surfaceKind[candidate.surface] !== MENTION_KIND && this.explains(key, kg.surfaceKeys[candidate.surface]!);
  }

  private explains(key: string, term: string): boolean {
    if (term === key) return true;
    if (term.length < 2) return false;
    if (term.replace(this.neutralInfix, '') === key.replace(this.neutralInfix, '')) return true;
    const rules = this.evidence;
    let at = key.indexOf(term);
    if (at >= 0) {
      // The term inside a longer mention. Chinese terms are head-final: words before the term only narrow it
      // ((左乳)浸润性导管癌, 左心室肥厚), words after it change what it is (降钙素原, 结节影) unless they are
      // a trailing qualifier (可能, 待查). The term must still carry at least half of the mention.
      const suffix = key.slice(at + term.length);
      return 2 * term.length >= key.length && (suffix === '' || this.trailing.includes(suffix));
    }
    at = term.indexOf(key);
    if (at < 0) return false;
    // The whole mention inside a longer term: the term says more (脾 in 脾肿大, 失常 in 窦性心律失常)
    // unless what it adds is neutral (支气管扩张症, 血清尿酸).
    const prefix = term.slice(0, at), suffix = term.slice(at + key.length);
    return (prefix === '' || rules.neutralPrefixes.includes(prefix)) && (suffix === '' || rules.neutralSuffixes.includes(suffix));
  }

  /** Links one mention (best first; [] = unlinked). `type` restricts and weighs candidates by entity type. */
  link(mention: string, type?: EntityType): LinkCandidate[] {
    const key = normalizeKey(mention).slice(0, MAX_MENTION);
    if (key.length === 0) return [];
    if (type !== undefined && !TYPE_TARGETS[type]) return [];
    const accept = (concept: number): boolean => this.agreement(concept, type) > 0;
    const ranked = this.rank(key, type, accept);
    const threshold = this.kg.scorer.threshold;
    return ranked.filter((r) => r.score >= threshold && (r.exact || this.evidenced(key, r)))
      .slice(0, 5).map((r) => this.candidate(r.concept, r.score));
  }

  /**
   * A mention or diagnosis string of unknown type, as `medstruct link TEXT` takes it: several diagnoses are
   * split; a single term gets its own credible link, or else the diagnoses named in it by known terms
   * (胃癌术后 → 胃恶性肿瘤, 胃术后), never one that only similar training phrases vote for.
   */
  linkText(text: string): LinkCandidate[] {
    const key = normalizeKey(text);
    if (this.segmentCount(key) > 1) {
      const diagnoses = this.linkDiagnoses(text);
      return diagnoses.length > 0 ? diagnoses : this.link(text).slice(0, 1);
    }
    const [best] = this.link(text);
    if (best) return [best];
    if (key.length === 0 || this.kg.compounds.has(key)) return this.linkDiagnoses(text);
    const named = this.scoreDiagnoses(key).filter((s) => s.features[F.coverHit] === 1 || s.features[F.segmentExact] === 1);
    return chooseDiagnoses(named, this.kg.scorer.rerank).map((s) => this.candidate(s.concept, s.p));
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
    return this.diagnosisLookup(key)?.concepts ?? null;
  }

  /** Concepts a whole phrase is coded as; `learned` when training memory (not the vocabulary) says so. */
  private diagnosisLookup(key: string): { concepts: number[]; learned: boolean } | null {
    const kg = this.kg;
    const compound = kg.compounds.get(key);
    if (compound) return { concepts: compound, learned: true };
    const [first, end] = kg.exact(key);
    let bestConcept = -1;
    let bestRank = -1;
    let bestKind = -1;
    for (let surface = first; surface < end; surface++) {
      const concept = kg.surfaceConcept[surface]!;
      if (!kg.diagnosisConcept[concept]) continue;
      const kind = kg.surfaceKind[surface]!;
      // A training mention speaks for how coders code it; then the official name; then synonyms.
      const rank = (kind === MENTION_KIND ? 3 : kind === NAME_KIND ? 2 : kind === DERIVED_KIND ? 0 : 1) * 1000 + Math.min(999, kg.prior[concept]!);
      if (rank > bestRank) { bestRank = rank; bestConcept = concept; bestKind = kind; }
    }
    return bestConcept < 0 ? null : { concepts: [bestConcept], learned: bestKind === MENTION_KIND };
  }

  /**
   * Known diagnosis terms inside a segment, longest first and not overlapping, plus morphology terms
   * (ICD-O codes M8…/M9…, such as 小细胞癌) nested in a longer match, since coders give the site and the
   * morphology both. Returns them with the share of the segment's characters covered.
   */
  private cover(key: string): { concepts: number[]; covered: number } {
    const kg = this.kg;
    const taken = new Uint8Array(key.length);
    const learned = new Uint8Array(key.length);
    const found: Array<{ start: number; concept: number }> = [];
    const maxLength = Math.min(key.length, kg.maxSurfaceLength);
    const nested: Array<{ start: number; length: number }> = [];
    for (let length = maxLength; length >= 2; length--) {
      for (let start = 0; start + length <= key.length; start++) {
        let free = true;
        for (let i = start; i < start + length; i++) if (taken[i]) { free = false; break; }
        if (!free) {
          if (!learned[start]) nested.push({ start, length });
          continue;
        }
        const hit = this.diagnosisLookup(key.slice(start, start + length));
        if (!hit) continue;
        // What training memory says a phrase means is taken whole: no morphology is added inside it.
        for (let i = start; i < start + length; i++) { taken[i] = 1; learned[i] = hit.learned ? 1 : 0; }
        for (const concept of hit.concepts) found.push({ start, concept });
      }
    }
    for (const { start, length } of nested) {
      const concepts = this.diagnosisExact(key.slice(start, start + length));
      if (!concepts) continue;
      for (const concept of concepts) if (/^icd10:M[89]/.test(kg.ids[concept]!)) found.push({ start, concept });
    }
    found.sort((a, b) => a.start - b.start);
    return { concepts: found.map((f) => f.concept), covered: taken.reduce((s, x) => s + x, 0) / key.length };
  }

  private linkSegment(segment: string, out: Map<number, number>, depth = 0): void {
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
    if (parts.length > 1 && depth === 0) {
      for (const part of parts) this.linkSegment(part, out, depth + 1);
      return;
    }
    const scorer = this.kg.scorer;
    const { concepts, covered } = this.cover(stripped);
    if (covered >= scorer.coverage) {
      for (const c of concepts) add(c, 0.5 + 0.4 * covered);
      return;
    }
    const accept = (concept: number): boolean => this.kg.diagnosisConcept[concept] === 1;
    const [best] = this.rank(stripped, 'disease', accept);
    if (best && best.score >= scorer.threshold) add(best.concept, best.score);
    else for (const c of concepts) add(c, 0.3 + 0.4 * covered);
  }

  /**
   * Candidate diagnoses of a string with the re-ranker's features: what segment lookup found (exact, covering,
   * fuzzy), keyword rules, the answers of the most similar training phrases, the answer's prior, and how much
   * of the answer's own characters the string contains.
   */
  diagnosisCandidates(key: string): Map<number, Float64Array> {
    const kg = this.kg;
    const candidates = new Map<number, Float64Array>();
    const slot = (concept: number): Float64Array => {
      let f = candidates.get(concept);
      if (!f) { f = new Float64Array(RERANK_FEATURES.length); candidates.set(concept, f); }
      return f;
    };
    const segments = new Map<number, number>();
    const accept = (concept: number): boolean => kg.diagnosisConcept[concept] === 1;
    const pieces: string[] = [];
    for (const raw of key.split(this.separators)) {
      if (raw.length === 0 || !/[\p{L}]/u.test(raw)) continue;
      const segment = raw.slice(0, MAX_MENTION);
      this.linkSegment(segment, segments);
      const close = this.segmentPhrases.neighbors(segment, NEIGHBORS);
      const weight = close.reduce((sum, n) => sum + n.similarity, 0) || 1;
      for (const { phrase, similarity } of close) {
        for (const concept of this.segmentPhrases.concepts[phrase]!) {
          const f = slot(concept);
          f[F.segmentVote] = Math.max(f[F.segmentVote]!, similarity / weight);
          f[F.segmentBest] = Math.max(f[F.segmentBest]!, similarity);
        }
      }
      const stripped = this.stripQualifiers(segment);
      pieces.push(stripped);
      for (const concept of this.cover(stripped).concepts) slot(concept)[F.coverHit] = 1;
      for (const { concept, score } of this.rank(stripped, 'disease', accept).slice(0, FUZZY_CANDIDATES)) {
        const f = slot(concept);
        f[F.fuzzyScore] = Math.max(f[F.fuzzyScore]!, score);
      }
    }
    for (const [concept, score] of segments) {
      const f = slot(concept);
      f[F.segmentScore] = score;
      f[F.segmentExact] = score >= 0.95 ? 1 : 0;
    }
    for (const [gram, concept, precision] of kg.keywords) {
      if (key.includes(gram)) { const f = slot(concept); f[F.keyword] = Math.max(f[F.keyword]!, precision); }
    }
    const near = this.texts.neighbors(key, NEIGHBORS);
    const total = near.reduce((sum, n) => sum + n.similarity, 0) || 1;
    for (const { phrase, similarity } of near) {
      for (const concept of this.texts.concepts[phrase]!) {
        const f = slot(concept);
        f[F.neighborVote]! += similarity / total;
        f[F.neighborBest] = Math.max(f[F.neighborBest]!, similarity);
        f[F.neighborCount]! += 1 / NEIGHBORS;
      }
    }
    const chars = new Set(key);
    const pieceInfo = pieces.map((text) => {
      const grams = new Set<string>();
      for (let i = 0; i + 1 < text.length; i++) grams.add(text.slice(i, i + 2));
      return { text, chars: new Set(text), grams };
    });
    for (const [concept, f] of candidates) {
      const name = normalizeKey(kg.names[concept]!);
      let inside = 0;
      for (const ch of name) if (chars.has(ch)) inside++;
      f[F.nameCharsInText] = inside / Math.max(1, name.length);
      f[F.nameInText] = key.includes(name) ? 1 : 0;
      f[F.constant] = 1;
      f[F.voteTimesChars] = f[F.neighborVote]! * f[F.nameCharsInText]!;
      f[F.bestTimesChars] = f[F.neighborBest]! * f[F.nameCharsInText]!;
      f[F.segmentTimesChars] = f[F.segmentScore]! * f[F.nameCharsInText]!;
      f[F.keywordTimesVote] = f[F.keyword]! * f[F.neighborVote]!;
      f[F.noSegment] = f[F.segmentScore] === 0 ? 1 : 0;
      let bigramsInside = 0;
      for (let i = 0; i + 1 < name.length; i++) if (key.includes(name.slice(i, i + 2))) bigramsInside++;
      f[F.nameBigramsInText] = name.length > 1 ? bigramsInside / (name.length - 1) : f[F.nameInText]!;
      f[F.nameLength] = Math.min(name.length, 20) / 20;
      f[F.morphology] = /^icd10:M[89]/.test(kg.ids[concept]!) ? 1 : 0;
      f[F.procedureLike] = /治疗|术后|化疗|放疗|状态/.test(name) ? 1 : 0;
      f[F.missingChars] = Math.min(10, name.length - inside);
      const nameChars = new Set(name);
      const nameGrams = new Set<string>();
      for (let i = 0; i + 1 < name.length; i++) nameGrams.add(name.slice(i, i + 2));
      for (const piece of pieceInfo) {
        let shared = 0;
        for (const ch of piece.text) if (nameChars.has(ch)) shared++;
        f[F.segmentCharsInName] = Math.max(f[F.segmentCharsInName]!, shared / Math.max(1, piece.text.length));
        let covered = 0;
        for (const ch of name) if (piece.chars.has(ch)) covered++;
        f[F.nameCharsInSegment] = Math.max(f[F.nameCharsInSegment]!, covered / Math.max(1, name.length));
        let sharedGrams = 0;
        for (const g of piece.grams) if (nameGrams.has(g)) sharedGrams++;
        f[F.segmentBigramDice] = Math.max(f[F.segmentBigramDice]!, (2 * sharedGrams) / Math.max(1, piece.grams.size + nameGrams.size));
      }
      // The head of a diagnosis name (…癌, …炎, …骨折, …综合征) written in the text speaks for it.
      const head = name.replace(/\[.*\]$|\(.*\)$|,.*$/, '');
      f[F.headInText] = key.includes(head.slice(-2)) ? 1 : key.includes(head.slice(-1)) ? 0.5 : 0;
    }
    return candidates;
  }

  /** Splits a doctor-written diagnosis string (胃癌术后；高血压3级) and links every diagnosis in it. */
  linkDiagnoses(text: string): LinkCandidate[] {
    const key = normalizeKey(text);
    if (key.length === 0 || !/[\p{L}]/u.test(key)) return [];
    const whole = this.kg.compounds.get(key);
    if (whole) return whole.map((c) => this.candidate(c, 1));
    return chooseDiagnoses(this.scoreDiagnoses(key), this.kg.scorer.rerank).map((s) => this.candidate(s.concept, s.p));
  }

  /** The candidate diagnoses of a string with their features and the re-rankers' probability. */
  private scoreDiagnoses(key: string): Array<{ concept: number; name: string; p: number; features: Float64Array }> {
    if (!/[\p{L}]/u.test(key)) return [];
    const { weights, bias, trees, context } = this.kg.scorer.rerank;
    const probability = (x: Float64Array): number => (trees ? boostedProbability(trees, x) : logistic(weights, bias, x));
    const found = [...this.diagnosisCandidates(key)];
    const names = found.map(([concept]) => this.kg.names[concept]!);
    let p = found.map(([, features]) => probability(features));
    if (context) {
      const rows = contextRows(found.map(([, x]) => x), found.map(([concept]) => this.kg.ids[concept]!), names, p, this.segmentCount(key));
      p = rows.map((row) => boostedProbability(context, row));
    }
    return found.map(([concept, features], i) => ({ concept, name: names[i]!, p: p[i]!, features }));
  }

  /** How many separated pieces a diagnosis string has (the second re-ranker's `segments`). */
  segmentCount(key: string): number {
    let n = 0;
    for (const raw of key.split(this.separators)) if (raw.length > 0 && /[\p{L}]/u.test(raw)) n++;
    return n;
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
