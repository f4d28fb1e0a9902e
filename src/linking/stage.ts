import type { MedDocument } from '../document/document.js';
import type { Link } from '../document/types.js';
import type { Stage } from '../pipeline/stage.js';
import type { Linker } from './linker.js';

/** Mentions remembered per linker; a full memo is dropped whole (documents repeat mentions, rarely across thousands of them). */
const MEMO_LIMIT = 20_000;

/**
 * The linking stage: every entity whose type the knowledge graph covers gets `link`, its best credible
 * concept (standard name, id, codes, score), or stays unlinked (null) when no candidate is credible.
 * Linking depends only on the mention text and type, so results are memoised per (type, text).
 */
export function createLinkingStage(getLinker: () => Linker): Stage {
  let memoOf: Linker | null = null;
  const memo = new Map<string, Link | null>();
  return {
    name: 'linking',
    process(doc: MedDocument): void {
      if (doc.entities.length === 0) return;
      const linker = getLinker();
      if (memoOf !== linker) { memo.clear(); memoOf = linker; }
      for (const entity of doc.entities) {
        const key = `${entity.type}\t${entity.text}`;
        let link = memo.get(key);
        if (link === undefined) {
          const [best] = linker.link(entity.text, entity.type);
          link = best ? { id: best.id, name: best.name, type: best.type, codes: best.codes, score: best.score } : null;
          if (memo.size >= MEMO_LIMIT) memo.clear();
          memo.set(key, link);
        }
        // Each entity owns its link object, so later stages may edit one without touching others.
        entity.link = link ? { ...link, codes: { ...link.codes } } : null;
      }
    },
  };
}
