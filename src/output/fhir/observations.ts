/** Observations: lab items, imaging/endoscopy lesions and organ sizes, pathology findings, ECG measurements, vital signs. */
import type { FieldValue, Span } from '../../document/types.js';
import { fhirDateTime, fhirInstant, fieldAt, isFieldValue, textOf, type Json, type Reference } from './builder.js';
import { CODES, SYSTEM, coding, concept, ucumOf, type CodeableConcept, type Measurement } from './codes.js';
import { common, extensions, type FhirContext } from './context.js';

export interface ObservationDefaults {
  category: string;
  effective?: string;
  issued?: string;
  specimen?: Reference;
  performer?: Reference[];
}

const CATEGORY_DISPLAY: Record<string, string> = {
  laboratory: 'Laboratory', imaging: 'Imaging', procedure: 'Procedure', exam: 'Exam', 'vital-signs': 'Vital Signs',
};

const INTERPRETATION: Record<string, string> = { H: 'High', L: 'Low', N: 'Normal', A: 'Abnormal' };

/** SNOMED CT qualifier values for qualitative results and for findings present or absent. */
const QUALITATIVE: Record<string, [string, string]> = {
  positive: ['10828004', 'Positive'],
  negative: ['260385009', 'Negative'],
  weak: ['260408008', 'Weakly positive'],
};
const PRESENT: [string, string] = ['52101004', 'Present'];
const ABSENT: [string, string] = ['2667000', 'Absent'];

const COMPARATOR: Record<string, string> = { '<': '<', '>': '>', '≤': '<=', '≥': '>=' };

const RANGE = /^[(（[]?\s*(?:([<>≤≥])=?\s*(\d+(?:\.\d+)?)|(\d+(?:\.\d+)?)\s*(?:-{1,2}|~|～|—|至)\s*(\d+(?:\.\d+)?))\s*[)）\]]?$/;

export function quantity(value: number, unit: string | null | undefined, comparator?: string): Json {
  const ucum = ucumOf(unit);
  return {
    value,
    ...(comparator ? { comparator } : {}),
    ...(unit ? { unit } : {}),
    ...(ucum ? { system: SYSTEM.ucum, code: ucum } : {}),
  };
}

function base(ctx: FhirContext, defaults: ObservationDefaults, code: CodeableConcept, span: Span & { text?: string } | null): Json {
  const effective = defaults.effective ? fhirDateTime(defaults.effective, ctx.timezone) : null;
  const issued = defaults.issued ? fhirInstant(defaults.issued, ctx.timezone) : null;
  return {
    extension: span ? extensions(ctx.bundle.spanOf(span.start, span.end)) : undefined,
    status: 'final',
    category: [{ coding: [coding(SYSTEM.observationCategory, defaults.category, CATEGORY_DISPLAY[defaults.category])] }],
    code,
    ...common(ctx),
    ...(effective ? { effectiveDateTime: effective } : {}),
    ...(issued ? { issued } : {}),
    ...(defaults.performer && defaults.performer.length > 0 ? { performer: defaults.performer } : {}),
  };
}

function spanOfParts(parts: unknown[]): Span | null {
  const spans = parts.filter(isFieldValue);
  if (spans.length === 0) return null;
  return { start: Math.min(...spans.map((s) => s.start)), end: Math.max(...spans.map((s) => s.end)) };
}

function referenceRange(range: FieldValue, unit: string | null): Json {
  const m = RANGE.exec(range.value.trim());
  const out: Json = { text: range.value };
  if (!m) return out;
  if (m[3] !== undefined) {
    out.low = quantity(Number(m[3]), unit);
    out.high = quantity(Number(m[4]), unit);
  } else if (m[1] === '<' || m[1] === '≤') out.high = quantity(Number(m[2]), unit);
  else out.low = quantity(Number(m[2]), unit);
  return out;
}

