import type { ReportType } from '../classify/types.js';
import type { FieldValue } from '../document/types.js';
import { readJsonResource } from '../resources.js';
import { asFv, baseInfo, norm, pageOf, part, size, src, withCoords, type Fv, type Obj } from './tencent-leaves.js';

/**
 * The MRS v2 blocks (PathologyV2, IndicatorV3, MedDocV2, EndoscopyV2) and VaccineCertificate, with the names and
 * nesting of MRS's API reference. A leaf medstruct reads is always there ('' / [] / null when this report lacks
 * it); a leaf medstruct never reads is left out rather than filled with a placeholder.
 */
interface V2Tables {
  histologyClasses: Array<{ key: 'Malignant' | 'Precancer' | 'Benigntumor'; name: string; pattern: string }>;
  negatedBefore: string;
  molecular: { exon: string; position: string; types: string[] };
}

const tables = readJsonResource<{ v2: V2Tables }>('fields', 'tencent.json').v2;
const CLASS_RES = tables.histologyClasses.map((c) => ({ ...c, re: new RegExp(c.pattern) }));
const NEGATED_BEFORE = new RegExp(`(?:${tables.negatedBefore})\\s*$`);
const EXON_RE = new RegExp(tables.molecular.exon, 'i');
const POSITION_RE = new RegExp(tables.molecular.position);

const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);
const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});

/** BaseItem: {Name, Src, Value, Coords}. */
function baseItem(name: string, v: FieldValue, value = norm(v)): Obj {
  return withCoords({ Name: name, Src: v.value, Value: value }, v);
}

/** VaccineCertificate: one Vaccination per record, each leaf as the certificate writes it. */
export function vaccineCertificate(fields: Obj): Obj {
  const records = list(fields.records);
  return {
    VaccineList: records.map((r, i) => {
      const s = (k: string): string => src(asFv(r[k]));
      return { Id: String(i + 1), Vaccine: s('vaccine'), Dose: s('dose'), Date: s('date'), LotNumber: s('lot'), Manufacturer: s('manufacturer'), Clinic: s('clinic'), Site: s('site'), Provider: s('provider'), Lot: s('lot') };
    }),
    ...pageOf(records.map((r) => asFv(r.text))),
  };
}

// ---------------------------------------------------------------- PathologyV2

/** A field value over [start, end) of the original text, for the descriptions MRS gives as one span. */
function spanning(a: FieldValue, b: FieldValue, text: string): FieldValue {
  const chars = Array.from(text);
  const start = Math.min(a.start, b.start);
  const end = Math.max(a.end, b.end);
  return { ...a, value: chars.slice(start, end).join(''), normalized: `${a.value}\n${b.value}`, start, end, src: chars.slice(start, end).join('') };
}

/** The part a diagnosis names in brackets before it: （左乳）浸润性导管癌. */
function diagnosisPart(diagnosis: FieldValue): Obj | null {
  const m = /^[（(]([^（()）]{1,20})[)）]/.exec(diagnosis.value);
  if (!m) return null;
  const start = diagnosis.start + 1;
  const end = start + Array.from(m[1]!).length;
  return { Name: '部位', Src: m[1], Value: m[1], Index: [start, end] };
}

function ihcV2(fields: Obj): Obj[] {
  return list(fields.ihc).map((m) => {
    const raw = asFv(m.raw)!;
    const result = norm(asFv(m.result));
    const percent = /(\d+(?:\.\d+)?)%/.exec(result);
    return withCoords({
      Index: [raw.start, raw.end], Src: raw.value, Name: norm(asFv(m.name)),
      Value: { Grade: /^\d\+$/.test(result) ? result : '', Percent: percent ? [Number(percent[1])] : [], Positive: /^-$|^0$/.test(result) ? '阴性' : result === '±' ? '弱阳性' : '阳性' },
    }, raw);
  });
}

