import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readFieldSpec } from '../src/cli/commands/structure.js';
import { main } from '../src/cli/main.js';
import { MedDocument } from '../src/document/document.js';
import type { FieldValue, Polygon } from '../src/document/types.js';
import { MedstructError } from '../src/errors.js';
import { parseCustomFields } from '../src/fields/index.js';
import { Pipeline, type Stage } from '../src/pipeline/stage.js';
import { structureDocument, structureText, toTencentResponse, toTencentTemplate } from '../src/structure/index.js';
import { useStubEnrichers } from './enrichers-helper.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'reports');
const fixture = (name: string): string => readFileSync(join(FIXTURES, `${name}.txt`), 'utf8');
const noModel = new Pipeline([]);

beforeAll(useStubEnrichers);

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('native structure result', () => {
  it('has type, sections, entities, fields, patient and report', () => {
    const result = structureText(fixture('ultrasound'), { type: 'ultrasound', pipeline: noModel });
    expect(Object.keys(result)).toEqual(['type', 'sections', 'entities', 'fields', 'patient', 'report']);
    expect(result.type).toMatchObject({ type: 'ultrasound', code: 345, confidence: 1 });
    expect(result.sections.map((s) => s.key)).toEqual(['exam_item', 'findings', 'impression']);
    expect(result.sections[2]!.text.startsWith('甲状腺右叶实性结节')).toBe(true);
    expect(result.fields.patient).toBeUndefined();
    expect((result.patient.name as FieldValue).value).toBe('李秀英');
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it('classifies the report when the type is auto', () => {
    const result = structureText(fixture('lab'), { pipeline: noModel });
    expect(result.type.type).toBe('lab');
    expect((result.fields.items as unknown[]).length).toBe(7);
  });

  it('rejects empty text with EMPTY_INPUT', () => {
    expect(() => structureText('  \n', { pipeline: noModel })).toThrow(expect.objectContaining({ code: 'EMPTY_INPUT' }));
  });

  it('adds page and polygon to field values when the document came from an image', () => {
    const text = '姓名：张三 性别：男';
    const chars = Array.from(text);
    const charPolygons = chars.map((_, i): Polygon => [[10 * i, 5], [10 * i + 9, 5], [10 * i + 9, 20], [10 * i, 20]]);
    const doc = new MedDocument(text, { charPolygons, charPages: Int32Array.from(chars.map(() => 1)) });
    const result = structureDocument(doc, { type: 'lab', pipeline: noModel });
    const name = result.patient.name as FieldValue;
    expect(name.page).toBe(1);
    expect(name.polygon).toEqual([[30, 5], [49, 5], [49, 20], [30, 20]]);
  });
});

describe('tencent format', () => {
  it('maps a lab sheet to Template.Indicator.Indicators with MRS names', () => {
    const doc = new MedDocument(fixture('lab'));
    const response = toTencentResponse(structureDocument(doc, { type: 'lab', pipeline: noModel }), doc) as Json;
    expect(response.TextTypeList).toEqual([{ Id: 11, Level: 1, Name: '检验报告' }]);
    const t = response.Template;
    expect(t.PatientInfo).toMatchObject({ Name: '王建国', Sex: '男', Age: '56岁', BedNo: '12' });
    expect(t.ReportInfo).toMatchObject({ Hospital: 'XX市第一人民医院', DepartmentName: '心内科', SampleType: '全血', TestNum: '20230512-0031', ReportTime: '2023-05-12 10:30' });
    const wbc = t.Indicator.Indicators[0];
    expect(Object.keys(wbc)).toEqual(['Code', 'Scode', 'Name', 'Sname', 'Result', 'Unit', 'Range', 'Arrow', 'Normal', 'InferNormal', 'ItemString', 'Id']);
    expect(wbc).toMatchObject({ Code: 'WBC', Scode: 'WBC', Name: '白细胞计数', Sname: '白细胞计数', Result: '12.5', Unit: '10^9/L', Range: '3.5-9.5', Arrow: '↑', Normal: false, InferNormal: '↑' });
    const rbc = t.Indicator.Indicators[1];
    expect(rbc).toMatchObject({ Arrow: '', Normal: false, InferNormal: '↓', Unit: '10^12/L' });
    expect(t.Indicator.Indicators[3]).toMatchObject({ Normal: true, InferNormal: '正常' });
    expect(t.ReportType).toBe('检验报告');
    expect(t.OcrText).toBe(doc.text);
  });

  it('maps imaging findings to Check.Desc (Organ, Tuber) and the impression to Check.Summary', () => {
    const doc = new MedDocument(fixture('ultrasound'));
    const t = toTencentTemplate(structureDocument(doc, { type: 'ultrasound', pipeline: noModel }), doc) as Json;
    expect(t.Check.Desc.Text.startsWith('甲状腺右叶大小约')).toBe(true);
    expect(t.Check.Desc.Organ[0].Part.Value).toBe('甲状腺');
    expect(t.Check.Desc.Organ[0].Size.map((x: Json) => [x.Name, x.Src])).toEqual([['右叶', '4.5×1.8×1.6cm'], ['左叶', '4.3×1.7×1.5cm'], ['峡部', '0.3cm']]);
    const tuber = t.Check.Desc.Tuber[0];
    expect(tuber.Size[0]).toMatchObject({ Src: '12×9mm', NormSize: { Number: ['12', '9'], Unit: 'mm' } });
    expect(tuber.InnerEcho.Value).toBe('低回声');
    expect(tuber.Calcification.Value).toBe('微钙化');
    expect(tuber.CDFI.Value).toBe('点条状血流信号');
    expect(t.Check.Summary.Text).toBe('甲状腺右叶实性结节，C-TIRADS 4b类，建议穿刺活检');
    expect(t.Check.Summary.Symptom[0].Grade.Value).toBe('C-TIRADS 4b');
  });

  it('maps pathology, ECG, operation, prescription, certificate and checkup sections', () => {
    const tencent = (name: string, type: Parameters<typeof structureText>[1] extends infer O ? O extends { type?: infer T } ? T : never : never): Json => {
      const doc = new MedDocument(fixture(name));
      return toTencentTemplate(structureDocument(doc, { type, pipeline: noModel }), doc) as Json;
    };
    const p = tencent('pathology', 'pathology').Pathology;
    expect(p.HistologyType.Type).toBe('浸润性导管癌');
    expect(p.IHC.find((i: Json) => i.Name === 'Ki-67').Value).toMatchObject({ Percent: [30], Positive: '阳性' });
    expect(p.LymphNodes[0]).toMatchObject({ Total: 15, TransferNum: 3 });
    expect(p.PTNM.Value).toBe('pT2N1M0');
    const ecg = tencent('ecg', 'ecg').Electrocardiogram;
    expect(ecg.EcgDescription.HeartRate).toMatchObject({ Name: '心率', Value: '112', Unit: 'bpm' });
    expect(ecg.EcgDescription.PRInterval.Value).toBe('160');
    expect(ecg.EcgDiagnosis.Value).toEqual(['窦性心动过速', 'ST-T改变', '左心室高电压']);
    const op = tencent('operation', 'operation');
    expect(op.Surgery.SurgeryHistory.SurgeryName.Value).toBe('腹腔镜下根治性远端胃大部切除术');
    expect(op.Surgery.OtherInfo.Anesthesia.Value).toBe('全身麻醉');
    expect(op.Surgery.OtherInfo.BloodLoss.Value).toBe('200ml');
    expect(op.MedDoc.Diagnosis.map((d: Json) => d.Type)).toEqual(['术前诊断', '术后诊断']);
    expect(tencent('prescription', 'prescription').Prescription.MedicineList[0]).toMatchObject({ Name: '阿莫西林胶囊', Specification: '0.25g×24粒/盒' });
    expect(tencent('diagnosis_certificate', 'diagnosis_certificate').DiagCert.Diagnosis.map((d: Json) => d.Text)).toEqual(['右胫骨骨折', '右踝关节扭伤']);
    const exame = tencent('checkup', 'checkup').Exame;
    expect(exame.Abnormality[1].Text.Src).toBe('脂肪肝（轻度）');
    expect(exame.Abnormality[1].Items[0].Src.startsWith('建议控制体重')).toBe(true);
    const admission = tencent('admission', 'admission').MedDoc;
    expect(admission.TreatmentRecord.ChiefComplaint).toBe('反复胸闷、胸痛3年，加重2天');
    expect(admission.DiseaseMedicalHistory.TransfusionHistory).toBe('否认输血史');
  });
});

describe('custom fields', () => {
  /** Stands in for the entity model: marks 青霉素 and 头孢 as drugs. */
  const drugs: Stage = {
    name: 'entities',
    process(doc) {
      for (const word of ['青霉素', '头孢']) {
        const start = doc.text.indexOf(word);
        if (start >= 0) doc.entities.push({ id: doc.newEntityId(), start, end: start + word.length, text: word, type: 'drug', confidence: 1, source: 'dictionary', parent: null, children: [], assertion: null, link: null });
      }
    },
  };

  it('extracts keyword, regex and entity fields with their evidence, restricted to sections', () => {
    const spec = parseCustomFields({
      fields: [
        { name: 'smokingYears', regex: '吸烟(?<value>\\d+)年', section: 'personal_history' },
        { name: 'allergy', keywords: ['过敏'], section: ['past_history'] },
        { name: 'allergyDrugs', entityType: 'drug', keywords: ['过敏'], cardinality: 'many' },
        { name: 'bloodType', keywords: ['血型'] },
      ],
    });
    const result = structureText(fixture('admission'), { type: 'admission', fields: spec, pipeline: new Pipeline([drugs]) });
    const custom = result.fields.custom as Record<string, FieldValue | FieldValue[] | null>;
    expect(custom.smokingYears).toMatchObject({ value: '30', src: '吸烟30年' });
    expect((custom.allergy as FieldValue).value).toBe('对青霉素过敏');
    expect((custom.allergyDrugs as FieldValue[]).map((v) => v.value)).toEqual(['青霉素']);
    expect(custom.bloodType).toBeNull();
    const text = fixture('admission');
    const smoking = custom.smokingYears as FieldValue;
    expect(Array.from(text).slice(smoking.start, smoking.end).join('')).toBe('30');
  });

  it('reads the value after a keyword with a colon', () => {
    const spec = parseCustomFields([{ name: 'insurance', keywords: ['医保类型'] }]);
    const result = structureText('门诊病历\n医保类型：城镇职工医保，自付比例10%。\n主诉：头痛2天。', { type: 'outpatient', fields: spec, pipeline: noModel });
    expect(((result.fields.custom as Json).insurance as FieldValue).value).toBe('城镇职工医保');
  });

  it('rejects unknown keys with UNKNOWN_FIELD and bad values with INVALID_ARGUMENT', () => {
    const code = (json: unknown): string => {
      try { parseCustomFields(json); return 'ok'; } catch (error) { return (error as MedstructError).code; }
    };
    expect(code([{ name: 'x', keyword: ['过敏'] }])).toBe('UNKNOWN_FIELD');
    expect(() => parseCustomFields([{ name: 'x', keyword: ['过敏'] }])).toThrow(/unknown key "keyword"/);
    expect(code([{ name: 'x', regex: '([' }])).toBe('INVALID_ARGUMENT');
    expect(code([{ name: 'x', regex: '(a+)+b' }])).toBe('INVALID_ARGUMENT');
    expect(code([{ name: 'x', regex: '(\\d+年)' }])).toBe('ok');
    expect(code([{ name: 'x', keywords: ['a'], section: 'nowhere' }])).toBe('INVALID_ARGUMENT');
    expect(code([{ name: 'x', entityType: 'gene' }])).toBe('INVALID_ARGUMENT');
    expect(code([{ name: 'x' }])).toBe('INVALID_ARGUMENT');
    expect(code([{ keywords: ['a'] }])).toBe('INVALID_ARGUMENT');
    expect(code([{ name: 'x', keywords: ['a'], cardinality: 'all' }])).toBe('INVALID_ARGUMENT');
    expect(code([{ name: 'x', keywords: ['a'] }, { name: 'x', regex: 'b' }])).toBe('INVALID_ARGUMENT');
    expect(code({ name: 'x' })).toBe('INVALID_ARGUMENT');
  });

  it('reports a missing or malformed --fields file with a stable code', () => {
    const dir = mkdtempSync(join(tmpdir(), 'medstruct-fields-'));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ not json');
    expect(() => readFieldSpec(join(dir, 'missing.json'))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => readFieldSpec(bad)).toThrow(expect.objectContaining({ code: 'INVALID_JSON' }));
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify([{ name: 'allergy', keywords: ['过敏'] }]));
    expect(readFieldSpec(good)[0]).toMatchObject({ name: 'allergy', cardinality: 'one' });
  });
});

describe('medstruct structure CLI errors', () => {
  it('rejects an unknown --type and an unknown option before reading input', async () => {
    const errors: string[] = [];
    const original = console.error;
    console.error = (line: string) => { errors.push(line); };
    try {
      expect(await main(['structure', '--type', 'radiology', '超声所见：肝脏大小正常'])).toBe(2);
      expect(await main(['structure', '--style', 'x', '超声所见：肝脏大小正常'])).toBe(2);
    } finally {
      console.error = original;
    }
    expect(JSON.parse(errors[0]!).error.code).toBe('UNSUPPORTED_TYPE');
    expect(JSON.parse(errors[1]!).error.code).toBe('INVALID_ARGUMENT');
  });
});
