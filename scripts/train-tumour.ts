/**
 * Trains the tumour-attribute scorer (models/tumour/model.json) on data/tumour/train.jsonl only (run
 * `npm run data:tumour` first; data/tumour/holdout.jsonl is never read here).
 * 1. Candidate boundaries: the characters before, at, and after the training gold site strings.
 * 2. Features of every candidate (src/fields/tumour-model.ts); the "seen in the gold lists" features are jackknifed
 *    (each report sees the lexicon of the other folds), so the model does not learn to trust its own labels.
 * 3. One logistic regression per field (Adagrad, L2); 5-fold cross-validation on the training slice picks the
 *    epochs, the L2 strength and the decision thresholds; the final model is fitted on the whole slice.
 * 4. Boosted trees (src/linking/boost.ts) over the regressions' out-of-fold scores, each candidate against the
 *    report's others (src/fields/tumour-model.ts siteStackRows / sizeStackRows), cross-validated on the same folds;
 *    they replace the regression for the fields where their CV F1 is higher. TUMOUR_STACK=depth:rate:minLeaf,…
 *    sets the trees' grid (default 4:0.05:20, at 50 / 100 / 150 trees).
 * TUMOUR_CV_ONLY=1 stops after step 3's cross-validation (no trees, no model written).
 *   npx tsx scripts/train-tumour.ts            (npm run train:tumour)
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MedDocument } from '../src/document/document.js';
import { sourceOf } from '../src/fields/source.js';
import { ruleHints } from '../src/fields/tumour.js';
import {
  CORE_WORDS, decide, FeatureSpace, probability, scorerOf, tumourCandidates,
  binaryColumns, rowsOf, siteStackRows, sizeStackRows,
  type Candidate, type CandidateConfig, type FieldModel, type Lexicon, type RuleHints, type StackModel, type TumourCandidates, type TumourModel,
} from '../src/fields/tumour-model.js';
import { boostedProbability, fitBoostedTrees, type BoostedTrees } from '../src/linking/boost.js';
import { modelPath, PACKAGE_ROOT } from '../src/resources.js';
import { seededShuffle } from '../src/util/random.js';

const FOLDS = 5;
const FIELDS = ['primarySite', 'primarySize', 'metastasisSites'] as const;
type Field = (typeof FIELDS)[number];
const USE_RULES = process.env.TUMOUR_RULES !== '0';

interface Row { text: string; primarySite: string[]; primarySize: string[]; metastasisSites: string[] }
interface Report { row: Row; text: string; fold: number; hints: RuleHints }
interface Example { features: number[]; label: number }
interface Scored { value: string; p: number }

const rows = readFileSync(join(PACKAGE_ROOT, 'data', 'tumour', 'train.jsonl'), 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Row);
const EMPTY_HINTS: RuleHints = { primarySite: new Set(), primarySize: new Set(), metastasisSites: new Set() };
const reports: Report[] = rows.map((row, i) => {
  const src = sourceOf(new MedDocument(row.text));
  return { row, text: src.text, fold: i % FOLDS, hints: USE_RULES ? ruleHints(src) : EMPTY_HINTS };
});
const gold = (r: Report, f: Field): Set<string> => new Set(r.row[f].map((v) => v.trim()));

function candidateConfig(train: Report[]): CandidateConfig {
  const counts = { left: new Map<string, number>(), right: new Map<string, number>(), first: new Map<string, number>(), last: new Map<string, number>() };
  const bump = (m: Map<string, number>, ch: string | undefined): void => { if (ch !== undefined) m.set(ch, (m.get(ch) ?? 0) + 1); };
  for (const r of train) {
    for (const v of [...gold(r, 'primarySite'), ...gold(r, 'metastasisSites')]) {
      if (v === '') continue;
      bump(counts.first, v[0]);
      bump(counts.last, v[v.length - 1]);
      for (let at = r.text.indexOf(v); at >= 0; at = r.text.indexOf(v, at + 1)) {
        bump(counts.left, r.text[at - 1]);
        bump(counts.right, r.text[at + v.length]);
      }
    }
  }
  // Any core word may also open or close a site, seen in the gold lists or not.
  for (const w of CORE_WORDS) { bump(counts.first, w[0]); bump(counts.last, w[w.length - 1]); }
  const keep = (m: Map<string, number>, min: number): string => [...m].filter(([, n]) => n >= min).map(([c]) => c).sort().join('');
  return { left: keep(counts.left, 2), right: keep(counts.right, 2), first: keep(counts.first, 1), last: keep(counts.last, 1), maxLength: 16 };
}

function lexiconOf(train: Report[]): Lexicon {
  return {
    primary: new Set(train.flatMap((r) => [...gold(r, 'primarySite')])),
    metastasis: new Set(train.flatMap((r) => [...gold(r, 'metastasisSites')])),
  };
}

/** Every feature string seen in training gets an id here; the model file keeps the strings. */
const space = new FeatureSpace();

