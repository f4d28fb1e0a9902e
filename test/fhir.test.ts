import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { attributesStage } from '../src/attributes/index.js';
import { deidentifyText } from '../src/deid/index.js';
import { MedDocument } from '../src/document/document.js';
import type { Polygon } from '../src/document/types.js';
import { linkingStage } from '../src/linking/index.js';
import { FHIR_EXTENSIONS, FHIR_SYSTEMS, toFhirBundle, type FhirBundle } from '../src/output/fhir/index.js';
import { Pipeline, type Stage } from '../src/pipeline/stage.js';
import { structureDocument } from '../src/structure/index.js';
import type { ReportType } from '../src/classify/types.js';
import type { EntityType } from '../src/taxonomy/taxonomy.js';
import { checkBundle } from './fhir-checker.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const fixture = (name: string): string => readFileSync(join(import.meta.dirname, 'fixtures', 'reports', `${name}.txt`), 'utf8');
const NOW = new Date('2024-06-01T00:00:00Z');

/** Marks the given surface forms as entities (the n-th occurrence), standing in for the trained recognizer. */
function mark(entities: Array<[string, EntityType, number?]>): Stage {
  return {
    name: 'entities',
    process(doc) {
      for (const [surface, type, nth = 0] of entities) {
        let at = -1;
        for (let k = 0; k <= nth; k++) at = doc.text.indexOf(surface, at + 1);
        if (at < 0) throw new Error(`${surface} not in the text`);
        doc.entities.push({ id: doc.newEntityId(), start: at, end: at + surface.length, text: surface, type, confidence: 0.95, source: 'rule', parent: null, children: [], assertion: null, link: null });
      }
      doc.rebuildNesting();
    },
  };
}

/** Structures a text (real sections, assertions, linking and fields; marked entities) and returns its FHIR bundle. */
function fhir(text: string, type: ReportType, entities: Array<[string, EntityType, number?]> = [], doc = new MedDocument(text)): FhirBundle {
  const result = structureDocument(doc, { type, pipeline: new Pipeline([mark(entities), attributesStage, linkingStage]) });
  return toFhirBundle(result, doc, { now: NOW });
}

const resources = (bundle: FhirBundle, type: string): Json[] => bundle.entry!.map((e) => e.resource as Json).filter((r) => r.resourceType === type);
const byUrl = (bundle: FhirBundle, reference: string): Json => bundle.entry!.find((e) => e.fullUrl === reference)!.resource as Json;
const codeIn = (concept: Json | undefined, system: string): string | undefined => concept?.coding?.find((c: Json) => c.system === system)?.code;
const spanOf = (resource: Json): Record<string, unknown> => Object.fromEntries(
  resource.extension.find((x: Json) => x.url === FHIR_EXTENSIONS.sourceSpan).extension.map((x: Json) => [x.url, Object.values(x).find((v) => v !== x.url)]),
);
const observationNamed = (bundle: FhirBundle, text: string): Json => resources(bundle, 'Observation').find((o) => o.code.text === text)!;

const LAB = `XX市中心医院检验报告单
姓名：张伟  性别：男  年龄：61岁  住院号：ZY20240311  科室：肾内科  标本：血清
项目名称            结果     单位       参考区间
肌酐 CREA           186 ↑    μmol/L     57-111
钾 K                3.2 ↓    mmol/L     3.5-5.3
葡萄糖 GLU          5.1      mmol/L     3.9-6.1
C反应蛋白 CRP       <0.5     mg/L       0-10
乙肝表面抗原 HBsAg  阴性               阴性
采样时间：2024-03-11 06:40  报告时间：2024-03-11 09:15  检验者：孙丽  审核者：周平`;

const DISCHARGE = `出院记录
姓名：何建军  性别：男  年龄：66岁  住院号：ZY2024102
入院日期：2024-01-08  出院日期：2024-01-19
入院情况：患者因反复咳嗽、咳痰10年，加重伴气促3天入院。既往有高血压病史8年，否认糖尿病病史。父亲有慢性阻塞性肺疾病史。
入院诊断：慢性阻塞性肺疾病急性加重
出院诊断：1.慢性阻塞性肺疾病急性加重 2.高血压2级
诊疗经过：入院后予哌拉西林他唑巴坦4.5g 静滴 q8h抗感染，于2024-01-10行支气管镜检查，症状好转。
出院情况：患者无发热，咳嗽咳痰明显减少。
出院医嘱：1.噻托溴铵粉吸入剂18μg 吸入 qd；2.氨氯地平片5mg 口服 qd；3.门诊随访。`;

