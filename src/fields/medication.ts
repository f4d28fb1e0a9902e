import type { FieldValue } from '../document/types.js';
import { readJsonResource } from '../resources.js';
import { alternation, clauses, fieldValue, lines, matchAll, type Region, type Source } from './source.js';

interface MedicationSchema {
  doseUnits: string[];
  routes: Record<string, string>;
  frequencies: Record<string, string>;
  drugSuffixes: string[];
  leadingVerbs: string[];
  notDrug: string;
}

const schema = readJsonResource<MedicationSchema>('fields', 'medication.json');
const UNIT = alternation(schema.doseUnits);
const DOSE_RE = new RegExp(`(?<![A-Za-z0-9.×*x/])(?:每次|一次|单次|次量)?\\s*(?<value>\\d+(?:\\.\\d+)?)\\s*(?<unit>${UNIT})(?![A-Za-z])(?!\\s*[×*xX/]\\s*\\d)`, 'dg');
const SPEC_RE = new RegExp(`\\d+(?:\\.\\d+)?\\s*(?:${UNIT})\\s*[×*xX]\\s*\\d+\\s*(?:${UNIT})?(?:\\s*/\\s*(?:盒|瓶|袋|板|支))?|\\d+(?:\\.\\d+)?\\s*(?:${UNIT})\\s*/\\s*(?:${UNIT})`, 'g');
const ROUTE_RE = new RegExp(`(?<![A-Za-z])(?:${alternation(Object.keys(schema.routes))})(?![A-Za-z])`, 'gi');
const FREQ_RE = new RegExp(`(?<![A-Za-z])(?:${alternation(Object.keys(schema.frequencies))})(?![A-Za-z])`, 'gi');
const QUANTITY_RE = /(?:[×*xX]|共|数量\s*[:：]?|总量\s*[:：]?)\s*(?<value>\d+)\s*(?<unit>盒|瓶|支|袋|板|包|盒装)/dg;
const DRUG_WORD_RE = new RegExp(`[\\u4e00-\\u9fa5A-Za-z][\\u4e00-\\u9fa5A-Za-z0-9()（）-]{0,20}?(?:${alternation(schema.drugSuffixes)})`, 'g');
const NOT_DRUG = new RegExp(schema.notDrug);
const LEADING_VERBS = new RegExp(`(?:${alternation(schema.leadingVerbs)})`, 'g');

export interface Medication {
  name: FieldValue;
  specification: FieldValue | null;
  dose: FieldValue | null;
  frequency: FieldValue | null;
  route: FieldValue | null;
  quantity: FieldValue | null;
  text: FieldValue;
}

const lookup = (table: Record<string, string>, key: string): string | null =>
  table[key] ?? table[key.toLowerCase()] ?? Object.entries(table).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1] ?? null;

type Match = RegExpExecArray & { pos: number };

const overlaps = (m: Match, skip: Region[]): boolean => skip.some((s) => m.pos < s.end && m.pos + m[0].length > s.start);
const spanOf = (m: Match): Region => ({ start: m.pos, end: m.pos + m[0].length });

function firstMatch(src: Source, region: Region, re: RegExp, skip: Region[] = []): Match | null {
  for (const m of matchAll(src, region, re)) if (!overlaps(m, skip)) return m;
  return null;
}

function firstIn(src: Source, region: Region, re: RegExp, normalize: (t: string) => string | number | null, skip: Region[] = []): FieldValue | null {
  const m = firstMatch(src, region, re, skip);
  return m ? fieldValue(src, m.pos, m.pos + m[0].length, normalize(m[0]), region) : null;
}

