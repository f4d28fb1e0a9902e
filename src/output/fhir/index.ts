/**
 * FHIR R4 output of a structured document: a Bundle of Patient, DiagnosticReport with its Observations,
 * Conditions, FamilyMemberHistory, Procedures and MedicationStatements, each carrying its source span.
 * With sections the Bundle is a `document` led by a Composition; without, a `collection`.
 */
import { createHash } from 'node:crypto';
import type { FieldValue } from '../../document/types.js';
import type { StructureResult } from '../../structure/index.js';
import {
  BundleBuilder, dataAbsent, fhirDateTime, fhirInstant, identifierOf, isFieldValue, isMasked, textOf, xhtmlDiv,
  type Json, type Reference, type Resource, type SourceDocument, type SourceSpan,
} from './builder.js';
import { diagnosisConditions, isDiagnosisSection, medications, mentionConditions, procedures, type DiagnosisUse } from './clinical.js';
import { CODES, EXTENSION, SYSTEM, coding, concept, type CodeableConcept } from './codes.js';
import { extensions, inside, sectionKeyOf, type FhirContext } from './context.js';
import { noteMeasurements, reportObservations, vitalSigns, type ObservationDefaults } from './observations.js';

export { SYSTEM as FHIR_SYSTEMS, EXTENSION as FHIR_EXTENSIONS } from './codes.js';
export type { SourceDocument } from './builder.js';

export interface FhirOptions {
  /** Zone offset given to times without one (FHIR requires a zone when a time is present); default +08:00 (China). */
  timezone?: string;
  /** Composition and Bundle time when the document states no date; default: now. Fix it for byte-identical output. */
  now?: Date;
}

export interface FhirBundle extends Json {
  resourceType: 'Bundle';
  id: string;
  type: 'document' | 'collection';
  entry?: Array<{ fullUrl: string; resource: Resource }>;
}

const ENCOUNTER_TYPES: Record<string, [string, string]> = {
  admission: ['IMP', 'inpatient encounter'], discharge: ['IMP', 'inpatient encounter'], operation: ['IMP', 'inpatient encounter'],
  progress_note: ['IMP', 'inpatient encounter'], front_sheet: ['IMP', 'inpatient encounter'],
  outpatient: ['AMB', 'ambulatory'], prescription: ['AMB', 'ambulatory'], diagnosis_certificate: ['AMB', 'ambulatory'],
};

const IDENTIFIERS: Array<[string, string, [string, string] | null]> = [
  ['medicalRecordNumber', '病案号', ['MR', 'Medical record number']],
  ['inpatientNumber', '住院号', null],
  ['outpatientNumber', '门诊号', null],
  ['idCard', '身份证号', ['NI', 'National unique individual identifier']],
];

const field = (record: Record<string, unknown>, name: string): FieldValue | null => (isFieldValue(record[name]) ? record[name] as FieldValue : null);

/** A value de-identification masked, wholly (＊＊＊, [姓名]) or partly (王** read as 王). */
const masked = (ctx: FhirContext, value: FieldValue): boolean => isMasked(value.value) || /^[＊*]/.test(ctx.bundle.text(value.end, value.end + 1));

function patientResource(ctx: FhirContext): Json {
  const p = ctx.result.patient;
  // A masked value's span is left out too: its text would repeat what survived the masking (王 of 王**).
  const spans: SourceSpan[] = Object.entries(p).filter(([, v]) => isFieldValue(v) && !masked(ctx, v)).map(([k, v]) => ctx.bundle.spanOfField(v as FieldValue, k));
  const body: Json = { extension: spans.map((s) => extensions(s)[0]) };
  const age = field(p, 'age');
  // FHIR Age must be positive (age-1): a newborn's 0天 stays in the source span only.
  if (age && typeof age.normalized === 'number' && age.normalized > 0) {
    (body.extension as Json[]).push({ url: EXTENSION.ageAtReport, valueAge: { value: age.normalized, unit: 'a', system: SYSTEM.ucum, code: 'a' } });
  }
  const identifiers: Json[] = [];
  for (const [name, label, v2] of IDENTIFIERS) {
    const value = field(p, name);
    if (!value || masked(ctx, value)) continue;
    identifiers.push({ type: concept(label, coding(SYSTEM.identifierType, name, label), ...(v2 ? [coding(SYSTEM.v2IdentifierType, ...v2)] : [])), value: value.value });
  }
  if (identifiers.length > 0) body.identifier = identifiers;
  const name = field(p, 'name');
  if (name) body.name = [masked(ctx, name) ? dataAbsent('masked') : { text: name.value }];
  const phone = field(p, 'phone');
  if (phone && !masked(ctx, phone)) body.telecom = [{ system: 'phone', value: phone.value }];
  const sex = field(p, 'sex');
  if (sex) body.gender = sex.normalized === 'male' || sex.normalized === 'female' ? sex.normalized : 'unknown';
  const birth = field(p, 'birthDate');
  const birthDate = birth && !masked(ctx, birth) ? fhirDateTime(textOf(birth), '') : null;
  if (birthDate) body.birthDate = birthDate.slice(0, 10);
  const address = field(p, 'address');
  if (address && !masked(ctx, address)) body.address = [{ text: address.value }];
  const marital = field(p, 'maritalStatus');
  if (marital) body.maritalStatus = concept(marital.value);
  if ((body.extension as Json[]).length === 0) delete body.extension;
  return body;
}

