/**
 * Trains the NER taggers (averaged structured perceptron over BIOES tags, constrained Viterbi) on
 * data/ner/<scheme>/train.jsonl (made by `npm run data:ner`) and writes models/ner/<scheme>.bin.
 * Texts go through MedDocument's normalization and sentence windows exactly as at inference.
 *
 *   npm run train                          all schemes
 *   npm run train -- cmeee --epochs 6      one scheme
 *   npm run train -- cmeee --dev           train without the dev slice of train.jsonl, write
 *                                          data/ner/<scheme>/dev.bin and score it on that slice
 *   --wide / --narrow                      with or without the wide-context templates (default: the spec's)
 *   --runs N                               average N runs over differently shuffled data (default: the spec's)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MedDocument } from '../src/document/document.js';
import { allStackKeys, FeatureExtractor, FEATURE_VERSION, STACK_TEMPLATES, stackKeys } from '../src/entities/features.js';
import { Gazetteer } from '../src/entities/gazetteer.js';
import { SequenceModel, writeModel, type ModelHeader } from '../src/entities/model.js';
import { Decoder, tagCount, tagsOf, type TagSpan } from '../src/entities/tags.js';
import { NER_MODELS, type LayerSpec } from '../src/entities/layers.js';
import { modelPath, PACKAGE_ROOT } from '../src/resources.js';

interface Sentence {
  n: number;
  /** Feature indices, `slots` per position, −1 = absent or pruned. */
  features: Int32Array;
  /** Gold tags per layer. */
  gold: Int32Array[];
}

interface Options { epochs: number; /** Training runs over differently shuffled data whose weights are averaged. */ runs: number; minCount: number; /** Averaged weights smaller than this are dropped. */ prune: number; wideContext: boolean }

function readDocs(path: string): Array<{ text: string; entities: Array<{ start: number; end: number; type: string }> }> {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as { text: string; entities: Array<{ start: number; end: number; type: string }> });
}

/** Non-overlapping spans of one layer: longer spans first, then earlier. */
function layerSpans(spans: Array<{ start: number; end: number; type: string }>, layer: LayerSpec): TagSpan[] {
  const chosen: TagSpan[] = [];
  const candidates = spans.filter((s) => layer.labels.includes(s.type)).sort((a, b) => (b.end - b.start) - (a.end - a.start) || a.start - b.start);
  for (const s of candidates) {
    if (chosen.some((c) => c.start < s.end && s.start < c.end)) continue;
    chosen.push({ start: s.start, end: s.end, label: layer.labels.indexOf(s.type) });
  }
  return chosen;
}

/** Folds for the jackknifed lexicon: each fold's lexicon features come from the other folds' entities. */
const LEXICON_FOLDS = 5;

interface Prepared { sentences: Sentence[]; keys: Int32Array; index: Map<number, number>; chars: number; slots: number; lexicon: Array<[string, number]> }

