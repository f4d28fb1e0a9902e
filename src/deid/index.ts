export { deidentifyText, detectPhi, resolveMaskFlags } from './text.js';
export { deidentifyImage, type ImageDeidOptions } from './image.js';
export { SurrogateFactory } from './surrogate.js';
export { isValidId18, idCheckChar } from './idcard.js';
export { PHI_TYPES, type DeidMode, type DeidOptions, type PhiCategory, type PhiSpan, type PhiType } from './types.js';
