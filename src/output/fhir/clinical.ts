/**
 * Conditions, family history, procedures and medications: first from the fields (diagnosis lists, operation,
 * prescriptions), then from entity mentions the fields did not cover, each with its assertion.
 */
import type { Assertion, FieldValue, Link, Span } from '../../document/types.js';
import type { NativeEntity } from '../native.js';
import { fhirDateTime, isFieldValue, textOf, type Json, type Reference } from './builder.js';
import { CODES, SYSTEM, coding, codingsOf, concept, ucumOf, type CodeableConcept, type Coding } from './codes.js';
import { DEFAULT_ASSERTION, common, entitiesIn, extensions, isClaimed, sectionKeyOf, type FhirContext } from './context.js';

type AssertionAxes = Pick<Assertion, 'certainty' | 'temporality' | 'subject' | 'conditional'>;
type LinkLike = Pick<Link, 'id' | 'name' | 'codes'>;

interface DiagnosisItem {
  text: FieldValue;
  links: LinkLike[];
}

export interface DiagnosisUse {
  condition: Reference;
  role: string | null;
  rank: number;
}

const CONDITION_TYPES = ['disease', 'symptom'];
const DIAGNOSIS_ROLES = ['admission', 'discharge', 'outpatient', 'preoperative', 'postoperative'] as const;

function linkCodings(links: LinkLike[]): Coding[] {
  const out: Coding[] = [];
  for (const link of links) {
    const codings = Object.entries(link.codes).flatMap(([system, code]) => codingsOf(system, code, link.name));
    out.push(...(codings.length > 0 ? codings : [coding(SYSTEM.concept, link.id, link.name)]));
  }
  const seen = new Set<string>();
  return out.filter((c) => (seen.has(`${c.system}|${c.code}`) ? false : (seen.add(`${c.system}|${c.code}`), true)));
}

function codeOf(text: string, links: LinkLike[]): CodeableConcept {
  return concept(text, ...linkCodings(links));
}

/** The assertion of the entities inside a span: negated if any is, else possible if any is, else the first one's. */
function assertionIn(ctx: FhirContext, span: Span, types: string[]): AssertionAxes {
  const found = entitiesIn(ctx, span, types).map((e) => e.assertion).filter((a): a is Assertion => a !== null);
  return found.find((a) => a.certainty === 'negative') ?? found.find((a) => a.certainty === 'possible') ?? found[0] ?? DEFAULT_ASSERTION;
}

function verification(assertion: AssertionAxes, sectionKey: string | null): Coding {
  if (assertion.certainty === 'negative') return coding(SYSTEM.conditionVerification, 'refuted', 'Refuted');
  if (assertion.certainty === 'possible') {
    return sectionKey === 'differential_diagnosis'
      ? coding(SYSTEM.conditionVerification, 'differential', 'Differential')
      : coding(SYSTEM.conditionVerification, 'provisional', 'Provisional');
  }
  return coding(SYSTEM.conditionVerification, 'confirmed', 'Confirmed');
}

/**
 * Active for a present, current finding. A problem-list entry must carry a clinical status (con-3): a
 * refuted one is inactive. Otherwise the status stays unset rather than guessed (past, refuted).
 */
function clinicalStatus(assertion: AssertionAxes, problemList: boolean): Json {
  const active = assertion.certainty !== 'negative' && (assertion.temporality === 'current' || problemList);
  if (!active && !problemList) return {};
  const code = active ? 'active' : 'inactive';
  return { clinicalStatus: { coding: [coding(SYSTEM.conditionClinical, code, code === 'active' ? 'Active' : 'Inactive')] } };
}

export const isDiagnosisSection = (key: string | null): boolean => key !== null && (/diagnosis$/.test(key) || key === 'impression' || key === 'conclusion');

function category(code: 'encounter-diagnosis' | 'problem-list-item'): Json {
  return { coding: [coding(SYSTEM.conditionCategory, code, code === 'encounter-diagnosis' ? 'Encounter Diagnosis' : 'Problem List Item')] };
}

function condition(ctx: FhirContext, key: string, code: CodeableConcept, span: Span, assertion: AssertionAxes, categories: Json[], problemList: boolean, confidence?: number): Reference {
  const sectionKey = sectionKeyOf(ctx, span);
  return ctx.bundle.add(key, 'Condition', {
    extension: extensions(ctx.bundle.spanOf(span.start, span.end, confidence), assertion),
    ...clinicalStatus(assertion, problemList),
    verificationStatus: { coding: [verification(assertion, sectionKey)] },
    category: categories,
    code,
    ...common(ctx),
  }, span);
}

