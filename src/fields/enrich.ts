import type { MedDocument } from '../document/document.js';
import type { Assertion } from '../document/types.js';

/** What the knowledge graph says about a lab analyte (the linker's `LabAnalyte`). */
export interface LabAnalyteInfo {
  standardName: string;
  code: string;
  abbreviation: string;
  englishName?: string;
  unit?: string;
  range?: string;
}

/** A knowledge-graph concept a mention links to (the linker's `LinkCandidate`). */
export interface ConceptLink {
  id: string;
  name: string;
  type: string;
  codes: Record<string, string>;
  score: number;
}

/**
 * The services of other stages that enrich fields: the knowledge graph (lab analytes, ICD-10 and
 * ICD-9-CM-3 links) and assertion of a span. Extractors work from text alone and call these when present.
 */
export interface Enrichers {
  lookupLabAnalyte(name: string): LabAnalyteInfo | null;
  /** Candidates for one diagnosis (best first). */
  linkDisease(text: string): ConceptLink[];
  /** Candidates for a text that may hold several diagnoses (胃癌术后；高血压3级). */
  linkDiagnoses(text: string): ConceptLink[];
  linkProcedure(text: string): ConceptLink[];
  assertSpan(doc: MedDocument, start: number, end: number): Assertion | null;
}

const none: Enrichers = {
  lookupLabAnalyte: () => null,
  linkDisease: () => [],
  linkDiagnoses: () => [],
  linkProcedure: () => [],
  assertSpan: () => null,
};

let active: Enrichers = none;

/**
 * Remembers a look-up's answers by key (lab analyte names and diagnosis texts repeat from report to report); the
 * memory is dropped whole when it reaches `max` entries, which keeps it bounded without bookkeeping.
 */
export function memoize<T>(lookup: (key: string) => T, max = 20_000): (key: string) => T {
  const memory = new Map<string, T>();
  return (key) => {
    const known = memory.get(key);
    if (known !== undefined || memory.has(key)) return known as T;
    if (memory.size >= max) memory.clear();
    const value = lookup(key);
    memory.set(key, value);
    return value;
  };
}

export function enrichers(): Enrichers {
  return active;
}

/** Replaces some enrichers (the library wires the linker and the assertion module; tests may stub them). */
export function setEnrichers(partial: Partial<Enrichers>): void {
  active = { ...active, ...partial };
}
