/**
 * Trains the certainty models of the attributes stage (models/assertion/certainty-lr.json) on CMDD's
 * training dialogues: multinomial logistic regression (Adagrad, L2) over the rule verdict and context
 * features. CMDD's dev split is never read here; it is the held-out set of `medstruct eval assertion`.
 *   npx tsx scripts/train-assertion.ts            (npm run train:assertion)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { dialogueMentionFeatures, peerFeatures } from '../src/attributes/dialogue.js';
import { CERTAINTIES, MODEL_FILE, predict, type CertaintyModel, type CertaintyModels } from '../src/attributes/model.js';
import { readCmddDirectory, type CmddDialogue } from '../src/eval/assertion.js';
import { modelPath } from '../src/resources.js';
import { sharedDataPath } from './shared-data.js';
import { seededShuffle } from '../src/util/random.js';

const EPOCHS = Number(process.env.EPOCHS ?? 12);
const LEARNING_RATE = Number(process.env.LEARNING_RATE ?? 0.02);
const L2 = Number(process.env.L2 ?? 1e-5);
const MIN_FEATURE_COUNT = 2;
/** Folds of the out-of-fold first pass whose probabilities the stacked model learns from. */
const STACK_FOLDS = Number(process.env.STACK_FOLDS ?? 4);
/** `--validate`: train on the dialogues whose id hash is not 0 mod 7 and score the rest (dev stays untouched). */
const VALIDATE = process.argv.includes('--validate');
/** The pipeline's sentence model overrules a rule-positive finding only above this probability. */
const OVERRULE = 0.85;

interface Example { features: string[]; label: number }


function train(examples: Example[]): CertaintyModel {
  const counts = new Map<string, number>();
  for (const e of examples) for (const f of new Set(e.features)) counts.set(f, (counts.get(f) ?? 0) + 1);
  const K = CERTAINTIES.length;
  const weights = new Map<string, Float64Array>();
  const history = new Map<string, Float64Array>();
  for (const [f, n] of counts) if (n >= MIN_FEATURE_COUNT) { weights.set(f, new Float64Array(K)); history.set(f, new Float64Array(K)); }
  const bias = new Float64Array(K);
  const biasHistory = new Float64Array(K);
  const order = [...examples];
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    seededShuffle(order, 1234 + epoch);
    let loss = 0;
    for (const e of order) {
      const active = [...new Set(e.features)].filter((f) => weights.has(f));
      const scores = Array.from(bias);
      for (const f of active) { const w = weights.get(f)!; for (let k = 0; k < K; k++) scores[k]! += w[k]!; }
      const max = Math.max(...scores);
      const exp = scores.map((s) => Math.exp(s - max));
      const sum = exp.reduce((a, b) => a + b, 0);
      const p = exp.map((x) => x / sum);
      loss -= Math.log(Math.max(p[e.label]!, 1e-12));
      for (let k = 0; k < K; k++) {
        const g = p[k]! - (k === e.label ? 1 : 0);
        biasHistory[k]! += g * g;
        bias[k]! -= (LEARNING_RATE * g) / Math.sqrt(biasHistory[k]! + 1e-8);
        for (const f of active) {
          const w = weights.get(f)!;
          const h = history.get(f)!;
          const gw = g + L2 * w[k]!;
          h[k]! += gw * gw;
          w[k]! -= (LEARNING_RATE * gw) / Math.sqrt(h[k]! + 1e-8);
        }
      }
    }
    console.error(`epoch ${epoch + 1}: mean loss ${(loss / order.length).toFixed(4)}`);
  }
  const round = (x: number): number => Math.round(x * 1000) / 1000;
  const out: Record<string, number[]> = {};
  for (const [f, w] of [...weights].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (w.some((x) => Math.abs(x) >= 0.01)) out[f] = Array.from(w, round);
  }
  return { labels: [...CERTAINTIES], bias: Array.from(bias, round), weights: out };
}