/** Candidates of every report for one cross-validation split: boundaries from `train`, lexicon jackknifed. */
function candidatesFor(config: CandidateConfig, lexicons: Lexicon[]): Array<{ sites: Candidate[]; sizes: Candidate[] }> {
  return reports.map((r) => tumourCandidates(r.text, config, lexicons[r.fold]!, r.hints, space));
}


function fit(examples: Example[], epochs: number, l2: number): FieldModel {
  const weights = new Map<number, number>();
  const history = new Map<number, number>();
  let bias = 0;
  let biasHistory = 0;
  const rate = 0.1;
  const order = [...examples];
  for (let epoch = 0; epoch < epochs; epoch++) {
    seededShuffle(order, 97 + epoch);
    for (const e of order) {
      let z = bias;
      for (const f of e.features) z += weights.get(f) ?? 0;
      const g = 1 / (1 + Math.exp(-z)) - e.label;
      biasHistory += g * g;
      bias -= (rate * g) / Math.sqrt(biasHistory + 1e-8);
      for (const f of e.features) {
        const w = weights.get(f) ?? 0;
        const grad = g + l2 * w;
        const h = (history.get(f) ?? 0) + grad * grad;
        history.set(f, h);
        weights.set(f, w - (rate * grad) / Math.sqrt(h + 1e-8));
      }
    }
  }
  const kept: Record<string, number> = {};
  for (const [f, w] of [...weights].map(([id, v]) => [space.names[id]!, v] as const).sort((a, b) => a[0].localeCompare(b[0]))) if (Math.abs(w) >= 1e-3) kept[f] = Math.round(w * 1e4) / 1e4;
  return { bias: Math.round(bias * 1e4) / 1e4, weights: kept, threshold: 0.5 };
}

const examplesOf = (cands: Candidate[], labels: Set<string>): Example[] => cands.map((c) => ({ features: c.features, label: labels.has(c.value) ? 1 : 0 }));
const siteField = (f: Field): boolean => f !== 'primarySize';

/** Each report's candidates as its held-out fold saw them (boundaries from the other folds). */
const foldCandidates: TumourCandidates[] = reports.map(() => ({ sites: [], sizes: [] }));

/** Out-of-fold probabilities of every candidate of every report, per field. */
function outOfFold(epochs: number, l2: number): Record<Field, Scored[][]> {
  const out = { primarySite: [], primarySize: [], metastasisSites: [] } as Record<Field, Scored[][]>;
  for (const f of FIELDS) out[f] = reports.map(() => []);
  for (let k = 0; k < FOLDS; k++) {
    const train = reports.filter((r) => r.fold !== k);
    const config = candidateConfig(train);
    const lexicons = Array.from({ length: FOLDS }, (_, j) => lexiconOf(train.filter((r) => r.fold !== j)));
    const cands = candidatesFor(config, lexicons);
    reports.forEach((r, i) => { if (r.fold === k) foldCandidates[i] = cands[i]!; });
    for (const f of FIELDS) {
      const examples = reports.flatMap((r, i) => (r.fold === k ? [] : examplesOf(siteField(f) ? cands[i]!.sites : cands[i]!.sizes, gold(r, f))));
      const model = scorerOf(fit(examples, epochs, l2), space);
      reports.forEach((r, i) => {
        if (r.fold === k) out[f][i] = (siteField(f) ? cands[i]!.sites : cands[i]!.sizes).map((c) => ({ value: c.value, p: probability(model, c.features) }));
      });
    }
  }
  return out;
}

interface Counts { tp: number; fp: number; fn: number }
const f1 = (c: Counts): number => (2 * c.tp) / Math.max(1, 2 * c.tp + c.fp + c.fn);