/** One lab sheet row: analyte code, value with UCUM unit, reference range and the H/L/N/A interpretation. */
function labObservation(ctx: FhirContext, item: Record<string, unknown>, index: number, defaults: ObservationDefaults): Reference | null {
  const name = item.name;
  const result = item.result;
  if (!isFieldValue(name) || !isFieldValue(result)) return null;
  const unitField = isFieldValue(item.unit) ? item.unit : null;
  const unit = unitField ? textOf(unitField) : null;
  const standardName = typeof item.standardName === 'string' ? item.standardName : undefined;
  const code = concept(name.value, ...(typeof item.code === 'string' ? [coding(SYSTEM.labAnalyte, item.code, standardName)] : []));
  const obs: Json = base(ctx, defaults, code, spanOfParts([name, result, item.unit, item.range, item.flag, item.abbreviation]));
  const bounded = /^([<>≤≥])\s*(\d+(?:\.\d+)?)$/.exec(result.value.trim());
  const qualitative = typeof result.normalized === 'string' ? QUALITATIVE[result.normalized] : undefined;
  if (bounded) obs.valueQuantity = quantity(Number(bounded[2]), unit, COMPARATOR[bounded[1]!]);
  else if (typeof result.normalized === 'number') obs.valueQuantity = quantity(result.normalized, unit);
  else if (qualitative) obs.valueCodeableConcept = concept(result.value, coding(SYSTEM.snomed, ...qualitative));
  else obs.valueString = result.value;
  const direction = typeof item.direction === 'string' ? item.direction : item.abnormal === false ? 'N' : null;
  if (direction && INTERPRETATION[direction]) obs.interpretation = [{ coding: [coding(SYSTEM.interpretation, direction, INTERPRETATION[direction])] }];
  if (isFieldValue(item.range)) obs.referenceRange = [referenceRange(item.range, unit)];
  if (defaults.specimen) obs.specimen = defaults.specimen;
  return ctx.bundle.add(`Observation/lab/${index}`, 'Observation', obs, spanOfParts([name, result]));
}

function presence(certainty: string | undefined): Json {
  if (certainty === 'negative') return { valueCodeableConcept: concept(undefined, coding(SYSTEM.snomed, ...ABSENT)) };
  if (certainty === 'possible') return { valueCodeableConcept: concept('possible') };
  return { valueCodeableConcept: concept(undefined, coding(SYSTEM.snomed, ...PRESENT)) };
}

function bodySiteText(site: Record<string, unknown> | undefined): string | null {
  if (!site) return null;
  const organ = isFieldValue(site.organ) ? site.organ.value : '';
  const sub = isFieldValue(site.subSite) ? site.subSite.value : '';
  const text = sub.includes(organ) ? sub : `${organ}${sub}`;
  return text === '' ? null : text;
}

function component(code: string, display: string, value: Json): Json {
  return { code: concept(display, coding(SYSTEM.field, code, display)), ...value };
}

/** An imaging or endoscopy lesion: present/absent, with body site and each described feature as a component. */
function lesionObservation(ctx: FhirContext, lesion: Record<string, unknown>, index: number, defaults: ObservationDefaults): Reference | null {
  const text = lesion.text;
  if (!isFieldValue(text)) return null;
  const kind = isFieldValue(lesion.kind) ? lesion.kind.value : '病灶';
  const site = lesion.site as Record<string, unknown> | undefined;
  const siteText = bodySiteText(site);
  const assertion = lesion.assertion as { certainty?: string; temporality?: string; subject?: string; conditional?: boolean } | null | undefined;
  const obs = base(ctx, defaults, concept(siteText ? `${siteText}${kind}` : kind, coding(SYSTEM.field, 'lesion', '病灶')), text);
  if (assertion?.certainty) {
    obs.extension = [...(obs.extension as Json[]), ...extensions(null, {
      certainty: assertion.certainty as 'positive', temporality: (assertion.temporality ?? 'current') as 'current',
      subject: (assertion.subject ?? 'patient') as 'patient', conditional: assertion.conditional === true,
    })];
  }
  Object.assign(obs, presence(assertion?.certainty));
  if (siteText) obs.bodySite = concept(siteText);
  obs.note = [{ text: text.value }];
  const components: Json[] = [component('lesion.kind', '病灶类型', { valueString: kind })];
  if (site && isFieldValue(site.laterality)) components.push(component('lesion.laterality', '方位', { valueString: textOf(site.laterality) }));
  for (const [feature, display] of Object.entries(CODES.lesionFeatures)) {
    const value = lesion[feature];
    if (isFieldValue(value)) components.push(component(`lesion.${feature}`, display, { valueString: textOf(value) }));
  }
  obs.component = components;
  ctx.claimed.finding.push(text);
  return ctx.bundle.add(`Observation/lesion/${index}`, 'Observation', obs, text);
}