function molecularV2(fields: Obj): Obj[] {
  return list(fields.molecular).map((m) => {
    const name = asFv(m.name)!;
    const result = asFv(m.result)!;
    const detail = result.value;
    const exon = EXON_RE.exec(detail);
    const position = POSITION_RE.exec(detail);
    return withCoords({
      Index: [name.start, result.end], Src: `${name.value}${detail}`, Name: norm(name),
      Value: {
        Exon: exon ? (exon.slice(1).find((g) => g !== undefined) ?? '') : '', Position: position ? position[0] : '',
        Type: tables.molecular.types.find((t) => detail.includes(t)) ?? '',
        Positive: result.normalized === 'positive' ? '阳性' : result.normalized === 'negative' ? '阴性' : '', Src: name.value,
      },
    }, name);
  });
}

/**
 * Malignant / Precancer / Benigntumor: the one the diagnosed type's name shows (not negated just before it) says 是;
 * the others stay null, as nothing in the report says 否.
 */
function histologyClasses(type: Fv, text: string): Obj {
  const out: Obj = Object.fromEntries(CLASS_RES.map((c) => [c.key, null]));
  if (!type || NEGATED_BEFORE.test(Array.from(text).slice(Math.max(0, type.start - 6), type.start).join(''))) return out;
  const hit = CLASS_RES.find((c) => c.re.test(type.value));
  if (hit) out[hit.key] = withCoords({ Name: hit.name, Index: [type.start, type.end], Src: type.value, Value: '是' }, type);
  return out;
}

function pathologyDetail(fields: Obj, diagnosis: Fv): Obj | null {
  const grade = asFv(fields.grade);
  const type = asFv(fields.histologicType);
  const depth = asFv(fields.invasionDepth);
  const tumourSize = asFv(fields.size);
  const ptnm = fields.ptnm as { value: FieldValue; t: string; n: string; m: string | null } | null;
  const margins = list(fields.margins).map((m) => m as unknown as FieldValue);
  if (!grade && !type && !depth && !tumourSize && !ptnm && margins.length === 0) return null;
  return {
    Part: diagnosis ? diagnosisPart(diagnosis) : null,
    CancerSizes: tumourSize ? [size(tumourSize)] : [],
    HistologyLevel: grade ? baseInfo('组织学等级', grade) : null,
    HistologyType: type ? withCoords({ Infiltration: /浸润/.test(type.value) ? '浸润' : '', Index: [type.start, type.end], Src: type.value, Type: norm(type), Name: '组织学类型' }, type) : null,
    Invasive: margins.map((m) => {
      const word = /(?:上|下|远|近|环周|基底|两侧|各|手术)?切缘/.exec(m.value);
      const at = word ? m.start + Array.from(m.value.slice(0, word.index)).length : m.start;
      return withCoords({
        Index: [m.start, m.end], Part: word ? { Name: '部位', Src: word[0], Value: word[0], Index: [at, at + Array.from(word[0]).length] } : null,
        Positive: m.normalized === 'positive' ? '阳性' : m.normalized === 'negative' ? '阴性' : '', Src: m.value,
      }, m);
    }),
    PTNM: ptnm ? withCoords({ Name: 'pTNM', Index: [ptnm.value.start, ptnm.value.end], Src: ptnm.value.value, Value: norm(ptnm.value), PT: ptnm.t, PN: ptnm.n, PM: ptnm.m ?? '' }, ptnm.value) : null,
    InfiltrationDepth: depth ? baseInfo('浸润深度', depth) : null,
  };
}