const DISCHARGE_ENTITIES: Array<[string, EntityType, number?]> = [
  ['咳嗽', 'symptom'], ['咳痰', 'symptom'], ['气促', 'symptom'], ['高血压', 'disease'], ['糖尿病', 'disease'],
  ['慢性阻塞性肺疾病', 'disease'], ['哌拉西林他唑巴坦', 'drug'], ['静滴', 'procedure'], ['发热', 'symptom'], ['噻托溴铵粉吸入剂', 'drug'], ['口服', 'procedure'],
];

describe('FHIR R4 bundle of a lab sheet', () => {
  const bundle = fhir(LAB, 'lab');

  it('is a structurally valid collection with a final DiagnosticReport referencing every Observation', () => {
    expect(checkBundle(bundle)).toEqual([]);
    expect(bundle.type).toBe('collection');
    const [report] = resources(bundle, 'DiagnosticReport');
    expect(report).toMatchObject({ status: 'final', issued: '2024-03-11T09:15:00+08:00', effectiveDateTime: '2024-03-11T06:40:00+08:00' });
    expect(codeIn(report!.code, 'http://loinc.org')).toBe('11502-2');
    expect(codeIn(report!.code, FHIR_SYSTEMS.reportType)).toBe('lab');
    expect(codeIn(report!.category[0], 'http://terminology.hl7.org/CodeSystem/v2-0074')).toBe('LAB');
    expect(report!.result.map((r: Json) => byUrl(bundle, r.reference).code.text)).toEqual(['肌酐', '钾', '葡萄糖', 'C反应蛋白', '乙肝表面抗原']);
    expect(byUrl(bundle, report!.specimen[0].reference)).toMatchObject({ resourceType: 'Specimen', type: { text: '血清' } });
    expect(byUrl(bundle, report!.resultsInterpreter[0].reference)).toMatchObject({ resourceType: 'Practitioner', name: [{ text: '周平' }] });
  });

  it('codes each item with the analyte code, a UCUM quantity, the reference range and H/L/N interpretation', () => {
    const creatinine = observationNamed(bundle, '肌酐');
    expect(creatinine.code.coding[0]).toEqual({ system: FHIR_SYSTEMS.labAnalyte, code: 'CREA', display: '肌酐' });
    expect(creatinine.valueQuantity).toEqual({ value: 186, unit: 'μmol/L', system: 'http://unitsofmeasure.org', code: 'umol/L' });
    expect(creatinine.referenceRange[0]).toMatchObject({ text: '57-111', low: { value: 57, code: 'umol/L' }, high: { value: 111, code: 'umol/L' } });
    expect(creatinine.interpretation[0].coding[0]).toMatchObject({ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code: 'H' });
    expect(observationNamed(bundle, '钾').interpretation[0].coding[0].code).toBe('L');
    expect(observationNamed(bundle, '葡萄糖').interpretation[0].coding[0].code).toBe('N');
    expect(observationNamed(bundle, 'C反应蛋白').valueQuantity).toMatchObject({ value: 0.5, comparator: '<', code: 'mg/L' });
    const hbsag = observationNamed(bundle, '乙肝表面抗原');
    expect(hbsag.valueCodeableConcept).toEqual({ coding: [{ system: 'http://snomed.info/sct', code: '260385009', display: 'Negative' }], text: '阴性' });
    expect(hbsag.referenceRange).toEqual([{ text: '阴性' }]);
    expect(hbsag.interpretation[0].coding[0].code).toBe('N');
  });

  it('keeps a number whose unit has no UCUM form as a quantity without a code', () => {
    const b = fhir('尿沉渣检验报告\n项目  结果  单位  参考范围\n白细胞  3  个/μl  0-25\n红细胞管型  2  个/LPx  0-1', 'lab');
    const cast = observationNamed(b, '红细胞管型');
    expect(cast.valueQuantity).toEqual({ value: 2, unit: '个/LPx' });
    expect(checkBundle(b)).toEqual([]);
  });

  it('puts the patient on every resource and the source span on each item', () => {
    const [patient] = resources(bundle, 'Patient');
    expect(patient).toMatchObject({ name: [{ text: '张伟' }], gender: 'male' });
    expect(patient!.extension.find((x: Json) => x.url === FHIR_EXTENSIONS.ageAtReport).valueAge).toEqual({ value: 61, unit: 'a', system: 'http://unitsofmeasure.org', code: 'a' });
    expect(patient!.identifier[0]).toMatchObject({ value: 'ZY20240311', type: { text: '住院号' } });
    const patientUrl = bundle.entry!.find((e) => e.resource.resourceType === 'Patient')!.fullUrl;
    for (const o of resources(bundle, 'Observation')) expect(o.subject.reference).toBe(patientUrl);
    const span = spanOf(observationNamed(bundle, '钾'));
    expect(Array.from(LAB).slice(span.start as number, span.end as number).join('')).toBe(span.text);
    expect(span.text).toMatch(/^钾 K\s+3\.2 ↓\s+mmol\/L\s+3\.5-5\.3$/);
  });

  it('gives the same bundle for the same input and other ids for another input', () => {
    expect(fhir(LAB, 'lab')).toEqual(bundle);
    const other = fhir(LAB.replace('186', '187'), 'lab');
    expect(other.entry![0]!.fullUrl).not.toBe(bundle.entry![0]!.fullUrl);
    expect(bundle.entry![0]!.fullUrl).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('FHIR R4 bundle of an imaging report', () => {
  const text = fixture('ultrasound');
  const bundle = fhir(text, 'ultrasound', [['结节', 'symptom', 0], ['结节', 'symptom', 1], ['肿大', 'symptom'], ['结节', 'symptom', 2]]);

  it('is a document led by a Composition whose sections hold the findings and impression', () => {
    expect(checkBundle(bundle)).toEqual([]);
    expect(bundle.type).toBe('document');
    const composition = bundle.entry![0]!.resource as Json;
    expect(composition).toMatchObject({ resourceType: 'Composition', status: 'final', date: '2023-05-12', title: '超声报告' });
    expect(composition.section.map((s: Json) => s.title)).toEqual(['检查项目', '超声所见', '超声提示', '其他']);
    expect(codeIn(composition.section[1].code, 'http://loinc.org')).toBe('59776-5');
    expect(composition.section[1].text.div).toContain('右叶中部见一低回声结节');
    expect(bundle.timestamp).toBe('2023-05-12T00:00:00+08:00');
  });

  it('reports each lesion as an imaging Observation with site and features, linked from the DiagnosticReport', () => {
    const [report] = resources(bundle, 'DiagnosticReport');
    expect(report!.category.map((c: Json) => c.coding[0].code)).toEqual(['RAD', 'RUS', 'ultrasound']);
    expect(codeIn(report!.code, 'http://loinc.org')).toBe('18748-4');
    expect(report!.conclusion).toBe('甲状腺右叶实性结节，C-TIRADS 4b类，建议穿刺活检');
    const lesion = observationNamed(bundle, '甲状腺右叶中部结节');
    expect(lesion.category[0].coding[0].code).toBe('imaging');
    expect(lesion.bodySite.text).toBe('甲状腺右叶中部');
    expect(lesion.valueCodeableConcept.coding[0]).toMatchObject({ system: 'http://snomed.info/sct', code: '52101004' });
    const features = Object.fromEntries(lesion.component.map((c: Json) => [c.code.coding[0].code, c.valueString]));
    expect(features).toMatchObject({ 'lesion.kind': '结节', 'lesion.size': '12×9 mm', 'lesion.echo': '低回声', 'lesion.calcification': '微钙化', 'lesion.laterality': 'right' });
    expect(report!.result.map((r: Json) => r.reference)).toContain(bundle.entry!.find((e) => e.resource === lesion)!.fullUrl);
  });

  it('turns negated findings into refuted Conditions and leaves lesion words to the lesion Observations', () => {
    const conditions = resources(bundle, 'Condition');
    expect(resources(bundle, 'DiagnosticReport')[0]!.conclusionCode).toBeUndefined();
    expect(conditions.map((c) => [c.code.text, c.verificationStatus.coding[0].code])).toEqual([['结节', 'refuted'], ['肿大', 'refuted']]);
    for (const c of conditions) expect(c.clinicalStatus).toBeUndefined();
    const assertion = conditions[0]!.extension.find((x: Json) => x.url === FHIR_EXTENSIONS.assertion).extension;
    expect(assertion[0]).toEqual({ url: 'certainty', valueCode: 'negative' });
  });
});

describe('FHIR R4 bundle of a discharge summary', () => {
  const bundle = fhir(DISCHARGE, 'discharge', DISCHARGE_ENTITIES);

  it('is a valid document with an Encounter that lists admission and discharge diagnoses', () => {
    expect(checkBundle(bundle)).toEqual([]);
    expect(codeIn((bundle.entry![0]!.resource as Json).type, 'http://loinc.org')).toBe('18842-5');
    const [encounter] = resources(bundle, 'Encounter');
    expect(encounter).toMatchObject({ status: 'finished', class: { code: 'IMP' }, period: { start: '2024-01-08', end: '2024-01-19' }, identifier: [{ value: 'ZY2024102' }] });
    const uses = encounter!.diagnosis.map((d: Json) => [byUrl(bundle, d.condition.reference).code.text, d.use.coding[0].code, d.rank]);
    expect(uses).toEqual([['慢性阻塞性肺疾病急性加重', 'AD', 1], ['慢性阻塞性肺疾病急性加重', 'DD', 1], ['高血压2级', 'DD', 2]]);
  });

  it('codes diagnoses in ICD-10 (national clinical edition and its WHO parent) with verification from the assertion', () => {
    const conditions = resources(bundle, 'Condition');
    const copd = conditions.find((c) => c.code.text === '慢性阻塞性肺疾病急性加重')!;
    expect(copd.code.coding).toEqual([
      { system: FHIR_SYSTEMS.icd10cn, code: 'J44.101', display: '慢性阻塞性肺疾病急性加重' },
      { system: 'http://hl7.org/fhir/sid/icd-10', code: 'J44.1' },
    ]);
    expect(copd).toMatchObject({ verificationStatus: { coding: [{ code: 'confirmed' }] }, clinicalStatus: { coding: [{ code: 'active' }] } });
    expect(copd.category[0].coding[0].code).toBe('encounter-diagnosis');
    const status = (text: string): string => conditions.find((c) => c.code.text === text)!.verificationStatus.coding[0].code;
    expect(status('糖尿病')).toBe('refuted');
    expect(status('发热')).toBe('refuted');
    expect(status('咳嗽')).toBe('confirmed');
    expect(conditions.find((c) => c.code.text === '高血压2级')!.code.coding[1]).toEqual({ system: 'http://hl7.org/fhir/sid/icd-10', code: 'I10' });
  });

  it('sends family history to FamilyMemberHistory, not Condition', () => {
    const [family] = resources(bundle, 'FamilyMemberHistory');
    expect(family).toMatchObject({ status: 'partial', relationship: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode', code: 'FTH' }], text: '父亲' } });
    expect(family!.condition[0].code.text).toBe('慢性阻塞性肺疾病');
    expect(resources(bundle, 'Condition').map((c) => c.code.text)).not.toContain('慢性阻塞性肺疾病');
  });

  it('states medications with dose, UCUM unit, SNOMED route and timing; route words are not procedures', () => {
    const meds = resources(bundle, 'MedicationStatement');
    const amlodipine = meds.find((m) => m.medicationCodeableConcept.text === '氨氯地平片')!;
    expect(amlodipine.status).toBe('active');
    expect(amlodipine.dosage[0]).toMatchObject({
      text: '氨氯地平片5mg 口服 qd',
      timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' }, code: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation', code: 'QD' }] } },
      route: { coding: [{ system: 'http://snomed.info/sct', code: '26643006' }], text: '口服' },
      doseAndRate: [{ doseQuantity: { value: 5, unit: 'mg', system: 'http://unitsofmeasure.org', code: 'mg' } }],
    });
    const antibiotic = meds.find((m) => m.medicationCodeableConcept.text === '哌拉西林他唑巴坦')!;
    expect(antibiotic.status).toBe('completed');
    expect(antibiotic.dosage[0].text).toBe('哌拉西林他唑巴坦4.5g 静滴 q8h');
    expect(antibiotic.dosage[0].timing.repeat).toEqual({ frequency: 1, period: 8, periodUnit: 'h' });
    expect(resources(bundle, 'Procedure').map((p) => p.code.text)).not.toContain('静滴');
  });
});

describe('FHIR R4 bundle of a pathology report and an operation note', () => {
  it('codes the tumour with ICD-O-3 morphology and reports IHC, lymph nodes and pTNM as Observations', () => {
    const bundle = fhir(fixture('pathology'), 'pathology', [['（左乳）浸润性导管癌', 'disease']]);
    expect(checkBundle(bundle)).toEqual([]);
    const [report] = resources(bundle, 'DiagnosticReport');
    expect(codeIn(report!.code, 'http://loinc.org')).toBe('11526-1');
    expect(codeIn(report!.category[0], 'http://terminology.hl7.org/CodeSystem/v2-0074')).toBe('SP');
    const [tumour] = resources(bundle, 'Condition');
    expect(tumour!.code.coding).toContainEqual(expect.objectContaining({ system: 'http://terminology.hl7.org/CodeSystem/icd-o-3', code: '8500/3' }));
    expect(report!.conclusionCode).toEqual([tumour!.code]);
    expect(observationNamed(bundle, 'ER').valueString).toBe('90%+');
    const nodes = observationNamed(bundle, '淋巴结转移');
    expect(nodes.valueString).toBe('3/15');
    expect(nodes.component.map((c: Json) => c.valueInteger)).toEqual([3, 15]);
    expect(observationNamed(bundle, 'pTNM分期').component.map((c: Json) => c.valueString)).toEqual(['T2', 'N1', 'M0']);
    expect(observationNamed(bundle, 'HER2').category[0].coding[0].code).toBe('laboratory');
  });

  it('codes the operation in ICD-9-CM-3 with its period, and the diagnoses by pre-/post-operative role', () => {
    const bundle = fhir(fixture('operation'), 'operation');
    expect(checkBundle(bundle)).toEqual([]);
    const [procedure] = resources(bundle, 'Procedure');
    expect(procedure!.status).toBe('completed');
    expect(procedure!.code.coding).toEqual([
      { system: FHIR_SYSTEMS.icd9cm3cn, code: '43.8201', display: '腹腔镜胃部分切除术' },
      { system: 'http://hl7.org/fhir/sid/icd-9-cm', code: '43.82' },
    ]);
    expect(procedure!.performedPeriod).toEqual({ start: '2023-06-15T09:10:00+08:00', end: '2023-06-15T12:40:00+08:00' });
    const [encounter] = resources(bundle, 'Encounter');
    expect(encounter!.diagnosis.map((d: Json) => d.use.coding[0].code)).toEqual(['pre-op', 'post-op']);
    const postop = byUrl(bundle, encounter!.diagnosis[1].condition.reference);
    expect(postop.code.coding).toContainEqual(expect.objectContaining({ system: 'http://terminology.hl7.org/CodeSystem/icd-o-3' }));
    expect(observationNamed(bundle, '术中出血量').valueQuantity).toEqual({ value: 200, unit: 'mL', system: 'http://unitsofmeasure.org', code: 'mL' });
  });
});

describe('FHIR R4 bundle edge cases', () => {
  it('leaves masked personal data out of the Patient of a de-identified text', () => {
    const masked = deidentifyText(LAB, { mode: 'mask' }).text;
    const [patient] = resources(fhir(masked, 'lab'), 'Patient');
    expect(patient!.identifier).toBeUndefined();
    expect(patient!.gender).toBe('male');
    expect(JSON.stringify(patient)).not.toMatch(/张伟|ZY20240311|＊/);
    // Hospitals print partly masked names (王**); the surname alone is not a name.
    const [partly] = resources(fhir(LAB.replace('张伟', '王**'), 'lab'), 'Patient');
    expect(partly!.name).toEqual([{ extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'masked' }] }]);
    expect(JSON.stringify(partly)).not.toContain('王');
  });

  it('carries page and polygon of OCR input in the source span', () => {
    const text = '检验报告\n姓名：王芳  性别：女\n血红蛋白 HGB  98  g/L  115-150';
    const chars = Array.from(text);
    const charPolygons = chars.map((_, i): Polygon => [[10 * i, 5], [10 * i + 9, 5], [10 * i + 9, 20], [10 * i, 20]]);
    const doc = new MedDocument(text, { charPolygons, charPages: Int32Array.from(chars.map(() => 1)) });
    const span = spanOf(observationNamed(fhir(text, 'lab', [], doc), '血红蛋白'));
    expect(span.page).toBe(1);
    expect(span.polygon).toMatch(/^\d+,5 \d+,5 \d+,20 \d+,20$/);
  });

  it('writes no Patient and no clinical resources for a drug leaflet', () => {
    const bundle = fhir(fixture('drug_leaflet'), 'drug_leaflet', [['呼吸道感染', 'disease'], ['阿莫西林胶囊', 'drug', 1]]);
    expect(checkBundle(bundle)).toEqual([]);
    expect(bundle.entry!.map((e) => e.resource.resourceType)).toEqual(['Composition', 'Device']);
    const empty = fhir('Amoxicillin', 'drug_leaflet');
    expect([empty.type, empty.entry, checkBundle(empty)]).toEqual(['collection', undefined, []]);
  });

  it('the structural checker catches broken bundles', () => {
    const bundle = structuredClone(fhir(LAB, 'lab')) as Json;
    const observation = bundle.entry!.find((e: Json) => e.resource.resourceType === 'Observation').resource;
    delete observation.status;
    observation.subject = { reference: 'urn:uuid:00000000-0000-8000-8000-000000000000' };
    observation.effectiveDateTime = '2024-03-11 06:40';
    const errors = checkBundle(bundle);
    expect(errors.some((e) => e.includes('Observation.status is required'))).toBe(true);
    expect(errors.some((e) => e.startsWith('unresolved reference'))).toBe(true);
    expect(errors.some((e) => e.includes('not a dateTime'))).toBe(true);
  });
});