/** The report's people and places: hospital (and department) as Organizations, named doctors as Practitioners. */
function parties(ctx: FhirContext): { hospital: Reference | null; department: Reference | null; doctors: Record<string, Reference> } {
  const r = ctx.result.report;
  const hospitalField = field(r, 'hospital');
  const hospital = hospitalField && !masked(ctx, hospitalField)
    ? ctx.bundle.add('Organization/hospital', 'Organization', { extension: extensions(ctx.bundle.spanOfField(hospitalField)), name: hospitalField.value })
    : null;
  const departmentField = field(r, 'department');
  const department = departmentField
    ? ctx.bundle.add('Organization/department', 'Organization', {
      extension: extensions(ctx.bundle.spanOfField(departmentField)),
      type: [concept('科室', coding('http://terminology.hl7.org/CodeSystem/organization-type', 'dept', 'Hospital Department'))],
      name: departmentField.value,
      ...(hospital ? { partOf: hospital } : {}),
    })
    : null;
  const doctors: Record<string, Reference> = {};
  const surgeon = (ctx.result.fields.operation as Record<string, unknown> | undefined)?.surgeon;
  const people: Array<[string, unknown]> = [...['reportingDoctor', 'reviewingDoctor', 'requestingDoctor'].map((k): [string, unknown] => [k, r[k]]), ['surgeon', surgeon]];
  for (const [role, value] of people) {
    if (!isFieldValue(value) || masked(ctx, value)) continue;
    doctors[role] = ctx.bundle.add(`Practitioner/${role}`, 'Practitioner', { extension: extensions(ctx.bundle.spanOfField(value)), name: [{ text: value.value }] });
  }
  return { hospital, department, doctors };
}

function reportTime(ctx: FhirContext, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = field(ctx.result.report, name);
    if (value && typeof value.normalized === 'string') return value.normalized;
  }
  return undefined;
}

function encounterResource(ctx: FhirContext, type: string, serviceProvider: Reference | null): Reference | null {
  const cls = ENCOUNTER_TYPES[type];
  if (!cls) return null;
  // An outpatient visit starts on its 就诊日期.
  const admitted = cls[0] === 'IMP' ? reportTime(ctx, 'admittedAt') : reportTime(ctx, 'examinedAt');
  const discharged = reportTime(ctx, 'dischargedAt');
  const start = admitted ? fhirDateTime(admitted, ctx.timezone) : null;
  const end = discharged ? fhirDateTime(discharged, ctx.timezone) : null;
  const number = field(ctx.result.patient, cls[0] === 'IMP' ? 'inpatientNumber' : 'outpatientNumber');
  return ctx.bundle.add('Encounter', 'Encounter', {
    status: end ? 'finished' : 'unknown',
    class: coding(SYSTEM.v3ActCode, ...cls),
    ...(number && !masked(ctx, number) ? { identifier: [{ type: concept(cls[0] === 'IMP' ? '住院号' : '门诊号'), value: number.value }] } : {}),
    subject: ctx.patient,
    ...(start || end ? { period: { ...(start ? { start } : {}), ...(end ? { end } : {}) } } : {}),
    ...(serviceProvider ? { serviceProvider } : {}),
  });
}

