import { loadKnowledgeGraph } from './kg.js';
import { Linker } from './linker.js';
import { createLinkingStage } from './stage.js';

export { Linker, type HospitalLink, type LabAnalyte, type LinkCandidate } from './linker.js';
export { KnowledgeGraph, loadKnowledgeGraph, type ConceptType } from './kg.js';
export { normalizeKey } from './normalize.js';

let cached: Linker | null = null;

/** The process-wide linker over the compiled knowledge graph (models/kg), loaded on first use. */
export function getLinker(): Linker {
  cached ??= new Linker(loadKnowledgeGraph());
  return cached;
}

/** Pipeline stage 'linking': sets entity.link for every entity with a credible concept. */
export const linkingStage = createLinkingStage(getLinker);
