import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { attributesStage, isAsserted } from '../attributes/index.js';
import { sectionsStage } from '../sections/index.js';
import { assertDialogue, type DialogueMention, type Utterance } from '../attributes/dialogue.js';
import { assertKnownOptions, flag, parseArgs, stringOption } from '../cli/args.js';
import { readJsonl } from '../cli/io.js';
import { MedDocument } from '../document/document.js';
import type { Certainty, Subject, Temporality } from '../document/types.js';
import { MedstructError } from '../errors.js';
import { buildPipeline } from '../pipeline/default.js';
import { isEntityType } from '../taxonomy/taxonomy.js';

const CERTAINTIES: readonly Certainty[] = ['positive', 'negative', 'possible'];
const CMDD_TYPES: Record<string, Certainty> = { '1': 'positive', '2': 'negative', '3': 'possible' };

export interface CmddDialogue {
  id: string;
  utterances: Utterance[];
  mentions: DialogueMention[];
  gold: Certainty[];
}

interface CmddFile {
  'example-id'?: string;
  'dialogue-content'?: Array<{ speaker: string; sentence: string; label: string; type: string[]; normalized?: string[] }>;
}

/** BIO symptom spans of one CMDD utterance label string, aligned by code point. */
function bioSpans(label: string): Array<{ start: number; end: number }> {
  const tags = Array.from(label);
  const spans: Array<{ start: number; end: number }> = [];
  for (let i = 0; i < tags.length; i++) {
    if (tags[i] !== 'B') continue;
    let j = i + 1;
    while (j < tags.length && tags[j] === 'I') j++;
    spans.push({ start: i, end: j });
  }
  return spans;
}

/**
 * One CMDD dialogue file: utterances, symptom mentions (B/I spans of `label`) and their status `type`
 * (1 present, 2 absent, 3 uncertain). Utterances whose label and type lists disagree are left out.
 */
export function parseCmddDialogue(json: unknown, id: string): CmddDialogue {
  const content = (json as CmddFile)['dialogue-content'];
  if (!Array.isArray(content)) throw new MedstructError('INVALID_ARGUMENT', `${id}: not a CMDD dialogue (no dialogue-content)`);
  const dialogue: CmddDialogue = { id: (json as CmddFile)['example-id'] ?? id, utterances: [], mentions: [], gold: [] };
  for (const [index, u] of content.entries()) {
    dialogue.utterances.push({ speaker: String(u.speaker ?? ''), sentence: String(u.sentence ?? '') });
    const spans = bioSpans(String(u.label ?? ''));
    const types = Array.isArray(u.type) ? u.type : [];
    if (spans.length !== types.length || Array.from(String(u.sentence ?? '')).length !== Array.from(String(u.label ?? '')).length) continue;
    for (const [k, span] of spans.entries()) {
      const gold = CMDD_TYPES[String(types[k])];
      if (!gold) continue;
      const normalized = Array.isArray(u.normalized) && u.normalized.length === types.length ? u.normalized[k] : undefined;
      dialogue.mentions.push({ utterance: index, ...span, ...(normalized ? { normalized: String(normalized) } : {}) });
      dialogue.gold.push(gold);
    }
  }
  return dialogue;
}

export function readCmddDirectory(dir: string): CmddDialogue[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  if (files.length === 0) throw new MedstructError('INVALID_ARGUMENT', `${dir} holds no CMDD .json dialogues`);
  return files.map((f) => {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(join(dir, f), 'utf8'));
    } catch {
      throw new MedstructError('INVALID_JSON', `${join(dir, f)} is not valid JSON`);
    }
    return parseCmddDialogue(json, f);
  });
}

/**
 * Report sentences with gold findings, one per line:
 * `{"text", "findings":[{"start","end","certainty","type"?,"temporality"?,"subject"?,"conditional"?}]}`.
 */
interface ReportRow {
  text: string;
  source?: string;
  findings: Array<{ start: number; end: number; certainty: Certainty; type?: string; temporality?: Temporality; subject?: Subject; conditional?: boolean }>;
}

/** Accuracy of the history (temporality) and family (subject) axes over the findings whose gold gives them. */
export interface AxisScores { findings: number; accuracy: number; errors: Record<string, number> }

function axisScores(): { add: (gold: string, predicted: string) => void; scores: () => AxisScores } {
  let n = 0;
  let right = 0;
  const errors: Record<string, number> = {};
  return {
    add(gold, predicted) {
      n++;
      if (gold === predicted) right++;
      else errors[`${gold}->${predicted}`] = (errors[`${gold}->${predicted}`] ?? 0) + 1;
    },
    scores: () => ({ findings: n, accuracy: n ? Math.round((right / n) * 10000) / 10000 : 0, errors }),
  };
}