function reportCode(result: StructureResult): CodeableConcept {
  const { type, subtype, name } = result.type;
  const loinc = CODES.reportTypes[type]?.loinc;
  return concept(name, ...(loinc ? [coding(SYSTEM.loinc, ...loinc)] : []), coding(SYSTEM.reportType, subtype ? `${type}.${subtype}` : type, name));
}

function conclusionOf(ctx: FhirContext): FieldValue | null {
  const f = ctx.result.fields;
  for (const name of ['impression', 'diagnosis', 'conclusion']) if (isFieldValue(f[name])) return f[name] as FieldValue;
  return null;
}

function conclusionText(ctx: FhirContext): string | null {
  const direct = conclusionOf(ctx);
  if (direct) return direct.value;
  const f = ctx.result.fields;
  const list = (Array.isArray(f.conclusions) ? f.conclusions : Array.isArray(f.findings) ? f.findings.map((x: Record<string, unknown>) => x.finding) : []) as unknown[];
  const parts = list.filter(isFieldValue).map((v) => v.value);
  return parts.length > 0 ? parts.join('；') : null;
}

function diagnosticReport(ctx: FhirContext, type: string, parts: ReturnType<typeof parties>): void {
  const codes = CODES.reportTypes[type]!;
  const specimenField = field(ctx.result.report, 'specimen') ?? (isFieldValue(ctx.result.fields.specimen) ? ctx.result.fields.specimen as FieldValue : null);
  const specimen = specimenField
    ? ctx.bundle.add('Specimen', 'Specimen', { extension: extensions(ctx.bundle.spanOfField(specimenField)), type: concept(specimenField.value), subject: ctx.patient })
    : undefined;
  const performer = [parts.doctors.reportingDoctor, parts.hospital].filter((r): r is Reference => r !== null && r !== undefined);
  const defaults: ObservationDefaults = {
    category: codes.observationCategory ?? 'exam',
    effective: reportTime(ctx, 'sampledAt', 'examinedAt', 'reportedAt'),
    issued: reportTime(ctx, 'reportedAt'),
    specimen,
    performer: parts.doctors.reportingDoctor ? [parts.doctors.reportingDoctor] : [],
  };
  const results = reportObservations(ctx, type, defaults);
  const categories = [...(codes.category ?? [])];
  const sub = ctx.result.type.subtype ? codes.subtypeCategory?.[ctx.result.type.subtype] : undefined;
  if (sub) categories.splice(categories.length - 1, 1, sub);
  const effective = defaults.effective ? fhirDateTime(defaults.effective, ctx.timezone) : null;
  const issued = defaults.issued ? fhirInstant(defaults.issued, ctx.timezone) : null;
  const reportNumber = field(ctx.result.report, 'reportNumber');
  const conclusion = conclusionText(ctx);
  const anchor = conclusionOf(ctx);
  ctx.bundle.add('DiagnosticReport', 'DiagnosticReport', {
    extension: anchor ? extensions(ctx.bundle.spanOfField(anchor)) : undefined,
    ...(reportNumber && !masked(ctx, reportNumber) ? { identifier: [{ type: concept('报告单号'), value: reportNumber.value }] } : {}),
    status: 'final',
    category: [
      ...categories.map(([code, display]) => ({ coding: [coding(SYSTEM.v2ServiceSection, code, display)] })),
      { coding: [coding(SYSTEM.reportType, ctx.result.type.type, ctx.result.type.name)] },
    ],
    code: reportCode(ctx.result),
    subject: ctx.patient,
    ...(ctx.encounter ? { encounter: ctx.encounter } : {}),
    ...(effective ? { effectiveDateTime: effective } : {}),
    ...(issued ? { issued } : {}),
    ...(performer.length > 0 ? { performer } : {}),
    ...(parts.doctors.reviewingDoctor ? { resultsInterpreter: [parts.doctors.reviewingDoctor] } : {}),
    ...(specimen ? { specimen: [specimen] } : {}),
    ...(results.length > 0 ? { result: results } : {}),
    ...(conclusion ? { conclusion } : {}),
  }, anchor);
}

/** Every urn:uuid reference a resource makes. */
function referencesOf(resource: unknown, out: Set<string> = new Set()): Set<string> {
  if (Array.isArray(resource)) for (const x of resource) referencesOf(x, out);
  else if (resource && typeof resource === 'object') {
    for (const [k, v] of Object.entries(resource)) {
      if (k === 'reference' && typeof v === 'string') out.add(v);
      else referencesOf(v, out);
    }
  }
  return out;
}

