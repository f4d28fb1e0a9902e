import type { FieldValue } from '../document/types.js';
import { readJsonResource } from '../resources.js';
import { splitDiagnoses } from './clinical.js';
import { extractLesions } from './imaging.js';
import { alternation, fieldValue, matchAll, sectionRegions, sectionValue, wholeRegion, type Source } from './source.js';

interface EndoscopySchema {
  lesionWords: string[];
  biopsyPatterns: string[];
  biopsyCountPattern: string;
  hpPattern: string;
}

const schema = readJsonResource<EndoscopySchema>('fields', 'endoscopy.json');
const LESION_RE = new RegExp(`(?:${alternation(schema.lesionWords)})`, 'g');
const BIOPSY_RES = schema.biopsyPatterns.map((p) => new RegExp(p, 'dg'));
const BIOPSY_COUNT_RE = new RegExp(schema.biopsyCountPattern, 'dg');
const HP_RE = new RegExp(schema.hpPattern, 'dg');

export function extractEndoscopy(src: Source): Record<string, unknown> {
  const whole = wholeRegion(src);
  const findingsRegions = sectionRegions(src, 'findings');
  const diagnosisRegions = sectionRegions(src, 'impression', 'diagnosis', 'conclusion');
  const biopsySites: FieldValue[] = [];
  const seen = new Set<string>();
  const taken: Array<{ start: number; end: number }> = [];
  for (const re of BIOPSY_RES) {
    for (const m of matchAll(src, whole, re)) {
      const site = m.indices!.groups!.site!;
      const value = m.groups!.site!.replace(/^(?:于|在)/, '').replace(/(?:处|部)?(?:钳取|取)$/, '').replace(/处$/, '').trim();
      const start = whole.start + site[0];
      const end = whole.start + site[1];
      if (value === '' || seen.has(value) || /^(病理|组织|送检)$/.test(value) || taken.some((t) => start < t.end && end > t.start)) continue;
      taken.push({ start, end });
      seen.add(value);
      biopsySites.push(fieldValue(src, start, end, value, { start: m.pos, end: m.pos + m[0].length }));
    }
  }
  let biopsyCount: FieldValue | null = null;
  for (const m of matchAll(src, whole, BIOPSY_COUNT_RE)) {
    const g = m.indices!.groups!.value ?? m.indices!.groups!.value2!;
    biopsyCount = fieldValue(src, whole.start + g[0], whole.start + g[1], Number(m.groups!.value ?? m.groups!.value2), { start: m.pos, end: m.pos + m[0].length });
    break;
  }
  let hpTest: FieldValue | null = null;
  for (const m of matchAll(src, whole, HP_RE)) {
    const r = m.indices!.groups!.result!;
    hpTest = fieldValue(src, whole.start + r[0], whole.start + r[1], /阳|\+/.test(m.groups!.result!) ? 'positive' : 'negative', { start: m.pos, end: m.pos + m[0].length });
    break;
  }
  return {
    findings: sectionValue(src, 'findings'),
    diagnosis: sectionValue(src, 'impression', 'diagnosis', 'conclusion'),
    diagnoses: diagnosisRegions.flatMap((r) => splitDiagnoses(src, r)),
    lesions: extractLesions(src, findingsRegions.length > 0 ? findingsRegions : [whole], LESION_RE),
    biopsySites,
    biopsyCount,
    hpTest,
  };
}
