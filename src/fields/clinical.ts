import type { FieldValue } from '../document/types.js';
import { readJsonResource } from '../resources.js';
import { enrichers, type ConceptLink } from './enrich.js';
import { extractLabelled, type LabelledSchema } from './labelled.js';
import { findMedications } from './medication.js';
import { normalizeTime } from './normalize.js';
import { clauses, cpOf, fieldValue, matchAll, sectionRegions, sectionValue, trimSpan, wholeRegion, type Region, type Source } from './source.js';

interface ClinicalSchema {
  labels: LabelledSchema;
  history: Record<'negation' | 'allergy' | 'transfusion' | 'operation' | 'infection' | 'smoking' | 'alcohol', string>;
  vitals: Record<string, string>;
  procedurePattern: string;
  bloodLossPattern: string;
  transfusionPattern: string;
  durationPattern: string;
  menstrual: Record<'menarcheAge' | 'period' | 'cycle' | 'lastPeriod' | 'formula', string>;
}

const schema = readJsonResource<ClinicalSchema>('fields', 'clinical.json');
const LABEL_WORDS = Object.values(schema.labels).flatMap((s) => s.labels);
const NEGATION = new RegExp(schema.history.negation);
const HISTORY = Object.fromEntries(Object.entries(schema.history).map(([k, v]) => [k, new RegExp(v)]));
const VITAL_RES = Object.fromEntries(Object.entries(schema.vitals).map(([k, v]) => [k, new RegExp(`(?<![A-Za-z])(?:${v})`, 'dg')]));
const PROCEDURE_RE = new RegExp(schema.procedurePattern, 'dg');
const BLOOD_LOSS_RE = new RegExp(schema.bloodLossPattern, 'dg');
const TRANSFUSION_RE = new RegExp(schema.transfusionPattern, 'dg');
const DURATION_RE = new RegExp(schema.durationPattern, 'dg');
const MENSTRUAL_RES = Object.fromEntries(Object.entries(schema.menstrual).map(([k, v]) => [k, new RegExp(v, 'dg')]));
const DISEASE_IN_HISTORY = /(?:有|患|诊断为?|发现)?(?<name>[\u4e00-\u9fa5A-Za-z0-9]{2,16}?)(?:病史|史|\d+余?年|多年)/dg;

const MAX_DIAGNOSIS_LENGTH = 40;

export interface Diagnosis {
  text: FieldValue;
  links: Array<{ id: string; name: string; codes: Record<string, string> }>;
}

const linkOut = (links: ConceptLink[]): Diagnosis['links'] => links.map((l) => ({ id: l.id, name: l.name, codes: l.codes }));

/**
 * Links of a diagnosis or procedure: the linking stage's link when an entity of that type spans exactly the
 * item (no second look-up), else the knowledge graph's best concept for the item's text.
 */
function linksOf(src: Source, start: number, end: number, kind: 'disease' | 'procedure'): Diagnosis['links'] {
  const s = cpOf(src, start);
  const e = cpOf(src, end);
  const entity = src.doc.entities.find((x) => x.start === s && x.end === e && x.type === kind && x.link !== null);
  const text = src.text.slice(start, end);
  if (kind === 'procedure') return linkOut(entity ? [entity.link!] : enrichers().linkProcedure(text));
  // One concept that names the whole item is enough; otherwise (高血压3级（很高危）, two diagnoses in one item) the
  // splitting linker, several times dearer, reads it.
  const core = text.replace(/[（(][^）)]*[）)]/g, '').replace(/\s+/g, '');
  const single = entity ? [entity.link!] : enrichers().linkDisease(text);
  if (single[0] && single[0].score >= 0.9 && single[0].name.length >= core.length * 0.8) return linkOut(single.slice(0, 1));
  const several = enrichers().linkDiagnoses(text);
  return linkOut(several.length > 0 ? several : single.slice(0, 1));
}

