import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ReportType } from '../src/classify/types.js';
import { MedDocument } from '../src/document/document.js';
import type { FieldValue } from '../src/document/types.js';
import { memoize } from '../src/fields/enrich.js';
import { setEnrichers } from '../src/fields/index.js';
import { Pipeline } from '../src/pipeline/stage.js';
import { structureDocument, type StructureResult } from '../src/structure/index.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'reports');

/** A small stand-in knowledge graph, so these tests check the fields, not the linker's current data. */
beforeAll(() => {
  const analytes: Record<string, { standardName: string; code: string; abbreviation: string }> = {
    白细胞计数: { standardName: '白细胞计数', code: 'WBC', abbreviation: 'WBC' },
    血红蛋白: { standardName: '血红蛋白', code: 'HGB', abbreviation: 'HGB' },
  };
  setEnrichers({
    lookupLabAnalyte: (name) => analytes[name] ?? null,
    linkDisease: () => [],
    linkDiagnoses: (text) => (text.startsWith('高血压3级') ? [{ id: 'icd10:I10xx05', name: '高血压3级', type: 'disease', codes: { icd10: 'I10xx05' }, score: 1 }] : []),
    linkProcedure: (text) => (text === '腹腔镜下胆囊切除术' ? [{ id: 'icd9cm3:51.2300', name: '腹腔镜下胆囊切除术', type: 'procedure', codes: { icd9cm3: '51.2300' }, score: 1 }] : []),
  });
});

