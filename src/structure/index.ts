import { classifyStage } from '../classify/index.js';
import { codeOf, type Classification, type ReportType } from '../classify/types.js';
import { MedDocument } from '../document/document.js';
import type { Polygon } from '../document/types.js';
import { MedstructError } from '../errors.js';
import { fieldsStage, type CustomFieldSpec } from '../fields/index.js';
import { nativeEntity, type NativeEntity } from '../output/native.js';
import { buildPipeline } from '../pipeline/default.js';
import { Pipeline, type Stage } from '../pipeline/stage.js';
import { sectionsStage } from '../sections/index.js';

export { toTencentResponse, toTencentTemplate } from './tencent.js';
export { toTencentBlock } from './tencent-block.js';

export interface StructureOptions {
  /** A report type to read the fields for, or `auto` (default) to classify. */
  type?: ReportType | 'auto';
  /** User-defined fields (`--fields FILE`). */
  fields?: CustomFieldSpec[];
  /** The pipeline before the fields stage (default: the standard pipeline); tests pass a lighter one. */
  pipeline?: Pipeline;
}

export interface StructuredSection {
  key: string;
  title: string | null;
  start: number;
  end: number;
  text: string;
}

/** An entity; from an image or PDF it also carries its page and polygon (image pixels or PDF points). */
export interface StructuredEntity extends NativeEntity {
  page?: number;
  polygon?: Polygon;
}

export interface StructureResult {
  type: Classification;
  sections: StructuredSection[];
  entities: StructuredEntity[];
  fields: Record<string, unknown>;
  patient: Record<string, unknown>;
  report: Record<string, unknown>;
}

const prepared = new WeakMap<Pipeline, Pipeline>();

/**
 * The stages that run before the fields: the given pipeline without its fields stage, with classify and
 * sections put first when the pipeline lacks them (fields are read per type and per section).
 */
function stagesBeforeFields(pipeline: Pipeline): Pipeline {
  const cached = prepared.get(pipeline);
  if (cached) return cached;
  const stages: Stage[] = pipeline.stages.filter((s) => s.name !== 'fields');
  const names = stages.map((s) => s.name);
  const lead: Stage[] = [];
  if (!names.includes('classify')) lead.push(classifyStage);
  if (!names.includes('sections')) lead.push(sectionsStage);
  const out = new Pipeline([...lead, ...stages]);
  prepared.set(pipeline, out);
  return out;
}

function forcedClassification(type: ReportType): Classification {
  const { code, name } = codeOf(type, null);
  return { type, subtype: null, code, name, confidence: 1, alternatives: [] };
}

function placed(doc: MedDocument, entity: NativeEntity): StructuredEntity {
  const page = doc.pageOf(entity.start);
  const polygon = doc.polygonOf(entity.start, entity.end);
  return { ...entity, ...(page !== null ? { page } : {}), ...(polygon ? { polygon } : {}) };
}

/** Runs the pipeline on a document and assembles the native structure result. */
export function structureDocument(doc: MedDocument, options: StructureOptions = {}): StructureResult {
  let pipeline = stagesBeforeFields(options.pipeline ?? buildPipeline({ report: true }));
  if (options.type !== undefined && options.type !== 'auto') {
    doc.classification = forcedClassification(options.type);
    pipeline = pipeline.without('classify');
  }
  pipeline.run(doc);
  fieldsStage({ custom: options.fields ?? [] }).process(doc);
  const { patient, report, ...fields } = doc.fields as { patient?: Record<string, unknown>; report?: Record<string, unknown> } & Record<string, unknown>;
  return {
    type: doc.classification as Classification,
    sections: doc.sections.map((s) => ({ key: s.key, title: s.title, start: s.start, end: s.end, text: doc.slice(s.header ? s.header.end : s.start, s.end).replace(/^[\s:：]+/, '').trimEnd() })),
    entities: doc.entities.map((e) => placed(doc, nativeEntity(e))),
    fields,
    patient: patient ?? {},
    report: report ?? {},
  };
}

/** Structures a report text: type, sections, entities and the type's fields, each field with its evidence. */
export function structureText(text: string, options: StructureOptions = {}): StructureResult {
  if (typeof text !== 'string' || text.trim() === '') throw new MedstructError('EMPTY_INPUT', 'Nothing to structure: the text is empty');
  return structureDocument(new MedDocument(text), options);
}