const isMorphology = (link: LinkLike): boolean => Object.values(link.codes).some((code) => /^M\d{4,6}\/\d$/.test(code));

function diagnosisItems(value: unknown): DiagnosisItem[] {
  if (!Array.isArray(value)) return [];
  return value.filter((d): d is DiagnosisItem => typeof d === 'object' && d !== null && isFieldValue((d as DiagnosisItem).text) && Array.isArray((d as DiagnosisItem).links));
}

/** Diagnoses the fields list (by role: admission, discharge…), past-history diseases and the clinical diagnosis. */
export function diagnosisConditions(ctx: FhirContext): DiagnosisUse[] {
  const fields = ctx.result.fields;
  const uses: DiagnosisUse[] = [];
  const byText = new Map<string, Reference>();
  const add = (item: DiagnosisItem, role: string | null, rank: number, problemList: boolean): void => {
    const links = item.links.length > 0 ? item.links : entitiesIn(ctx, item.text, ['disease']).flatMap((e) => (e.link ? [e.link] : []));
    const assertion = assertionIn(ctx, item.text, CONDITION_TYPES);
    // A line naming two diseases (冠心病 不稳定型心绞痛) gives one Condition each; morphology codes qualify every one of them.
    const morphology = links.filter(isMorphology);
    const diseases = links.filter((l) => !isMorphology(l));
    const groups = diseases.length > 1 ? diseases.map((d) => [d, ...morphology]) : [links];
    groups.forEach((group, i) => {
      const textKey = `${problemList}|${item.text.value}|${group.map((l) => l.id).join(',')}`;
      let ref = byText.get(textKey);
      if (!ref) {
        const key = `Condition/diagnosis/${item.text.start}-${item.text.end}${groups.length > 1 ? `/${i}` : ''}`;
        ref = condition(ctx, key, codeOf(item.text.value, group), item.text, assertion,
          [category(problemList ? 'problem-list-item' : 'encounter-diagnosis')], problemList);
        byText.set(textKey, ref);
      }
      if (!problemList) uses.push({ condition: ref, role, rank });
    });
    ctx.claimed.condition.push(item.text);
  };
  const diagnoses = fields.diagnoses;
  if (Array.isArray(diagnoses)) diagnosisItems(diagnoses).forEach((d, i) => add(d, null, i + 1, false));
  else if (diagnoses && typeof diagnoses === 'object') {
    for (const role of DIAGNOSIS_ROLES) diagnosisItems((diagnoses as Record<string, unknown>)[role]).forEach((d, i) => add(d, role, i + 1, false));
  }
  const clinical = ctx.result.report.clinicalDiagnosis;
  if (isFieldValue(clinical)) add({ text: clinical, links: [] }, null, 1, false);
  const past = (fields.pastHistory as { diseases?: unknown } | null | undefined)?.diseases;
  diagnosisItems(past).forEach((d, i) => add(d, null, i + 1, true));
  return uses;
}

/** The nearest relative named before a family-history mention in its clause (父亲患高血压 → father). */
function relativeOf(ctx: FhirContext, entity: NativeEntity): CodeableConcept {
  const before = Array.from(ctx.bundle.text(Math.max(0, entity.start - 40), entity.start));
  const clause = before.slice(before.findLastIndex((c) => /[。；;，,\n]/.test(c)) + 1).join('');
  let best: { at: number; word: string } | null = null;
  for (const word of Object.keys(CODES.relatives)) {
    const at = clause.lastIndexOf(word);
    if (at >= 0 && (!best || at + word.length > best.at + best.word.length || (at + word.length === best.at + best.word.length && word.length > best.word.length))) best = { at, word };
  }
  if (!best) return concept('家族成员', coding(SYSTEM.v3RoleCode, 'FAMMEMB', 'family member'));
  return concept(best.word, coding(SYSTEM.v3RoleCode, ...CODES.relatives[best.word]!));
}

const outermost = (ctx: FhirContext, e: NativeEntity, types: string[]): boolean => {
  const parent = e.parent === null ? null : ctx.result.entities.find((p) => p.id === e.parent);
  return !parent || !types.includes(parent.type);
};