export function pathologyV2(fields: Obj, report: Obj, text: string): Obj {
  const gross = asFv(fields.gross);
  const micro = asFv(fields.microscopic);
  const diagnosis = asFv(fields.diagnosis);
  const description = gross && micro && gross.end <= micro.start ? spanning(gross, micro, text) : gross ?? micro;
  const lymph = fields.lymphNodes as { positive: number; examined: number; stations: Obj[] } | null;
  const stations = lymph?.stations ?? [];
  const totals = stations.filter((s) => !s.breakdown).map((s) => asFv(s.text)!);
  const detail = pathologyDetail(fields, diagnosis);
  const clinical = asFv(obj(report).clinicalDiagnosis);
  const specimen = asFv(fields.specimen);
  return {
    Desc: description ? { Text: baseInfo('描述段落', description) } : null,
    Summary: diagnosis ? { Text: baseInfo('诊断结论', diagnosis), Infos: detail ? [detail] : [] } : null,
    ReportText: text,
    LymphTotal: lymph && totals.length > 0
      ? [{ Name: '淋巴结', TransferNum: lymph.positive, Total: lymph.examined, Src: totals.map((t) => t.value).join('；'), Index: [totals[0]!.start, totals[totals.length - 1]!.end] }]
      : [],
    LymphNodes: stations.filter((s) => s.station).map((s) => {
      const t = asFv(s.text)!;
      return withCoords({ Name: '淋巴结', Index: [t.start, t.end], Part: part(asFv(s.station)), Src: t.value, Total: s.examined, TransferNum: s.positive }, t);
    }),
    Ihc: ihcV2(fields),
    Clinical: clinical ? baseInfo('临床诊断', clinical) : null,
    ...histologyClasses(asFv(fields.histologicType), text),
    SampleType: specimen ? baseInfo('送检材料', specimen) : null,
    Molecular: molecularV2(fields),
    ...pageOf([specimen, gross, micro, diagnosis]),
  };
}

// ---------------------------------------------------------------- IndicatorV3

const ARROWS: Record<string, string> = { H: '↑', L: '↓' };

function indicatorItemV2(item: Obj, i: number): Obj {
  const name = asFv(item.name)!;
  const abbreviation = asFv(item.abbreviation);
  const code = (item.code as string | null) ?? null;
  const result = asFv(item.result)!;
  const unit = asFv(item.unit);
  const range = asFv(item.range);
  const flag = asFv(item.flag);
  const direction = item.direction as string | null;
  return {
    Item: baseItem('项目名称', name, (item.standardName as string | null) ?? name.value),
    Code: abbreviation ? baseItem('英文编码', abbreviation, code ?? abbreviation.value) : code ? { Name: '英文编码', Src: '', Value: code } : null,
    Result: baseItem('结果', result),
    Unit: unit ? baseItem('单位', unit) : null,
    Range: range ? baseItem('参考范围', range) : null,
    Arrow: flag ? baseItem('上下箭头', flag, ARROWS[direction ?? ''] ?? flag.value) : null,
    Normal: item.abnormal !== true,
    Id: i + 1,
    Order: i + 1,
    InferNormal: item.abnormal === null ? '' : item.abnormal === true ? (ARROWS[direction ?? ''] ?? '异常') : '正常',
  };
}

/** IndicatorV3: the sheet as one table (TableIndicators, and TableIndictors, the misspelt name older clients read). */
export function indicatorV3(fields: Obj, report: Obj): Obj {
  const items = list(fields.items);
  const specimen = asFv(report.specimen);
  const table = { Indicators: items.map(indicatorItemV2), Sample: specimen ? baseItem('采样标本', specimen) : null };
  return { TableIndictors: [table], TableIndicators: [table], ...pageOf(items.map((x) => asFv(x.name))) };
}

// ---------------------------------------------------------------- MedDocV2 (DischargeInfoBlock)

const named = (name: string, v: Fv): Obj | null => (v ? { Name: name, Src: v.value, Value: norm(v) } : null);
const withNorm = (name: string, v: Fv): Obj | null => (v ? { Name: name, Src: v.value, Value: v.value, Norm: norm(v) } : null);

/** A history statement: State true when the record affirms it, false when it denies it. */
function stated(name: string, v: Fv, value?: string): Obj | null {
  return v ? { Name: name, Src: v.value, State: v.normalized === 'present', Value: value ?? (v.normalized === 'present' ? v.value : '') } : null;
}