/** Splits a diagnosis list (1.胃癌术后 2.高血压3级；糖尿病) into items, each linked to ICD-10 when the linker is present. */
export function splitDiagnoses(src: Source, region: Region, link = true): Diagnosis[] {
  const out: Diagnosis[] = [];
  // Item boundaries: numbering (1. 2、 (3) ①), semicolons, line breaks; commas only between short items.
  const text = src.text.slice(region.start, region.end);
  const cuts = [0];
  const re = /(?:^|[\s;；,，。])(?:\d{1,2}\s*[.、．)）]|[(（]\d{1,2}[)）]|[①②③④⑤⑥⑦⑧⑨⑩])|[;；\n。]/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) cuts.push(m.index);
  cuts.push(text.length);
  for (let k = 0; k + 1 < cuts.length; k++) {
    let start = region.start + cuts[k]!;
    const end = region.start + cuts[k + 1]!;
    const lead = /^[\s;；,，。\n]*(?:\d{1,2}\s*[.、．)）]|[(（]\d{1,2}[)）]|[①②③④⑤⑥⑦⑧⑨⑩])?/.exec(src.text.slice(start, end));
    if (lead) start += lead[0].length;
    const t = trimSpan(src.text, start, end);
    if (t.end <= t.start || !/[\u4e00-\u9fa5A-Za-z]/.test(src.text.slice(t.start, t.end))) continue;
    const pieceText = src.text.slice(t.start, t.end);
    // Comma-separated short diagnoses (高血压，糖尿病) are separate items; a long clause stays whole.
    const parts = pieceText.length <= 40 && /[,，、]/.test(pieceText) && !/[(（]/.test(pieceText) ? pieceText.split(/[,，、]/) : [pieceText];
    let offset = t.start;
    for (const part of parts) {
      const ps = trimSpan(src.text, offset, offset + part.length);
      offset += part.length + 1;
      if (ps.end <= ps.start) continue;
      const value = src.text.slice(ps.start, ps.end);
      // A diagnosis is a short phrase; a long piece is prose the linker cannot place.
      const links = link && value.length <= MAX_DIAGNOSIS_LENGTH ? linksOf(src, ps.start, ps.end, 'disease') : [];
      out.push({ text: fieldValue(src, ps.start, ps.end, links[0]?.name ?? value, region), links });
    }
  }
  return out;
}

function diagnosesFrom(src: Source, sectionKeys: string[], labelled: FieldValue | undefined): Diagnosis[] {
  const regions = sectionRegions(src, ...sectionKeys);
  if (regions.length > 0) return regions.flatMap((r) => splitDiagnoses(src, r));
  if (!labelled) return [];
  const start = src.toU16 ? src.toU16[labelled.start]! : labelled.start;
  const end = src.toU16 ? src.toU16[labelled.end]! : labelled.end;
  return splitDiagnoses(src, { start, end });
}

/** A history statement: `denied` when the clause negates it, else the clause itself. */
function historyItem(src: Source, regions: Region[], trigger: RegExp): FieldValue | null {
  for (const region of regions) {
    for (const clause of clauses(src, region, /[。；;，,\n]/)) {
      const text = src.text.slice(clause.start, clause.end);
      const hit = trigger.exec(text);
      if (!hit) continue;
      const negated = NEGATION.test(text.slice(0, hit.index + hit[0].length));
      return fieldValue(src, clause.start, clause.end, negated ? 'denied' : 'present', clause);
    }
  }
  return null;
}

function allergies(src: Source, regions: Region[]): { statement: FieldValue | null; allergens: FieldValue[] } {
  const statement = historyItem(src, regions, HISTORY.allergy!);
  const allergens: FieldValue[] = [];
  for (const region of regions) {
    for (const m of matchAll(src, region, /对(?<what>[^，,。；;]{1,20}?)(?:等)?过敏/dg)) {
      const w = m.indices!.groups!.what!;
      if (/^(药物|食物)$/.test(m.groups!.what!) && NEGATION.test(src.text.slice(Math.max(region.start, m.pos - 4), m.pos))) continue;
      allergens.push(fieldValue(src, region.start + w[0], region.start + w[1], m.groups!.what!, { start: m.pos, end: m.pos + m[0].length }));
    }
  }
  return { statement, allergens };
}

function historyDiseases(src: Source, regions: Region[]): Diagnosis[] {
  const out: Diagnosis[] = [];
  for (const region of regions) {
    for (const clause of clauses(src, region, /[。；;，,\n]/)) {
      const text = src.text.slice(clause.start, clause.end);
      if (NEGATION.test(text.slice(0, 3)) || HISTORY.allergy!.test(text) || HISTORY.transfusion!.test(text)) continue;
      for (const m of matchAll(src, clause, DISEASE_IN_HISTORY)) {
        const name = m.indices!.groups!.name!;
        const value = m.groups!.name!.replace(/^(既往|平素|曾|有)+/, '');
        if (value.length < 2 || !/[\u4e00-\u9fa5]/.test(value) || /^(手术|外伤|输血|过敏|吸烟|饮酒|家族|个人|传染病|疾病|其他|预防接种)/.test(value)) continue;
        const start = clause.start + name[0] + (m.groups!.name!.length - value.length);
        const links = linksOf(src, start, clause.start + name[1], 'disease');
        out.push({ text: fieldValue(src, start, clause.start + name[1], links[0]?.name ?? value, clause), links });
      }
    }
  }
  return out;
}

interface Vital {
  value: FieldValue;
  unit: string;
}