/** A medication described by the block of text `block` whose drug name spans `name`. */
function medicationIn(src: Source, block: Region, name: Region): Medication {
  const after: Region = { start: name.end, end: block.end };
  const spec = firstMatch(src, block, SPEC_RE);
  const skip = spec ? [spanOf(spec)] : [];
  const quantity = firstMatch(src, after, QUANTITY_RE, skip);
  if (quantity) skip.push(spanOf(quantity));
  const dose = firstMatch(src, after, DOSE_RE, skip);
  return {
    name: fieldValue(src, name.start, name.end, src.text.slice(name.start, name.end), block),
    specification: spec ? fieldValue(src, spec.pos, spec.pos + spec[0].length, spec[0].replace(/\s+/g, ''), block) : null,
    dose: dose ? fieldValue(src, dose.pos + dose[0].indexOf(dose.groups!.value!), dose.pos + dose[0].length, `${dose.groups!.value} ${dose.groups!.unit}`, block) : null,
    frequency: firstIn(src, after, FREQ_RE, (t) => lookup(schema.frequencies, t)),
    route: firstIn(src, after, ROUTE_RE, (t) => lookup(schema.routes, t)),
    quantity: quantity ? fieldValue(src, quantity.pos, quantity.pos + quantity[0].length, `${quantity.groups!.value} ${quantity.groups!.unit}`, block) : null,
    text: fieldValue(src, block.start, block.end, null, block),
  };
}

/**
 * Medications in running text (orders, treatment course): each dose (100mg, 1片) anchors one drug, named by
 * the words before it back to the previous separator; route and frequency are read up to the next dose.
 */
export function findMedications(src: Source, regions: Region[]): Medication[] {
  const out: Medication[] = [];
  for (const region of regions) {
    for (const clause of clauses(src, region)) {
      const doses = [...matchAll(src, clause, DOSE_RE)];
      // Each dose's drug name: back from the dose to a separator or the previous dose's end.
      const names = doses.map((d, k) => {
        const floor = k === 0 ? clause.start : doses[k - 1]!.pos + doses[k - 1]![0].length;
        let start = d.pos;
        while (start > floor && !/[，,、;；:：。\s]/.test(src.text[start - 1]!)) start--;
        const raw = src.text.slice(start, d.pos);
        const lead = /^(?:\d{1,2}[.、)）])?/.exec(raw)![0].length;
        // 术后予头孢呋辛钠: the name starts after the last verb that introduces it.
        let cut = lead;
        for (const m of raw.matchAll(LEADING_VERBS)) if (raw.length - (m.index + m[0].length) >= 2) cut = Math.max(cut, m.index + m[0].length);
        return { start: start + cut, end: d.pos };
      });
      names.forEach((name, k) => {
        const raw = src.text.slice(name.start, name.end);
        if (!/[\u4e00-\u9fa5A-Za-z]{2,}/.test(raw) || NOT_DRUG.test(raw) || /^(?:每次|一次|约|共|剂量|单次)$/.test(raw.trim())) return;
        const end = names[k + 1] ? names[k + 1]!.start : clause.end;
        out.push(medicationIn(src, { start: name.start, end }, name));
      });
    }
  }
  return out;
}

/**
 * Prescription items: a line naming a drug (by its dosage-form suffix: 片, 胶囊, 注射液…) starts an item,
 * and the following lines without a drug (用法：…) belong to it.
 */
export function findPrescriptionItems(src: Source, regions: Region[]): Medication[] {
  const out: Medication[] = [];
  for (const region of regions) {
    const items: Array<{ block: Region; name: Region }> = [];
    for (const line of lines(src, region)) {
      let drug: (RegExpExecArray & { pos: number }) | null = null;
      for (const m of matchAll(src, line, DRUG_WORD_RE)) { drug = m; break; }
      const current = items[items.length - 1];
      if (drug) {
        let start = drug.pos;
        const lead = /^(?:\d{1,2}[.、)）]\s*|Rp[:：.]?\s*|R[:：]\s*)/.exec(src.text.slice(start, drug.pos + drug[0].length));
        if (lead) start += lead[0].length;
        items.push({ block: { start: line.start, end: line.end }, name: { start, end: drug.pos + drug[0].length } });
      } else if (current) {
        current.block.end = line.end;
      }
    }
    for (const item of items) out.push(medicationIn(src, item.block, item.name));
  }
  return out;
}
