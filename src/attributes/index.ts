import type { MedDocument } from '../document/document.js';
import type { Assertion, Entity, Span } from '../document/types.js';
import type { Stage } from '../pipeline/stage.js';
import { assertWithCues, sentenceContext, type SentenceContext } from './context.js';
import { cueLexicon } from './cues.js';
import { refineCertainty } from './model.js';

export type { Axis } from './cues.js';

/** Whether the stage asserts entities of this type (findings, and tests/exams for their results). */
export function isAsserted(entity: Pick<Entity, 'type'>): boolean {
  const lexicon = cueLexicon();
  return lexicon.fullTypes.has(entity.type) || lexicon.resultOnlyTypes.has(entity.type);
}

function assertNormSpan(doc: MedDocument, ctx: SentenceContext, start: number, end: number, entity: Entity | null): Assertion {
  const assertion = assertWithCues(doc, ctx, start, Math.min(end, ctx.end), entity?.type ?? null);
  // The learned model read patients' symptoms (CMDD); tests, exams and drugs take their certainty from result
  // cues alone, and diagnoses from the cue lists.
  if (entity && entity.type !== 'symptom') return assertion;
  return refineCertainty(doc, ctx, start, Math.min(end, ctx.end), assertion);
}

/**
 * The assertion of an arbitrary original span [start, end), e.g. a lesion that the fields stage found:
 * the span is judged in its sentence, with the document's asserted entities as coordinated findings.
 */
export function assertText(doc: MedDocument, start: number, end: number): Assertion {
  const norm = doc.toNorm(start, end);
  const normEnd = Math.max(norm.end, norm.start + 1);
  if (doc.sentences.length === 0) return assertWithCues(doc, sentenceContext(doc, 0, 0, []), 0, 0, null);
  const sentence = doc.sentences[doc.sentenceIndexAt(norm.start)]!;
  const findings: Span[] = [{ start: norm.start, end: normEnd }];
  for (const e of doc.entities) if (isAsserted(e)) findings.push(doc.toNorm(e.start, e.end));
  const ctx = sentenceContext(doc, sentence.normStart, sentence.normEnd, findings);
  return assertNormSpan(doc, ctx, norm.start, normEnd, null);
}

/** Sets `assertion` on every finding-like entity (disease, symptom, …; tests and exams for their results). */
export const attributesStage: Stage = {
  name: 'attributes',
  process(doc: MedDocument): void {
    if (doc.sentences.length === 0) return;
    const bySentence = new Map<number, Array<{ entity: Entity; span: Span }>>();
    for (const entity of doc.entities) {
      if (!isAsserted(entity)) continue;
      const span = doc.toNorm(entity.start, entity.end);
      const index = doc.sentenceIndexAt(span.start);
      const list = bySentence.get(index) ?? [];
      list.push({ entity, span });
      bySentence.set(index, list);
    }
    for (const [index, list] of bySentence) {
      const sentence = doc.sentences[index]!;
      const ctx = sentenceContext(doc, sentence.normStart, sentence.normEnd, list.map((x) => x.span));
      for (const { entity, span } of list) entity.assertion = assertNormSpan(doc, ctx, span.start, span.end, entity);
    }
  },
};
