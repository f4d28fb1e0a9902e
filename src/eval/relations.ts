import { assertKnownOptions, parseArgs, stringOption } from '../cli/args.js';
import { readJsonl } from '../cli/io.js';
import { MedDocument } from '../document/document.js';
import { MedstructError } from '../errors.js';
import { relationsStage } from '../relations/index.js';
import { isEntityType } from '../taxonomy/taxonomy.js';
import { PRFCounter } from './metrics.js';

interface Row {
  text: string;
  entities: Array<{ id: string; start: number; end: number; type: string; label?: string }>;
  relations: Array<{ type: string; from: string; to: string }>;
}

/**
 * `medstruct eval relations --data FILE.jsonl`: relations from gold entities (no NER involved), matched
 * on type and both entity spans, for the relation types the data annotates. `sentenceGold` restricts the
 * gold to pairs inside one sentence window, which is all the stage looks at.
 */
export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  assertKnownOptions(args, ['data']);
  const data = stringOption(args, 'data');
  if (!data) throw new MedstructError('INVALID_ARGUMENT', 'medstruct eval relations needs --data FILE.jsonl');
  const all = new PRFCounter();
  const withinSentence = new PRFCounter();
  for (const [line, row] of readJsonl<Row>(data).entries()) {
    if (typeof row.text !== 'string' || !Array.isArray(row.entities) || !Array.isArray(row.relations)) {
      throw new MedstructError('INVALID_ARGUMENT', `line ${line + 1}: needs "text", "entities" and "relations"`);
    }
    const doc = new MedDocument(row.text);
    const byGoldId = new Map<string, string>();
    for (const e of row.entities) {
      if (!isEntityType(e.type) || !(e.start >= 0 && e.end > e.start && e.end <= doc.length)) continue;
      const id = doc.newEntityId();
      byGoldId.set(e.id, id);
      doc.entities.push({
        id, start: e.start, end: e.end, text: doc.slice(e.start, e.end), type: e.type, ...(e.label ? { label: e.label } : {}),
        confidence: 1, source: 'rule', parent: null, children: [], assertion: null, link: null,
      });
    }
    doc.rebuildNesting();
    relationsStage.process(doc);
    const span = new Map(doc.entities.map((e) => [e.id, `${e.start}:${e.end}`]));
    const types = new Set(row.relations.map((r) => r.type));
    const key = (from: string, to: string): string => `${span.get(from)}>${span.get(to)}`;
    const gold: Array<[string, string]> = [];
    const goldInSentence: Array<[string, string]> = [];
    for (const r of row.relations) {
      const from = byGoldId.get(r.from);
      const to = byGoldId.get(r.to);
      if (!from || !to) continue;
      gold.push([r.type, key(from, to)]);
      const a = doc.entities.find((e) => e.id === from)!;
      const b = doc.entities.find((e) => e.id === to)!;
      const sentenceOf = (offset: number): number => doc.sentences.findIndex((s) => s.start <= offset && offset < s.end);
      if (sentenceOf(a.start) === sentenceOf(b.start)) goldInSentence.push([r.type, key(from, to)]);
    }
    const predicted = doc.relations.filter((r) => types.has(r.type)).map((r): [string, string] => [r.type, key(r.from, r.to)]);
    all.add(gold, predicted);
    withinSentence.add(goldInSentence, predicted);
  }
  const micro = all.micro();
  console.log(JSON.stringify({ perType: all.perLabel(), micro, sentenceGold: { perType: withinSentence.perLabel(), micro: withinSentence.micro() } }, null, 2));
  console.log(JSON.stringify({ precision: micro.precision, recall: micro.recall, f1: micro.f1, sentenceRecall: withinSentence.micro().recall }));
  return 0;
}
