import type { MedDocument } from '../document/document.js';
import type { Stage } from '../pipeline/stage.js';
import type { Linker } from './linker.js';

/**
 * The linking stage: every entity whose type the knowledge graph covers gets `link`, its best credible
 * concept (standard name, id, codes, score), or stays unlinked (null) when no candidate is credible.
 */
export function createLinkingStage(getLinker: () => Linker): Stage {
  return {
    name: 'linking',
    process(doc: MedDocument): void {
      if (doc.entities.length === 0) return;
      const linker = getLinker();
      for (const entity of doc.entities) {
        const [best] = linker.link(entity.text, entity.type);
        entity.link = best ? { id: best.id, name: best.name, type: best.type, codes: best.codes, score: best.score } : null;
      }
    },
  };
}
