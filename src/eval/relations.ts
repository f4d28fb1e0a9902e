import { assertKnownOptions, flag, parseArgs, stringOption } from '../cli/args.js';
import { readJsonl } from '../cli/io.js';
import { MedDocument } from '../document/document.js';
import { MedstructError } from '../errors.js';
import { buildPipeline } from '../pipeline/default.js';
import { relationsStage } from '../relations/index.js';
import { isEntityType } from '../taxonomy/taxonomy.js';
import { PRFCounter } from './metrics.js';

interface Row {
  text: string;
  entities: Array<{ id: string; start: number; end: number; type: string; label?: string }>;
  relations: Array<{ type: string; from: string; to: string }>;
}

/**
 * `medstruct eval relations --data FILE.jsonl [--ner]`: relations from gold entities (no NER involved), matched
 * on type and both entity spans, for the relation types the data annotates. `sentenceGold` restricts the
 * gold to pairs inside one sentence window, which is all the stage looks at. With `--ner` the whole native
 * pipeline runs on the text instead and finds its own entities, so a relation counts only when recognition
 * also found both ends with the gold spans (end to end).
 */
export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['ner']);
  assertKnownOptions(args, ['data', 'ner']);
  const endToEnd = flag(args, 'ner');
  const data = stringOption(args, 'data');
  if (!data) throw new MedstructError('INVALID_ARGUMENT', 'medstruct eval relations needs --data FILE.jsonl');
  const all = new PRFCounter();
  const withinSentence = new PRFCounter();
  for (const [line, row] of readJsonl<Row>(data).entries()) {
    if (typeof row.text !== 'string' || !Array.isArray(row.entities) || !Array.isArray(row.relations)) {
      throw new MedstructError('INVALID_ARGUMENT', `line ${line + 1}: needs "text", "entities" and "relations"`);
    }
    const goldSpans = new Map<string, { start: number; end: number }>();
    let doc = new MedDocument(row.text);
    for (const e of row.entities) {
      if (!isEntityType(e.type) || !(e.start >= 0 && e.end > e.start && e.end <= doc.length)) continue;
      goldSpans.set(e.id, { start: e.start, end: e.end });
      if (endToEnd) continue;
      doc.entities.push({
        id: doc.newEntityId(), start: e.start, end: e.end, text: doc.slice(e.start, e.end), type: e.type, ...(e.label ? { label: e.label } : {}),
        confidence: 1, source: 'rule', parent: null, children: [], assertion: null, link: null,
      });
    }
    if (endToEnd) doc = buildPipeline().run(doc);
    else {
      doc.rebuildNesting();
      relationsStage.process(doc);
    }
    const spanKey = (a: { start: number; end: number }, b: { start: number; end: number }): string => `${a.start}:${a.end}>${b.start}:${b.end}`;
    const types = new Set(row.relations.map((r) => r.type));
    const sentenceOf = (offset: number): number => doc.sentences.findIndex((s) => s.start <= offset && offset < s.end);
    const gold: Array<[string, string]> = [];
    const goldInSentence: Array<[string, string]> = [];
    for (const r of row.relations) {
      const from = goldSpans.get(r.from);
      const to = goldSpans.get(r.to);
      if (!from || !to) continue;
      gold.push([r.type, spanKey(from, to)]);
      if (sentenceOf(from.start) === sentenceOf(to.start)) goldInSentence.push([r.type, spanKey(from, to)]);
    }
    const byId = new Map(doc.entities.map((e) => [e.id, e]));
    const predicted = doc.relations.filter((r) => types.has(r.type)).map((r): [string, string] => [r.type, spanKey(byId.get(r.from)!, byId.get(r.to)!)]);
    all.add(gold, predicted);
    withinSentence.add(goldInSentence, predicted);
  }
  const micro = all.micro();
  console.log(JSON.stringify({ perType: all.perLabel(), micro, sentenceGold: { perType: withinSentence.perLabel(), micro: withinSentence.micro() } }, null, 2));
  console.log(JSON.stringify({ precision: micro.precision, recall: micro.recall, f1: micro.f1, sentenceRecall: withinSentence.micro().recall }));
  return 0;
}
