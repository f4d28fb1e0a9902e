/**
 * Trains the report-type classifier: multinomial logistic regression over character 1-3-grams. The
 * keyword cues (resources/classify/rules.json) are added to its logits only at inference: trained on
 * top of them, the model learned to lean on the cues and judged cue-less fragments worse.
 *   npx tsx scripts/classify/train.ts   (after scripts/classify/build-data.ts; `npm run train:classify` runs both)
 * Reads data/classify/train.jsonl only; writes models/classify/model.json + weights.bin.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { classifierCodes, extractFeatures, featureName } from '../../src/classify/features.js';
import type { ModelFile } from '../../src/classify/model.js';
import { REPORT_TYPES } from '../../src/classify/types.js';
import { PACKAGE_ROOT, modelPath } from '../../src/resources.js';
import { seededRng } from './synthetic.js';

const MIN_DOC_FREQ = 3;
const MAX_VOCABULARY = 50_000;
const EPOCHS = 10;
const LEARNING_RATE = 0.5;
const L2 = 1e-6;

interface Row { x: Array<[number, number]>; y: number; weight: number }

function main(): void {
  const rows = readFileSync(`${PACKAGE_ROOT}/data/classify/train.jsonl`, 'utf8').split('\n').filter(Boolean)
    .map((l) => JSON.parse(l) as { text: string; type: string });
  const classes = [...REPORT_TYPES];
  const featureMaps = rows.map((r) => extractFeatures(classifierCodes(r.text)));

  const docFreq = new Map<number, number>();
  for (const f of featureMaps) for (const key of f.keys()) docFreq.set(key, (docFreq.get(key) ?? 0) + 1);
  const vocabulary = [...docFreq.entries()].filter(([, n]) => n >= MIN_DOC_FREQ).sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, MAX_VOCABULARY).map(([k]) => k);
  const index = new Map(vocabulary.map((v, i) => [v, i]));

  const perClass = new Array<number>(classes.length).fill(0);
  for (const r of rows) perClass[classes.indexOf(r.type as (typeof classes)[number])]! += 1;
  const data: Row[] = rows.map((r, i) => {
    const y = classes.indexOf(r.type as (typeof classes)[number]);
    if (y < 0) throw new Error(`Unknown type ${r.type}`);
    const x: Array<[number, number]> = [];
    for (const [key, value] of featureMaps[i]!) {
      const j = index.get(key);
      if (j !== undefined) x.push([j, value]);
    }
    // Rare classes weigh more (inverse square root of their frequency), so the big corpora do not drown them.
    return { x, y, weight: Math.sqrt(rows.length / classes.length / perClass[y]!) };
  });

  const k = classes.length;
  const weights = new Float64Array(vocabulary.length * k);
  const gradSq = new Float64Array(vocabulary.length * k).fill(1e-8);
  const bias = new Float64Array(k);
  const biasSq = new Float64Array(k).fill(1e-8);
  const rng = seededRng(11);
  const order = data.map((_, i) => i);
  const logits = new Float64Array(k);
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    let loss = 0;
    for (const n of order) {
      const row = data[n]!;
      for (let c = 0; c < k; c++) logits[c] = bias[c]!;
      for (const [j, v] of row.x) for (let c = 0; c < k; c++) logits[c]! += v * weights[j * k + c]!;
      let max = -Infinity;
      for (let c = 0; c < k; c++) if (logits[c]! > max) max = logits[c]!;
      let sum = 0;
      for (let c = 0; c < k; c++) { logits[c] = Math.exp(logits[c]! - max); sum += logits[c]!; }
      loss -= row.weight * Math.log(Math.max(logits[row.y]! / sum, 1e-12));
      for (let c = 0; c < k; c++) {
        const g = row.weight * (logits[c]! / sum - (c === row.y ? 1 : 0));
        if (Math.abs(g) < 1e-5) continue;
        biasSq[c]! += g * g;
        bias[c]! -= (LEARNING_RATE * g) / Math.sqrt(biasSq[c]!);
        for (const [j, v] of row.x) {
          const at = j * k + c;
          const gw = g * v + L2 * weights[at]!;
          gradSq[at]! += gw * gw;
          weights[at]! -= (LEARNING_RATE * gw) / Math.sqrt(gradSq[at]!);
        }
      }
    }
    console.error(`epoch ${epoch + 1}: loss ${(loss / data.length).toFixed(4)}`);
  }

  mkdirSync(modelPath('classify'), { recursive: true });
  const meta: ModelFile = {
    format: 'medstruct-classify-lr/1',
    classes,
    vocabulary: vocabulary.map(featureName),
    bias: Array.from(bias, (b) => Math.round(b * 1e4) / 1e4),
    trainedOn: { examples: rows.length, perClass: Object.fromEntries(classes.map((c, i) => [c, perClass[i]])), epochs: EPOCHS, command: 'npm run train:classify' },
  };
  writeFileSync(modelPath('classify', 'model.json'), JSON.stringify(meta));
  writeFileSync(modelPath('classify', 'weights.bin'), Buffer.from(Float32Array.from(weights).buffer));
  console.log(JSON.stringify({ examples: rows.length, vocabulary: vocabulary.length, classes: k }));
}

main();
