/**
 * A small structural checker for FHIR R4 JSON, covering the rules medstruct's bundles can break: required
 * elements and their codes, Bundle invariants (bdl-7/9/10/11), references resolving inside the bundle,
 * data types (dateTime, instant, Quantity, id) and JSON rules (no null, no empty object/array/string, ele-1, ext-1).
 * No network validator is reachable, so this stands in for one.
 */

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const ID = /^[A-Za-z0-9\-.]{1,64}$/;
const UUID_URL = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DATE_TIME = /^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?$/;
const DATE = /^\d{4}(-\d{2}(-\d{2})?)?$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const URI = /^(https?:\/\/|urn:)\S+$/;

const STATUS: Record<string, string[]> = {
  Observation: ['registered', 'preliminary', 'final', 'amended', 'corrected', 'cancelled', 'entered-in-error', 'unknown'],
  DiagnosticReport: ['registered', 'partial', 'preliminary', 'final', 'amended', 'corrected', 'appended', 'cancelled', 'entered-in-error', 'unknown'],
  Procedure: ['preparation', 'in-progress', 'not-done', 'on-hold', 'stopped', 'completed', 'entered-in-error', 'unknown'],
  MedicationStatement: ['active', 'completed', 'entered-in-error', 'intended', 'stopped', 'on-hold', 'unknown', 'not-taken'],
  FamilyMemberHistory: ['partial', 'completed', 'entered-in-error', 'health-unknown'],
  Encounter: ['planned', 'arrived', 'triaged', 'in-progress', 'onleave', 'finished', 'cancelled', 'entered-in-error', 'unknown'],
  Composition: ['preliminary', 'final', 'amended', 'entered-in-error'],
};

/** Elements each resource type must have (cardinality 1..), beyond resourceType. */
const REQUIRED: Record<string, string[]> = {
  Observation: ['status', 'code'],
  DiagnosticReport: ['status', 'code'],
  Condition: ['subject'],
  Procedure: ['status', 'subject'],
  MedicationStatement: ['status', 'subject'],
  FamilyMemberHistory: ['status', 'patient', 'relationship'],
  Encounter: ['status', 'class'],
  Composition: ['status', 'type', 'date', 'author', 'title'],
  Patient: [], Organization: [], Practitioner: [], Specimen: [], Device: [],
};

const CLINICAL = ['active', 'recurrence', 'relapse', 'inactive', 'remission', 'resolved'];
const VERIFICATION = ['unconfirmed', 'provisional', 'differential', 'confirmed', 'refuted', 'entered-in-error'];
const COMPARATORS = ['<', '<=', '>=', '>'];
const VALUE_KEYS = /^value[A-Z]/;

function walk(node: unknown, path: string, errors: string[]): void {
  if (node === null) { errors.push(`${path}: null is not allowed`); return; }
  if (typeof node === 'string') { if (node.trim() === '' && node !== '') errors.push(`${path}: blank string`); if (node === '') errors.push(`${path}: empty string`); return; }
  if (Array.isArray(node)) {
    if (node.length === 0) errors.push(`${path}: empty array`);
    node.forEach((x, i) => walk(x, `${path}[${i}]`, errors));
    return;
  }
  if (typeof node !== 'object') return;
  const obj = node as Json;
  const keys = Object.keys(obj);
  if (keys.length === 0) errors.push(`${path}: empty object (ele-1)`);
  if (keys.includes('url') && (path.endsWith('extension') || /extension\[\d+\]$/.test(path))) {
    const values = keys.filter((k) => VALUE_KEYS.test(k));
    if (values.length > 1) errors.push(`${path}: several value[x]`);
    if ((values.length === 1) === Array.isArray(obj.extension)) errors.push(`${path}: needs exactly one of value[x] or extension (ext-1)`);
  }
  if ('coding' in obj && !Array.isArray(obj.coding)) errors.push(`${path}.coding: not an array`);
  if (typeof obj.system === 'string' && !URI.test(obj.system)) errors.push(`${path}.system: not an absolute URI`);
  if (obj.code !== undefined && typeof obj.code === 'string' && 'display' in obj && obj.system === undefined) errors.push(`${path}: coding without system`);
  if (typeof obj.value === 'number' && ('unit' in obj || 'code' in obj || 'comparator' in obj || path.endsWith('Quantity') || path.endsWith('low') || path.endsWith('high'))) {
    if (obj.code !== undefined && obj.system === undefined) errors.push(`${path}: Quantity code without system (qty-3)`);
    if (obj.comparator !== undefined && !COMPARATORS.includes(obj.comparator)) errors.push(`${path}: bad comparator ${obj.comparator}`);
  }
  for (const [k, v] of Object.entries(obj)) {
    const at = `${path}.${k}`;
    if (typeof v === 'string') {
      if ((/DateTime$/.test(k) || ['date', 'start', 'end'].includes(k)) && !DATE_TIME.test(v) && !path.includes('extension')) errors.push(`${at}: not a dateTime: ${v}`);
      if ((k === 'issued' || k === 'timestamp') && !INSTANT.test(v)) errors.push(`${at}: not an instant: ${v}`);
      if (k === 'birthDate' && !DATE.test(v)) errors.push(`${at}: not a date: ${v}`);
      if (/DateTime$/.test(k) && v.includes('T') && !/(Z|[+-]\d{2}:\d{2})$/.test(v)) errors.push(`${at}: a time needs a zone`);
    }
    walk(v, at, errors);
  }
}