function countField(f: Field, scored: Scored[][], threshold: number, extra: number | null): Counts {
  const c = { tp: 0, fp: 0, fn: 0 };
  reports.forEach((r, i) => {
    const picked = new Set(decide(scored[i]!.map((s) => ({ candidate: { value: s.value, spans: [], features: [] }, p: s.p })), threshold, extra).map((s) => s.candidate.value));
    const g = new Set(r.row[f]);
    for (const v of picked) if (g.has(v)) c.tp++; else c.fp++;
    for (const v of g) if (!picked.has(v)) c.fn++;
  });
  return c;
}

const GRID = Array.from({ length: 19 }, (_, i) => 0.05 * (i + 1));

/** Thresholds maximising the micro-F1 of the three fields together, from out-of-fold probabilities. */
function tune(oof: Record<Field, Scored[][]>): { thresholds: Record<Field, number>; extra: number; counts: Record<Field, Counts>; f1: number } {
  const thresholds: Record<Field, number> = { primarySite: 0.5, primarySize: 0.5, metastasisSites: 0.5 };
  let extra = 0.9;
  const extraOf = (f: Field): number | null => (f === 'metastasisSites' ? null : f === 'primarySite' ? extra : 2);
  const total = (): { counts: Record<Field, Counts>; f1: number } => {
    const counts = Object.fromEntries(FIELDS.map((f) => [f, countField(f, oof[f], thresholds[f], extraOf(f))])) as Record<Field, Counts>;
    const sum = FIELDS.reduce((a, f) => ({ tp: a.tp + counts[f].tp, fp: a.fp + counts[f].fp, fn: a.fn + counts[f].fn }), { tp: 0, fp: 0, fn: 0 });
    return { counts, f1: f1(sum) };
  };
  for (let round = 0; round < 2; round++) {
    for (const f of FIELDS) {
      let best = { t: thresholds[f], f1: -1 };
      for (const t of GRID) { thresholds[f] = t; const s = total().f1; if (s > best.f1) best = { t, f1: s }; }
      thresholds[f] = best.t;
    }
    let best = { t: extra, f1: -1 };
    for (const t of [...GRID, 1.01]) { extra = t; const s = total().f1; if (s > best.f1) best = { t, f1: s }; }
    extra = best.t;
  }
  return { thresholds, extra, ...total() };
}

/** `TUMOUR_ERRORS=1`: the out-of-fold misses and extras of the chosen setting, per report, to data/tumour/cv-errors.jsonl. */
function writeErrors(oof: Record<Field, Scored[][]>, tuned: ReturnType<typeof tune>): void {
  const lines = reports.map((r, i) => {
    const out: Record<string, unknown> = { text: r.text };
    for (const f of FIELDS) {
      const picked = decide(oof[f][i]!.map((s) => ({ candidate: { value: s.value, spans: [], features: [] }, p: s.p })), tuned.thresholds[f], f === 'metastasisSites' ? null : f === 'primarySite' ? tuned.extra : 2);
      const values = new Set(picked.map((s) => s.candidate.value));
      const candidates = new Set(oof[f][i]!.map((s) => s.value));
      out[f] = {
        missed: r.row[f].filter((v) => !values.has(v)).map((v) => (candidates.has(v) ? v : `${v} (no candidate)`)),
        extra: picked.filter((s) => !r.row[f].includes(s.candidate.value)).map((s) => `${s.candidate.value} ${s.p.toFixed(2)}`),
      };
    }
    return JSON.stringify(out);
  });
  writeFileSync(join(PACKAGE_ROOT, 'data', 'tumour', 'cv-errors.jsonl'), lines.join('\n') + '\n');
}

const settings = (process.env.TUMOUR_GRID ?? '12:0.001').split(',').map((s) => s.split(':').map(Number) as [number, number]);
let best: { epochs: number; l2: number; tuned: ReturnType<typeof tune>; oof: Record<Field, Scored[][]> } | null = null;
for (const [epochs, l2] of settings) {
  const oof = outOfFold(epochs, l2);
  const tuned = tune(oof);
  if (process.env.TUMOUR_ERRORS === '1') writeErrors(oof, tuned);
  const reachable = FIELDS.map((f) => {
    let n = 0; let found = 0;
    reports.forEach((r, i) => { for (const v of r.row[f]) { n++; if (oof[f][i]!.some((s) => s.value === v)) found++; } });
    return `${f} ${found}/${n}`;
  });
  console.log(JSON.stringify({ candidateRecall: reachable }));
  const perField = Object.fromEntries(FIELDS.map((f) => [f, Math.round(f1(tuned.counts[f]) * 1000) / 1000]));
  console.log(JSON.stringify({ epochs, l2, cvF1: Math.round(tuned.f1 * 10000) / 10000, perField, thresholds: tuned.thresholds, extra: tuned.extra }));
  if (!best || tuned.f1 > best.tuned.f1) best = { epochs, l2, tuned, oof };
}

