import type { FieldValue } from '../document/types.js';
import { readJsonResource } from '../resources.js';
import { splitDiagnoses, type Diagnosis } from './clinical.js';
import { extractLabelled, type LabelledSchema } from './labelled.js';
import { fieldValue, matchAll, sectionRegions, sectionValue, u16Of, wholeRegion, type Source } from './source.js';

interface CertificateSchema {
  labels: LabelledSchema;
  restPattern: string;
}

const schema = readJsonResource<CertificateSchema>('fields', 'certificate.json');
const LABEL_WORDS = Object.values(schema.labels).flatMap((s) => s.labels);
const REST_RE = new RegExp(schema.restPattern, 'dg');
const CHINESE_NUMBERS: Record<string, number> = { 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9, 十: 10, 半: 0.5 };

function chineseNumber(text: string): number {
  if (/^\d+$/.test(text)) return Number(text);
  if (text === '十') return 10;
  const [tens, ones] = text.includes('十') ? text.split('十') : ['', text];
  return (tens === '' ? (text.includes('十') ? 10 : 0) : (CHINESE_NUMBERS[tens!] ?? 0) * 10) + (CHINESE_NUMBERS[ones ?? ''] ?? 0);
}

export function extractCertificate(src: Source): Record<string, unknown> {
  const whole = wholeRegion(src);
  const labelled = extractLabelled(src, whole, schema.labels, LABEL_WORDS);
  const regions = sectionRegions(src, 'diagnosis', 'discharge_diagnosis', 'impression');
  let diagnoses: Diagnosis[] = regions.flatMap((r) => splitDiagnoses(src, r));
  if (diagnoses.length === 0 && labelled.diagnosis) {
    diagnoses = splitDiagnoses(src, { start: u16Of(src, labelled.diagnosis.start), end: u16Of(src, labelled.diagnosis.end) });
  }
  let restDays: FieldValue | null = null;
  for (const m of matchAll(src, whole, REST_RE)) {
    const n = chineseNumber(m.groups!.value!);
    const unit = m.groups!.unit!;
    const days = unit === '周' ? n * 7 : unit === '天' || unit === '日' ? n : n * 30;
    restDays = fieldValue(src, m.pos, m.pos + m[0].length, days, { start: m.pos, end: m.pos + m[0].length });
    break;
  }
  return {
    diagnoses,
    advice: sectionValue(src, 'advice', 'treatment_plan') ?? labelled.advice ?? null,
    restDays,
  };
}