function organObservation(ctx: FhirContext, organ: Record<string, unknown>, index: number, defaults: ObservationDefaults): Reference | null {
  const text = organ.text;
  const size = organ.size;
  if (!isFieldValue(text) || !isFieldValue(size)) return null;
  const site = bodySiteText(organ);
  const obs = base(ctx, defaults, concept(site ? `${site}大小` : '器官大小', coding(SYSTEM.field, 'organ.size', '器官大小')), text);
  obs.valueString = textOf(size);
  if (site) obs.bodySite = concept(site);
  return ctx.bundle.add(`Observation/organ/${index}`, 'Observation', obs, text);
}

function measurementValue(value: FieldValue, spec: Measurement): Json {
  if (typeof value.normalized === 'number') return { valueQuantity: quantity(value.normalized, spec.unit) };
  return { valueString: textOf(value) };
}

/** The measurements a report type's fields hold (ECG intervals, pathology grade, blood loss…), by the table in codes.json. */
function measurementObservations(ctx: FhirContext, type: string, defaults: ObservationDefaults): Reference[] {
  const out: Reference[] = [];
  for (const [path, spec] of Object.entries(CODES.measurements[type] ?? {})) {
    const raw = fieldAt(ctx.result.fields, path);
    const values = (Array.isArray(raw) ? raw : [raw]).filter(isFieldValue);
    values.forEach((value, i) => {
      const codings = [...(spec.loinc ? [coding(SYSTEM.loinc, ...spec.loinc)] : []), coding(SYSTEM.field, `${type}.${path}`, spec.display)];
      const obs = base(ctx, defaults, concept(spec.display, ...codings), value);
      Object.assign(obs, measurementValue(value, spec));
      out.push(ctx.bundle.add(`Observation/${type}.${path}/${i}`, 'Observation', obs, value));
    });
  }
  return out;
}

/** Named results written as marker(result): immunohistochemistry and molecular tests. */
function markerObservations(ctx: FhirContext, list: unknown, group: string, display: string, defaults: ObservationDefaults): Reference[] {
  if (!Array.isArray(list)) return [];
  const out: Reference[] = [];
  list.forEach((item: Record<string, unknown>, i) => {
    if (!isFieldValue(item.name) || !isFieldValue(item.result)) return;
    const span = spanOfParts([item.name, item.result]);
    const obs = base(ctx, defaults, concept(item.name.value, coding(SYSTEM.field, `pathology.${group}`, display)), span);
    const qualitative = typeof item.result.normalized === 'string' ? QUALITATIVE[item.result.normalized] : undefined;
    if (qualitative) obs.valueCodeableConcept = concept(item.result.value, coding(SYSTEM.snomed, ...qualitative));
    else obs.valueString = textOf(item.result);
    out.push(ctx.bundle.add(`Observation/${group}/${i}`, 'Observation', obs, span));
  });
  return out;
}

function pathologyObservations(ctx: FhirContext, defaults: ObservationDefaults): Reference[] {
  const fields = ctx.result.fields;
  const out = [
    ...measurementObservations(ctx, 'pathology', defaults),
    ...markerObservations(ctx, fields.ihc, 'ihc', '免疫组化', defaults),
    ...markerObservations(ctx, fields.molecular, 'molecular', '分子检测', defaults),
  ];
  const nodes = fields.lymphNodes as { positive?: number; examined?: number; stations?: Array<Record<string, unknown>> } | undefined;
  if (nodes && typeof nodes.positive === 'number' && typeof nodes.examined === 'number') {
    const span = spanOfParts((nodes.stations ?? []).map((s) => s.text));
    const obs = base(ctx, defaults, concept('淋巴结转移', coding(SYSTEM.field, 'pathology.lymphNodes', '淋巴结转移')), span);
    obs.valueString = `${nodes.positive}/${nodes.examined}`;
    obs.component = [
      component('pathology.lymphNodes.positive', '阳性淋巴结数', { valueInteger: nodes.positive }),
      component('pathology.lymphNodes.examined', '检出淋巴结数', { valueInteger: nodes.examined }),
    ];
    out.push(ctx.bundle.add('Observation/lymphNodes', 'Observation', obs, span));
  }
  const ptnm = fields.ptnm as { value?: unknown; t?: string | null; n?: string | null; m?: string | null } | undefined;
  if (ptnm && isFieldValue(ptnm.value)) {
    const obs = base(ctx, defaults, concept('pTNM分期', coding(SYSTEM.field, 'pathology.ptnm', 'pTNM分期')), ptnm.value);
    obs.valueString = textOf(ptnm.value);
    obs.component = (['t', 'n', 'm'] as const).filter((k) => typeof ptnm[k] === 'string').map((k) => component(`pathology.ptnm.${k}`, `p${k.toUpperCase()}`, { valueString: ptnm[k] }));
    out.push(ctx.bundle.add('Observation/ptnm', 'Observation', obs, ptnm.value));
  }
  return out;
}