/**
 * The Composition of a document bundle: one section per document section with its text and the resources
 * found in it; resources reached from nowhere else go into a last section so the whole bundle hangs off the Composition.
 */
function composition(ctx: FhirContext, date: string, parts: ReturnType<typeof parties>, device: Reference, aboutPatient: boolean): Json {
  const entries = ctx.bundle.entries;
  const sections: Json[] = [];
  const listed = new Set<string>();
  for (const s of ctx.result.sections) {
    const refs = entries.filter((e) => e.anchor && inside(e.anchor, s)).map((e) => e.fullUrl);
    if (s.text.trim() === '' && refs.length === 0) continue;
    refs.forEach((r) => listed.add(r));
    const loinc = CODES.sections[s.key];
    const title = s.title?.trim().replace(/^【(.*)】$/, '$1').replace(/[:：\s]+$/, '') || s.key;
    sections.push({
      extension: extensions(ctx.bundle.spanOf(s.start, s.end)),
      title,
      code: concept(title, ...(loinc ? [coding(SYSTEM.loinc, ...loinc)] : []), coding(SYSTEM.sectionKey, s.key)),
      ...(s.text.trim() !== '' ? { text: { status: 'generated', div: xhtmlDiv(s.text) } } : {}),
      ...(refs.length > 0 ? { entry: refs.map((reference) => ({ reference })) } : {}),
    });
  }
  const authors = [...Object.values(parts.doctors), device];
  const head: Json = {
    status: 'final',
    type: reportCode(ctx.result),
    ...(aboutPatient ? { subject: ctx.patient } : {}),
    ...(ctx.encounter ? { encounter: ctx.encounter } : {}),
    date,
    author: authors,
    title: ctx.result.type.name,
    ...(parts.hospital ? { custodian: parts.hospital } : {}),
  };
  const byUrl = new Map(entries.map((e) => [e.fullUrl, e.resource]));
  const reached = new Set<string>();
  const reach = (url: string): void => {
    if (reached.has(url)) return;
    reached.add(url);
    const resource = byUrl.get(url);
    if (resource) for (const r of referencesOf(resource)) reach(r);
  };
  referencesOf([head, sections]).forEach(reach);
  // Unreached resources that nothing else points to (a report anchored outside every section) head the last section;
  // what they reference follows from them.
  const referenced = new Set(entries.flatMap((e) => [...referencesOf(e.resource)]));
  const loose: Reference[] = [];
  for (const pass of [true, false]) {
    for (const e of entries) {
      if (reached.has(e.fullUrl) || (pass && referenced.has(e.fullUrl))) continue;
      loose.push({ reference: e.fullUrl });
      reach(e.fullUrl);
    }
  }
  if (loose.length > 0) {
    sections.push({
      title: '其他',
      code: concept('其他', coding(SYSTEM.sectionKey, 'unsectioned')),
      text: { status: 'generated', div: xhtmlDiv('文中其他位置提取的条目') },
      entry: loose,
    });
  }
  return { ...head, section: sections };
}