/** The conditional axis: accuracy, plus recall of the findings the gold marks hypothetical (如出现发热…). */
export interface ConditionalScores extends AxisScores { conditionalFindings: number; conditionalRecall: number }

/** The row's document, after checking that the row is well formed and every finding lies inside the text. */
function checkedDocument(row: ReportRow, line: number): MedDocument {
  if (typeof row.text !== 'string' || !Array.isArray(row.findings)) {
    throw new MedstructError('INVALID_ARGUMENT', `line ${line + 1}: needs "text" and "findings"`);
  }
  const doc = new MedDocument(row.text);
  for (const f of row.findings) {
    if (!CERTAINTIES.includes(f.certainty) || !(f.start >= 0 && f.end > f.start && f.end <= doc.length)) {
      throw new MedstructError('INVALID_ARGUMENT', `line ${line + 1}: bad finding ${JSON.stringify(f)}`);
    }
  }
  return doc;
}

function predictReports(rows: ReportRow[]): {
  gold: Certainty[]; predicted: Certainty[]; temporality: AxisScores; subject: AxisScores; conditional: ConditionalScores;
} {
  const gold: Certainty[] = [];
  const predicted: Certainty[] = [];
  const temporality = axisScores();
  const subject = axisScores();
  const conditional = axisScores();
  let conditionalFindings = 0;
  let conditionalFound = 0;
  for (const [line, row] of rows.entries()) {
    const doc = checkedDocument(row, line);
    const ids: string[] = [];
    for (const f of row.findings) {
      const id = doc.newEntityId();
      ids.push(id);
      doc.entities.push({
        id, start: f.start, end: f.end, text: doc.slice(f.start, f.end), type: f.type && isEntityType(f.type) ? f.type : 'disease',
        confidence: 1, source: 'rule', parent: null, children: [], assertion: null, link: null,
      });
    }
    doc.rebuildNesting();
    sectionsStage.process(doc);
    attributesStage.process(doc);
    for (const [k, f] of row.findings.entries()) {
      const assertion = doc.entities.find((e) => e.id === ids[k])!.assertion;
      gold.push(f.certainty);
      predicted.push(assertion?.certainty ?? 'positive');
      if (f.temporality) temporality.add(f.temporality, assertion?.temporality ?? 'current');
      if (f.subject) subject.add(f.subject, assertion?.subject ?? 'patient');
      if (typeof f.conditional === 'boolean') {
        const predictedConditional = assertion?.conditional ?? false;
        conditional.add(String(f.conditional), String(predictedConditional));
        if (f.conditional) {
          conditionalFindings++;
          if (predictedConditional) conditionalFound++;
        }
      }
    }
  }
  const conditionalRecall = conditionalFindings ? Math.round((conditionalFound / conditionalFindings) * 10000) / 10000 : 0;
  return {
    gold, predicted, temporality: temporality.scores(), subject: subject.scores(),
    conditional: { ...conditional.scores(), conditionalFindings, conditionalRecall },
  };
}

/** How many gold findings the recognizer found (a finding-like entity overlapping at least half of the gold span). */
export interface Coverage { findings: number; found: number; share: number; missedByCertainty: Record<Certainty, number> }

/**
 * End to end, as `medstruct ner` sees it: the native pipeline recognizes the entities itself, and each gold
 * finding is scored on the asserted entity that overlaps it most (at least half of the gold span), so cues that
 * recognition swallows into a span (纵隔内未见肿大) or splits off count as they would for a user.
 */
function predictReportsEndToEnd(rows: ReportRow[]): { gold: Certainty[]; predicted: Certainty[]; coverage: Coverage } {
  const pipeline = buildPipeline();
  const gold: Certainty[] = [];
  const predicted: Certainty[] = [];
  const missedByCertainty: Record<Certainty, number> = { positive: 0, negative: 0, possible: 0 };
  let findings = 0;
  for (const [line, row] of rows.entries()) {
    const doc = pipeline.run(checkedDocument(row, line));
    for (const f of row.findings) {
      findings++;
      let best: { overlap: number; certainty: Certainty } | null = null;
      for (const e of doc.entities) {
        if (!isAsserted(e) || !e.assertion) continue;
        const overlap = Math.min(e.end, f.end) - Math.max(e.start, f.start);
        if (overlap * 2 >= f.end - f.start && (!best || overlap > best.overlap)) best = { overlap, certainty: e.assertion.certainty };
      }
      if (!best) {
        missedByCertainty[f.certainty]++;
        continue;
      }
      gold.push(f.certainty);
      predicted.push(best.certainty);
    }
  }
  const share = findings ? Math.round((gold.length / findings) * 10000) / 10000 : 0;
  return { gold, predicted, coverage: { findings, found: gold.length, share, missedByCertainty } };
}

