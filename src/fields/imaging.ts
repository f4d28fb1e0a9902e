import type { Assertion, FieldValue } from '../document/types.js';
import { readJsonResource } from '../resources.js';
import { enrichers } from './enrich.js';
import { findSizes } from './size.js';
import { alternation, clauses, cpOf, fieldValue, matchAll, sectionRegions, sectionValue, wholeRegion, type Region, type Source } from './source.js';

interface ImagingSchema {
  organs: string[];
  subSitePatterns: string[];
  lesionWords: string[];
  countWords: Record<string, string | number>;
  descriptors: Record<string, string[]>;
  gradePattern: string;
  methods: Record<string, string>;
}

const schema = readJsonResource<ImagingSchema>('fields', 'imaging.json');
const ORGAN_RE = new RegExp(`(?<side>[左右双两]侧?)?(?<organ>${alternation(schema.organs)})`, 'dg');
const SUBSITE_RE = new RegExp(`(?:${schema.subSitePatterns.join('|')})`, 'g');
const LESION_RE = new RegExp(`(?:${alternation(schema.lesionWords)})`, 'g');
const COUNT_RE = new RegExp(`(?:${alternation(Object.keys(schema.countWords))})`, 'g');
const DESCRIPTOR_RES = Object.fromEntries(Object.entries(schema.descriptors).map(([k, words]) => [k, new RegExp(`(?:${alternation(words)})`, 'g')]));
const GRADE_RE = new RegExp(schema.gradePattern, 'g');
const METHOD_RE = new RegExp(`(?:${alternation(Object.keys(schema.methods))})`, 'g');
// 无 negates, except in 无回声 (anechoic), which describes a lesion.
const NEGATION_BEFORE = /(未见|未发现|未探及|未显示|无明显|无(?!回声)|排除)[^，,]*$/;
const LATERALITY: Record<string, string> = { 左: 'left', 右: 'right', 双: 'bilateral', 两: 'bilateral' };

export interface LesionSite {
  organ: FieldValue | null;
  subSite: FieldValue | null;
  laterality: FieldValue | null;
}

export interface Lesion {
  text: FieldValue;
  kind: FieldValue;
  site: LesionSite;
  size: FieldValue | null;
  count: FieldValue | null;
  shape: FieldValue | null;
  margin: FieldValue | null;
  echo: FieldValue | null;
  density: FieldValue | null;
  signal: FieldValue | null;
  calcification: FieldValue | null;
  bloodFlow: FieldValue | null;
  enhancement: FieldValue | null;
  grade: FieldValue | null;
  assertion: Assertion | null;
}

function first(src: Source, region: Region, re: RegExp, normalize: (text: string) => string | number | null = (t) => t): FieldValue | null {
  for (const m of matchAll(src, region, re)) return fieldValue(src, m.pos, m.pos + m[0].length, normalize(m[0]), region);
  return null;
}

/** BI-RADS / TI-RADS / Lung-RADS grades in a region, normalized `BI-RADS 4a`. */
export function findGrades(src: Source, region: Region): FieldValue[] {
  const out: FieldValue[] = [];
  for (const m of matchAll(src, region, GRADE_RE)) {
    const system = (m.groups?.system ?? m.groups?.system2 ?? '').toUpperCase().replace(/^(BI|TI|LUNG|LI|PI|O)-?RADS$/, '$1-RADS').replace('LUNG-RADS', 'Lung-RADS').replace(/^C-?TIRADS$/, 'C-TIRADS');
    const category = (m.groups?.category ?? m.groups?.category2 ?? '').toLowerCase();
    out.push(fieldValue(src, m.pos, m.pos + m[0].length, `${system} ${category}`, region));
  }
  return out;
}

function organIn(src: Source, region: Region): { organ: FieldValue; side: FieldValue | null } | null {
  let best: { organ: FieldValue; side: FieldValue | null } | null = null;
  for (const m of matchAll(src, region, ORGAN_RE)) {
    const organ = m.indices!.groups!.organ!;
    const side = m.indices!.groups!.side;
    const organFv = fieldValue(src, region.start + organ[0], region.start + organ[1], m.groups!.organ!, region);
    const sideFv = side ? fieldValue(src, region.start + side[0], region.start + side[1], LATERALITY[m.groups!.side![0]!] ?? null, region) : null;
    best = { organ: organFv, side: sideFv };
    break;
  }
  return best;
}