function stableHash(text: string): number {
  let h = 2166136261;
  for (const ch of text) h = Math.imul(h ^ ch.codePointAt(0)!, 16777619) >>> 0;
  return h;
}

function accuracy(model: CertaintyModel, examples: Example[]): number {
  let right = 0;
  for (const e of examples) {
    const p = predict(model, e.features);
    if (p.indexOf(Math.max(...p)) === e.label) right++;
  }
  return Math.round((right / examples.length) * 10000) / 10000;
}

interface Prepared { dialogue: CmddDialogue; features: Array<{ sentence: string[]; dialogue: string[] }>; labels: number[] }

function prepare(dialogues: CmddDialogue[]): Prepared[] {
  return dialogues.map((d) => ({
    dialogue: d,
    features: dialogueMentionFeatures(d.utterances, d.mentions),
    labels: d.gold.map((g) => CERTAINTIES.indexOf(g)),
  }));
}

const examples = (set: Prepared[], pick: (f: { sentence: string[]; dialogue: string[] }) => string[]): Example[] =>
  set.flatMap((p) => p.features.map((f, i) => ({ features: pick(f), label: p.labels[i]! })));

/** Stacked examples: dialogue features plus peer verdicts of a first pass that never saw these dialogues. */
function stackedExamples(set: Prepared[], firstPass: (p: Prepared) => CertaintyModel): Example[] {
  return set.flatMap((p) => {
    const model = firstPass(p);
    const probabilities = p.features.map((f) => predict(model, f.dialogue));
    const peers = peerFeatures(p.dialogue.utterances, p.dialogue.mentions, probabilities);
    return p.features.map((f, i) => ({ features: [...f.dialogue, ...peers[i]!], label: p.labels[i]! }));
  });
}

/** First pass and stacked model; the stacked model learns from out-of-fold first-pass probabilities. */
function trainDialogueModels(set: Prepared[]): { dialogue: CertaintyModel; stacked: CertaintyModel } {
  const fold = (p: Prepared): number => stableHash(p.dialogue.id) % STACK_FOLDS;
  const foldModels = Array.from({ length: STACK_FOLDS }, (_, k) => train(examples(set.filter((p) => fold(p) !== k), (f) => f.dialogue)));
  const stacked = train(stackedExamples(set, (p) => foldModels[fold(p)]!));
  return { dialogue: train(examples(set, (f) => f.dialogue)), stacked };
}

const all = prepare(readCmddDirectory(sharedDataPath('assertion', 'cmdd', 'train')));
if (VALIDATE) {
  const isValidation = (p: Prepared): boolean => stableHash(p.dialogue.id) % 7 === 0;
  const trainSet = all.filter((p) => !isValidation(p));
  const valid = all.filter(isValidation);
  const models = trainDialogueModels(trainSet);
  const stackedValid = stackedExamples(valid, () => models.dialogue);
  console.log(JSON.stringify({
    epochs: EPOCHS, learningRate: LEARNING_RATE, l2: L2, validation: stackedValid.length,
    firstPass: accuracy(models.dialogue, examples(valid, (f) => f.dialogue)), stacked: accuracy(models.stacked, stackedValid),
  }));
  process.exit(0);
}
console.error(`${all.length} dialogues, ${examples(all, (f) => f.dialogue).length} mentions`);
const dialogueModels = trainDialogueModels(all);
const models: CertaintyModels = { sentence: train(examples(all, (f) => f.sentence)), ...dialogueModels, overrule: OVERRULE };
const path = modelPath(...MODEL_FILE);
mkdirSync(dirname(path), { recursive: true });
writeFileSync(path, JSON.stringify(models) + '\n');
console.error(`wrote ${path}: ${Object.keys(models.sentence.weights).length} + ${Object.keys(models.dialogue.weights).length} + ${Object.keys(models.stacked.weights).length} features`);
