/**
 * Distinct, realistic 300-character clinical texts for the HTTP load test, composed deterministically
 * (seeded) from sentence templates and the names of the project's own knowledge graph (models/kg):
 * diseases, symptoms, drugs, exams, lab tests, procedures and departments, so every text carries new
 * combinations of mentions and the linker sees many distinct ones, as with real traffic.
 */
import { loadKnowledgeGraph, type ConceptType } from '../src/linking/index.js';
import { seededRandom } from '../src/util/random.js';

type Slot = 'disease' | 'symptom' | 'drug' | 'exam' | 'lab' | 'procedure' | 'department';

/** Report sentences; `{slot}` takes a knowledge-graph name, `{n:a-b}` a whole number in [a, b]. */
const TEMPLATES = [
  '患者{sex}，{n:18-89}岁，因{symptom}{n:2-14}天入院。',
  '主诉：{symptom}伴{symptom}{n:1-6}月，加重{n:1-7}天。',
  '既往{disease}病史{n:2-20}年，规律口服{drug}治疗，控制尚可。',
  '查体：T {n:36-39}.{n:0-9}℃，P {n:60-118}次/分，R {n:14-26}次/分，BP {n:95-180}/{n:55-105}mmHg。',
  '{lab}{n:1-250}.{n:0-9}，较前{trend}。',
  '行{exam}检查，提示{disease}可能，建议进一步检查。',
  '入院诊断：1.{disease}；2.{disease}；3.{disease}。',
  '予{drug}静滴，{drug}口服，并予对症支持治疗。',
  '否认{disease}、{disease}病史，否认药物过敏史。',
  '患者无{symptom}，无{symptom}，{symptom}较前好转。',
  '于20{n:10-24}年{n:1-12}月在外院行{procedure}，术后恢复可。',
  '出院医嘱：继续服用{drug}，{department}门诊随访，不适随诊。',
  '复查{exam}示{disease}，{lab}未见明显异常。',
  '家族史：{relative}患{disease}，否认遗传病史。',
  '今日患者诉{symptom}，精神、食欲可，二便正常，继续{drug}治疗。',
  '请{department}会诊，考虑{disease}，建议加用{drug}。',
] as const;

const SEXES = ['男', '女'];
const TRENDS = ['升高', '下降', '无明显变化'];
const RELATIVES = ['父亲', '母亲', '兄长', '姐姐'];

/** Slots and the knowledge-graph types they draw from, with how many of the most frequent names to use. */
const VOCABULARY: Record<Slot, { type: ConceptType; size: number }> = {
  disease: { type: 'disease', size: 3000 },
  symptom: { type: 'symptom', size: 1500 },
  drug: { type: 'drug', size: 3000 },
  exam: { type: 'exam', size: 800 },
  lab: { type: 'lab', size: 250 },
  procedure: { type: 'procedure', size: 600 },
  department: { type: 'department', size: 85 },
};

/** Plain names as a report writes them: Chinese (letters and digits allowed), no brackets or ICD filler words. */
function plainName(name: string): boolean {
  return /^[\u4e00-\u9fff][\u4e00-\u9fffA-Za-z0-9]{1,11}$/.test(name) && !/其他|特指|未分类|未知原因|状态/.test(name);
}


function vocabulary(): Record<Slot, string[]> {
  const kg = loadKnowledgeGraph();
  const byType = new Map<ConceptType, Array<[string, number]>>();
  kg.names.forEach((name, i) => {
    if (!plainName(name)) return;
    const list = byType.get(kg.types[i]!) ?? [];
    list.push([name, kg.prior[i]!]);
    byType.set(kg.types[i]!, list);
  });
  const out = {} as Record<Slot, string[]>;
  for (const [slot, { type, size }] of Object.entries(VOCABULARY) as Array<[Slot, { type: ConceptType; size: number }]>) {
    const names = [...new Set((byType.get(type) ?? []).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([name]) => name))].slice(0, size);
    if (names.length === 0) throw new Error(`The knowledge graph has no ${type} names`);
    out[slot] = names;
  }
  return out;
}

/** `count` distinct texts of exactly `length` characters (code points). */
export function loadTexts(count: number, length = 300, seed = 20261121): string[] {
  const words = vocabulary();
  const random = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const fill = (template: string): string => template.replace(/\{([a-z]+)(?::(\d+)-(\d+))?\}/g, (_m, slot: string, lo?: string, hi?: string) => {
    if (slot === 'n') return String(Number(lo) + Math.floor(random() * (Number(hi) - Number(lo) + 1)));
    if (slot === 'sex') return pick(SEXES);
    if (slot === 'trend') return pick(TRENDS);
    if (slot === 'relative') return pick(RELATIVES);
    return pick(words[slot as Slot]);
  });
  const texts = new Set<string>();
  while (texts.size < count) {
    // Every text starts like a record (patient line), then any sentences.
    let text = fill(TEMPLATES[0]);
    while (Array.from(text).length < length) text += fill(pick(TEMPLATES.slice(1)));
    texts.add(Array.from(text).slice(0, length).join(''));
  }
  return [...texts];
}
