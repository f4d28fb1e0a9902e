import { classifyStage } from '../classify/index.js';
import { attributesStage } from '../attributes/index.js';
import { loadEntityStage } from '../entities/index.js';
import { fieldsStage } from '../fields/index.js';
import { linkingStage } from '../linking/index.js';
import { sectionsStage } from '../sections/index.js';
import { relationsStage } from '../relations/index.js';
import type { SchemeName } from '../taxonomy/taxonomy.js';
import { Pipeline, type Stage } from './stage.js';

export interface PipelineOptions {
  /** Entity labels to produce: `native` (default) or a corpus scheme for evaluation. */
  scheme?: SchemeName;
  /**
   * Also classify the report type before sections, so sections get type-specific keys and the
   * findings/impression split of header-less reports (`structure` sets it; `ner` does not pay for it).
   */
  report?: boolean;
}

const cache = new Map<string, Pipeline>();

/**
 * The standard pipeline: ingest has already built the document; then
 * classify → sections → entities → attributes → relations → linking → fields.
 */
export function buildPipeline(options: PipelineOptions = {}): Pipeline {
  const scheme = options.scheme ?? 'native';
  const report = options.report ?? false;
  const key = JSON.stringify({ scheme, report });
  const cached = cache.get(key);
  if (cached) return cached;
  // Relations add drug-attribute entities, which corpus schemes do not annotate.
  const relations = scheme === 'native' ? [relationsStage] : [];
  const stages: Stage[] = [loadEntityStage(scheme), attributesStage, ...relations, linkingStage];
  // Header sections are cheap and let later stages read context (family history, past history).
  stages.unshift(...(report ? [classifyStage, sectionsStage] : [sectionsStage]));
  // Report fields are read per report type, so they need the classification.
  if (report) stages.push(fieldsStage());
  const pipeline = new Pipeline(stages);
  cache.set(key, pipeline);
  return pipeline;
}
