import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ReportType } from '../src/classify/types.js';
import { MedDocument } from '../src/document/document.js';
import type { Polygon } from '../src/document/types.js';
import { Pipeline } from '../src/pipeline/stage.js';
import { structureDocument, toTencentTemplate } from '../src/structure/index.js';
import { useStubEnrichers } from './enrichers-helper.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const fixture = (name: string): string => readFileSync(join(import.meta.dirname, 'fixtures', 'reports', `${name}.txt`), 'utf8');

function template(text: string, type: ReportType, doc = new MedDocument(text)): Json {
  return toTencentTemplate(structureDocument(doc, { type, pipeline: new Pipeline([]) }), doc) as Json;
}

/** The original text at an MRS Index. */
const at = (text: string, index: number[]): string => Array.from(text).slice(index[0], index[1]).join('');

beforeAll(useStubEnrichers);

describe('MRS PathologyV2', () => {
  const text = fixture('pathology');
  const p = (): Json => template(text, 'pathology').PathologyV2;

  it('has the documented keys, the v1 Pathology block still beside it', () => {
    const t = template(text, 'pathology');
    expect(t.Pathology).toBeTruthy();
    expect(Object.keys(t.PathologyV2)).toEqual(['Desc', 'Summary', 'ReportText', 'LymphTotal', 'LymphNodes', 'Ihc', 'Clinical', 'Malignant', 'Precancer', 'Benigntumor', 'SampleType', 'Molecular']);
    expect(t.PathologyV2.ReportText).toBe(text);
  });

  it('gives the description, the diagnosis and its details with their spans', () => {
    const v = p();
    expect(v.Desc.Text.Src.startsWith('左乳改良根治标本')).toBe(true);
    expect(v.Desc.Text.Src.endsWith('可见核分裂象')).toBe(true);
    expect(at(text, v.Desc.Text.Index)).toBe(v.Desc.Text.Src);
    expect(v.Summary.Text).toMatchObject({ Name: '诊断结论' });
    expect(at(text, v.Summary.Text.Index)).toBe(v.Summary.Text.Src);
    const [detail] = v.Summary.Infos;
    expect(detail.Part).toMatchObject({ Src: '左乳', Value: '左乳' });
    expect(at(text, detail.Part.Index)).toBe('左乳');
    expect(detail.HistologyType).toMatchObject({ Type: '浸润性导管癌', Infiltration: '浸润', Name: '组织学类型' });
    expect(detail.HistologyLevel.Src).toBe('组织学分级Ⅱ级');
    expect(detail.CancerSizes[0].NormSize).toMatchObject({ Number: ['32', '25', '20'], Unit: 'mm' });
    expect(detail.Invasive[0]).toMatchObject({ Positive: '阴性', Src: '各切缘未见癌累及', Part: { Src: '各切缘' } });
    expect(at(text, detail.Invasive[0].Part.Index)).toBe('各切缘');
    expect(detail.PTNM).toMatchObject({ Value: 'pT2N1M0', PT: 'T2', PN: 'N1', PM: 'M0' });
    expect(detail.InfiltrationDepth.Src).toBe('周围脂肪组织');
  });

  it('totals the lymph nodes, lists the stations, the IHC markers, the molecular result and the malignancy', () => {
    const v = p();
    expect(v.LymphTotal).toEqual([{ Name: '淋巴结', TransferNum: 3, Total: 15, Src: '腋窝淋巴结（3/15）', Index: [expect.any(Number), expect.any(Number)] }]);
    expect(v.LymphNodes.map((n: Json) => [n.Part.Src, n.TransferNum, n.Total])).toEqual([['腋窝', 3, 15], ['第一水平', 2, 8], ['第二水平', 1, 7]]);
    const ki67 = v.Ihc.find((i: Json) => i.Name === 'Ki-67');
    expect(Object.keys(ki67)).toEqual(['Index', 'Src', 'Name', 'Value']);
    expect(ki67.Value).toEqual({ Grade: '', Percent: [30], Positive: '阳性' });
    expect(v.Ihc.find((i: Json) => i.Name === 'HER2').Value.Grade).toBe('2+');
    expect(v.Molecular[0]).toMatchObject({ Name: 'HER2', Value: { Type: '扩增', Positive: '阳性', Src: 'HER2' } });
    expect(v.Malignant).toMatchObject({ Name: '是否恶性肿瘤', Src: '浸润性导管癌', Value: '是' });
    expect(v.Precancer).toBeNull();
    expect(v.SampleType.Src).toBe('左乳肿物及左腋窝淋巴结');
  });

  it('reads exon and position of a gene mutation, and says precancer or benign only when the diagnosis shows it', () => {
    const lung = template([
      '病理报告 病理号：P2023-1201 临床诊断：右肺结节',
      '病理诊断：（右肺上叶）腺癌，中分化。',
      '分子检测：EGFR 21号外显子L858R突变；ALK融合阴性。',
    ].join('\n'), 'pathology').PathologyV2;
    expect(lung.Clinical).toMatchObject({ Name: '临床诊断', Src: '右肺结节' });
    expect(lung.Molecular.map((m: Json) => [m.Name, m.Value.Exon, m.Value.Position, m.Value.Type, m.Value.Positive])).toEqual([
      ['EGFR', '21', 'L858R', '突变', '阳性'],
      ['ALK', '', '', '融合', '阴性'],
    ]);
    const gastric = template('病理诊断：（胃窦）黏膜慢性炎伴低级别上皮内瘤变。', 'pathology').PathologyV2;
    expect(gastric.Precancer).toMatchObject({ Name: '是否癌前病变', Src: '低级别上皮内瘤变', Value: '是' });
    expect(gastric.Malignant).toBeNull();
    const colon = template('病理诊断：（乙状结肠）管状腺瘤。', 'pathology').PathologyV2;
    expect(colon.Benigntumor).toMatchObject({ Src: '管状腺瘤', Value: '是' });
    const negative = template('病理诊断：（胃体）慢性浅表性炎，未见腺癌。', 'pathology').PathologyV2;
    expect(negative.Malignant).toBeNull();
    expect(negative.LymphTotal).toEqual([]);
  });
});

