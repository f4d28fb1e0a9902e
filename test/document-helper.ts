import { MedDocument } from '../src/document/document.js';
import type { EntityType } from '../src/taxonomy/taxonomy.js';

/**
 * A document with the given surface forms marked as entities (the n-th occurrence of each; type defaults to symptom),
 * for testing stages that run after entity recognition without depending on the trained model.
 */
export function annotate(text: string, entities: Array<[string, EntityType?, number?]>): MedDocument {
  const doc = new MedDocument(text);
  for (const [surface, type = 'symptom', nth = 0] of entities) {
    let at = -1;
    for (let k = 0; k <= nth; k++) at = text.indexOf(surface, at + 1);
    if (at < 0) throw new Error(`${surface} not in ${text}`);
    doc.entities.push({
      id: doc.newEntityId(), start: at, end: at + surface.length, text: surface, type,
      confidence: 1, source: 'rule', parent: null, children: [], assertion: null, link: null,
    });
  }
  doc.rebuildNesting();
  return doc;
}