/**
 * Disease and symptom mentions the diagnosis fields did not cover: the patient's become Conditions,
 * a relative's a FamilyMemberHistory. Hypothetical (conditional), future and other people's mentions are left out;
 * so are denied family-history mentions, which FamilyMemberHistory cannot state as absent.
 */
export function mentionConditions(ctx: FhirContext): void {
  for (const e of ctx.result.entities) {
    if (!CONDITION_TYPES.includes(e.type) || !outermost(ctx, e, CONDITION_TYPES) || isClaimed(ctx, 'condition', e)) continue;
    // A symptom word inside a described lesion (结节, 肿块) is that lesion's Observation, not a Condition of its own.
    if (e.type === 'symptom' && isClaimed(ctx, 'finding', e)) continue;
    const assertion = e.assertion ?? DEFAULT_ASSERTION;
    if (assertion.conditional || assertion.temporality === 'future' || assertion.subject === 'other') continue;
    const code = codeOf(e.text, e.link ? [e.link] : []);
    if (assertion.subject === 'family') {
      if (assertion.certainty === 'negative') continue;
      ctx.bundle.add(`FamilyMemberHistory/${e.id}`, 'FamilyMemberHistory', {
        extension: extensions(ctx.bundle.spanOf(e.start, e.end, e.confidence), assertion),
        status: 'partial',
        patient: ctx.patient,
        relationship: relativeOf(ctx, e),
        condition: [{ code }],
      }, e);
      continue;
    }
    const categories: Json[] = [{ coding: [coding(SYSTEM.entityType, e.type)] }];
    if (isDiagnosisSection(sectionKeyOf(ctx, e))) categories.unshift(category('encounter-diagnosis'));
    condition(ctx, `Condition/${e.id}`, code, e, assertion, categories, false, e.confidence);
  }
}

function procedureStatus(assertion: AssertionAxes): string {
  if (assertion.certainty === 'negative') return 'not-done';
  if (assertion.temporality === 'future') return 'preparation';
  return 'completed';
}

/** Procedures the fields list (with the operation's time and anesthesia), then linked procedure mentions. */
export function procedures(ctx: FhirContext): Reference[] {
  const fields = ctx.result.fields;
  const operation = fields.operation as Record<string, unknown> | undefined;
  const out: Reference[] = [];
  diagnosisItems(fields.procedures).forEach((item) => {
    const assertion = assertionIn(ctx, item.text, ['procedure']);
    const body: Json = {
      extension: extensions(ctx.bundle.spanOf(item.text.start, item.text.end), assertion),
      status: procedureStatus(assertion),
      code: codeOf(item.text.value, item.links),
      ...common(ctx),
    };
    const name = operation?.name;
    if (operation && isFieldValue(name) && name.start < item.text.end && item.text.start < name.end) {
      const start = isFieldValue(operation.startTime) ? fhirDateTime(textOf(operation.startTime), ctx.timezone) : null;
      const end = isFieldValue(operation.endTime) ? fhirDateTime(textOf(operation.endTime), ctx.timezone) : null;
      const day = isFieldValue(ctx.result.report.examinedAt) ? fhirDateTime(textOf(ctx.result.report.examinedAt), ctx.timezone) : null;
      if (start || end) body.performedPeriod = { ...(start ? { start } : {}), ...(end ? { end } : {}) };
      else if (day) body.performedDateTime = day;
      if (isFieldValue(operation.anesthesia)) body.note = [{ text: `麻醉方式：${operation.anesthesia.value}` }];
    }
    ctx.claimed.procedure.push(item.text);
    out.push(ctx.bundle.add(`Procedure/${item.text.start}-${item.text.end}`, 'Procedure', body, item.text));
  });
  for (const e of ctx.result.entities) {
    // Unlinked procedure mentions are mostly route words (口服, 静滴) and fragments; a link means a known procedure.
    if (e.type !== 'procedure' || !e.link || isClaimed(ctx, 'procedure', e) || isClaimed(ctx, 'medication', e)) continue;
    const assertion = e.assertion ?? DEFAULT_ASSERTION;
    if (assertion.conditional || assertion.subject !== 'patient') continue;
    out.push(ctx.bundle.add(`Procedure/${e.id}`, 'Procedure', {
      extension: extensions(ctx.bundle.spanOf(e.start, e.end, e.confidence), assertion),
      status: procedureStatus(assertion),
      code: codeOf(e.text, [e.link]),
      ...common(ctx),
    }, e));
  }
  return out;
}

