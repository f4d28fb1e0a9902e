import type { MedDocument } from '../document/document.js';
import type { Entity } from '../document/types.js';
import type { Stage } from '../pipeline/stage.js';
import type { EntityType } from '../taxonomy/taxonomy.js';
import type { FeatureExtractor } from './features.js';
import type { GazetteerMatches } from './gazetteer.js';
import type { SequenceModel } from './model.js';

/**
 * Maps a model label to the unified type (null drops the span); `text` is the span in the normalized
 * view, `layer` the index of the model layer that decoded it.
 */
export type LabelMapper = (label: string, text: string, layer: number) => EntityType | null;

/**
 * Adds rule- or dictionary-based entities after the model's (native pipeline). `matches` are the
 * stage's gazetteer matches over the normalized text (null without a gazetteer).
 */
export interface EntityLayer {
  add(doc: MedDocument, matches: GazetteerMatches | null): void;
}

/** One trained tagger in a stage: the model, where its lexicon features sit, and how its labels map to unified types. */
export interface TaggerPart {
  model: SequenceModel;
  /** First feature slot of this model's lexicon in the shared extractor. */
  lexiconSlot: number;
  mapLabel: LabelMapper;
  /** Keep the scheme's own label on the entity (only when the stage answers in that scheme). */
  keepLabel: boolean;
}

/**
 * The entities stage: extracts features once per sentence window of the normalized view, runs each
 * tagger on them and records spans in original code-point offsets; then the extra layers; then
 * recomputes nesting.
 */
export class EntityStage implements Stage {
  readonly name = 'entities';
  private readonly extractor: FeatureExtractor;
  private readonly parts: TaggerPart[];
  private readonly layers: EntityLayer[];

  constructor(extractor: FeatureExtractor, parts: TaggerPart[], layers: EntityLayer[] = []) {
    this.extractor = extractor;
    this.parts = parts;
    this.layers = layers;
  }

  process(doc: MedDocument): void {
    const chars = doc.norm.chars;
    const extractor = this.extractor;
    const matches = extractor.gazetteerMatches(chars);
    for (const sentence of doc.sentences) {
      const n = extractor.extract(chars, sentence.normStart, sentence.normEnd, matches);
      for (const { model, lexiconSlot, mapLabel, keepLabel } of this.parts) {
        for (const span of model.decode(extractor.features, n, extractor.slots, lexiconSlot)) {
          const normStart = sentence.normStart + span.start;
          const normEnd = sentence.normStart + span.end;
          const type = mapLabel(span.label, chars.slice(normStart, normEnd).join(''), span.layer);
          if (type === null) continue;
          const { start, end } = doc.fromNorm(normStart, normEnd);
          doc.entities.push(makeEntity(doc, start, end, type, span.confidence, 'model', keepLabel ? span.label : undefined));
        }
      }
    }
    for (const layer of this.layers) layer.add(doc, matches);
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
