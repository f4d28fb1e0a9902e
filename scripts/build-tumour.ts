/**
 * Tumour attributes (imaging reports → primarySite, primarySize, metastasisSites):
 * 1. splits ../shared/data/reports/tumour-attributes/train.jsonl into a training slice and a held-out slice by a
 *    stable hash of the text (1 in 5 held out), written to data/tumour/{train,holdout}.jsonl;
 * 2. compiles the site vocabulary of the TRAINING slice only into resources/fields/tumour-sites.json.
 * Run: npx tsx scripts/build-tumour.ts
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT, resourcePath } from '../src/resources.js';
import { sharedDataPath } from './shared-data.js';

interface Row { text: string; primarySite: string[]; primarySize: string[]; metastasisSites: string[] }

/** FNV-1a over UTF-16 units: stable across runs and machines. */
export function stableHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) { h ^= text.charCodeAt(i); h = Math.imul(h, 0x01000193) >>> 0; }
  return h >>> 0;
}

const rows = readFileSync(sharedDataPath('reports', 'tumour-attributes', 'train.jsonl'), 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Row);
const train: Row[] = [];
const holdout: Row[] = [];
for (const row of rows) (stableHash(row.text) % 5 === 0 ? holdout : train).push(row);
const out = join(PACKAGE_ROOT, 'data', 'tumour');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'train.jsonl'), train.map((r) => JSON.stringify(r)).join('\n') + '\n');
writeFileSync(join(out, 'holdout.jsonl'), holdout.map((r) => JSON.stringify(r)).join('\n') + '\n');

// Site words as the training reports word them; a word must name a place (not a bare number) and occur twice.
const count = (values: string[]): string[] => {
  const n = new Map<string, number>();
  for (const v of values) n.set(v, (n.get(v) ?? 0) + 1);
  return [...n].filter(([v, c]) => c >= 2 && /[\u4e00-\u9fa5]/.test(v) && v.length <= 16).map(([v]) => v).sort();
};
const sites = {
  description: 'Tumour site words (primary and metastatic) as imaging reports word them, compiled from the training slice of the tumour-attributes corpus by scripts/build-tumour.ts.',
  primary: count(train.flatMap((r) => r.primarySite)),
  metastasis: count(train.flatMap((r) => r.metastasisSites)),
};
writeFileSync(resourcePath('fields', 'tumour-sites.json'), JSON.stringify(sites, null, 1) + '\n');
console.log(JSON.stringify({ train: train.length, holdout: holdout.length, primary: sites.primary.length, metastasis: sites.metastasis.length }));