const MEDICATION_STATUS: Record<string, string> = { treatment_course: 'completed', treatment_plan: 'intended' };

function doseQuantity(dose: FieldValue): Json | null {
  const m = /^(\d+(?:\.\d+)?)\s*(\S+)$/.exec(textOf(dose));
  if (!m) return null;
  const ucum = ucumOf(m[2]);
  return { value: Number(m[1]), unit: m[2], ...(ucum ? { system: SYSTEM.ucum, code: ucum } : {}) };
}

function dosage(item: Record<string, unknown>, text: string): Json | null {
  const out: Json = { text };
  if (isFieldValue(item.frequency)) {
    const code = textOf(item.frequency);
    const repeat = CODES.frequencies[code];
    const system = CODES.timingAbbreviations.includes(code) ? coding(SYSTEM.v3Timing, code) : coding(SYSTEM.field, `frequency.${code}`, code);
    out.timing = { ...(repeat ? { repeat } : {}), code: concept(item.frequency.value, system) };
  }
  if (isFieldValue(item.route)) {
    const route = CODES.routes[textOf(item.route)];
    out.route = concept(item.route.value, ...(route ? [coding(SYSTEM.snomed, ...route)] : []));
  }
  const dose = isFieldValue(item.dose) ? doseQuantity(item.dose) : null;
  if (dose) out.doseAndRate = [{ doseQuantity: dose }];
  return Object.keys(out).length > 1 ? out : null;
}

/** From the drug name to its last dosing detail: the item's own text can run on into the next clause. */
function medicationSpan(item: Record<string, unknown>): Span {
  const parts = [item.name, item.specification, item.dose, item.frequency, item.route, item.quantity].filter(isFieldValue);
  return { start: Math.min(...parts.map((p) => p.start)), end: Math.max(...parts.map((p) => p.end)) };
}

/** Medications the fields list (prescription drugs, orders, treatment course), then linked drug mentions. */
export function medications(ctx: FhirContext): Reference[] {
  const fields = ctx.result.fields;
  const list = (Array.isArray(fields.medications) ? fields.medications : Array.isArray(fields.drugs) ? fields.drugs : []) as Array<Record<string, unknown>>;
  const out: Reference[] = [];
  list.forEach((item) => {
    const name = item.name;
    if (!isFieldValue(name)) return;
    const span = medicationSpan(item);
    const drug = entitiesIn(ctx, name, ['drug']).find((e) => e.link);
    const body: Json = {
      extension: extensions(ctx.bundle.spanOf(span.start, span.end)),
      status: MEDICATION_STATUS[sectionKeyOf(ctx, name) ?? ''] ?? 'active',
      medicationCodeableConcept: concept(textOf(name), ...(drug?.link ? linkCodings([drug.link]) : [])),
      ...common(ctx),
    };
    const notes = [item.specification, item.quantity].filter(isFieldValue).map((v) => v.value);
    if (notes.length > 0) body.note = [{ text: notes.join(' ') }];
    const d = dosage(item, ctx.bundle.text(span.start, span.end).replace(/\s+/g, ' '));
    if (d) body.dosage = [d];
    ctx.claimed.medication.push(span);
    out.push(ctx.bundle.add(`MedicationStatement/${span.start}-${span.end}`, 'MedicationStatement', body, span));
  });
  for (const e of ctx.result.entities) {
    // Unlinked drug mentions are too often fragments (溶液) or lab abbreviations (SV1) to state as medication use.
    if (e.type !== 'drug' || !e.link || isClaimed(ctx, 'medication', e)) continue;
    const assertion = e.assertion ?? DEFAULT_ASSERTION;
    if (assertion.conditional || assertion.subject !== 'patient') continue;
    out.push(ctx.bundle.add(`MedicationStatement/${e.id}`, 'MedicationStatement', {
      extension: extensions(ctx.bundle.spanOf(e.start, e.end, e.confidence), e.assertion),
      status: assertion.certainty === 'negative' ? 'not-taken' : 'unknown',
      medicationCodeableConcept: concept(e.text, ...linkCodings([e.link])),
      ...common(ctx),
    }, e));
  }
  return out;
}