describe('MRS IndicatorV3', () => {
  it('gives the sheet as one table of IndicatorItemV2 with BaseItem leaves and the sample', () => {
    const t = template(fixture('lab'), 'lab');
    expect(t.Indicator).toBeTruthy();
    const v3 = t.IndicatorV3;
    expect(v3.TableIndicators).toEqual(v3.TableIndictors);
    const [table] = v3.TableIndicators;
    expect(table.Sample).toEqual({ Name: '采样标本', Src: '全血', Value: '全血' });
    const [wbc, rbc] = table.Indicators;
    expect(Object.keys(wbc)).toEqual(['Item', 'Code', 'Result', 'Unit', 'Range', 'Arrow', 'Normal', 'Id', 'Order', 'InferNormal']);
    expect(wbc).toMatchObject({
      Item: { Name: '项目名称', Src: '白细胞计数', Value: '白细胞计数' }, Code: { Src: 'WBC', Value: 'WBC' }, Result: { Src: '12.5', Value: '12.5' },
      Unit: { Src: '10^9/L', Value: '10^9/L' }, Range: { Src: '3.5-9.5' }, Arrow: { Src: '↑', Value: '↑' }, Normal: false, Id: 1, Order: 1, InferNormal: '↑',
    });
    // No arrow on the sheet: Arrow is absent, the low result is inferred; the unit is normalized.
    expect(rbc).toMatchObject({ Arrow: null, Normal: false, InferNormal: '↓', Unit: { Src: '×10^12/L', Value: '10^12/L' } });
  });

  it('carries coordinates and the page when the sheet came from an image', () => {
    const text = '白细胞计数 WBC 12.5 ↑ 10^9/L 3.5-9.5';
    const chars = Array.from(text);
    const charPolygons = chars.map((_, i): Polygon => [[10 * i, 5], [10 * i + 9, 5], [10 * i + 9, 20], [10 * i, 20]]);
    const doc = new MedDocument(text, { charPolygons, charPages: Int32Array.from(chars.map(() => 1)) });
    const v3 = template(text, 'lab', doc).IndicatorV3;
    expect(v3.Page).toBe(1);
    expect(v3.TableIndicators[0].Indicators[0].Item.Coords).toEqual([{ Points: [{ X: 0, Y: 5 }, { X: 49, Y: 5 }, { X: 49, Y: 20 }, { X: 0, Y: 20 }] }]);
  });
});