/** Vital signs of a clinical note (T, P, R, BP, SpO2) with their LOINC codes. */
export function vitalSigns(ctx: FhirContext, defaults: Omit<ObservationDefaults, 'category'>): Reference[] {
  const vitals = ctx.result.fields.vitals as Record<string, { value?: unknown; unit?: string }> | undefined;
  if (!vitals) return [];
  const out: Reference[] = [];
  for (const [name, entry] of Object.entries(vitals)) {
    const spec = CODES.vitals[name];
    const value = entry?.value;
    if (!spec || !isFieldValue(value)) continue;
    const obs = base(ctx, { ...defaults, category: 'vital-signs' }, concept(spec.loinc[1], coding(SYSTEM.loinc, ...spec.loinc)), value);
    if (spec.components) {
      const parts = String(value.normalized ?? '').split('/').map(Number);
      if (parts.length !== 2 || parts.some((p) => !Number.isFinite(p))) continue;
      obs.component = spec.components.map((c, i) => ({ code: concept(c[1], coding(SYSTEM.loinc, ...c)), valueQuantity: quantity(parts[i]!, spec.unit) }));
    } else if (typeof value.normalized === 'number') {
      obs.valueQuantity = quantity(value.normalized, spec.unit);
    } else continue;
    out.push(ctx.bundle.add(`Observation/vital/${name}`, 'Observation', obs, value));
  }
  return out;
}

function listOf(value: unknown): Array<Record<string, unknown>> {
  return Array.isArray(value) ? (value as Array<Record<string, unknown>>) : [];
}

/** The observations a diagnostic report's fields hold, by report type. */
export function reportObservations(ctx: FhirContext, type: string, defaults: ObservationDefaults): Reference[] {
  const fields = ctx.result.fields;
  const out: Reference[] = [];
  const push = (ref: Reference | null): void => { if (ref) out.push(ref); };
  listOf(fields.items).forEach((item, i) => push(labObservation(ctx, item, i, defaults)));
  listOf(fields.organs).forEach((organ, i) => push(organObservation(ctx, organ, i, defaults)));
  listOf(fields.lesions).forEach((lesion, i) => push(lesionObservation(ctx, lesion, i, defaults)));
  if (type === 'pathology') out.push(...pathologyObservations(ctx, defaults));
  else out.push(...measurementObservations(ctx, type, defaults));
  if (type === 'checkup') {
    listOf(fields.findings).forEach((finding, i) => {
      if (!isFieldValue(finding.finding)) return;
      const obs = base(ctx, defaults, concept(finding.finding.value, coding(SYSTEM.field, 'checkup.finding', '体检发现')), finding.finding);
      if (isFieldValue(finding.advice)) obs.note = [{ text: finding.advice.value }];
      push(ctx.bundle.add(`Observation/checkup/${i}`, 'Observation', obs, isFieldValue(finding.text) ? finding.text : finding.finding));
    });
  }
  return out;
}

/** Measurements recorded in a clinical note (operation blood loss and duration). */
export function noteMeasurements(ctx: FhirContext, type: string, defaults: ObservationDefaults): Reference[] {
  return CODES.measurements[type] ? measurementObservations(ctx, type, defaults) : [];
}