/** A diagnosis list as one block: the list as written, the items and their standard names. */
function diagnosisBlock(name: string, diagnoses: Obj[]): Obj | null {
  if (diagnoses.length === 0) return null;
  const texts = diagnoses.map((d) => asFv(d.text)!);
  return { Name: name, Src: texts[0]!.src, Norm: texts.map((t) => norm(t)).join('；'), Value: texts.map((t) => t.value).join('；') };
}

const diagnosisText = (diagnoses: Obj[]): string => asFv(diagnoses[0]?.text)?.src ?? '';

function vital(name: string, v: Obj | undefined): Obj | null {
  const value = asFv(v?.value);
  if (!v || !value) return null;
  const out: Obj = { Name: name, Src: value.src, Norm: norm(value), Unit: v.unit as string, Value: value.value };
  if (name === '血压') {
    const [systolic, diastolic] = norm(value).split('/');
    out.NormSystolic = systolic ?? '';
    out.NormDiastolic = diastolic ?? '';
  }
  return out;
}

function menstrualBlock(m: Obj | null): Obj | null {
  const text = asFv(m?.text);
  if (!m || !text) return null;
  const item = (name: string, k: string): Obj | null => {
    const v = asFv(m[k]);
    return v ? { Name: name, Src: v.value, Norm: norm(v), Value: v.value } : null;
  };
  const menopause = /未绝经/.test(text.value) ? '否' : /绝经/.test(text.value) ? '是' : null;
  return {
    LastMenstrualPeriod: item('末次月经', 'lastPeriod'), MenarcheAge: item('初潮年龄', 'menarcheAge'), MenstrualCycles: item('月经周期', 'cycle'),
    MenstrualPeriod: item('月经经期', 'period'), MenstruationOrNot: menopause ? { Name: '是否绝经', Src: text.value, Norm: menopause, Value: menopause } : null,
  };
}

/** DrugHistory: the medicines the past history says the patient takes (not those the record orders). */
function drugHistory(past: Obj): Obj | null {
  const meds = list(past.medications);
  if (meds.length === 0) return null;
  return {
    Name: '药物史', Src: meds.map((m) => src(asFv(m.text))).join('；'),
    DrugList: meds.map((m) => {
      const dose = asFv(m.dose);
      const frequency = asFv(m.frequency);
      const route = asFv(m.route);
      return {
        CommonName: norm(asFv(m.name)),
        Dosage: { Value: [dose, frequency, route].filter(Boolean).map((v) => v!.value).join(' '), SingleMeasurement: src(dose), Frequency: norm(frequency), DrugDeliveryRoute: norm(route) },
        Value: src(asFv(m.text)),
      };
    }),
    Value: meds.map((m) => norm(asFv(m.name))).join('，'),
  };
}

