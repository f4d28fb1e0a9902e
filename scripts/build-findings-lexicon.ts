/**
 * Compiles the finding lexicon of the native gap-filling layer, models/ner/findings.tsv (`term\tmask`,
 * mask bits of GAZETTEER_TYPES: disease or symptom): the disease and symptom mentions that the training
 * slices of the NER corpora annotate at least twice and that lie inside an annotated finding in at least half of the places they occur
 * (房颤, 压痛, 胶质瘤…, which the dictionary gazetteer lacks; not 明显 or 蛋白). Only
 * data/ner/<scheme>/train.jsonl is read, never a held-out slice. The curated `words` of
 * resources/entities/findings.json (imaging signs, ECG changes, pathology terms) are added.
 *
 *   npm run data:ner && npm run build:findings
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { codePoints } from '../src/document/document.js';
import { foldChar } from '../src/document/normalize.js';
import { GAZETTEER_TYPES } from '../src/entities/gazetteer.js';
import { modelPath, readJsonResource } from '../src/resources.js';
import { SCHEMES, toNative, type SchemeName } from '../src/taxonomy/taxonomy.js';

const MIN_COUNT = 2;
/** Share of a term's occurrences in the training texts that lie inside an annotated finding: 明显 and 蛋白 mostly do not. */
const MIN_ANNOTATED_SHARE = 0.5;
const MAX_LENGTH = 10;
const resource = readJsonResource<{ stopwords: string[]; words: Record<'disease' | 'symptom', string[]> }>('entities', 'findings.json');
const stopwords = new Set(resource.stopwords);
const counts = new Map<string, { disease: number; symptom: number }>();
/** Each training text, folded, with the id of the gold finding span over each character (0: none). */
const texts: Array<{ chars: string[]; spanIds: Int32Array; scheme: string }> = [];
/** The finding types each corpus annotates (Yidu-S4K has no symptoms, so its 腹痛 says nothing). */
const annotates = new Map<string, Set<string>>();
let read = 0;
for (const scheme of SCHEMES.filter((s): s is Exclude<SchemeName, 'native'> => s !== 'native')) {
  const file = join('data', 'ner', scheme, 'train.jsonl');
  if (!existsSync(file)) continue;
  read++;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const row = JSON.parse(line) as { text: string; entities: Array<{ start: number; end: number; type: string }> };
    const chars = codePoints(row.text);
    const spanIds = new Int32Array(chars.length);
    texts.push({ chars: chars.map((ch) => foldChar(ch).toLowerCase()), spanIds, scheme });
    for (const [k, e] of row.entities.entries()) {
      const type = toNative(scheme, e.type);
      if (type !== 'disease' && type !== 'symptom') continue;
      spanIds.fill(k + 1, e.start, e.end);
      if (!annotates.has(scheme)) annotates.set(scheme, new Set());
      annotates.get(scheme)!.add(type);
      const term = chars.slice(e.start, e.end).map(foldChar).join('').toLowerCase();
      const n = e.end - e.start;
      // Words with Chinese in them only: no clauses (CMeEE's symptoms can be whole clauses), numbers, punctuation or bare abbreviations.
      if (n < 2 || n > MAX_LENGTH || !/^[\p{Script=Han}a-z]+$/u.test(term) || !/\p{Script=Han}/u.test(term) || stopwords.has(term)) continue;
      const c = counts.get(term) ?? { disease: 0, symptom: 0 };
      c[type]++;
      counts.set(term, c);
    }
  }
}
if (read === 0) throw new Error('no data/ner/<scheme>/train.jsonl: run `npm run data:ner` first');
const frequent = new Map([...counts].filter(([, c]) => c.disease + c.symptom >= MIN_COUNT));
// How often each term occurs, and how often inside one gold finding (压痛 within 右下腹压痛 counts).
const occurrences = new Map<string, { all: number; inFinding: number }>();
const majorityType = (c: { disease: number; symptom: number }): 'disease' | 'symptom' => (c.symptom > c.disease ? 'symptom' : 'disease');
for (const { chars, spanIds, scheme } of texts) {
  const types = annotates.get(scheme) ?? new Set();
  for (let i = 0; i < chars.length; i++) {
    let term = '';
    for (let n = 1; n <= MAX_LENGTH && i + n <= chars.length; n++) {
      term += chars[i + n - 1]!;
      const c = frequent.get(term);
      if (c === undefined || !types.has(majorityType(c))) continue;
      const o = occurrences.get(term) ?? { all: 0, inFinding: 0 };
      o.all++;
      if (spanIds[i] !== 0 && spanIds[i] === spanIds[i + n - 1]) o.inFinding++;
      occurrences.set(term, o);
    }
  }
}
const bit = (t: 'disease' | 'symptom'): number => 1 << GAZETTEER_TYPES.indexOf(t);
const kept = [...frequent]
  .filter(([term]) => { const o = occurrences.get(term); return o !== undefined && o.inFinding / o.all >= MIN_ANNOTATED_SHARE; })
  .map(([term, c]) => [term, bit(majorityType(c))] as const)
  .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
// The curated report findings of resources/entities/findings.json (`words`) join them, with their own type.
const lexicon = new Map<string, number>(kept);
for (const type of ['disease', 'symptom'] as const) {
  for (const word of resource.words[type]) lexicon.set(codePoints(word).map(foldChar).join('').toLowerCase(), bit(type));
}
const entries = [...lexicon].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
writeFileSync(modelPath('ner', 'findings.tsv'), entries.map(([t, m]) => `${t}\t${m}`).join('\n') + '\n');
console.log(`${entries.length} findings (${kept.length} from ${read} corpora, the rest curated) → models/ner/findings.tsv`);
