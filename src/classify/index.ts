/**
 * Report type classification: a trained linear model over character n-grams plus keyword cues for
 * titles and section headers (resources/classify). Works on whole reports, fragments and OCR text.
 */
import type { MedDocument } from '../document/document.js';
import { MedstructError } from '../errors.js';
import type { Stage } from '../pipeline/stage.js';
import { classifierCodes } from './features.js';
import { loadModel, modelLogits } from './model.js';
import { cueBonus, cueView, loadCueRules, pickSubtype } from './rules.js';
import { REPORT_TYPES, codeOf, type Classification, type ClassificationCandidate, type ReportType } from './types.js';

export * from './types.js';

const MAX_ALTERNATIVES = 3;
const MIN_ALTERNATIVE_CONFIDENCE = 0.01;

function round(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}

function candidate(type: ReportType, subtype: string | null, confidence: number): ClassificationCandidate {
  const { code, name } = codeOf(type, subtype);
  return { type, subtype, code, name, confidence: round(confidence) };
}

/** Classifies any report text (a whole report, a paragraph, one line) into a report type. */
export function classifyText(text: string): Classification {
  if (text.trim() === '') throw new MedstructError('EMPTY_INPUT', 'Nothing to classify: the text is empty');
  const model = loadModel();
  const rules = loadCueRules();
  const cues = cueView(text);
  const logits = modelLogits(model, classifierCodes(text));
  const bonus = cueBonus(cues, rules);
  const scores = model.classes.map((name, c) => ({ type: name as ReportType, logit: logits[c]! + bonus[REPORT_TYPES.indexOf(name as ReportType)]! }));
  const max = Math.max(...scores.map((s) => s.logit));
  let sum = 0;
  const ranked = scores.map((s) => {
    const p = Math.exp(s.logit - max);
    sum += p;
    return { type: s.type, p };
  });
  ranked.forEach((r) => { r.p /= sum; });
  ranked.sort((a, b) => b.p - a.p);
  const [best, ...rest] = ranked;
  const chosen = candidate(best!.type, pickSubtype(best!.type, cues, rules), best!.p);
  const alternatives = rest.filter((r) => r.p >= MIN_ALTERNATIVE_CONFIDENCE).slice(0, MAX_ALTERNATIVES)
    .map((r) => candidate(r.type, pickSubtype(r.type, cues, rules), r.p));
  return { ...chosen, alternatives };
}

/** Sets `doc.classification` (an empty document is `other`). */
export const classifyStage: Stage = {
  name: 'classify',
  process(doc: MedDocument): void {
    doc.classification = doc.text.trim() === ''
      ? { ...candidate('other', null, 1), alternatives: [] }
      : classifyText(doc.text);
  },
};