/** T, P, R, BP (and HR, SpO2) normalized: ℃, beats/min, breaths/min, mmHg `120/80`. */
export function extractVitals(src: Source, regions: Region[]): Record<string, Vital> {
  const out: Record<string, Vital> = {};
  for (const [name, re] of Object.entries(VITAL_RES)) {
    for (const region of regions) {
      for (const m of matchAll(src, region, re)) {
        const g = m.groups!;
        const evidence = { start: m.pos, end: m.pos + m[0].length };
        if (name === 'bloodPressure') {
          const kpa = g.unit === 'kPa';
          const toMmHg = (v: string): number => (kpa ? Math.round(Number(v) * 7.50062) : Number(v));
          const s = m.indices!.groups!.systolic!;
          out[name] = { value: fieldValue(src, region.start + s[0], evidence.end, `${toMmHg(g.systolic!)}/${toMmHg(g.diastolic!)}`, evidence), unit: 'mmHg' };
        } else {
          const v = m.indices!.groups!.value!;
          const value = Number(g.value);
          if (name === 'temperature' && (value < 30 || value > 45)) continue;
          const unit = name === 'temperature' ? '℃' : name === 'spo2' ? '%' : name === 'respiration' ? 'breaths/min' : 'beats/min';
          out[name] = { value: fieldValue(src, region.start + v[0], evidence.end, value, evidence), unit };
        }
        break;
      }
      if (out[name]) break;
    }
  }
  return out;
}

const MENSTRUAL_ITEMS = ['menarcheAge', 'period', 'cycle', 'lastPeriod'] as const;

/** Menstrual history: the text, and menarche age, period days, cycle days and last period, worded or as 13 5-7/28-30 2023-04-20. */
function menstrualHistory(src: Source): Record<string, FieldValue | null> | null {
  const text = sectionValue(src, 'menstrual_history');
  if (!text) return null;
  const regions = sectionRegions(src, 'menstrual_history');
  const out: Record<string, FieldValue | null> = { text };
  const normalizeItem = (key: string, value: string): string | number | null => (key === 'lastPeriod' ? normalizeTime(value) : key === 'menarcheAge' ? Number(value) : value.replace(/\s+/g, '').replace(/[~～]/, '-'));
  for (const key of MENSTRUAL_ITEMS) {
    out[key] = null;
    for (const region of regions) {
      for (const m of matchAll(src, region, MENSTRUAL_RES[key]!)) {
        const v = m.indices!.groups!.value!;
        out[key] = fieldValue(src, region.start + v[0], region.start + v[1], normalizeItem(key, m.groups!.value!), { start: m.pos, end: m.pos + m[0].length });
        break;
      }
    }
  }
  if (MENSTRUAL_ITEMS.every((k) => out[k] === null)) {
    for (const region of regions) {
      for (const m of matchAll(src, region, MENSTRUAL_RES.formula!)) {
        for (const key of MENSTRUAL_ITEMS) {
          const v = m.indices!.groups![key];
          if (v) out[key] = fieldValue(src, region.start + v[0], region.start + v[1], normalizeItem(key, m.groups![key]!), { start: m.pos, end: m.pos + m[0].length });
        }
        break;
      }
    }
  }
  return out;
}

function procedures(src: Source, regions: Region[], operationName: FieldValue | null): Diagnosis[] {
  const out: Diagnosis[] = [];
  const seen = new Set<string>();
  const add = (start: number, end: number, evidence: Region): void => {
    const value = src.text.slice(start, end);
    if (seen.has(value)) return;
    seen.add(value);
    const links = linksOf(src, start, end, 'procedure');
    out.push({ text: fieldValue(src, start, end, links[0]?.name ?? value, evidence), links });
  };
  if (operationName) {
    const s = src.toU16 ? src.toU16[operationName.start]! : operationName.start;
    const e = src.toU16 ? src.toU16[operationName.end]! : operationName.end;
    for (const d of splitDiagnoses(src, { start: s, end: e })) {
      const ds = src.toU16 ? src.toU16[d.text.start]! : d.text.start;
      const de = src.toU16 ? src.toU16[d.text.end]! : d.text.end;
      add(ds, de, { start: s, end: e });
    }
  }
  for (const region of regions) {
    for (const m of matchAll(src, region, PROCEDURE_RE)) {
      const n = m.indices!.groups!.name!;
      add(region.start + n[0], region.start + n[1], { start: m.pos, end: m.pos + m[0].length });
    }
  }
  return out;
}

