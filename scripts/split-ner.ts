/**
 * Converts the public NER corpora in ../shared/data/ner into data/ner/<scheme>/{train,heldout}.jsonl,
 * one `{text, entities:[{start,end,type,text}]}` per line, code-point offsets with `end` exclusive and
 * labels in the scheme's own names. The held-out slice is fixed by a stable hash of each document's
 * key (CCKS2017: of the patient record, so a record's four sections stay together) and is never
 * trained on. cEHRNER is not used: its texts are copies of Yidu-S4K training documents.
 *
 *   npm run data:ner
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../src/resources.js';
import { sharedDataPath } from './shared-data.js';

export interface GoldEntity { start: number; end: number; type: string; text: string }
export interface GoldDoc { text: string; entities: GoldEntity[] }

/** Percentage of documents held out. */
const HELDOUT_PERCENT = 12;

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export const isHeldOut = (key: string): boolean => fnv1a(key) % 100 < HELDOUT_PERCENT;

const cp = (s: string): string[] => Array.from(s);

function readJsonl(path: string): Array<Record<string, unknown>> {
  return readFileSync(path, 'utf8').replace(/^\uFEFF/, '').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Keeps entities whose offsets really cover their text (when given), deduplicated. */
function checked(text: string, entities: GoldEntity[], problems: { bad: number }): GoldEntity[] {
  const chars = cp(text);
  const seen = new Set<string>();
  const out: GoldEntity[] = [];
  for (const e of entities) {
    const span = chars.slice(e.start, e.end).join('');
    if (e.start < 0 || e.end > chars.length || e.end <= e.start || (e.text && span !== e.text)) { problems.bad++; continue; }
    const key = `${e.start}:${e.end}:${e.type}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ start: e.start, end: e.end, type: e.type, text: span });
  }
  return out.sort((a, b) => a.start - b.start || b.end - a.end);
}

function jsonlDocs(path: string, problems: { bad: number }): GoldDoc[] {
  return readJsonl(path).map((row) => {
    const text = String(row.text);
    return { text, entities: checked(text, (row.entities as GoldEntity[]) ?? [], problems) };
  });
}

function ccks2017(problems: { bad: number }): Array<{ key: string; doc: GoldDoc }> {
  const root = sharedDataPath('ner', 'ccks2017');
  const out: Array<{ key: string; doc: GoldDoc }> = [];
  for (const section of readdirSync(root).sort()) {
    const dir = join(root, section);
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.txtoriginal.txt')).sort()) {
      const text = readFileSync(join(dir, file), 'utf8').replace(/^\uFEFF/, '');
      const annFile = join(dir, file.replace('.txtoriginal.txt', '.txt'));
      const entities: GoldEntity[] = [];
      if (existsSync(annFile)) {
        for (const line of readFileSync(annFile, 'utf8').split('\n')) {
          const [mention, start, end, type] = line.replace(/\r$/, '').split('\t');
          if (!mention || !type) continue;
          // The corpus' end offset is inclusive.
          entities.push({ start: Number(start), end: Number(end) + 1, type, text: mention });
        }
      }
      const record = file.replace(/\.txtoriginal\.txt$/, '').replace(/^.*-/, '');
      out.push({ key: `ccks2017 record ${record}`, doc: { text, entities: checked(text, entities, problems) } });
    }
  }
  return out;
}

/** cMedQANER offsets are UTF-16 string offsets that are sometimes off: take the occurrence nearest the given offset. */
function cmedqa(problems: { bad: number }): GoldDoc[] {
  const out: GoldDoc[] = [];
  for (const split of ['train', 'dev', 'test']) {
    for (const row of readJsonl(sharedDataPath('ner', 'cmedqaner', `${split}.json`))) {
      const text = String(row.text);
      const entities: GoldEntity[] = [];
      for (const m of (row.mention_data as Array<{ mention: string; type: string; offset: string }>) ?? []) {
        const given = Number(m.offset);
        let best = -1;
        for (let at = text.indexOf(m.mention); at >= 0; at = text.indexOf(m.mention, at + 1)) {
          if (best < 0 || Math.abs(at - given) < Math.abs(best - given)) best = at;
        }
        if (best < 0) { problems.bad++; continue; }
        const start = cp(text.slice(0, best)).length;
        entities.push({ start, end: start + cp(m.mention).length, type: m.type, text: m.mention });
      }
      out.push({ text, entities: checked(text, entities, problems) });
    }
  }
  return out;
}

function write(scheme: string, docs: Array<{ key: string; doc: GoldDoc }>, problems: { bad: number }): void {
  const dir = join(PACKAGE_ROOT, 'data', 'ner', scheme);
  mkdirSync(dir, { recursive: true });
  const train: string[] = [];
  const heldout: string[] = [];
  const seenTexts = new Set<string>();
  let duplicates = 0;
  for (const { key, doc } of docs) {
    if (seenTexts.has(doc.text)) { duplicates++; continue; }
    seenTexts.add(doc.text);
    (isHeldOut(key) ? heldout : train).push(JSON.stringify(doc));
  }
  writeFileSync(join(dir, 'train.jsonl'), train.join('\n') + '\n');
  writeFileSync(join(dir, 'heldout.jsonl'), heldout.join('\n') + '\n');
  console.log(`${scheme}: ${train.length} train, ${heldout.length} held out, ${duplicates} duplicate texts dropped, ${problems.bad} entities with bad offsets dropped`);
}

function main(): void {
  const p = (): { bad: number } => ({ bad: 0 });
  const yiduProblems = p();
  write('yidu', jsonlDocs(sharedDataPath('ner', 'yidu-s4k', 'train.jsonl'), yiduProblems).map((doc) => ({ key: doc.text, doc })), yiduProblems);
  const cmeeeProblems = p();
  const cmeee = [
    ...jsonlDocs(sharedDataPath('ner', 'cmeee', 'train.jsonl'), cmeeeProblems),
    ...jsonlDocs(sharedDataPath('ner', 'cmeee', 'nested.jsonl'), cmeeeProblems),
  ];
  write('cmeee', cmeee.map((doc) => ({ key: doc.text, doc })), cmeeeProblems);
  const ccksProblems = p();
  write('ccks2017', ccks2017(ccksProblems), ccksProblems);
  const qaProblems = p();
  write('cmedqa', cmedqa(qaProblems).map((doc) => ({ key: doc.text, doc })), qaProblems);
}

main();
