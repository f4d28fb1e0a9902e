/**
 * Code systems of the FHIR output and the code tables read from resources/fhir/codes.json.
 * Standard systems are used where a code obviously applies; medstruct's own CodeSystems carry the rest
 * (see docs/decisions.md, "FHIR code systems").
 */
import { readJsonResource } from '../../resources.js';

export const MEDSTRUCT_FHIR = 'https://medstruct.dev/fhir';

export const SYSTEM = {
  loinc: 'http://loinc.org',
  snomed: 'http://snomed.info/sct',
  ucum: 'http://unitsofmeasure.org',
  icd10: 'http://hl7.org/fhir/sid/icd-10',
  icd9cm: 'http://hl7.org/fhir/sid/icd-9-cm',
  icdO3: 'http://terminology.hl7.org/CodeSystem/icd-o-3',
  v2ServiceSection: 'http://terminology.hl7.org/CodeSystem/v2-0074',
  v2IdentifierType: 'http://terminology.hl7.org/CodeSystem/v2-0203',
  v3RoleCode: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode',
  v3ActCode: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  v3Timing: 'http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation',
  interpretation: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation',
  observationCategory: 'http://terminology.hl7.org/CodeSystem/observation-category',
  conditionCategory: 'http://terminology.hl7.org/CodeSystem/condition-category',
  conditionClinical: 'http://terminology.hl7.org/CodeSystem/condition-clinical',
  conditionVerification: 'http://terminology.hl7.org/CodeSystem/condition-ver-status',
  diagnosisRole: 'http://terminology.hl7.org/CodeSystem/diagnosis-role',
  dataAbsentReason: 'http://terminology.hl7.org/CodeSystem/data-absent-reason',
  identifierUri: 'urn:ietf:rfc:3986',
  /** ICD-10 国家临床版 (China's clinical edition): WHO ICD-10 with national extension digits (K80.102, I10xx02). */
  icd10cn: `${MEDSTRUCT_FHIR}/CodeSystem/icd-10-cn`,
  /** ICD-9-CM-3 国家临床版: procedure codes with national extension digits (51.2300). */
  icd9cm3cn: `${MEDSTRUCT_FHIR}/CodeSystem/icd-9-cm-3-cn`,
  reportType: `${MEDSTRUCT_FHIR}/CodeSystem/report-type`,
  sectionKey: `${MEDSTRUCT_FHIR}/CodeSystem/section`,
  labAnalyte: `${MEDSTRUCT_FHIR}/CodeSystem/lab-analyte`,
  field: `${MEDSTRUCT_FHIR}/CodeSystem/field`,
  entityType: `${MEDSTRUCT_FHIR}/CodeSystem/entity-type`,
  concept: `${MEDSTRUCT_FHIR}/CodeSystem/concept`,
  identifierType: `${MEDSTRUCT_FHIR}/CodeSystem/identifier-type`,
} as const;

export const EXTENSION = {
  sourceSpan: `${MEDSTRUCT_FHIR}/StructureDefinition/source-span`,
  assertion: `${MEDSTRUCT_FHIR}/StructureDefinition/assertion`,
  ageAtReport: `${MEDSTRUCT_FHIR}/StructureDefinition/age-at-report`,
  dataAbsentReason: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason',
} as const;

export type CodePair = [string, string];

interface ReportTypeCodes {
  loinc?: CodePair;
  category?: CodePair[];
  subtypeCategory?: Record<string, CodePair>;
  diagnosticReport?: boolean;
  observationCategory?: string;
  aboutPatient?: boolean;
}

export interface Measurement {
  display: string;
  loinc?: CodePair;
  unit?: string;
}

interface CodeTables {
  reportTypes: Record<string, ReportTypeCodes>;
  sections: Record<string, CodePair>;
  diagnosisRoles: Record<string, CodePair>;
  ucum: Record<string, string>;
  routes: Record<string, CodePair>;
  frequencies: Record<string, { frequency: number; period: number; periodUnit: string; when?: string[] }>;
  /** Frequencies that are codes of HL7 v3 GTSAbbreviation (the FHIR timing-abbreviation value set). */
  timingAbbreviations: string[];
  relatives: Record<string, CodePair>;
  vitals: Record<string, { loinc: CodePair; unit: string; components?: CodePair[] }>;
  measurements: Record<string, Record<string, Measurement>>;
  lesionFeatures: Record<string, string>;
}

export const CODES = readJsonResource<CodeTables>('fhir', 'codes.json');

export interface Coding {
  system?: string;
  code?: string;
  display?: string;
}

export interface CodeableConcept {
  coding?: Coding[];
  text?: string;
}

export const coding = (system: string, code: string, display?: string): Coding => (display === undefined ? { system, code } : { system, code, display });

export const concept = (text: string | undefined, ...codings: Coding[]): CodeableConcept => ({
  ...(codings.length > 0 ? { coding: codings } : {}),
  ...(text ? { text } : {}),
});

/**
 * Codings of a knowledge-graph code: the national clinical-edition code in its own system, plus the
 * international parent it extends (ICD-10 category/subcategory, ICD-9-CM procedure) or, for morphology
 * codes that the clinical edition files under ICD-10 (M814000/3), the ICD-O-3 morphology code.
 */
export function codingsOf(system: string, code: string, display: string): Coding[] {
  if (system === 'icd10') {
    const morphology = /^M(\d{4})\d{0,2}\/(\d)$/.exec(code);
    if (morphology) return [coding(SYSTEM.icdO3, `${morphology[1]}/${morphology[2]}`, display)];
    const out = [coding(SYSTEM.icd10cn, code, display)];
    const who = /^([A-Z]\d{2})(?:\.(\d))?/.exec(code);
    if (who) out.push(coding(SYSTEM.icd10, who[2] === undefined ? who[1]! : `${who[1]}.${who[2]}`));
    return out;
  }
  if (system === 'icd9cm3') {
    const out = [coding(SYSTEM.icd9cm3cn, code, display)];
    const base = /^(\d{2})\.(\d{1,2})/.exec(code);
    if (base) out.push(coding(SYSTEM.icd9cm, `${base[1]}.${base[2]}`));
    return out;
  }
  if (system === 'lab') return [coding(SYSTEM.labAnalyte, code, display)];
  return [];
}

/** A UCUM code for a unit as medstruct normalizes it, or null when the unit has no UCUM form. */
export function ucumOf(unit: string | null | undefined): string | null {
  if (!unit) return null;
  return CODES.ucum[unit] ?? null;
}