describe('MRS MedDocV2 (DischargeInfoBlock)', () => {
  it('fills the admission record: histories with their state, vitals normalized, diagnoses and paragraphs', () => {
    const v2 = template(fixture('admission'), 'admission').MedDocV2;
    expect(Object.keys(v2)).toEqual(['DiseaseHistory', 'PersonalHistory', 'DrugHistory', 'TreatmentRecord', 'ParagraphBlock']);
    const history = v2.DiseaseHistory;
    expect(history.MainDiseaseHistory).toMatchObject({ Name: '既往史', State: true });
    expect(history.AllergyHistory).toEqual({ Name: '过敏史', Src: '对青霉素过敏', State: true, Value: '青霉素' });
    expect(history.TransfusionHistory).toEqual({ Name: '输血史', Src: '否认输血史', State: false, Value: '' });
    expect(history.SurgeryHistory).toEqual({ Name: '手术史', Src: '2015年行阑尾切除术', Value: '2015年行阑尾切除术' });
    expect(v2.PersonalHistory.SmokeHistory).toMatchObject({ Src: '吸烟30年', State: true });
    expect(v2.PersonalHistory.FamilyHistory.RelativeHistory.Src).toBe('父亲患高血压，母亲体健');
    const record = v2.TreatmentRecord;
    expect(record.ChiefComplaint).toEqual({ Name: '主诉', Src: '反复胸闷、胸痛3年，加重2天', Value: '反复胸闷、胸痛3年,加重2天' });
    expect(record.BodyExamination.BloodPressure).toMatchObject({ Norm: '150/95', Unit: 'mmHg', NormSystolic: '150', NormDiastolic: '95' });
    expect(record.BodyExamination.BodyTemperature).toMatchObject({ Norm: '36.8', Unit: '℃' });
    expect(record.AdmissionDiagnosis.Value.split('；')[1]).toBe('高血压3级（很高危）');
    expect(record.DischargeDiagnosis).toBeNull();
    // The drug history is what the past history says the patient takes, not what the record orders.
    expect(v2.DrugHistory).toMatchObject({ Name: '药物史', Src: '硝苯地平控释片30mg qd', Value: '硝苯地平控释片' });
    expect(v2.DrugHistory.DrugList).toEqual([{ CommonName: '硝苯地平控释片', Dosage: { Value: '30mg qd', SingleMeasurement: '30mg', Frequency: 'QD', DrugDeliveryRoute: '' }, Value: '硝苯地平控释片30mg qd' }]);
    expect(v2.ParagraphBlock.DiseasePresentText.startsWith('患者3年前无明显诱因')).toBe(true);
    expect(v2.ParagraphBlock.ChiefComplaintText).toBe(record.ChiefComplaintText);
  });

  it('fills the discharge record: diagnoses, course, condition and discharge instructions', () => {
    const v2 = template(fixture('discharge'), 'discharge').MedDocV2;
    expect(v2.DrugHistory).toBeNull();
    const record = v2.TreatmentRecord;
    expect(record.DischargeDiagnosis).toEqual({ Name: '出院诊断', Src: '1.胆囊结石伴慢性胆囊炎 2.脂肪肝', Norm: '胆囊结石伴慢性胆囊炎；脂肪肝', Value: '胆囊结石伴慢性胆囊炎；脂肪肝' });
    expect(record.AdmissionDiagnosisText).toBe('胆囊结石伴慢性胆囊炎');
    expect(record.DischargeCondition.Src).toBe('患者无腹痛，切口愈合良好，饮食正常');
    expect(record.DischargeInstructions.Src.startsWith('1.注意休息，低脂饮食')).toBe(true);
    expect(record.DischargeInstructionsText).toBe(record.DischargeInstructions.Src);
    expect(record.CheckAndTreatmentProcess.Src.includes('腹腔镜下胆囊切除术')).toBe(true);
  });

  it('gives an outpatient record its diagnosis text and treatment suggestion; other record types get no MedDocV2', () => {
    const t = template(fixture('outpatient'), 'outpatient');
    expect(t.MedDocV2.TreatmentRecord.OutpatientDiagnosisText).toBe('社区获得性肺炎');
    expect(t.MedDocV2.TreatmentRecord.DischargeInstructions).toBeUndefined();
    expect(t.MedDocV2.DiseaseHistory.AllergyHistory).toMatchObject({ Src: '否认药物过敏史', State: false });
    expect(template(fixture('operation'), 'operation').MedDocV2).toBeUndefined();
  });
});

describe('MRS EndoscopyV2', () => {
  it('is a Check: lesions by organ in Desc, the endoscopic diagnoses as Summary symptoms', () => {
    const text = fixture('endoscopy');
    const t = template(text, 'endoscopy');
    expect(t.Endoscopy).toBeTruthy();
    const v2 = t.EndoscopyV2;
    expect(Object.keys(v2)).toEqual(['Desc', 'Summary']);
    expect(v2.Desc.Text.startsWith('食管：黏膜光滑')).toBe(true);
    const ulcer = v2.Desc.Tuber.find((x: Json) => x.Type.Value === '溃疡');
    expect(ulcer.Part.Src).toBe('胃窦');
    expect(ulcer.Size[0]).toMatchObject({ Src: '1.5×1.2cm', NormSize: { Number: ['15', '12'], Unit: 'mm' } });
    expect(v2.Desc.Organ.map((o: Json) => o.Part.Value)).toContain('胃窦');
    expect(v2.Summary.Text).toBe('1.胃窦溃疡（性质待病理）\n2.慢性非萎缩性胃炎');
    expect(v2.Summary.Symptom.map((s: Json) => s.Symptom.Src)).toEqual(['胃窦溃疡（性质待病理）', '慢性非萎缩性胃炎']);
    expect(at(text, v2.Summary.Symptom[1].Index)).toBe('慢性非萎缩性胃炎');
  });
});