function lexiconOf(docs: Array<{ spans: Array<{ term: string; type: string }> }>, labels: string[]): Array<[string, number]> {
  const masks = new Map<string, number>();
  for (const d of docs) {
    for (const s of d.spans) {
      const bit = labels.indexOf(s.type);
      if (bit < 0 || Array.from(s.term).length < 2) continue;
      masks.set(s.term, (masks.get(s.term) ?? 0) | (1 << bit));
    }
  }
  return [...masks.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

type Row = ReturnType<typeof readDocs>[number];

/**
 * The dev slice used to choose features and settings: a tenth of train.jsonl by a salted FNV-1a hash
 * of the text (independent of the held-out split's hash). Never the held-out slice.
 */
function isDev(text: string): boolean {
  let h = 0x811c9dc5 ^ 0x5eed;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h % 10 === 0;
}

function prepare(rows: Row[], layers: LayerSpec[], gazetteer: Gazetteer, minCount: number, wideContext: boolean): Prepared {
  const labels = layers.flatMap((l) => l.labels);
  const docs = rows.map((row) => {
    const doc = new MedDocument(row.text);
    const spans = row.entities
      .map((e) => ({ ...doc.toNorm(e.start, e.end), type: e.type }))
      .filter((s) => s.end > s.start)
      .map((s) => ({ ...s, term: doc.norm.chars.slice(s.start, s.end).join('').toLowerCase() }));
    return { doc, spans };
  });
  const raw: Array<{ keys: Int32Array; n: number; gold: Int32Array[] }> = [];
  const counts = new Map<number, number>();
  let chars = 0;
  let slots = 0;
  for (let fold = 0; fold < LEXICON_FOLDS; fold++) {
    const lexicon = Gazetteer.fromEntries(lexiconOf(docs.filter((_, i) => i % LEXICON_FOLDS !== fold), labels), labels.length);
    const extractor = new FeatureExtractor(gazetteer, [lexicon], wideContext);
    slots = extractor.slots;
    docs.forEach(({ doc, spans }, di) => {
      if (di % LEXICON_FOLDS !== fold) return;
      for (const sentence of doc.sentences) {
        const n = extractor.extract(doc.norm.chars, sentence.normStart, sentence.normEnd);
        if (n === 0) continue;
        chars += n;
        const keys = extractor.features.slice(0, n * slots);
        for (const k of keys) if (k !== 0) counts.set(k, (counts.get(k) ?? 0) + 1);
        const inside = spans
          .filter((s) => s.start >= sentence.normStart && s.end <= sentence.normEnd)
          .map((s) => ({ start: s.start - sentence.normStart, end: s.end - sentence.normStart, type: s.type }));
        const gold = layers.map((layer) => {
          const tags = new Int32Array(n);
          tagsOf(layerSpans(inside, layer), n, tags);
          return tags;
        });
        raw.push({ keys, n, gold });
      }
    });
  }
  const kept = [...counts.entries()].filter(([, c]) => c >= minCount).map(([k]) => k);
  // Stacked layers' features depend on decoded tags, so every one they can produce is indexed up front.
  layers.forEach((layer, li) => {
    if (li > 0 && layer.stacked) kept.push(...allStackKeys(tagCount(layers[li - 1]!.labels.length), li - 1).filter((k) => !counts.has(k)));
  });
  const index = new Map<number, number>(kept.map((k, i) => [k, i]));
  const sentences = raw.map((r) => ({ n: r.n, gold: r.gold, features: Int32Array.from(r.keys, (k) => (k === 0 ? -1 : index.get(k) ?? -1)) }));
  return { sentences, keys: Int32Array.from(kept), index, chars, slots, lexicon: lexiconOf(docs, labels) };
}

/** Deterministic shuffle (LCG), so a re-run trains the same model. */
function shuffled(n: number, seed: number): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  let s = seed >>> 0;
  for (let i = n - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    const t = order[i]!; order[i] = order[j]!; order[j] = t;
  }
  return order;
}

function train(scheme: string, rows: Row[], out: string, options: Options): void {
  const spec = NER_MODELS[scheme];
  if (!spec) throw new Error(`No model spec for ${scheme}`);
  const started = performance.now();
  const gazetteer = Gazetteer.load(modelPath('ner', 'gazetteer.tsv'));
  const { sentences, keys, index, chars, slots, lexicon } = prepare(rows, spec.layers, gazetteer, options.minCount, options.wideContext);
  const F = keys.length;
  const tagCounts = spec.layers.map((l) => tagCount(l.labels.length));
  const offsets = tagCounts.map((_, i) => tagCounts.slice(0, i).reduce((a, b) => a + b, 0));
  const S = tagCounts.reduce((a, b) => a + b, 0);
  console.log(`${scheme}: ${sentences.length} sentences, ${chars} chars, ${F} features × ${S} tags (prepared in ${((performance.now() - started) / 1000).toFixed(1)} s)`);
  const w = new Float32Array(F * S);
  const acc = new Float32Array(F * S);
  const trans = tagCounts.map((T) => new Float32Array((T + 1) * T));
  const transAcc = tagCounts.map((T) => new Float32Array((T + 1) * T));
  const decoders = spec.layers.map((l) => new Decoder(l.labels.length));
  let scores = new Float32Array(1024 * S);
  let paths = spec.layers.map(() => new Int32Array(1024));
  let stacked = new Int32Array(1024 * STACK_TEMPLATES);
  // Several runs over differently shuffled data, their averaged weights averaged again (bagging of the order).
  const mean = new Float32Array(F * S);
  const transMean = tagCounts.map((T) => new Float32Array((T + 1) * T));
  let c = 1;
  for (let run = 0; run < options.runs; run++) {
    w.fill(0); acc.fill(0);
    for (let li = 0; li < trans.length; li++) { trans[li]!.fill(0); transAcc[li]!.fill(0); }
    c = 1;
    for (let epoch = 1; epoch <= options.epochs; epoch++) {
      let errors = 0;
      let tokens = 0;
      for (const si of shuffled(sentences.length, 0x5eed + epoch + 1009 * run)) {
        const { n, features, gold } = sentences[si]!;
        if (scores.length < n * S) {
          scores = new Float32Array(n * S * 2);
          paths = spec.layers.map(() => new Int32Array(n * 2));
          stacked = new Int32Array(n * 2 * STACK_TEMPLATES);
        }
        scores.fill(0, 0, n * S);
        for (let i = 0; i < n; i++) {
          for (let s = 0; s < slots; s++) {
            const f = features[i * slots + s]!;
            if (f < 0) continue;
            const row = f * S;
            for (let t = 0; t < S; t++) scores[i * S + t] += w[row + t]!;
          }
        }
        for (let li = 0; li < spec.layers.length; li++) {
          const T = tagCounts[li]!;
          const off = offsets[li]!;
          const g = gold[li]!;
          const path = paths[li]!;
          const isStacked = li > 0 && spec.layers[li]!.stacked === true;
          if (isStacked) {
            stackKeys(paths[li - 1]!, n, li - 1, stacked);
            for (let k = 0; k < n * STACK_TEMPLATES; k++) stacked[k] = index.get(stacked[k]!)!;
            for (let i = 0; i < n; i++) {
              for (let k = 0; k < STACK_TEMPLATES; k++) {
                const row = stacked[i * STACK_TEMPLATES + k]! * S + off;
                for (let t = 0; t < T; t++) scores[i * S + off + t] += w[row + t]!;
              }
            }
          }
          decoders[li]!.decode(scores, off, S, n, trans[li]!, path, false);
          tokens += n;
          let wrong = false;
          for (let i = 0; i < n; i++) if (path[i] !== g[i]) { wrong = true; errors++; }
          if (!wrong) continue;
          const tr = trans[li]!;
          const ta = transAcc[li]!;
          for (let i = 0; i < n; i++) {
            const gp = i === 0 ? T : g[i - 1]!;
            const pp = i === 0 ? T : path[i - 1]!;
            if (gp !== pp || g[i] !== path[i]) {
              tr[gp * T + g[i]!] += 1; ta[gp * T + g[i]!] += c;
              tr[pp * T + path[i]!] -= 1; ta[pp * T + path[i]!] -= c;
            }
            if (g[i] === path[i]) continue;
            for (let s = 0; s < slots; s++) {
              const f = features[i * slots + s]!;
              if (f < 0) continue;
              const a = f * S + off + g[i]!;
              const b = f * S + off + path[i]!;
              w[a] += 1; acc[a] += c;
              w[b] -= 1; acc[b] -= c;
            }
            if (!isStacked) continue;
            for (let k = 0; k < STACK_TEMPLATES; k++) {
              const f = stacked[i * STACK_TEMPLATES + k]!;
              const a = f * S + off + g[i]!;
              const b = f * S + off + path[i]!;
              w[a] += 1; acc[a] += c;
              w[b] -= 1; acc[b] -= c;
            }
          }
        }
        c++;
      }
      console.log(`  run ${run + 1} epoch ${epoch}: tag error rate ${(errors / tokens).toFixed(4)} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
    }
    for (let k = 0; k < w.length; k++) mean[k] += (w[k]! - acc[k]! / c) / options.runs;
    for (let li = 0; li < trans.length; li++) {
      const tr = trans[li]!;
      for (let k = 0; k < tr.length; k++) transMean[li]![k] += (tr[k]! - transAcc[li]![k]! / c) / options.runs;
    }
  }
  // Averaged weights, pruned and quantized to int16.
  let maxAbs = 0;
  for (let k = 0; k < w.length; k++) {
    w[k] = mean[k]!;
    if (Math.abs(w[k]!) > maxAbs) maxAbs = Math.abs(w[k]!);
  }
  const scale = maxAbs / 32767 || 1;
  const rowStart = new Uint32Array(F + 1);
  const tagList: number[] = [];
  const weightList: number[] = [];
  const keptKeys: number[] = [];
  for (let f = 0; f < F; f++) {
    const before = tagList.length;
    for (let t = 0; t < S; t++) {
      const q = Math.round(w[f * S + t]! / scale);
      if (q !== 0 && Math.abs(w[f * S + t]!) >= options.prune) { tagList.push(t); weightList.push(q); }
    }
    if (tagList.length === before) continue;
    rowStart[keptKeys.length] = before;
    keptKeys.push(keys[f]!);
  }
  rowStart[keptKeys.length] = tagList.length;
  const transitions = transMean;
  const seconds = Math.round((performance.now() - started) / 100) / 10;
  const header: ModelHeader = {
    format: 'medstruct-ner',
    featureVersion: FEATURE_VERSION,
    scheme,
    layers: spec.layers.map((l) => ({ name: l.name, labels: l.labels, ...(l.stacked ? { stacked: true } : {}) })),
    features: keptKeys.length,
    nnz: tagList.length,
    scale,
    lexicon,
    wideContext: options.wideContext,
    training: { data: `data/ner/${scheme}/train.jsonl`, sentences: sentences.length, characters: chars, epochs: options.epochs, runs: options.runs, minCount: options.minCount, prune: options.prune, seconds, date: new Date().toISOString().slice(0, 10) },
  };
  const size = writeModel(out, header, {
    keys: Int32Array.from(keptKeys),
    rowStart: rowStart.slice(0, keptKeys.length + 1),
    tags: Uint8Array.from(tagList),
    weights: Int16Array.from(weightList),
    transitions,
  });
  console.log(`  → ${out}: ${keptKeys.length} features, ${tagList.length} weights, ${(size / 1e6).toFixed(1)} MB, ${seconds} s`);
}

/** Strict micro P/R/F1 of a model file on rows (same start, end and label), overall and per label. */
function scoreDev(path: string, rows: Row[]): void {
  const model = SequenceModel.load(path);
  const extractor = new FeatureExtractor(Gazetteer.load(modelPath('ner', 'gazetteer.tsv')), [model.lexicon], model.header.wideContext === true);
  const counts = new Map<string, { tp: number; fp: number; fn: number }>();
  const count = (label: string): { tp: number; fp: number; fn: number } => {
    let c = counts.get(label);
    if (!c) { c = { tp: 0, fp: 0, fn: 0 }; counts.set(label, c); }
    return c;
  };
  for (const row of rows) {
    const doc = new MedDocument(row.text);
    const predicted = new Set<string>();
    for (const sentence of doc.sentences) {
      const n = extractor.extract(doc.norm.chars, sentence.normStart, sentence.normEnd);
      for (const span of model.decode(extractor.features, n, extractor.slots, extractor.lexiconSlot(0))) {
        const { start, end } = doc.fromNorm(sentence.normStart + span.start, sentence.normStart + span.end);
        predicted.add(`${start}:${end}:${span.label}`);
      }
    }
    const gold = new Set(row.entities.map((e) => `${e.start}:${e.end}:${e.type}`));
    for (const p of predicted) count(p.split(':')[2]!)[gold.has(p) ? 'tp' : 'fp']++;
    for (const g of gold) if (!predicted.has(g)) count(g.split(':')[2]!).fn++;
  }
  const f1 = (c: { tp: number; fp: number; fn: number }): string => (2 * c.tp / Math.max(1, 2 * c.tp + c.fp + c.fn)).toFixed(3);
  const all = { tp: 0, fp: 0, fn: 0 };
  for (const c of counts.values()) { all.tp += c.tp; all.fp += c.fp; all.fn += c.fn; }
  console.log(`  dev: ${rows.length} documents, P ${(all.tp / Math.max(1, all.tp + all.fp)).toFixed(3)} R ${(all.tp / Math.max(1, all.tp + all.fn)).toFixed(3)} F1 ${f1(all)}`);
  console.log(`  dev per label: ${[...counts.entries()].sort().map(([l, c]) => `${l} ${f1(c)}`).join(', ')}`);
}

function main(): void {
  const argv = process.argv.slice(2);
  const option = (name: string, fallback: number): number => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? Number(argv[i + 1]) : fallback;
  };
  const schemes = argv.filter((a, i) => !a.startsWith('--') && !(i > 0 && argv[i - 1]!.startsWith('--')));
  const dev = argv.includes('--dev');
  for (const scheme of schemes.length > 0 ? schemes : Object.keys(NER_MODELS)) {
    const spec = NER_MODELS[scheme]!;
    const options = { epochs: option('epochs', spec.epochs), runs: option('runs', spec.runs ?? 1), minCount: option('min-count', spec.minCount), prune: option('prune', spec.prune), wideContext: (spec.wideContext === true || argv.includes('--wide')) && !argv.includes('--narrow') };
    const rows = readDocs(join(PACKAGE_ROOT, 'data', 'ner', scheme, 'train.jsonl'));
    if (!dev) {
      train(scheme, rows, modelPath('ner', `${scheme}.bin`), options);
      continue;
    }
    const out = join(PACKAGE_ROOT, 'data', 'ner', scheme, `dev${options.wideContext ? '-wide' : ''}${spec.layers.some((l) => l.stacked) ? '-stacked' : ''}.bin`);
    train(scheme, rows.filter((r) => !isDev(r.text)), out, options);
    scoreDev(out, rows.filter((r) => isDev(r.text)));
  }
}

main();