function measured(src: Source, regions: Region[], re: RegExp, unitOf: (unit: string, value: number) => string | number): FieldValue | null {
  for (const region of regions) {
    for (const m of matchAll(src, region, re)) {
      const v = m.indices!.groups!.value!;
      return fieldValue(src, region.start + v[0], m.pos + m[0].length, unitOf(m.groups!.unit!, Number(m.groups!.value)), { start: m.pos, end: m.pos + m[0].length });
    }
  }
  return null;
}

export function extractClinical(src: Source, type: string): Record<string, unknown> {
  const whole = wholeRegion(src);
  const labelled = extractLabelled(src, whole, schema.labels, LABEL_WORDS);
  const pastRegions = sectionRegions(src, 'past_history', 'allergy_history');
  const personalRegions = sectionRegions(src, 'personal_history');
  const examRegions = sectionRegions(src, 'physical_exam', 'specialty_exam', 'admission_condition');
  const courseRegions = sectionRegions(src, 'treatment_course', 'present_illness', 'operation_procedure', 'treatment_plan');
  const orderRegions = sectionRegions(src, 'discharge_orders', 'advice', 'medications', 'prescription', 'treatment_plan');
  const operationName = sectionValue(src, 'operation_name') ?? labelled.operationName ?? null;
  const allergy = allergies(src, pastRegions);

  const out: Record<string, unknown> = {
    chiefComplaint: sectionValue(src, 'chief_complaint') ?? labelled.chiefComplaint ?? null,
    presentIllness: sectionValue(src, 'present_illness'),
    pastHistory: {
      text: sectionValue(src, 'past_history'),
      diseases: historyDiseases(src, sectionRegions(src, 'past_history')),
      operations: historyItem(src, pastRegions, HISTORY.operation!),
      allergies: allergy.statement,
      allergens: allergy.allergens,
      transfusion: historyItem(src, pastRegions, HISTORY.transfusion!),
      infections: historyItem(src, pastRegions, HISTORY.infection!),
      // Medicines the patient already takes (规律服用硝苯地平控释片30mg qd): the drug history, apart from what is ordered.
      medications: findMedications(src, sectionRegions(src, 'past_history')),
    },
    personalHistory: {
      text: sectionValue(src, 'personal_history'),
      smoking: historyItem(src, personalRegions, HISTORY.smoking!),
      alcohol: historyItem(src, personalRegions, HISTORY.alcohol!),
    },
    menstrualHistory: menstrualHistory(src),
    maritalHistory: sectionValue(src, 'marital_history'),
    familyHistory: sectionValue(src, 'family_history'),
    physicalExam: sectionValue(src, 'physical_exam'),
    auxiliaryExam: sectionValue(src, 'auxiliary_exam'),
    treatmentCourse: sectionValue(src, 'treatment_course'),
    vitals: extractVitals(src, examRegions.length > 0 ? examRegions : [whole]),
    diagnoses: {
      admission: diagnosesFrom(src, ['admission_diagnosis'], labelled.admissionDiagnosis),
      discharge: diagnosesFrom(src, ['discharge_diagnosis'], labelled.dischargeDiagnosis),
      outpatient: diagnosesFrom(src, ['diagnosis'], labelled.outpatientDiagnosis),
      preoperative: diagnosesFrom(src, ['preoperative_diagnosis'], labelled.preoperativeDiagnosis),
      postoperative: diagnosesFrom(src, ['postoperative_diagnosis'], labelled.postoperativeDiagnosis),
    },
    procedures: procedures(src, courseRegions.length > 0 ? courseRegions : [whole], operationName),
    medications: findMedications(src, orderRegions.length > 0 ? [...orderRegions, ...sectionRegions(src, 'treatment_course')] : [whole]),
    orders: sectionValue(src, 'discharge_orders', 'advice', 'treatment_plan'),
    dischargeCondition: sectionValue(src, 'discharge_condition'),
  };
  if (type === 'operation') {
    const procedureRegions = sectionRegions(src, 'operation_procedure', 'operation_findings');
    const regions = procedureRegions.length > 0 ? procedureRegions : [whole];
    out.operation = {
      name: operationName,
      anesthesia: labelled.anesthesia ?? sectionValue(src, 'anesthesia'),
      surgeon: labelled.surgeon ?? null,
      findings: sectionValue(src, 'operation_findings'),
      procedure: sectionValue(src, 'operation_procedure'),
      bloodLoss: measured(src, regions, BLOOD_LOSS_RE, (_u, v) => v),
      transfusion: measured(src, regions, TRANSFUSION_RE, (u, v) => `${v} ${u}`),
      duration: measured(src, [whole], DURATION_RE, (u, v) => (/小时|h/.test(u) ? v * 60 : v)),
      startTime: labelled.operationStart ?? null,
      endTime: labelled.operationEnd ?? null,
    };
  }
  return out;
}
