import type { Stage } from '../pipeline/stage.js';
import { modelPath } from '../resources.js';
import { toNative, type SchemeName } from '../taxonomy/taxonomy.js';
import { FeatureExtractor } from './features.js';
import { Gazetteer } from './gazetteer.js';
import { SequenceModel } from './model.js';
import { nativeLayers, nativeLabel } from './native.js';
import { EntityStage } from './stage.js';

export { EntityStage, makeEntity, type EntityLayer, type LabelMapper } from './stage.js';
export { SequenceModel, type ModelSpan } from './model.js';
export { FeatureExtractor } from './features.js';

/** The scheme whose trained model the native pipeline runs (see docs/decisions.md). */
export const NATIVE_BASE_SCHEME = 'cmeee';

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
 * The entity-recognition stage for a scheme: the trained sequence model of that scheme (for `native`,
 * the CMeEE model mapped to unified types plus the dictionary and rule layers). Loaded once and cached.
 */
export function loadEntityStage(scheme: SchemeName): Stage {
  const cached = stages.get(scheme);
  if (cached) return cached;
  let stage: Stage;
  if (scheme === 'native') {
    const model = loadModel(NATIVE_BASE_SCHEME);
    stage = new EntityStage(model, new FeatureExtractor(loadGazetteer(), model.lexicon), nativeLabel, nativeLayers(loadGazetteer()));
  } else {
    const model = loadModel(scheme);
    stage = new EntityStage(model, new FeatureExtractor(loadGazetteer(), model.lexicon), (label) => toNative(scheme, label));
  }
  stages.set(scheme, stage);
  return stage;
}
