/**
 * Derives data/relations/ruijin.jsonl from the Ruijin diabetes corpus (brat .txt/.ann in
 * ../shared/data/ner/ruijin-diabetes) for `medstruct eval relations`: one line per document with its
 * entities in unified types and the relations the relations stage also produces (site from
 * Anatomy_Disease; dose, frequency, route, duration from Amount/Frequency/Method/Duration_Drug).
 * Discontinuous entities are left out. Offsets are code points of the .txt, end exclusive.
 *   npx tsx scripts/relations-data.ts        (npm run data:relations)
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../src/resources.js';
import { sharedDataPath } from './shared-data.js';

const TYPES: Record<string, { type: string; label?: string }> = {
  Disease: { type: 'disease' }, Symptom: { type: 'symptom' }, SideEff: { type: 'symptom' }, Anatomy: { type: 'anatomy' },
  Drug: { type: 'drug' }, Test: { type: 'lab_test' }, Test_Value: { type: 'measurement' },
  Operation: { type: 'procedure' }, Treatment: { type: 'procedure' },
  Amount: { type: 'measurement', label: 'dose' }, Frequency: { type: 'measurement', label: 'frequency' },
  Method: { type: 'procedure', label: 'route' }, Duration: { type: 'time', label: 'duration' },
};

/** Brat relation → [our type, whether our `from` is brat's Arg2]. */
const RELATIONS: Record<string, [string, boolean]> = {
  Anatomy_Disease: ['site', true], Amount_Drug: ['dose', true], Frequency_Drug: ['frequency', true],
  Method_Drug: ['route', true], Duration_Drug: ['duration', true],
};

const dir = sharedDataPath('ner', 'ruijin-diabetes');
const out: string[] = [];
for (const name of readdirSync(dir).filter((f) => f.endsWith('.txt')).sort()) {
  const text = readFileSync(join(dir, name), 'utf8');
  const ann = readFileSync(join(dir, name.replace(/\.txt$/, '.ann')), 'utf8').split('\n');
  // brat offsets count UTF-16 units; convert to code points.
  const unitToPoint = new Int32Array(text.length + 1);
  let point = 0;
  for (let u = 0; u < text.length; u++) {
    unitToPoint[u] = point;
    const c = text.charCodeAt(u);
    if (!(c >= 0xd800 && c <= 0xdbff)) point++;
  }
  unitToPoint[text.length] = point;
  const entities: Array<{ id: string; start: number; end: number; type: string; label?: string }> = [];
  for (const line of ann) {
    const m = /^(T\d+)\t(\S+) (\d+) (\d+)\t/.exec(line);
    const mapped = m ? TYPES[m[2]!] : undefined;
    if (!m || !mapped) continue;
    entities.push({ id: m[1]!, start: unitToPoint[Number(m[3])]!, end: unitToPoint[Number(m[4])]!, ...mapped });
  }
  const ids = new Set(entities.map((e) => e.id));
  const relations: Array<{ type: string; from: string; to: string }> = [];
  for (const line of ann) {
    const m = /^R\d+\t(\S+) Arg1:(T\d+) Arg2:(T\d+)/.exec(line);
    const mapped = m ? RELATIONS[m[1]!] : undefined;
    if (!m || !mapped || !ids.has(m[2]!) || !ids.has(m[3]!)) continue;
    const [type, fromIsArg2] = mapped;
    relations.push({ type, from: fromIsArg2 ? m[3]! : m[2]!, to: fromIsArg2 ? m[2]! : m[3]! });
  }
  out.push(JSON.stringify({ id: name, text, entities, relations }));
}
mkdirSync(join(PACKAGE_ROOT, 'data', 'relations'), { recursive: true });
writeFileSync(join(PACKAGE_ROOT, 'data', 'relations', 'ruijin.jsonl'), out.join('\n') + '\n');
console.error(`wrote data/relations/ruijin.jsonl: ${out.length} documents`);
