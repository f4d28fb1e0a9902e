import { MedstructError } from '../errors.js';
import type { Stage } from '../pipeline/stage.js';
import type { SchemeName } from '../taxonomy/taxonomy.js';

/**
 * The entity-recognition stage for a scheme: the trained sequence model of that scheme (for `native`,
 * the model of the unified taxonomy) plus the dictionary and rule layers. Loaded once and cached.
 */
export function loadEntityStage(scheme: SchemeName): Stage {
  void scheme;
  throw new MedstructError('MODEL_NOT_FOUND', `No trained NER model for scheme ${scheme}`);
}
