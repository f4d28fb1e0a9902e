/**
 * Stable section keys. Header synonyms for each key live in resources/sections/headers.json; a key
 * listed here but absent there is only produced by implicit splitting (findings/impression) or not at all.
 */
export const SECTION_KEYS = [
  // clinical records (admission, discharge, outpatient, progress notes)
  'chief_complaint',
  'present_illness',
  'past_history',
  'allergy_history',
  'personal_history',
  'marital_history',
  'menstrual_history',
  'family_history',
  'physical_exam',
  'specialty_exam',
  'auxiliary_exam',
  'admission_condition',
  'treatment_course',
  'discharge_condition',
  'admission_diagnosis',
  'discharge_diagnosis',
  'diagnosis',
  'diagnosis_basis',
  'differential_diagnosis',
  'treatment_plan',
  'discharge_orders',
  'advice',
  // operation records
  'preoperative_diagnosis',
  'postoperative_diagnosis',
  'operation_name',
  'anesthesia',
  'operation_procedure',
  'operation_findings',
  // exams, imaging, endoscopy, ECG
  'clinical_info',
  'exam_item',
  'findings',
  'impression',
  // pathology
  'specimen',
  'gross',
  'microscopic',
  'ihc',
  'molecular',
  'pathology_diagnosis',
  // lab, prescription, checkup
  'lab_results',
  'prescription',
  'medications',
  'conclusion',
  // drug leaflet
  'drug_name',
  'ingredients',
  'properties',
  'indications',
  'specification',
  'dosage',
  'adverse_reactions',
  'contraindications',
  'precautions',
  'special_populations',
  'interactions',
  'overdose',
  'pharmacology',
  'pharmacokinetics',
  'storage',
  'packaging',
  'shelf_life',
  'approval_number',
  'manufacturer',
] as const;

export type SectionKey = (typeof SECTION_KEYS)[number];

export function isSectionKey(value: string): value is SectionKey {
  return (SECTION_KEYS as readonly string[]).includes(value);
}
