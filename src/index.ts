export * from './document/index.js';
export { MedstructError, ERROR_CODES, type ErrorCode } from './errors.js';
export { ENTITY_TYPES, SCHEMES, type EntityType, type SchemeName } from './taxonomy/taxonomy.js';
export { Pipeline, type Stage } from './pipeline/stage.js';
export { buildPipeline, type PipelineOptions } from './pipeline/default.js';
export { toNativeNer } from './output/native.js';
export { toAliyunData } from './output/aliyun.js';
export { toNocode } from './output/nocode.js';
export { deidentifyText, deidentifyImage, type DeidMode, type DeidOptions, type ImageDeidOptions, type PhiSpan, type PhiType } from './deid/index.js';