/** MedDocV2 (DischargeInfoBlock) of an admission, discharge or outpatient record. */
export function medDocV2(fields: Obj, patient: Obj, type: ReportType): Obj {
  const past = obj(fields.pastHistory);
  const personal = obj(fields.personalHistory);
  const diagnoses = obj(fields.diagnoses);
  const vitals = obj(fields.vitals) as Record<string, Obj>;
  const f = (k: string): Fv => asFv(fields[k]);
  const t = (k: string): string => src(f(k));
  const admission = list(diagnoses.admission);
  const discharge = list(diagnoses.discharge);
  const outpatient = list(diagnoses.outpatient);
  const pastDiseases = list(past.diseases).map((d) => norm(asFv(d.text)));
  const allergens = list(past.allergens).map((a) => norm(a as unknown as FieldValue));
  const pastText = asFv(past.text);
  const operations = asFv(past.operations);
  const menstrual = (fields.menstrualHistory as Obj | null | undefined) ?? null;
  const orders = f('orders');
  const instructionsKey = type === 'discharge' ? 'DischargeInstructions' : 'TreatmentSuggestion';
  const anyVital = ['temperature', 'pulse', 'respiration', 'bloodPressure'].some((k) => vitals[k]);
  return {
    DiseaseHistory: {
      MainDiseaseHistory: pastText ? { Name: '既往史', Src: pastText.value, State: pastDiseases.length > 0, Value: pastDiseases.join('，') } : null,
      AllergyHistory: stated('过敏史', asFv(past.allergies), allergens.join('，')),
      InfectHistory: stated('传染病史', asFv(past.infections)),
      SurgeryHistory: operations ? { Name: '手术史', Src: operations.value, Value: operations.normalized === 'present' ? operations.value : '' } : null,
      TransfusionHistory: stated('输血史', asFv(past.transfusion)),
    },
    PersonalHistory: {
      BirthPlace: named('出生地', asFv(patient.birthPlace)), LivePlace: named('居住地', asFv(patient.address)), Job: named('职业', asFv(patient.occupation)),
      SmokeHistory: stated('吸烟史', asFv(personal.smoking)), AlcoholicHistory: stated('饮酒史', asFv(personal.alcohol)),
      MenstrualHistory: menstrualBlock(menstrual),
      ObstericalHistory: f('maritalHistory') ? { MarriageHistory: named('婚育史', f('maritalHistory')) } : null,
      FamilyHistory: f('familyHistory') ? { RelativeHistory: named('家族史', f('familyHistory')) } : null,
    },
    DrugHistory: drugHistory(past),
    TreatmentRecord: {
      ChiefComplaint: named('主诉', f('chiefComplaint')),
      DiseasePresent: withNorm('现病史', f('presentIllness')),
      BodyExamination: anyVital ? { BodyTemperature: vital('体温', vitals.temperature), Pulse: vital('脉搏', vitals.pulse), Breathe: vital('呼吸', vitals.respiration), BloodPressure: vital('血压', vitals.bloodPressure) } : null,
      AdmissionDiagnosis: diagnosisBlock('入院诊断', admission),
      DischargeDiagnosis: diagnosisBlock('出院诊断', discharge),
      AuxiliaryExamination: withNorm('辅助检查', f('auxiliaryExam')),
      CheckAndTreatmentProcess: withNorm('诊疗经过', f('treatmentCourse')),
      DischargeCondition: withNorm('出院情况', f('dischargeCondition')),
      [instructionsKey]: withNorm(type === 'discharge' ? '出院医嘱' : '治疗建议', orders),
      ChiefComplaintText: t('chiefComplaint'), AdmissionDiagnosisText: diagnosisText(admission), DischargeDiagnosisText: diagnosisText(discharge),
      OutpatientDiagnosisText: diagnosisText(outpatient), AuxiliaryExaminationText: t('auxiliaryExam'), CheckAndTreatmentProcessText: t('treatmentCourse'),
      DischargeConditionText: t('dischargeCondition'), DischargeInstructionsText: type === 'discharge' ? src(orders) : '',
    },
    ParagraphBlock: {
      ChiefComplaintText: t('chiefComplaint'), DiseasePresentText: t('presentIllness'), MainDiseaseHistoryText: src(pastText),
      AllergyHistoryText: src(asFv(past.allergies)), PersonalHistoryText: src(asFv(personal.text)),
      MenstrualHistoryText: src(asFv(menstrual?.text)), MenstruallHistoryText: src(asFv(menstrual?.text)),
      ObstericalHistoryText: t('maritalHistory'), FamilyHistoryText: t('familyHistory'), BodyExaminationText: t('physicalExam'),
      AuxiliaryExaminationText: t('auxiliaryExam'), CheckAndTreatmentProcessText: t('treatmentCourse'),
      AdmissionDiagnosisText: diagnosisText(admission), DischargeDiagnosisText: diagnosisText(discharge), OutpatientDiagnosisText: diagnosisText(outpatient),
      DischargeConditionText: t('dischargeCondition'), DischargeInstructionsText: type === 'discharge' ? src(orders) : '',
    },
    ...pageOf([f('chiefComplaint'), f('presentIllness'), pastText, f('treatmentCourse')]),
  };
}
