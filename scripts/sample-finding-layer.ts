/**
 * Prints a seeded random sample of the findings the native pipeline's non-model layers added to a corpus
 * slice, each in its context, for reading by eye (how many are findings a clinician would mark).
 *   npx tsx scripts/sample-finding-layer.ts data/ner/cmeee/train.jsonl [DOCUMENTS=300] [SAMPLE=40]
 */
import { readFileSync } from 'node:fs';
import { MedDocument } from '../src/document/document.js';
import { buildPipeline } from '../src/pipeline/default.js';
import { seededShuffle } from '../src/util/random.js';

const [file, documents = '300', sample = '40'] = process.argv.slice(2);
if (!file) throw new Error('usage: sample-finding-layer.ts FILE.jsonl [DOCUMENTS] [SAMPLE]');
const pipeline = buildPipeline();
const added: string[] = [];
for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean).slice(0, Number(documents))) {
  const text = (JSON.parse(line) as { text: string }).text;
  const doc = pipeline.run(new MedDocument(text));
  const chars = Array.from(text);
  for (const e of doc.entities) {
    if (e.source === 'model' || (e.type !== 'disease' && e.type !== 'symptom')) continue;
    added.push(`${chars.slice(Math.max(0, e.start - 10), e.start).join('')}[${e.text}]${chars.slice(e.end, e.end + 6).join('')}\t${e.type}\t${e.assertion?.certainty ?? ''}`);
  }
}
seededShuffle(added, 7);
console.log(`${added.length} added findings; a sample of ${Math.min(added.length, Number(sample))}:`);
console.log(added.slice(0, Number(sample)).join('\n'));
