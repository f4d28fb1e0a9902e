import { assertText } from '../attributes/index.js';
import type { MedDocument } from '../document/document.js';
import { getLinker } from '../linking/index.js';
import type { Stage } from '../pipeline/stage.js';
import { readJsonResource } from '../resources.js';
import { isReportType, type ReportType } from '../classify/types.js';
import { extractCertificate } from './certificate.js';
import { extractCheckup } from './checkup.js';
import { extractClinical } from './clinical.js';
import { extractCustom, type CustomFieldSpec } from './custom.js';
import { extractEcg } from './ecg.js';
import { extractEndoscopy } from './endoscopy.js';
import { memoize, setEnrichers } from './enrich.js';
import { extractImaging } from './imaging.js';
import { extractLab } from './lab.js';
import { extractLabelled, type LabelledSchema } from './labelled.js';
import { extractLeaflet } from './leaflet.js';
import { extractPathology } from './pathology.js';
import { extractPrescription } from './prescription.js';
import { fieldValue, matchAll, sourceOf, wholeRegion, type Source } from './source.js';
import { extractTumour } from './tumour.js';
import { extractVaccination } from './vaccination.js';

export { parseCustomFields, type CustomFieldSpec } from './custom.js';
export { setEnrichers, type Enrichers } from './enrich.js';
export type { LabItem } from './lab.js';
export type { Lesion } from './imaging.js';
export type { VaccinationRecord } from './vaccination.js';

interface CommonSchema {
  patient: LabelledSchema;
  report: LabelledSchema;
  hospitalSuffixes: string[];
}

const common = readJsonResource<CommonSchema>('fields', 'common.json');
const ALL_LABELS = [...Object.values(common.patient), ...Object.values(common.report)].flatMap((s) => s.labels);
/** One object for the run, so extractLabelled compiles its patterns once. */
const COMMON_LABELLED: LabelledSchema = { ...common.patient, ...common.report };
const HOSPITAL_RE = new RegExp(`[\\u4e00-\\u9fa5A-Za-z0-9()（）]{2,24}?(?:${common.hospitalSuffixes.join('|')})`, 'g');

export const IMAGING_TYPES: readonly ReportType[] = ['ultrasound', 'ct', 'mri', 'xray', 'mammography'];
export const CLINICAL_TYPES: readonly ReportType[] = ['admission', 'discharge', 'outpatient', 'progress_note', 'operation', 'front_sheet'];

// The knowledge graph and the assertion model enrich fields; both load lazily on first use.
setEnrichers({
  lookupLabAnalyte: memoize((name) => getLinker().lookupLabAnalyte(name)),
  linkDisease: memoize((text) => getLinker().link(text, 'disease')),
  linkDiagnoses: memoize((text) => [...getLinker().linkDiagnoses(text)].sort((a, b) => b.score - a.score)),
  linkProcedure: memoize((text) => getLinker().link(text, 'procedure')),
  assertSpan: (doc, start, end) => assertText(doc, start, end),
});

function hospital(src: Source): ReturnType<typeof fieldValue> | null {
  const head = { start: 0, end: Math.min(src.text.length, 120) };
  for (const m of matchAll(src, head, HOSPITAL_RE)) {
    return fieldValue(src, m.pos, m.pos + m[0].length, m[0], head);
  }
  return null;
}

/** The report type the fields are read for: the classification's, else `other`. */
export function documentType(doc: MedDocument): ReportType {
  const c = doc.classification as { type?: unknown } | null;
  return c && typeof c.type === 'string' && isReportType(c.type) ? c.type : 'other';
}

/** The type-specific fields of a document (patient and report info included). */
export function extractFields(doc: MedDocument, custom: readonly CustomFieldSpec[] = []): Record<string, unknown> {
  const src = sourceOf(doc);
  const type = documentType(doc);
  const labelled = extractLabelled(src, wholeRegion(src), COMMON_LABELLED, ALL_LABELS);
  const patient = Object.fromEntries(Object.keys(common.patient).filter((k) => labelled[k]).map((k) => [k, labelled[k]]));
  const report: Record<string, unknown> = Object.fromEntries(Object.keys(common.report).filter((k) => labelled[k]).map((k) => [k, labelled[k]]));
  const h = hospital(src);
  if (h) report.hospital = h;
  let specific: Record<string, unknown> = {};
  if (type === 'lab') specific = extractLab(src);
  else if (IMAGING_TYPES.includes(type)) specific = { ...extractImaging(src, null), tumour: extractTumour(src) };
  else if (type === 'pathology') specific = extractPathology(src);
  else if (CLINICAL_TYPES.includes(type)) specific = extractClinical(src, type);
  else if (type === 'ecg') specific = extractEcg(src);
  else if (type === 'endoscopy') specific = extractEndoscopy(src);
  else if (type === 'prescription') specific = extractPrescription(src);
  else if (type === 'diagnosis_certificate') specific = extractCertificate(src);
  else if (type === 'vaccination') {
    specific = extractVaccination(src);
    // The certificate's own holder labels (受种者姓名) beat a 姓名 that may be the guardian's (监护人姓名).
    const holderName = (specific.holder as { name: ReturnType<typeof fieldValue> | null }).name;
    if (holderName) patient.name = holderName;
  }
  else if (type === 'checkup') specific = extractCheckup(src);
  else if (type === 'drug_leaflet') specific = extractLeaflet(src);
  const out: Record<string, unknown> = { patient, report, ...specific };
  if (custom.length > 0) out.custom = extractCustom(src, custom);
  return out;
}

/** Pipeline stage 'fields': fills `doc.fields` for the document's report type, plus any custom fields. */
export function fieldsStage(options: { custom?: CustomFieldSpec[] } = {}): Stage {
  const custom = options.custom ?? [];
  return {
    name: 'fields',
    process(doc: MedDocument): void {
      doc.fields = extractFields(doc, custom);
    },
  };
}
