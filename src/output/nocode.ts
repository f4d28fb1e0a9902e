import type { MedDocument } from '../document/document.js';
import { typeInfo } from '../taxonomy/taxonomy.js';

export interface NocodeEntity {
  entity_id: string;
  entity_type: string;
  entity_name: string;
  ner_name: string;
  ner_type: string;
  positions: Array<{ start_index: number; end_index: number; probability: number }>;
}

export interface NocodeOptions {
  /** Leave out findings asserted as absent (未见结石). */
  dropNegated?: boolean;
}

const round = (x: number): number => Math.round(x * 10000) / 10000;

/**
 * nocode's entity_extraction: one item per distinct (words, recognized type), with every position.
 * entity_* come from the knowledge-graph link when there is one, else repeat what recognition found.
 */
export function toNocode(doc: MedDocument, options: NocodeOptions = {}): { data: { entity_extraction: NocodeEntity[] } } {
  const byKey = new Map<string, NocodeEntity>();
  for (const e of doc.entities) {
    const nerType = typeInfo(e.type).nocode;
    if (nerType === null) continue;
    if (options.dropNegated && e.assertion?.certainty === 'negative') continue;
    const key = `${nerType}\u0000${e.text}`;
    let item = byKey.get(key);
    if (!item) {
      item = {
        entity_id: e.link?.id ?? '',
        entity_type: e.link?.type ?? nerType,
        entity_name: e.link?.name ?? e.text,
        ner_name: e.text,
        ner_type: nerType,
        positions: [],
      };
      byKey.set(key, item);
    }
    item.positions.push({ start_index: e.start, end_index: e.end, probability: round(e.confidence) });
  }
  return { data: { entity_extraction: [...byKey.values()] } };
}
