import { existsSync, readFileSync } from 'node:fs';
import type { MedDocument } from '../document/document.js';
import type { Assertion, Certainty } from '../document/types.js';
import { modelPath } from '../resources.js';
import type { SentenceContext } from './context.js';
import { cueLexicon } from './cues.js';
import { contextFeatures, LEFT_WINDOW, RIGHT_WINDOW } from './features.js';

export const CERTAINTIES: readonly Certainty[] = ['positive', 'negative', 'possible'];

/** A multinomial logistic regression over sparse string features (scripts/train-assertion.ts). */
export interface CertaintyModel {
  labels: Certainty[];
  bias: number[];
  weights: Record<string, number[]>;
}

export interface CertaintyModels {
  /** Sentence features only: what the pipeline sees. */
  sentence: CertaintyModel;
  /** Sentence plus dialogue-turn features (the answer to a question), for doctor–patient dialogues. */
  dialogue: CertaintyModel;
  /** The dialogue features plus the first pass's verdicts on other mentions of the same words. */
  stacked: CertaintyModel;
  /** Below this probability the sentence model does not overrule a finding the rules left positive. */
  overrule: number;
}

export const MODEL_FILE = ['assertion', 'certainty-lr.json'] as const;

let models: CertaintyModels | null | undefined;

/** The trained certainty models, or null when the file is absent (the rules then decide alone). */
export function certaintyModels(): CertaintyModels | null {
  if (models === undefined) {
    const path = modelPath(...MODEL_FILE);
    models = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as CertaintyModels) : null;
  }
  return models;
}

/**
 * Each model's weights as a Map, built on first use: features are strings built per finding, and a Map
 * finds fresh strings about twice as fast as the JSON object's tens of thousands of keys.
 */
const weightMaps = new WeakMap<CertaintyModel, Map<string, number[]>>();

export function predict(model: CertaintyModel, features: readonly string[]): number[] {
  let weights = weightMaps.get(model);
  if (!weights) {
    weights = new Map(Object.entries(model.weights));
    weightMaps.set(model, weights);
  }
  const scores = [...model.bias];
  for (const f of features) {
    const w = weights.get(f);
    if (w) for (let k = 0; k < scores.length; k++) scores[k]! += w[k]!;
  }
  const max = Math.max(...scores);
  const exp = scores.map((s) => Math.exp(s - max));
  const sum = exp.reduce((a, b) => a + b, 0);
  return exp.map((e) => e / sum);
}

/**
 * Lets the learned model catch colloquial or unlisted negation and doubt (没怎么咳, 烧退了) that the
 * rules left positive, when it is confident. A cue the rules found stands: the model learned from
 * pediatric dialogues and is less sure of report language than the cue lists are.
 */
export function refineCertainty(doc: MedDocument, ctx: SentenceContext, start: number, end: number, rules: Assertion): Assertion {
  const m = certaintyModels();
  if (!m || rules.certainty !== 'positive' || rules.triggers.some((t) => t.axis === 'certainty')) return rules;
  if (!nearCertaintyWords(doc.norm.chars, ctx, start, end)) return rules;
  const probs = predict(m.sentence, contextFeatures(doc.norm.chars, ctx, start, end, rules));
  const p = (c: Certainty): number => probs[m.sentence.labels.indexOf(c)] ?? 0;
  let best: Certainty = 'positive';
  for (const c of CERTAINTIES) if (p(c) > p(best)) best = c;
  if (best !== 'positive' && p(best) >= m.overrule) {
    rules.certainty = best;
    rules.confidence.certainty = round(p(best));
  } else {
    rules.confidence.certainty = round((rules.confidence.certainty + p('positive')) / 2);
  }
  return rules;
}

const round = (x: number): number => Math.round(x * 1000) / 1000;

/** The model's context window; without a character of any certainty cue in it the model has nothing to go on. */
function nearCertaintyWords(chars: readonly string[], ctx: SentenceContext, start: number, end: number): boolean {
  const words = cueLexicon().certaintyChars;
  for (let i = Math.max(ctx.start, start - LEFT_WINDOW); i < Math.min(ctx.end, end + RIGHT_WINDOW); i++) {
    if (words.has(chars[i]!)) return true;
  }
  return false;
}