function documentDate(ctx: FhirContext, now: Date): string {
  const stated = reportTime(ctx, 'reportedAt', 'dischargedAt', 'examinedAt', 'admittedAt', 'sampledAt');
  const date = stated ? fhirDateTime(stated, ctx.timezone) : null;
  return date ?? now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Turns a structure result into a FHIR R4 Bundle; `source` is the document it came from (its text, pages and polygons). */
export function toFhirBundle(result: StructureResult, source: SourceDocument, options: FhirOptions = {}): FhirBundle {
  const seed = createHash('sha256').update(source.text).update('\u0000').update(JSON.stringify(result)).digest('hex');
  const bundle = new BundleBuilder(seed, source);
  const type = result.type.type;
  const codes = CODES.reportTypes[type] ?? {};
  const ctx: FhirContext = {
    bundle, result, timezone: options.timezone ?? '+08:00',
    patient: bundle.referenceTo('Patient'), encounter: null,
    claimed: { condition: [], procedure: [], medication: [], finding: [] },
  };
  // A drug leaflet describes a medicine, not a patient: no Patient and no clinical resources.
  const aboutPatient = codes.aboutPatient !== false;
  if (aboutPatient) bundle.add('Patient', 'Patient', patientResource(ctx));
  const parts = parties(ctx);
  ctx.encounter = encounterResource(ctx, type, parts.department ?? parts.hospital);
  if (aboutPatient) {
    if (codes.diagnosticReport) diagnosticReport(ctx, type, parts);
    else {
      const effective = reportTime(ctx, 'examinedAt', 'admittedAt');
      vitalSigns(ctx, { effective });
      noteMeasurements(ctx, type, { category: 'procedure', effective });
    }
    const uses = diagnosisConditions(ctx);
    mentionConditions(ctx);
    // Medications first: the route words inside a prescription line (口服, 静滴) are not procedures.
    medications(ctx);
    procedures(ctx);
    if (ctx.encounter && uses.length > 0) linkDiagnoses(ctx, uses);
    codeConclusion(ctx);
  }
  const now = options.now ?? new Date();
  const date = documentDate(ctx, now);
  const isDocument = result.sections.length > 0;
  const bundleId = bundle.uuid('Bundle');
  let head: Array<{ fullUrl: string; resource: Resource }> = [];
  if (isDocument) {
    // medstruct authors the Composition (the structured rendering) beside the report's own doctors.
    const device = bundle.add('Device/medstruct', 'Device', {
      deviceName: [{ name: 'medstruct', type: 'manufacturer-name' }],
      type: concept('Clinical document structuring software'),
    });
    const compId = bundle.uuid('Composition');
    head = [{ fullUrl: `urn:uuid:${compId}`, resource: { resourceType: 'Composition', id: compId, ...composition(ctx, date, parts, device, aboutPatient) } }];
  }
  const entries = [...head, ...bundle.entries.map((e) => ({ fullUrl: e.fullUrl, resource: e.resource }))];
  // An instant: the document's own date (its first moment when it states no time), so the output stays reproducible.
  const timestamp = date.includes('T') ? date : `${date.padEnd(10, '-01').slice(0, 10)}T00:00:00${ctx.timezone}`;
  return {
    resourceType: 'Bundle',
    id: bundleId,
    ...(isDocument ? { identifier: identifierOf(`urn:uuid:${bundleId}`), timestamp } : {}),
    type: isDocument ? 'document' : 'collection',
    // FHIR JSON has no empty arrays: a text with nothing to say gives a Bundle without entries.
    ...(entries.length > 0 ? { entry: entries } : {}),
  };
}

/**
 * DiagnosticReport.conclusionCode: the codes of the confirmed or provisional Conditions the report concludes
 * (in its impression/diagnosis text or sections), so a receiver can index the report without reading Conditions.
 */
function codeConclusion(ctx: FhirContext): void {
  const report = ctx.bundle.entries.find((e) => e.resource.resourceType === 'DiagnosticReport');
  if (!report) return;
  const seen = new Set<string>();
  const codes: CodeableConcept[] = [];
  for (const e of ctx.bundle.entries) {
    const r = e.resource as Resource & { code?: CodeableConcept; verificationStatus?: CodeableConcept };
    if (r.resourceType !== 'Condition' || !e.anchor || !r.code?.coding) continue;
    const concluded = (report.anchor && inside(e.anchor, report.anchor)) || isDiagnosisSection(sectionKeyOf(ctx, e.anchor));
    const status = r.verificationStatus?.coding?.[0]?.code;
    const key = JSON.stringify(r.code.coding);
    if (!concluded || (status !== 'confirmed' && status !== 'provisional') || seen.has(key)) continue;
    seen.add(key);
    codes.push(r.code);
  }
  if (codes.length > 0) report.resource.conclusionCode = codes;
}

/** Encounter.diagnosis: each listed diagnosis with its role (admission, discharge, pre-/post-operative) and rank. */
function linkDiagnoses(ctx: FhirContext, uses: DiagnosisUse[]): void {
  const encounter = ctx.bundle.entries.find((e) => e.resource.resourceType === 'Encounter')!.resource;
  encounter.diagnosis = uses.map((u) => {
    const role = u.role ? CODES.diagnosisRoles[u.role] : undefined;
    return { condition: u.condition, ...(role ? { use: concept(undefined, coding(SYSTEM.diagnosisRole, ...role)) } : {}), rank: u.rank };
  });
}
