import type { Stage } from '../pipeline/stage.js';
import { modelPath } from '../resources.js';
import { toNative, type SchemeName } from '../taxonomy/taxonomy.js';
import { FeatureExtractor } from './features.js';
import { Gazetteer } from './gazetteer.js';
import { SequenceModel } from './model.js';
import { NATIVE_TAGGERS, nativeLabelMapper, nativeLayers } from './native.js';
import { EntityStage } from './stage.js';

export { EntityStage, makeEntity, type EntityLayer, type LabelMapper, type TaggerPart } from './stage.js';
export { SequenceModel, type ModelSpan } from './model.js';
export { FeatureExtractor } from './features.js';

let gazetteer: Gazetteer | null = null;
const models = new Map<string, SequenceModel>();
const stages = new Map<SchemeName, Stage>();

export function loadGazetteer(): Gazetteer {
  gazetteer ??= Gazetteer.load(modelPath('ner', 'gazetteer.tsv'));
  return gazetteer;
}

export function loadModel(scheme: string): SequenceModel {
  let model = models.get(scheme);
  if (!model) {
    model = SequenceModel.load(modelPath('ner', `${scheme}.bin`));
    models.set(scheme, model);
  }
  return model;
}

/**
 * The entity-recognition stage for a scheme: the trained sequence model of that scheme, or for `native`
 * the taggers of resources/entities/native.json mapped to unified types plus the dictionary and rule
 * layers. Loaded once and cached.
 */
export function loadEntityStage(scheme: SchemeName): Stage {
  const cached = stages.get(scheme);
  if (cached) return cached;
  let stage: Stage;
  if (scheme === 'native') {
    // One combined model: each feature is looked up once for all the native taggers.
    // Loaded uncached: only the combined model and the lexicons stay in memory.
    const taggers = NATIVE_TAGGERS.map((tagger) => SequenceModel.load(modelPath('ner', `${tagger.scheme}.bin`)));
    const extractor = new FeatureExtractor(loadGazetteer(), taggers.map((m) => m.lexicon));
    const layerTaggers = NATIVE_TAGGERS.flatMap((tagger, k) => taggers[k]!.layerNames.map(() => tagger));
    const part = { model: SequenceModel.combine(taggers), lexiconSlot: extractor.lexiconSlot(0), mapLabel: nativeLabelMapper(layerTaggers), keepLabel: false };
    stage = new EntityStage(extractor, [part], nativeLayers(loadGazetteer(), Gazetteer.load(modelPath('ner', 'findings.tsv'))));
  } else {
    const model = loadModel(scheme);
    const extractor = new FeatureExtractor(loadGazetteer(), [model.lexicon], model.header.wideContext === true);
    stage = new EntityStage(extractor, [{ model, lexiconSlot: extractor.lexiconSlot(0), mapLabel: (label) => toNative(scheme, label), keepLabel: true }]);
  }
  stages.set(scheme, stage);
  return stage;
}