// TUMOUR_CV_ONLY=1: the regressions' cross-validation only (feature experiments); no trees, no model written.
if (process.env.TUMOUR_CV_ONLY === '1') process.exit(0);

// Stage two: boosted trees over the regressions' out-of-fold scores, each candidate against the report's others,
// cross-validated on the same folds; they ship only when their CV micro-F1 beats the regressions'.
const SITE_BINARY = 40;
const SIZE_BINARY = 20;
const TREE_COUNTS = [50, 100, 150];
const stackSettings = (process.env.TUMOUR_STACK ?? '4:0.05:20').split(',').map((s) => s.split(':').map(Number) as [number, number, number]);

function frequent(lists: Candidate[][], k: number): string[] {
  const counts = new Map<string, number>();
  for (const list of lists) for (const c of list) for (const id of c.features) { const f = space.names[id]!; counts.set(f, (counts.get(f) ?? 0) + 1); }
  return [...counts].filter(([f]) => f !== 'bias').sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, k).map(([f]) => f).sort();
}

const siteBinary = frequent(foldCandidates.map((c) => c.sites), SITE_BINARY);
const sizeBinary = frequent(foldCandidates.map((c) => c.sizes), SIZE_BINARY);

/** Stacked rows and labels of every report, per field, from the regressions' scores `oof` of `candidates`. */
function stackData(oof: Record<Field, Scored[][]>, candidates: TumourCandidates[]): Record<Field, { x: Float64Array[][]; y: number[][] }> {
  const siteIndex = binaryColumns(siteBinary, space);
  const sizeIndex = binaryColumns(sizeBinary, space);
  const ps = (f: Field, i: number): number[] => oof[f][i]!.map((s) => s.p);
  const out = {} as Record<Field, { x: Float64Array[][]; y: number[][] }>;
  const siteRows = reports.map((_, i) => rowsOf(siteStackRows(candidates[i]!.sites, ps('primarySite', i), ps('metastasisSites', i), ps('primarySize', i), siteIndex)));
  const sizeRows = reports.map((_, i) => rowsOf(sizeStackRows(candidates[i]!.sizes, ps('primarySize', i), ps('primarySite', i), ps('metastasisSites', i), sizeIndex)));
  for (const f of FIELDS) {
    out[f] = {
      x: siteField(f) ? siteRows : sizeRows,
      y: reports.map((r, i) => (siteField(f) ? candidates[i]!.sites : candidates[i]!.sizes).map((c) => (gold(r, f).has(c.value) ? 1 : 0))),
    };
  }
  return out;
}

const truncated = (m: BoostedTrees, trees: number): BoostedTrees => ({ ...m, trees: m.trees.slice(0, trees) });

