import type { MedDocument } from '../document/document.js';
import type { Entity } from '../document/types.js';

export interface NativeEntity {
  id: string;
  start: number;
  end: number;
  text: string;
  type: string;
  confidence: number;
  parent: string | null;
  children: string[];
  assertion: Entity['assertion'];
  link: Entity['link'];
}

const round = (x: number): number => Math.round(x * 10000) / 10000;

export function nativeEntity(e: Entity): NativeEntity {
  return {
    id: e.id, start: e.start, end: e.end, text: e.text, type: e.type, confidence: round(e.confidence),
    parent: e.parent, children: e.children, assertion: e.assertion, link: e.link,
  };
}

/** `medstruct ner --format native`: every entity with its nesting, assertion and link. */
export function toNativeNer(doc: MedDocument): { entities: NativeEntity[]; relations: MedDocument['relations'] } {
  return { entities: doc.entities.map(nativeEntity), relations: doc.relations };
}