interface Run {
  text: string;
  doc: MedDocument;
  result: StructureResult;
  f: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Structures a fixture report with the type forced and without the entity model (fields read text and sections). */
function structure(name: string, type: ReportType): Run {
  const text = readFileSync(join(FIXTURES, `${name}.txt`), 'utf8');
  const doc = new MedDocument(text);
  const result = structureDocument(doc, { type, pipeline: new Pipeline([]) });
  return { text, doc, result, f: result.fields };
}

/** A field value is what the original text holds at its span. */
function at(run: Run, fv: FieldValue | null | undefined): string {
  expect(fv).toBeTruthy();
  const value = run.doc.slice(fv!.start, fv!.end);
  expect(value).toBe(fv!.value);
  return value;
}

describe('lab sheet fields', () => {
  const run = (): Run => structure('lab', 'lab');

  it('reads patient and report information with normalized values', () => {
    const r = run();
    expect(at(r, r.result.patient.name as FieldValue)).toBe('王建国');
    expect((r.result.patient.sex as FieldValue).normalized).toBe('male');
    expect((r.result.patient.age as FieldValue).normalized).toBe(56);
    expect(at(r, r.result.patient.bed as FieldValue)).toBe('12');
    expect(at(r, r.result.report.specimen as FieldValue)).toBe('全血');
    expect((r.result.report.sampledAt as FieldValue).normalized).toBe('2023-05-12 07:30');
    expect(at(r, r.result.report.hospital as FieldValue)).toBe('XX市第一人民医院');
    expect(at(r, r.result.report.reviewingDoctor as FieldValue)).toBe('赵强');
  });

  it('reads every item with unit normalized, flag, range and computed abnormality', () => {
    const r = run();
    const items = r.f.items as Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(items.map((i) => i.name.value)).toEqual(['白细胞计数', '红细胞计数', '血红蛋白', '血小板计数', '中性粒细胞百分比', '尿蛋白', '葡萄糖']);
    const [wbc, rbc, hgb, plt, neut, protein, glucose] = items;
    expect(at(r, wbc!.result)).toBe('12.5');
    expect(wbc!.result.normalized).toBe(12.5);
    expect(wbc!.flag.normalized).toBe('H');
    expect(wbc!.abnormal).toBe(true);
    expect(wbc!.standardName).toBe('白细胞计数');
    expect(wbc!.code).toBe('WBC');
    // No arrow on the sheet: 4.2 below 4.3-5.8 is inferred low; the unit ×10^12/L is normalized.
    expect(rbc!.flag).toBeNull();
    expect(rbc!.direction).toBe('L');
    expect(rbc!.abnormal).toBe(true);
    expect(at(r, rbc!.unit)).toBe('×10^12/L');
    expect(rbc!.unit.normalized).toBe('10^12/L');
    expect(at(r, rbc!.abbreviation)).toBe('RBC');
    expect(hgb!.unit.normalized).toBe('g/L');
    expect(plt!.abnormal).toBe(false);
    expect(neut!.flag.value).toBe('H');
    expect(at(r, neut!.abbreviation)).toBe('NEUT%');
    expect(protein!.result.normalized).toBe('positive');
    expect(protein!.direction).toBe('A');
    expect(at(r, glucose!.range)).toBe('3.9-6.1');
    expect(glucose!.direction).toBe('H');
    expect(r.f.abnormalCount).toBe(6);
  });

  it('reads glued name/value/unit/range lines and OCR-spread names', () => {
    const text = '血 红 蛋 白 (HGB)  101 g/L  115-150\n肌酐：132μmol/L（44-133）\n钾 K 3.2 mmol/l 3.5-5.3';
    const doc = new MedDocument(text);
    const items = structureDocument(doc, { type: 'lab', pipeline: new Pipeline([]) }).fields.items as Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(items.map((i) => i.name.value)).toEqual(['血 红 蛋 白', '肌酐', '钾']);
    expect(items[0]!.direction).toBe('L');
    expect(items[1]!.unit.normalized).toBe('μmol/L');
    expect(items[1]!.abnormal).toBe(false);
    expect(items[2]!.unit.normalized).toBe('mmol/L');
    expect(items[2]!.direction).toBe('L');
  });
});

describe('imaging fields', () => {
  it('reads an ultrasound lesion with site, size in mm, descriptors and TI-RADS grade', () => {
    const r = structure('ultrasound', 'ultrasound');
    expect(r.f.examPart.value).toBe('甲状腺');
    expect(r.f.examMethod.normalized).toBe('color Doppler ultrasound');
    expect(r.f.findings.value.startsWith('甲状腺右叶大小约')).toBe(true);
    expect(r.f.impression.value).toBe('甲状腺右叶实性结节，C-TIRADS 4b类，建议穿刺活检');
    const nodule = r.f.lesions[0];
    expect(at(r, nodule.site.organ)).toBe('甲状腺');
    expect(at(r, nodule.site.subSite)).toBe('右叶中部');
    expect(nodule.site.laterality.normalized).toBe('right');
    expect(at(r, nodule.size)).toBe('12×9mm');
    expect(nodule.size.mm).toEqual([12, 9]);
    expect(nodule.echo.value).toBe('低回声');
    expect(nodule.shape.value).toBe('形态不规则');
    expect(nodule.margin.value).toBe('边界不清');
    expect(nodule.calcification.value).toBe('微钙化');
    expect(nodule.bloodFlow.value).toBe('点条状血流信号');
    expect(r.f.lesions[1].grade.normalized).toBe('C-TIRADS 4b');
    // 左叶未见明显结节 is not a lesion.
    expect(r.f.lesions).toHaveLength(2);
    // Organ measurements are not lesions, and the nodule's size is not an organ's.
    expect(r.f.organs.map((o: { subSite: FieldValue; size: { mm: number[] } }) => [o.subSite.value, o.size.mm])).toEqual([['右叶', [45, 18, 16]], ['左叶', [43, 17, 15]], ['峡部', [3]]]);
  });

  it('keeps anechoic (无回声) nodules and reads sizes written 6mmx4mm', () => {
    const doc = new MedDocument('超声所见：甲状腺左叶中下段可见一无回声结节，大小约6mmx4mm，边界清晰。右叶未见明显结节。');
    const lesions = structureDocument(doc, { type: 'ultrasound', pipeline: new Pipeline([]) }).fields.lesions as Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(lesions).toHaveLength(1);
    expect(lesions[0]!.echo.value).toBe('无回声');
    expect(lesions[0]!.site.subSite.value).toBe('左叶中下段');
    expect(lesions[0]!.size.mm).toEqual([6, 4]);
  });

  it('reads a CT mass in cm as mm and the tumour attributes as the report words them', () => {
    const r = structure('ct', 'ct');
    const mass = r.f.lesions[0];
    expect(mass.size.mm).toEqual([38, 33]);
    expect(mass.density.value).toBe('软组织密度');
    expect(mass.enhancement.value).toBe('不均匀强化');
    const tumour = r.f.tumour;
    expect(tumour.primarySite.map((v: FieldValue) => v.value)).toEqual(['右肺下叶']);
    expect(tumour.primarySize.map((v: FieldValue) => v.value)).toEqual(['3.8CM×3.3CM']);
    // The learned scorer keeps what the impression calls metastatic; whether it also lists each destroyed bone of the findings varies, as in the corpus.
    expect(tumour.metastasisSites.map((v: FieldValue) => at(r, v))).toEqual(expect.arrayContaining(['右肺门及纵隔淋巴结', '双肺', '骨']));
  });
});

describe('pathology fields', () => {
  it('reads type, grade, size, invasion, margins, nodes per station, IHC, molecular and pTNM', () => {
    const r = structure('pathology', 'pathology');
    expect(at(r, r.f.specimen)).toBe('左乳肿物及左腋窝淋巴结');
    expect(r.f.histologicType.value).toBe('浸润性导管癌');
    expect(r.f.grade.value).toBe('组织学分级Ⅱ级');
    expect(r.f.size.mm).toEqual([32, 25, 20]);
    expect(r.f.invasionDepth.value).toBe('周围脂肪组织');
    expect(r.f.margins[0].normalized).toBe('negative');
    expect(r.f.lymphNodes.positive).toBe(3);
    expect(r.f.lymphNodes.examined).toBe(15);
    expect(r.f.lymphNodes.stations.map((s: { station: FieldValue }) => s.station.value)).toEqual(['腋窝', '第一水平', '第二水平']);
    const ihc = Object.fromEntries(r.f.ihc.map((m: { name: FieldValue; result: FieldValue }) => [m.name.normalized, m.result.normalized]));
    expect(ihc).toEqual({ ER: '90%+', PR: '60%+', HER2: '2+', 'Ki-67': '30%+', 'CK5/6': '-', P63: '-', 'E-cadherin': '+' });
    expect(at(r, r.f.ihc[3].raw)).toBe('Ki-67(约30%+)');
    expect(r.f.molecular[0].name.value).toBe('HER2');
    expect(r.f.molecular[0].result.normalized).toBe('positive');
    expect(r.f.ptnm).toMatchObject({ t: 'T2', n: 'N1', m: 'M0' });
    expect(at(r, r.f.ptnm.value)).toBe('pT2N1M0');
  });
});

describe('clinical record fields', () => {
  it('reads an admission record: history items, vitals, linked diagnoses, medications', () => {
    const r = structure('admission', 'admission');
    expect(at(r, r.f.chiefComplaint)).toBe('反复胸闷、胸痛3年，加重2天');
    expect(r.f.presentIllness.value.startsWith('患者3年前')).toBe(true);
    const past = r.f.pastHistory;
    expect(past.diseases.map((d: { text: FieldValue }) => d.text.value)).toEqual(['高血压', '2型糖尿病']);
    expect(past.allergies.normalized).toBe('present');
    expect(at(r, past.allergens[0])).toBe('青霉素');
    expect(past.transfusion.normalized).toBe('denied');
    expect(past.infections.normalized).toBe('denied');
    expect(past.operations.value).toContain('阑尾切除术');
    expect(r.f.personalHistory.smoking.normalized).toBe('present');
    expect(r.f.maritalHistory.value).toBe('已婚，育有1子1女');
    expect(r.f.familyHistory.value).toBe('父亲患高血压，母亲体健');
    expect(r.f.vitals.temperature.value.normalized).toBe(36.8);
    expect(r.f.vitals.pulse.value.normalized).toBe(88);
    expect(r.f.vitals.respiration.value.normalized).toBe(20);
    expect(r.f.vitals.bloodPressure.value.normalized).toBe('150/95');
    const admission = r.f.diagnoses.admission;
    expect(admission.map((d: { text: FieldValue }) => d.text.value)).toEqual(['冠状动脉粥样硬化性心脏病 不稳定型心绞痛', '高血压3级（很高危）', '2型糖尿病']);
    expect(admission[1].links[0].codes.icd10).toBe('I10xx05');
    expect(admission[1].text.normalized).toBe('高血压3级');
    const meds = r.f.medications.map((m: Record<string, FieldValue>) => [m.name!.value, m.dose!.normalized, m.route!.normalized, m.frequency!.normalized]);
    expect(meds).toEqual([['阿司匹林肠溶片', '100 mg', 'PO', 'QD'], ['阿托伐他汀钙片', '20 mg', 'PO', 'QN']]);
  });

  it('reads menstrual history worded or as the 13 5-7/28-30 formula', () => {
    const read = (text: string): Record<string, FieldValue> => (structureDocument(new MedDocument(text), { type: 'admission', pipeline: new Pipeline([]) }).fields.menstrualHistory as Record<string, FieldValue>);
    const worded = read('主诉：下腹痛2天。\n月经史：初潮13岁，经期5-7天，周期28-30天，末次月经2023-04-20。\n婚育史：已婚。');
    expect([worded.menarcheAge!.normalized, worded.period!.normalized, worded.cycle!.normalized, worded.lastPeriod!.normalized]).toEqual([13, '5-7', '28-30', '2023-04-20']);
    const formula = read('主诉：下腹痛2天。\n月经史：14 4-5/30 2023-5-2\n婚育史：已婚。');
    expect([formula.menarcheAge!.normalized, formula.period!.normalized, formula.cycle!.normalized, formula.lastPeriod!.normalized]).toEqual([14, '4-5', '30', '2023-05-02']);
  });

  it('reads a discharge record: both diagnosis lists, the procedure linked to ICD-9-CM-3, orders', () => {
    const r = structure('discharge', 'discharge');
    expect(r.f.diagnoses.discharge.map((d: { text: FieldValue }) => d.text.value)).toEqual(['胆囊结石伴慢性胆囊炎', '脂肪肝']);
    expect(r.f.diagnoses.admission).toHaveLength(1);
    expect(r.f.procedures[0].text.value).toBe('腹腔镜下胆囊切除术');
    expect(r.f.procedures[0].links[0].codes.icd9cm3).toBe('51.2300');
    expect(r.f.medications.map((m: Record<string, FieldValue>) => m.name!.value).sort()).toEqual(['头孢呋辛钠', '熊去氧胆酸胶囊']);
    expect(r.f.orders.value).toContain('术后1月门诊复查');
    expect(r.f.dischargeCondition.value).toBe('患者无腹痛，切口愈合良好，饮食正常');
    expect((r.result.report.dischargedAt as FieldValue).normalized).toBe('2023-04-12');
  });

  it('reads an outpatient record and a progress note', () => {
    const o = structure('outpatient', 'outpatient');
    expect(o.f.diagnoses.outpatient[0].text.value).toBe('社区获得性肺炎');
    expect(o.f.pastHistory.allergies.normalized).toBe('denied');
    expect(o.f.vitals.temperature.value.normalized).toBe(38.2);
    expect(o.f.medications[0].dose.normalized).toBe('0.625 g');
    const p = structure('progress_note', 'progress_note');
    expect(p.f.vitals.bloodPressure.value.normalized).toBe('132/80');
    expect(p.f.medications[0].name.value).toBe('氯吡格雷');
    expect(p.f.procedures[0].text.value).toBe('冠状动脉造影术');
  });

  it('reads an operation record: name, anesthesia, blood loss in mL, duration in minutes, times', () => {
    const r = structure('operation', 'operation');
    const op = r.f.operation;
    expect(at(r, op.name)).toBe('腹腔镜下根治性远端胃大部切除术');
    expect(at(r, op.anesthesia)).toBe('全身麻醉');
    expect(op.bloodLoss.normalized).toBe(200);
    expect(at(r, op.bloodLoss)).toBe('200ml');
    expect(op.duration.normalized).toBe(210);
    expect(op.startTime.normalized).toBe('2023-06-15 09:10');
    expect(r.f.diagnoses.postoperative[0].text.value).toBe('胃窦腺癌（T3N1M0）');
    expect(r.f.medications).toEqual([]);
  });
});

describe('ECG, endoscopy, prescription, certificate, checkup and leaflet fields', () => {
  it('reads ECG intervals in ms (0.16s → 160), axis, rhythm and conclusions', () => {
    const r = structure('ecg', 'ecg');
    expect(r.f.heartRate.normalized).toBe(112);
    expect(r.f.pr.normalized).toBe(160);
    expect(r.f.qrs.normalized).toBe(96);
    expect(r.f.qt.normalized).toBe(320);
    expect(r.f.qtc.normalized).toBe(436);
    expect(r.f.axis.normalized).toBe(45);
    expect(r.f.rv5PlusSv1.normalized).toBe(3.2);
    expect(r.f.rhythm.value).toBe('窦性心动过速');
    expect(r.f.conclusions.map((c: FieldValue) => c.value)).toEqual(['窦性心动过速', 'ST-T改变', '左心室高电压']);
  });

  it('reads the rate printed with the rhythm and coded findings of run-together checkup conclusions', () => {
    const doc = new MedDocument('心电图诊断：窦性心动过缓(52次/分)Q波异常(部分导联)部分ST-T改变');
    const f = structureDocument(doc, { type: 'ecg', pipeline: new Pipeline([]) }).fields as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(f.heartRate.normalized).toBe(52);
    expect(f.findings.map((x: FieldValue) => x.value)).toEqual(['窦性心动过缓', 'Q波异常', 'ST-T改变']);
  });

  it('reads endoscopy findings, diagnoses, lesion, biopsy site and count, HP test', () => {
    const r = structure('endoscopy', 'endoscopy');
    expect(r.f.diagnoses.map((d: { text: FieldValue }) => d.text.value)).toEqual(['胃窦溃疡（性质待病理）', '慢性非萎缩性胃炎']);
    const ulcer = r.f.lesions.find((l: { kind: FieldValue }) => l.kind.value === '溃疡');
    expect(ulcer.site.organ.value).toBe('胃窦');
    expect(ulcer.size.mm).toEqual([15, 12]);
    expect(r.f.biopsySites.map((b: FieldValue) => b.normalized)).toEqual(['胃窦小弯']);
    expect(r.f.biopsyCount.normalized).toBe(3);
    expect(r.f.hpTest.normalized).toBe('positive');
  });

  it('reads prescription items with specification, dose, frequency, route and quantity', () => {
    const r = structure('prescription', 'prescription');
    const drugs = r.f.drugs.map((d: Record<string, FieldValue>) => [d.name!.value, d.specification!.value, d.dose!.normalized, d.frequency!.normalized, d.route!.normalized, d.quantity!.normalized]);
    expect(drugs).toEqual([
      ['阿莫西林胶囊', '0.25g×24粒/盒', '0.5 g', 'TID', 'PO', '2 盒'],
      ['布洛芬缓释胶囊', '0.3g×20粒/盒', '0.3 g', 'BID', 'PO', '1 盒'],
      ['复方甘草口服溶液', '100ml/瓶', '10 ml', 'TID', 'PO', '1 瓶'],
    ]);
    expect((r.result.report.clinicalDiagnosis as FieldValue).value).toBe('急性上呼吸道感染');
  });

  it('reads a diagnosis certificate: diagnoses, advice and rest days', () => {
    const r = structure('diagnosis_certificate', 'diagnosis_certificate');
    expect(r.f.diagnoses.map((d: { text: FieldValue }) => d.text.value)).toEqual(['右胫骨骨折', '右踝关节扭伤']);
    expect(r.f.advice.value).toBe('患肢制动，全休一个月，定期复查');
    expect(r.f.restDays.normalized).toBe(30);
  });

  it('splits checkup conclusions into finding and advice', () => {
    const r = structure('checkup', 'checkup');
    expect(r.f.findings.map((x: { finding: FieldValue }) => x.finding.value)).toEqual(['血压偏高：测得血压145/92mmHg', '脂肪肝（轻度）', '甲状腺结节（TI-RADS 3类）', '总胆固醇偏高']);
    expect(at(r, r.f.findings[1].advice)).toBe('建议控制体重，低脂饮食，适当运动，半年后复查肝脏彩超');
  });

  it('reads the label sections of a drug leaflet', () => {
    const r = structure('drug_leaflet', 'drug_leaflet');
    expect(r.f.genericName.normalized).toBe('阿莫西林胶囊');
    expect(r.f.specification.value).toBe('0.25g');
    expect(r.f.contraindications.value).toBe('青霉素过敏及青霉素皮肤试验阳性患者禁用');
    expect(r.f.approvalNumber.value).toBe('国药准字H44021351');
    expect(r.f.storage.value).toBe('遮光，密封保存');
  });
});

describe('knowledge-graph look-up memory', () => {
  it('answers a repeated key from memory and stays bounded', () => {
    const asked: string[] = [];
    const lookup = memoize((key: string) => { asked.push(key); return key === '无' ? null : key.length; }, 2);
    expect([lookup('白细胞'), lookup('白细胞'), lookup('无'), lookup('无')]).toEqual([3, 3, null, null]);
    expect(asked).toEqual(['白细胞', '无']);
    lookup('血红蛋白');
    lookup('白细胞');
    expect(asked).toEqual(['白细胞', '无', '血红蛋白', '白细胞']);
  });
});