function codes(concept: Json | undefined): string[] {
  return (concept?.coding ?? []).map((c: Json) => c.code);
}

function checkResource(r: Json, path: string, errors: string[]): void {
  const type = r.resourceType as string;
  if (!(type in REQUIRED)) errors.push(`${path}: unexpected resource type ${type}`);
  if (typeof r.id !== 'string' || !ID.test(r.id)) errors.push(`${path}: bad id ${r.id}`);
  for (const name of REQUIRED[type] ?? []) if (r[name] === undefined) errors.push(`${path}: ${type}.${name} is required`);
  if (STATUS[type] && !STATUS[type]!.includes(r.status)) errors.push(`${path}: ${type}.status ${r.status} is not allowed`);
  const values = Object.keys(r).filter((k) => VALUE_KEYS.test(k));
  if (values.length > 1) errors.push(`${path}: several value[x]`);
  if (type === 'Observation') {
    if (r.dataAbsentReason && values.length > 0) errors.push(`${path}: dataAbsentReason with a value (obs-6)`);
    for (const range of r.referenceRange ?? []) if (!range.low && !range.high && !range.text) errors.push(`${path}: empty referenceRange (obs-3)`);
    for (const c of r.component ?? []) if (!c.code) errors.push(`${path}: component without code`);
  }
  if (type === 'Condition') {
    const clinical = codes(r.clinicalStatus);
    const verification = codes(r.verificationStatus);
    if (clinical.some((c) => !CLINICAL.includes(c))) errors.push(`${path}: bad clinicalStatus ${clinical}`);
    if (verification.some((c) => !VERIFICATION.includes(c))) errors.push(`${path}: bad verificationStatus ${verification}`);
    const problemList = (r.category ?? []).some((c: Json) => codes(c).includes('problem-list-item'));
    if (problemList && !verification.includes('entered-in-error') && clinical.length === 0) errors.push(`${path}: problem-list-item needs clinicalStatus (con-3)`);
    if (verification.includes('entered-in-error') && clinical.length > 0) errors.push(`${path}: con-5`);
  }
  if (type === 'MedicationStatement' && !r.medicationCodeableConcept && !r.medicationReference) errors.push(`${path}: medication[x] is required`);
  if (type === 'Encounter' && (typeof r.class !== 'object' || !r.class.code)) errors.push(`${path}: Encounter.class must be a Coding`);
  if (type === 'Organization' && !r.identifier && !r.name) errors.push(`${path}: org-1`);
  if (type === 'Composition') {
    for (const s of r.section ?? []) {
      if (!s.text && !s.entry && !s.section) errors.push(`${path}: empty section (cmp-1)`);
      if (s.text && (!['generated', 'extensions', 'additional', 'empty'].includes(s.text.status) || !/^<div xmlns="http:\/\/www\.w3\.org\/1999\/xhtml">[\s\S]*\S[\s\S]*<\/div>$/.test(s.text.div))) errors.push(`${path}: bad section narrative`);
    }
  }
}

function referencesOf(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((x) => referencesOf(x, out));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'reference' && typeof v === 'string') out.push(v);
      else referencesOf(v, out);
    }
  }
  return out;
}

/** All structural errors of a bundle; empty when it passes. */
export function checkBundle(bundle: Json): string[] {
  const errors: string[] = [];
  if (bundle.resourceType !== 'Bundle') return ['not a Bundle'];
  if (!['document', 'collection'].includes(bundle.type)) errors.push(`bundle type ${bundle.type}`);
  walk(bundle, 'Bundle', errors);
  const entries = (bundle.entry ?? []) as Json[];
  const urls = new Set<string>();
  entries.forEach((e, i) => {
    const path = `entry[${i}]`;
    if (typeof e.fullUrl !== 'string' || !UUID_URL.test(e.fullUrl)) errors.push(`${path}: fullUrl ${e.fullUrl} is not a urn:uuid`);
    if (urls.has(e.fullUrl)) errors.push(`${path}: duplicate fullUrl (bdl-7)`);
    urls.add(e.fullUrl);
    if (!e.resource) { errors.push(`${path}: no resource`); return; }
    if (e.fullUrl !== `urn:uuid:${e.resource.id}`) errors.push(`${path}: fullUrl does not match the id`);
    checkResource(e.resource, `${path}(${e.resource.resourceType})`, errors);
  });
  for (const ref of referencesOf(entries)) if (!urls.has(ref)) errors.push(`unresolved reference ${ref}`);
  if (bundle.type === 'document') {
    if (entries[0]?.resource?.resourceType !== 'Composition') errors.push('document: the first entry must be a Composition (bdl-11)');
    if (!bundle.identifier?.system || !bundle.identifier?.value) errors.push('document: identifier with system and value (bdl-9)');
    if (!bundle.timestamp) errors.push('document: timestamp (bdl-10)');
    // Every resource hangs off the Composition.
    const byUrl = new Map(entries.map((e) => [e.fullUrl as string, e.resource]));
    const reached = new Set<string>([entries[0]?.fullUrl]);
    const queue = [entries[0]?.resource];
    while (queue.length > 0) {
      for (const ref of referencesOf(queue.pop())) if (!reached.has(ref)) { reached.add(ref); queue.push(byUrl.get(ref)); }
    }
    for (const e of entries) if (!reached.has(e.fullUrl)) errors.push(`document: ${e.resource.resourceType} ${e.fullUrl} is not reachable from the Composition`);
  }
  return errors;
}
