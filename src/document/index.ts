export { MedDocument, codePoints, type DocumentOptions } from './document.js';
export { normalizeText, foldChar, isHan, type TextView } from './normalize.js';
export { splitSentences } from './sentences.js';
export type * from './types.js';