export interface CertaintyScores {
  mentions: number;
  accuracy: number;
  macroF1: number;
  perClass: Record<Certainty, { precision: number; recall: number; f1: number; support: number }>;
  /** confusion[gold][predicted] */
  confusion: Record<Certainty, Record<Certainty, number>>;
}

export function scoreCertainty(gold: readonly Certainty[], predicted: readonly Certainty[]): CertaintyScores {
  const r = (x: number): number => Math.round(x * 10000) / 10000;
  const confusion = Object.fromEntries(CERTAINTIES.map((g) => [g, Object.fromEntries(CERTAINTIES.map((p) => [p, 0]))])) as CertaintyScores['confusion'];
  let right = 0;
  for (let i = 0; i < gold.length; i++) {
    confusion[gold[i]!][predicted[i]!]++;
    if (gold[i] === predicted[i]) right++;
  }
  const perClass = {} as CertaintyScores['perClass'];
  let f1Sum = 0;
  for (const c of CERTAINTIES) {
    const tp = confusion[c][c];
    const support = CERTAINTIES.reduce((s, p) => s + confusion[c][p], 0);
    const predictedAs = CERTAINTIES.reduce((s, g) => s + confusion[g][c], 0);
    const precision = predictedAs ? tp / predictedAs : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    perClass[c] = { precision: r(precision), recall: r(recall), f1: r(f1), support };
    f1Sum += f1;
  }
  return { mentions: gold.length, accuracy: r(gold.length ? right / gold.length : 0), macroF1: r(f1Sum / CERTAINTIES.length), perClass, confusion };
}

/**
 * `medstruct eval assertion --data DIR|FILE.jsonl [--ner]`: certainty of gold finding mentions (no NER
 * involved). DIR is CMDD (dialogue JSON files, status 1/2/3); FILE.jsonl holds report sentences with gold
 * findings. `--ner` scores report sentences end to end instead: the pipeline's own entities, matched to the
 * gold findings, with the share of gold findings recognized at all.
 */
export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['ner']);
  assertKnownOptions(args, ['data', 'ner']);
  const data = stringOption(args, 'data');
  if (!data) throw new MedstructError('INVALID_ARGUMENT', 'medstruct eval assertion needs --data DIR (CMDD) or --data FILE.jsonl');
  const endToEnd = flag(args, 'ner');
  let isDir: boolean;
  try {
    isDir = statSync(data).isDirectory();
  } catch {
    throw new MedstructError('NOT_FOUND', `No such file or directory: ${data}`);
  }
  const started = performance.now();
  let gold: Certainty[] = [];
  let predicted: Certainty[] = [];
  let format: string;
  let axes: { temporality: AxisScores; subject: AxisScores } | null = null;
  let conditional: ConditionalScores | null = null;
  let coverage: Coverage | null = null;
  if (isDir && endToEnd) throw new MedstructError('INVALID_ARGUMENT', '--ner scores report sentences (FILE.jsonl), not a CMDD directory');
  if (endToEnd) {
    format = 'reports-end-to-end';
    ({ gold, predicted, coverage } = predictReportsEndToEnd(readJsonl<ReportRow>(data)));
  } else if (isDir) {
    format = 'cmdd';
    for (const dialogue of readCmddDirectory(data)) {
      gold.push(...dialogue.gold);
      predicted.push(...assertDialogue(dialogue.utterances, dialogue.mentions));
    }
  } else {
    format = 'reports';
    let temporality: AxisScores, subject: AxisScores, conditionalScores: ConditionalScores;
    ({ gold, predicted, temporality, subject, conditional: conditionalScores } = predictReports(readJsonl<ReportRow>(data)));
    if (temporality.findings + subject.findings > 0) axes = { temporality, subject };
    if (conditionalScores.findings > 0) conditional = conditionalScores;
  }
  const scores = scoreCertainty(gold, predicted);
  const seconds = Math.round((performance.now() - started) / 10) / 100;
  console.log(JSON.stringify({ format, seconds, ...scores, ...axes, ...(conditional ? { conditional } : {}), ...(coverage ? { coverage } : {}) }, null, 2));
  console.log(JSON.stringify({
    accuracy: scores.accuracy, macroF1: scores.macroF1,
    negativeRecall: scores.perClass.negative.recall, possibleRecall: scores.perClass.possible.recall,
    ...(coverage ? { found: coverage.share } : {}),
    // An axis the gold leaves out is not scored (a set may give temporality without subject).
    ...(axes && axes.temporality.findings > 0 ? { temporalityAccuracy: axes.temporality.accuracy } : {}),
    ...(axes && axes.subject.findings > 0 ? { subjectAccuracy: axes.subject.accuracy } : {}),
    ...(conditional ? { conditionalAccuracy: conditional.accuracy, conditionalRecall: conditional.conditionalRecall } : {}),
  }));
  return 0;
}
