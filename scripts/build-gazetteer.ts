/**
 * Compiles the NER gazetteer, models/ner/gazetteer.tsv (`term\tmask`, mask bits in the order of
 * GAZETTEER_TYPES), from the public dictionaries in ../shared/data/kg: xywy diseases, symptoms, drugs
 * and checks, ICD-10 (Beijing v6.01) disease names, ICD-9-CM-3 procedures, the drug catalogue, lab
 * analytes, departments, hospital lists (their provinces and cities as regions) and THUOCL's medical vocabulary.
 *
 *   npm run build:gazetteer
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { codePoints } from '../src/document/document.js';
import { foldChar } from '../src/document/normalize.js';
import { GAZETTEER_TYPES, type GazetteerType } from '../src/entities/gazetteer.js';
import { modelPath } from '../src/resources.js';
import { sharedDataPath } from './shared-data.js';

const masks = new Map<string, number>();

function add(raw: string, type: GazetteerType): void {
  const term = codePoints(raw.trim()).map(foldChar).join('').toLowerCase();
  const n = codePoints(term).length;
  if (n < 2 || n > 30 || /[\s,，;；、。]/.test(term) || /^[\d.\-%]+$/.test(term)) return;
  masks.set(term, (masks.get(term) ?? 0) | (1 << GAZETTEER_TYPES.indexOf(type)));
}

/** A province or city, with its short form (浙江省 → 浙江, 广西壮族自治区 → 广西, 杭州市 → 杭州). */
function addRegion(name: string | undefined): void {
  if (!name) return;
  add(name, 'region');
  const short = name.replace(/(壮族|回族|维吾尔|维吾尔族)?(自治区|特别行政区|自治州|地区|省|市|盟)$/, '');
  if (short !== name && codePoints(short).length >= 2) add(short, 'region');
}

const lines = (...path: string[]): string[] => readFileSync(sharedDataPath(...path), 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim());

/** Names with a parenthesised alias, 甲医院(乙医院), give both names. */
function withAliases(name: string): string[] {
  const m = /^(.*?)[(（](.*?)[)）]\s*$/.exec(name);
  return m ? [m[1]!, m[2]!] : [name];
}

function main(): void {
  for (const t of lines('kg', 'xywy', 'disease.txt')) add(t, 'disease');
  for (const t of lines('kg', 'xywy', 'symptom.txt')) add(t, 'symptom');
  for (const t of lines('kg', 'xywy', 'drug.txt')) add(t, 'drug');
  for (const t of lines('kg', 'xywy', 'check.txt')) add(t, 'check');
  for (const t of lines('kg', 'xywy', 'department.txt')) add(t, 'department');
  for (const line of lines('kg', 'icd10-beijing-v601.tsv')) {
    const name = line.split('\t')[1];
    if (name) for (const n of withAliases(name)) add(n, 'disease');
  }
  for (const line of lines('kg', 'procedure-icd9cm3-2500.tsv')) {
    const [alias, , standard] = line.split('\t');
    if (alias) add(alias, 'procedure');
    if (standard) add(standard, 'procedure');
  }
  for (const line of lines('kg', 'lab', 'analytes.tsv').slice(1)) {
    const [abbr, name] = line.split('\t');
    if (name) add(name, 'lab');
    if (abbr && abbr.length >= 2) add(abbr, 'lab');
  }
  for (const file of readdirSync(sharedDataPath('kg', 'drugs', '01-data'))) {
    const data = JSON.parse(readFileSync(sharedDataPath('kg', 'drugs', '01-data', file), 'utf8')) as { data: Array<{ drug_generic_name?: string; trade_name?: string }> };
    for (const d of data.data) {
      if (d.drug_generic_name) add(d.drug_generic_name, 'drug');
      if (d.trade_name) add(d.trade_name, 'drug');
    }
  }
  const departments = JSON.parse(readFileSync(sharedDataPath('kg', 'departments-ranking.json'), 'utf8')) as Array<{ department: string }>;
  for (const d of departments) add(d.department, 'department');
  const china = JSON.parse(readFileSync(sharedDataPath('kg', 'hospitals', 'china-2020.json'), 'utf8')) as { provinceList: Array<{ province: string; cityList?: Array<{ city: string; hospitalList?: Array<{ name: string }> }> }> };
  for (const p of china.provinceList) {
    addRegion(p.province);
    for (const c of p.cityList ?? []) addRegion(c.city);
  }
  for (const p of china.provinceList) for (const c of p.cityList ?? []) for (const h of c.hospitalList ?? []) for (const n of withAliases(h.name)) add(n, 'hospital');
  const beijing = JSON.parse(readFileSync(sharedDataPath('kg', 'hospitals', 'beijing-institutions.json'), 'utf8')) as Array<Record<string, string>>;
  for (const h of beijing) if (h['1']) for (const n of withAliases(h['1'])) add(n, 'hospital');
  const ranking = JSON.parse(readFileSync(sharedDataPath('kg', 'hospitals', 'ranking.json'), 'utf8')) as Array<{ name: string }>;
  for (const h of ranking) for (const n of withAliases(h.name)) add(n, 'hospital');
  for (const line of lines('kg', 'thuocl-medical.tsv')) add(line.split('\t')[0]!, 'term');
  const sorted = [...masks.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  writeFileSync(modelPath('ner', 'gazetteer.tsv'), sorted.map(([t, m]) => `${t}\t${m}`).join('\n') + '\n');
  const counts = GAZETTEER_TYPES.map((t, i) => `${t} ${sorted.filter(([, m]) => m & (1 << i)).length}`);
  console.log(`${sorted.length} terms (${counts.join(', ')}) → models/ner/gazetteer.tsv`);
}

main();