const stack = stackData(best!.oof, foldCandidates);
interface StackChoice { depth: number; rate: number; minLeaf: number; trees: number; fields: Field[]; tuned: ReturnType<typeof tune> }
let bestStack = null as StackChoice | null;
for (const [depth, rate, minLeaf] of stackSettings) {
  const scored = TREE_COUNTS.map(() => ({ primarySite: [], primarySize: [], metastasisSites: [] }) as Record<Field, Scored[][]>);
  for (const f of FIELDS) {
    for (const s of scored) s[f] = reports.map(() => []);
    for (let k = 0; k < FOLDS; k++) {
      const trainIdx = reports.map((_, i) => i).filter((i) => reports[i]!.fold !== k);
      const m = fitBoostedTrees(trainIdx.flatMap((i) => stack[f].x[i]!), trainIdx.flatMap((i) => stack[f].y[i]!), { trees: Math.max(...TREE_COUNTS), depth, rate, minLeaf });
      TREE_COUNTS.forEach((t, ti) => {
        const cut = truncated(m, t);
        reports.forEach((r, i) => {
          if (r.fold === k) scored[ti]![f][i] = stack[f].x[i]!.map((x, c) => ({ value: (siteField(f) ? foldCandidates[i]!.sites : foldCandidates[i]!.sizes)[c]!.value, p: boostedProbability(cut, x) }));
        });
      });
    }
  }
  for (const [ti, trees] of TREE_COUNTS.entries()) {
    const tuned = tune(scored[ti]!);
    const perField = Object.fromEntries(FIELDS.map((f) => [f, Math.round(f1(tuned.counts[f]) * 1000) / 1000]));
    // The trees take over only the fields where they beat the regression.
    const fields = FIELDS.filter((f) => f1(tuned.counts[f]) > f1(best!.tuned.counts[f]));
    const mixed = tune(Object.fromEntries(FIELDS.map((f) => [f, fields.includes(f) ? scored[ti]![f] : best!.oof[f]])) as Record<Field, Scored[][]>);
    console.log(JSON.stringify({ stack: { depth, rate, minLeaf, trees }, cvF1: Math.round(tuned.f1 * 10000) / 10000, perField, fields, mixedCvF1: Math.round(mixed.f1 * 10000) / 10000 }));
    if (fields.length > 0 && (!bestStack || mixed.f1 > bestStack.tuned.f1)) bestStack = { depth, rate, minLeaf, trees, fields, tuned: mixed };
  }
}

// Final model: boundaries and lexicon of the whole training slice, the jackknifed lexicon for the examples.
const config = candidateConfig(reports);
const lexicons = Array.from({ length: FOLDS }, (_, j) => lexiconOf(reports.filter((r) => r.fold !== j)));
const cands = candidatesFor(config, lexicons);
const useStack = bestStack !== null && bestStack.tuned.f1 > best!.tuned.f1;
const chosen = useStack ? bestStack!.tuned : best!.tuned;
const fitted = Object.fromEntries(FIELDS.map((f) => {
  const examples = reports.flatMap((r, i) => examplesOf(siteField(f) ? cands[i]!.sites : cands[i]!.sizes, gold(r, f)));
  return [f, { ...fit(examples, best!.epochs, best!.l2), threshold: chosen.thresholds[f] }];
})) as Record<Field, FieldModel>;
// The trees learn from out-of-fold scores: at run time the regressions score reports they never saw, as there.
let stackModel: StackModel | undefined;
if (useStack) {
  const { depth, rate, minLeaf, trees } = bestStack!;
  const trained = (f: Field): BoostedTrees => fitBoostedTrees(stack[f].x.flat(), stack[f].y.flat(), { trees, depth, rate, minLeaf });
  stackModel = { siteBinary, sizeBinary, trees: Object.fromEntries(bestStack!.fields.map((f) => [f, trained(f)])) };
}
const full = lexiconOf(reports);
const stackNote = useStack ? `, boosted trees over the scores for ${bestStack!.fields.join(', ')} (depth ${bestStack!.depth}, rate ${bestStack!.rate}, ${bestStack!.trees} trees, min leaf ${bestStack!.minLeaf})` : '';
const model: TumourModel = {
  description: `Tumour-attribute scorer trained by scripts/train-tumour.ts on data/tumour/train.jsonl (${reports.length} reports); ${FOLDS}-fold CV micro-F1 ${chosen.f1.toFixed(4)} (epochs ${best!.epochs}, L2 ${best!.l2}, rule hints ${USE_RULES ? 'on' : 'off'}${stackNote}).`,
  candidates: config,
  lexicon: { primary: [...full.primary].sort(), metastasis: [...full.metastasis].sort() },
  primarySite: { ...fitted.primarySite, extraThreshold: chosen.extra },
  primarySize: fitted.primarySize,
  metastasisSites: fitted.metastasisSites,
  ...(stackModel ? { stack: stackModel } : {}),
};
const file = modelPath('tumour', 'model.json');
mkdirSync(dirname(file), { recursive: true });
writeFileSync(file, JSON.stringify(model) + '\n');
console.log(JSON.stringify({ written: file, cvF1: chosen.f1, stacked: useStack, epochs: best!.epochs, l2: best!.l2, features: FIELDS.map((f) => Object.keys(fitted[f].weights).length) }));
