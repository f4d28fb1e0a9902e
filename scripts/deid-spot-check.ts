/**
 * False-positive spot check of the PHI detector on public clinical corpora that carry (almost) no
 * identifiers: yidu-s4k, the report samples, CMeEE and CCKS 2017 from ../shared/data. Prints how many
 * spans of each type were found per 100,000 characters and the most frequent ones for review.
 *
 *   npx tsx scripts/deid-spot-check.ts [--top 60]
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { detectPhi } from '../src/deid/text.js';
import { sharedDataPath } from './shared-data.js';

const topIndex = process.argv.indexOf('--top');
const top = topIndex >= 0 ? Number(process.argv[topIndex + 1]) : 60;
const texts: string[] = [];
for (const file of [['ner', 'yidu-s4k', 'train.jsonl'], ['reports', 'samples.jsonl'], ['ner', 'cmeee', 'train.jsonl']]) {
  const path = sharedDataPath(...file);
  if (!existsSync(path)) continue;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const row = JSON.parse(line) as { text?: string; originalText?: string };
    texts.push(row.text ?? row.originalText ?? '');
  }
}
const ccks = sharedDataPath('ner', 'ccks2017');
if (existsSync(ccks)) {
  for (const dir of readdirSync(ccks)) {
    for (const file of readdirSync(`${ccks}/${dir}`)) if (file.endsWith('.txtoriginal.txt')) texts.push(readFileSync(`${ccks}/${dir}/${file}`, 'utf8'));
  }
}
const perType = new Map<string, number>();
const surfaces = new Map<string, number>();
let chars = 0;
for (const text of texts) {
  chars += Array.from(text).length;
  for (const span of detectPhi(text, { mask: ['all'] })) {
    perType.set(span.type, (perType.get(span.type) ?? 0) + 1);
    const key = `${span.type}\t${span.text}`;
    surfaces.set(key, (surfaces.get(key) ?? 0) + 1);
  }
}
console.log(JSON.stringify({ texts: texts.length, characters: chars, per100kChars: Object.fromEntries([...perType].map(([t, n]) => [t, Math.round((n / chars) * 1e7) / 100])) }));
for (const [key, n] of [...surfaces].filter(([k]) => !k.startsWith('date')).sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${n}\t${key}`);