/** Lesions of the findings and impression: one per clause that names a lesion word. */
export function extractLesions(src: Source, regions: Region[], lesionRe: RegExp = LESION_RE): Lesion[] {
  const lesions: Lesion[] = [];
  for (const region of regions) {
    let contextOrgan: { organ: FieldValue; side: FieldValue | null } | null = null;
    for (const clause of clauses(src, region, /[。；;!?！？\n]/)) {
      const found = organIn(src, clause);
      if (found) contextOrgan = found;
      let lesionMatch: (RegExpExecArray & { pos: number }) | null = null;
      for (const m of matchAll(src, clause, lesionRe)) { lesionMatch = m; break; }
      if (!lesionMatch) continue;
      const sizes = findSizes(src, clause);
      const before = src.text.slice(clause.start, lesionMatch.pos);
      if (sizes.length === 0 && NEGATION_BEFORE.test(before)) continue;
      const subSite = first(src, clause, SUBSITE_RE);
      let laterality = (found ?? contextOrgan)?.side ?? null;
      if (!laterality) {
        const side = /[左右双两]/.exec(src.text.slice(clause.start, lesionMatch.pos));
        if (side) laterality = fieldValue(src, clause.start + side.index, clause.start + side.index + 1, LATERALITY[side[0]] ?? null, clause);
      }
      const descriptor = (key: string): FieldValue | null => first(src, clause, DESCRIPTOR_RES[key]!);
      const grades = findGrades(src, clause);
      const text = fieldValue(src, clause.start, clause.end, null, clause);
      lesions.push({
        text,
        kind: fieldValue(src, lesionMatch.pos, lesionMatch.pos + lesionMatch[0].length, lesionMatch[0], clause),
        site: { organ: (found ?? contextOrgan)?.organ ?? null, subSite, laterality },
        size: sizes[0] ?? null,
        count: first(src, clause, COUNT_RE, (t) => schema.countWords[t] ?? null),
        shape: descriptor('shape'),
        margin: descriptor('margin'),
        echo: descriptor('echo'),
        density: descriptor('density'),
        signal: descriptor('signal'),
        calcification: descriptor('calcification'),
        bloodFlow: descriptor('bloodFlow'),
        enhancement: descriptor('enhancement'),
        grade: grades[0] ?? null,
        assertion: enrichers().assertSpan(src.doc, cpOf(src, lesionMatch.pos), cpOf(src, lesionMatch.pos + lesionMatch[0].length)),
      });
    }
  }
  return lesions;
}

export interface OrganMeasure {
  organ: FieldValue;
  subSite: FieldValue | null;
  size: FieldValue;
  text: FieldValue;
}

/** Organ measurements (甲状腺右叶大小约4.5×1.8×1.6cm, 峡部厚约0.3cm): clauses with an organ and a size but no lesion. */
export function extractOrganMeasures(src: Source, regions: Region[]): OrganMeasure[] {
  const out: OrganMeasure[] = [];
  for (const region of regions) {
    let contextOrgan: FieldValue | null = null;
    for (const sentence of clauses(src, region)) {
      // Once a sentence names a lesion, its later sizes are the lesion's (…结节，大小约12×9mm).
      for (const clause of clauses(src, sentence, /[，,]/)) {
        const found = organIn(src, clause);
        if (found) contextOrgan = found.organ;
        let lesion = false;
        for (const m of matchAll(src, clause, LESION_RE)) { lesion = m.length > 0; break; }
        if (lesion) break;
        const size = contextOrgan ? findSizes(src, clause)[0] : undefined;
        if (!size) continue;
        out.push({ organ: found?.organ ?? contextOrgan!, subSite: first(src, clause, SUBSITE_RE), size, text: fieldValue(src, clause.start, clause.end, null, clause) });
      }
    }
  }
  return out;
}

export function extractImaging(src: Source, examPartHint: FieldValue | null): Record<string, unknown> {
  const findingsRegions = sectionRegions(src, 'findings');
  const impressionRegions = sectionRegions(src, 'impression', 'conclusion');
  const bodyRegions = findingsRegions.length + impressionRegions.length > 0 ? [...findingsRegions, ...impressionRegions] : [wholeRegion(src)];
  const head: Region = { start: 0, end: Math.min(src.text.length, findingsRegions[0]?.start ?? 160) };
  const examItem = sectionRegions(src, 'exam_item')[0];
  const partRegion = examItem ?? head;
  const organ = organIn(src, partRegion);
  const examPart = examPartHint ?? (organ ? organ.organ : null);
  const method = first(src, examItem ?? head, METHOD_RE, (t) => schema.methods[t] ?? t);
  const grades = bodyRegions.flatMap((r) => findGrades(src, r));
  return {
    examPart,
    examMethod: method,
    findings: sectionValue(src, 'findings'),
    impression: sectionValue(src, 'impression', 'conclusion'),
    organs: extractOrganMeasures(src, findingsRegions.length > 0 ? findingsRegions : bodyRegions),
    lesions: extractLesions(src, bodyRegions),
    grades,
  };
}
