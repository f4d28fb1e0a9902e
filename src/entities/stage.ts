import type { MedDocument } from '../document/document.js';
import type { Entity } from '../document/types.js';
import type { Stage } from '../pipeline/stage.js';
import type { EntityType } from '../taxonomy/taxonomy.js';
import type { FeatureExtractor } from './features.js';
import type { SequenceModel } from './model.js';

/** Maps a model label to the unified type (null drops the span); `text` is the span in the normalized view. */
export type LabelMapper = (label: string, text: string) => EntityType | null;

/** Adds rule- or dictionary-based entities after the model's (native pipeline). */
export interface EntityLayer {
  add(doc: MedDocument): void;
}

/**
 * The entities stage: runs the tagger over every sentence window of the normalized view and
 * records spans in original code-point offsets; then the extra layers; then recomputes nesting.
 */
export class EntityStage implements Stage {
  readonly name = 'entities';
  private readonly model: SequenceModel;
  private readonly extractor: FeatureExtractor;
  private readonly mapLabel: LabelMapper;
  private readonly layers: EntityLayer[];

  constructor(model: SequenceModel, extractor: FeatureExtractor, mapLabel: LabelMapper, layers: EntityLayer[] = []) {
    this.model = model;
    this.extractor = extractor;
    this.mapLabel = mapLabel;
    this.layers = layers;
  }

  process(doc: MedDocument): void {
    const chars = doc.norm.chars;
    for (const sentence of doc.sentences) {
      const n = this.extractor.extract(chars, sentence.normStart, sentence.normEnd);
      for (const span of this.model.decode(this.extractor.features, n, this.extractor.slots)) {
        const normStart = sentence.normStart + span.start;
        const normEnd = sentence.normStart + span.end;
        const type = this.mapLabel(span.label, chars.slice(normStart, normEnd).join(''));
        if (type === null) continue;
        const { start, end } = doc.fromNorm(normStart, normEnd);
        doc.entities.push(makeEntity(doc, start, end, type, span.confidence, 'model', span.label));
      }
    }
    for (const layer of this.layers) layer.add(doc);
    doc.rebuildNesting();
  }
}

export function makeEntity(doc: MedDocument, start: number, end: number, type: EntityType, confidence: number, source: Entity['source'], label?: string): Entity {
  const entity: Entity = {
    id: doc.newEntityId(), start, end, text: doc.slice(start, end), type, confidence, source,
    parent: null, children: [], assertion: null, link: null,
  };
  if (label !== undefined) entity.label = label;
  return entity;
}
