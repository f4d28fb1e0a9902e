import type { ReportType } from '../classify/types.js';
import type { MedDocument } from '../document/document.js';
import type { FieldValue } from '../document/types.js';
import { readJsonResource } from '../resources.js';
import type { StructureResult } from './index.js';
import { asFv, baseInfo, block, norm, pageOf, part, size, src, withCoords, type Fv, type Obj } from './tencent-leaves.js';
import { indicatorV3, medDocV2, pathologyV2, vaccineCertificate } from './tencent-v2.js';

/**
 * The Tencent MRS TextToObject shapes (names as in MRS's API reference), filled from the native result so
 * MRS clients can switch without code changes. Index is [start, end) in code points of the input text.
 */
interface TencentTables {
  parents: Record<ReportType, Array<{ Id: number; Name: string }>>;
  reportNumber: Partial<Record<ReportType, string>>;
}

const tables = readJsonResource<TencentTables>('fields', 'tencent.json');

const attr = (name: string, v: Fv): Obj | null => (v ? { Name: name, Value: norm(v) } : null);

function patientInfo(p: Obj): Obj {
  const f = (k: string): string => src(asFv(p[k]));
  return {
    Name: f('name'), Sex: f('sex'), Age: f('age'), Phone: f('phone'), Address: f('address'), IdCard: f('idCard'),
    Birthday: f('birthDate'), Ethnicity: f('ethnicity'), Married: f('maritalStatus'), Profession: f('occupation'),
    BirthPlace: f('birthPlace'), MedicalInsuranceType: f('insuranceType'), AgeNorm: norm(asFv(p.age)), BedNo: f('bed'),
  };
}

function reportInfo(r: Obj, type: ReportType, typeName: string): Obj {
  const f = (k: string): string => src(asFv(r[k]));
  const out: Obj = {
    Hospital: f('hospital'), DepartmentName: f('department'), BillingTime: f('requestedAt'), ReportTime: f('reportedAt'),
    InspectTime: f('examinedAt') || f('sampledAt'), CheckNum: '', ImageNum: '', RadiationNum: '', TestNum: '', OutpatientNum: '',
    PathologyNum: '', InHospitalNum: '', SampleNum: '', SampleType: f('specimen'), MedicalRecordNum: '', ReportName: typeName,
    UltraNum: '', Diagnose: f('clinicalDiagnosis'), CheckItem: f('examItem'), CheckMethod: f('examMethod'), DiagnoseTime: '',
    HealthCheckupNum: '', OtherTime: f('receivedAt'), PrintTime: '', BedNo: '',
    Times: ['sampledAt', 'receivedAt', 'admittedAt', 'dischargedAt'].filter((k) => r[k]).map((k) => ({ Name: k, Value: norm(asFv(r[k])) })),
  };
  out[tables.reportNumber[type] ?? 'CheckNum'] = f('reportNumber');
  return out;
}

function patientNumbers(p: Obj, info: Obj): void {
  const f = (k: string): string => src(asFv(p[k]));
  info.OutpatientNum = f('outpatientNumber');
  info.InHospitalNum = f('inpatientNumber');
  info.MedicalRecordNum = f('medicalRecordNumber');
  info.BedNo = f('bed');
}

/**
 * Coords of a lab item from OCR/PDF input: the box around its name, result, flag, unit and range, as MRS's
 * IndicatorItem `Coordinate` {X, Y, Width, Height}.
 */
function itemCoords(item: Obj): { Coords?: { X: number; Y: number; Width: number; Height: number } } {
  const corners = ['name', 'result', 'flag', 'unit', 'range'].flatMap((k) => asFv(item[k])?.polygon ?? []);
  if (corners.length === 0) return {};
  const xs = corners.map((p) => p[0]), ys = corners.map((p) => p[1]);
  const [x0, y0, x1, y1] = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
  return { Coords: { X: Math.round(x0), Y: Math.round(y0), Width: Math.round(x1 - x0), Height: Math.round(y1 - y0) } };
}

function indicator(fields: Obj): Obj {
  const items = (fields.items as Array<Obj> | undefined) ?? [];
  return {
    Indicators: items.map((item, i) => {
      const flag = asFv(item.flag);
      const direction = item.direction as string | null;
      return {
        Code: src(asFv(item.abbreviation)),
        Scode: (item.code as string | null) ?? '',
        Name: src(asFv(item.name)),
        Sname: (item.standardName as string | null) ?? '',
        Result: src(asFv(item.result)),
        Unit: norm(asFv(item.unit)),
        Range: src(asFv(item.range)),
        Arrow: flag ? (direction === 'L' ? '↓' : direction === 'H' ? '↑' : flag.value) : '',
        Normal: item.abnormal !== true,
        InferNormal: item.abnormal === null ? '' : item.abnormal === true ? (direction === 'L' ? '↓' : direction === 'H' ? '↑' : '异常') : '正常',
        ItemString: asFv(item.name)?.src ?? '',
        Id: i + 1,
        ...itemCoords(item),
      };
    }),
    ...pageOf(items.map((item) => asFv(item.name))),
  };
}

function tuber(lesion: Obj): Obj {
  const site = lesion.site as Obj;
  const l = (k: string): Fv => asFv(lesion[k]);
  const organ = asFv(site.organ);
  const sub = asFv(site.subSite);
  const side = asFv(site.laterality);
  const partText = [side?.value, organ?.value, sub?.value].filter(Boolean).join('');
  return {
    Type: block('类型', l('kind')),
    Part: organ || sub ? { Name: '部位', Src: partText, Value: partText, Index: [Math.min(...[organ, sub, side].filter(Boolean).map((v) => v!.start)), Math.max(...[organ, sub, side].filter(Boolean).map((v) => v!.end))] } : null,
    Size: l('size') ? [size(l('size'))] : [],
    Multiple: l('count') ? { Name: '多发', Src: src(l('count')), Value: norm(l('count')), Index: [l('count')!.start, l('count')!.end], Count: typeof l('count')!.normalized === 'number' ? l('count')!.normalized : 0 } : null,
    Edge: block('边缘', l('margin')),
    InnerEcho: block('内部回声', l('echo')),
    Shape: block('形状', l('shape')),
    Calcification: block('钙化', l('calcification')),
    CDFI: block('血液cdfi', l('bloodFlow')),
    Enhancement: block('强化', l('enhancement')),
    Density: block('密度', l('density')),
    MriT2: block('MRI信号', l('signal')),
    SymDesc: block('病变', l('kind')),
    Src: src(l('text')),
    Index: l('text') ? [l('text')!.start, l('text')!.end] : [],
  };
}

function symptom(lesion: Obj, assertionPositive: boolean): Obj {
  const site = lesion.site as Obj;
  const text = asFv(lesion.text);
  return {
    Grade: block('等级', asFv(lesion.grade)),
    Part: part(asFv(site.organ)),
    Index: text ? [text.start, text.end] : [],
    Symptom: { ...block('病变', asFv(lesion.kind)), Positive: assertionPositive ? '阳性' : '阴性' },
    Attrs: ['shape', 'margin', 'echo', 'density', 'signal', 'calcification', 'bloodFlow', 'enhancement'].map((k) => block(k, asFv(lesion[k]))).filter(Boolean),
    Src: src(text),
  };
}

const positive = (lesion: Obj): boolean => (lesion.assertion as { certainty?: string } | null)?.certainty !== 'negative';

function check(fields: Obj): Obj {
  const lesions = (fields.lesions as Obj[] | undefined) ?? [];
  const findings = asFv(fields.findings);
  const impression = asFv(fields.impression);
  const inRegion = (l: Obj, region: Fv): boolean => !!region && asFv(l.text)!.start >= region.start && asFv(l.text)!.end <= region.end;
  const descLesions = findings ? lesions.filter((l) => inRegion(l, findings)) : lesions;
  const organs = new Map<string, Obj>();
  for (const m of (fields.organs as Obj[] | undefined) ?? []) {
    const organ = asFv(m.organ)!;
    const entry = organs.get(organ.value) ?? { Part: part(organ), Size: [], Src: organ.value, Index: [organ.start, organ.end] };
    (entry.Size as unknown[]).push({ ...size(asFv(m.size)), Name: src(asFv(m.subSite)) || '大小' });
    organs.set(organ.value, entry);
  }
  for (const l of descLesions) {
    const organ = asFv((l.site as Obj).organ);
    if (organ && !organs.has(organ.value)) organs.set(organ.value, { Part: part(organ), Size: [], SymDesc: block('描述信息', asFv(l.text)), Src: organ.value, Index: [organ.start, organ.end] });
  }
  return {
    Desc: { Text: src(findings), Organ: [...organs.values()], Tuber: descLesions.map(tuber) },
    Summary: { Text: src(impression), Symptom: lesions.filter((l) => inRegion(l, impression)).map((l) => symptom(l, positive(l))) },
  };
}

function diagItems(list: unknown, type: string): Obj[] {
  return ((list as Obj[] | undefined) ?? []).map((d) => {
    const text = asFv(d.text);
    const links = (d.links as Array<{ name: string; codes: Record<string, string> }> | undefined) ?? [];
    return { Text: src(text), Type: type, Value: links.length > 0 ? links.map((l) => `${l.name}${l.codes.icd10 ? `(${l.codes.icd10})` : ''}`) : [norm(text)] };
  });
}

function pathology(fields: Obj, doc: MedDocument): Obj {
  const lymph = fields.lymphNodes as { stations: Obj[] } | null;
  const ptnm = fields.ptnm as { value: FieldValue; t: string; n: string; m: string | null } | null;
  return {
    CancerPart: part(asFv(fields.specimen)),
    CancerSize: fields.size ? [size(asFv(fields.size))] : [],
    DescText: [src(asFv(fields.gross)), src(asFv(fields.microscopic))].filter(Boolean).join('\n'),
    HistologyLevel: fields.grade ? { Grade: norm(asFv(fields.grade)), Index: [asFv(fields.grade)!.start, asFv(fields.grade)!.end], Src: src(asFv(fields.grade)) } : null,
    HistologyType: fields.histologicType ? { Infiltration: /浸润/.test(src(asFv(fields.histologicType))) ? '浸润' : '', Index: [asFv(fields.histologicType)!.start, asFv(fields.histologicType)!.end], Src: src(asFv(fields.histologicType)), Type: norm(asFv(fields.histologicType)) } : null,
    IHC: ((fields.ihc as Obj[] | undefined) ?? []).map((m) => {
      const result = norm(asFv(m.result));
      const percent = /(\d+(?:\.\d+)?)%/.exec(result);
      return { Index: [asFv(m.raw)!.start, asFv(m.raw)!.end], Src: src(asFv(m.raw)), Name: norm(asFv(m.name)), Value: { Grade: /^\d\+$/.test(result) ? result : '', Percent: percent ? [Number(percent[1])] : [], Positive: /^-$|^0$/.test(result) ? '阴性' : result === '±' ? '弱阳性' : '阳性' } };
    }),
    InfiltrationDepth: block('浸润深度', asFv(fields.invasionDepth)),
    Invasive: ((fields.margins as FieldValue[] | undefined) ?? []).map((m) => ({ Index: [m.start, m.end], Part: part(m), Positive: m.normalized === 'positive' ? '阳性' : m.normalized === 'negative' ? '阴性' : '', Src: m.value })),
    LymphNodes: (lymph?.stations ?? []).map((s) => ({ Src: src(asFv(s.text)), Index: [asFv(s.text)!.start, asFv(s.text)!.end], Part: part(asFv(s.station)), Total: s.examined, TransferNum: s.positive })),
    PTNM: ptnm ? block('pTNM', ptnm.value) : null,
    SampleType: block('标本类型', asFv(fields.specimen)),
    SummaryText: src(asFv(fields.diagnosis)),
    ReportText: doc.text,
  };
}

function medDoc(fields: Obj): Obj {
  const past = (fields.pastHistory as Obj | undefined) ?? {};
  const personal = (fields.personalHistory as Obj | undefined) ?? {};
  const diagnoses = (fields.diagnoses as Obj | undefined) ?? {};
  const menstrual = (fields.menstrualHistory as Obj | null | undefined) ?? {};
  const t = (k: string): string => src(asFv(fields[k]));
  return {
    Advice: { Text: t('orders') },
    Diagnosis: [
      ...diagItems(diagnoses.admission, '入院诊断'), ...diagItems(diagnoses.discharge, '出院诊断'), ...diagItems(diagnoses.outpatient, '门诊诊断'),
      ...diagItems(diagnoses.preoperative, '术前诊断'), ...diagItems(diagnoses.postoperative, '术后诊断'),
    ],
    DiseaseMedicalHistory: {
      MainDiseaseHistory: src(asFv(past.text)), AllergyHistory: src(asFv(past.allergies)), InfectHistory: src(asFv(past.infections)),
      OperationHistory: src(asFv(past.operations)), TransfusionHistory: src(asFv(past.transfusion)), DiseasePresent: t('presentIllness'),
    },
    PersonalMedicalHistory: { BirthPlace: '', LivePlace: '', Job: '', SmokeHistory: src(asFv(personal.smoking)), AlcoholicHistory: src(asFv(personal.alcohol)) },
    ObstericalMedicalHistory: { MarriageHistory: t('maritalHistory'), FertilityHistory: '' },
    FamilyMedicalHistory: { RelativeHistory: t('familyHistory'), RelativeCancerHistory: '', GeneticHistory: '' },
    MenstrualMedicalHistory: {
      LastMenstrualPeriod: norm(asFv(menstrual.lastPeriod)), MenstrualFlow: '', MenarcheAge: norm(asFv(menstrual.menarcheAge)),
      MenstruationOrNot: /绝经|停经/.test(src(asFv(menstrual.text))) ? '否' : menstrual.text ? '是' : '', MenstrualCycles: norm(asFv(menstrual.cycle)), MenstrualPeriod: norm(asFv(menstrual.period)),
    },
    TreatmentRecord: {
      ChiefComplaint: t('chiefComplaint'), DiseasePresent: t('presentIllness'), BodyExamination: t('physicalExam'),
      AuxiliaryExamination: t('auxiliaryExam'), CheckAndTreatmentProcess: t('treatmentCourse'), DischargeCondition: t('dischargeCondition'),
      TreatmentSuggestion: t('orders'), SurgeryCondition: src(asFv((fields.operation as Obj | undefined)?.procedure)),
    },
  };
}

function surgery(fields: Obj): Obj {
  const op = (fields.operation as Obj | undefined) ?? {};
  const diagnoses = (fields.diagnoses as Obj | undefined) ?? {};
  const first = (list: unknown): Fv => asFv(((list as Obj[] | undefined) ?? [])[0]?.text);
  const o = (k: string): Fv => asFv(op[k]);
  return {
    SurgeryHistory: {
      SurgeryName: attr('手术名称', o('name')), SurgeryDate: attr('手术日期', o('startTime')),
      PreoperativePathology: attr('术前诊断', first(diagnoses.preoperative)), IntraoperativePathology: null,
      PostoperativePathology: attr('术后诊断', first(diagnoses.postoperative)), DischargeDiagnosis: attr('出院诊断', first(diagnoses.discharge)),
    },
    OtherInfo: {
      Anesthesia: attr('麻醉方法', o('anesthesia')), BloodLoss: o('bloodLoss') ? { Name: '术中出血', Value: `${norm(o('bloodLoss'))}ml` } : null,
      BloodTransfusion: attr('输血', o('transfusion')), Duration: o('duration') ? { Name: '手术用时', Value: `${norm(o('duration'))}分钟` } : null,
      StartTime: attr('手术开始时间', o('startTime')), EndTime: attr('手术结束时间', o('endTime')),
    },
  };
}

const ECG_NAMES: Record<string, [string, string]> = {
  heartRate: ['HeartRate', '心率'], atrialRate: ['AuricularRate', '心房率'], rhythm: ['Rhythm', '节律'], pDuration: ['PDuration', 'P波时间'],
  qrs: ['QrsDuration', 'QRS时间'], axis: ['QrsAxis', 'QRS电轴'], pr: ['PRInterval', 'P-R间期'], qt: ['QTInterval', 'Q-T间期'],
  qtc: ['QTCInterval', 'QTc间期'], rv5: ['Rv5Amplitude', 'RV5振幅'], sv1: ['SV1Amplitude', 'SV1振幅'], rv5PlusSv1: ['Rv5AddSV1Amplitude', 'RV5+SV1振幅'],
};

function electrocardiogram(fields: Obj): Obj {
  const desc: Obj = {};
  for (const [key, [tencent, name]] of Object.entries(ECG_NAMES)) {
    const v = asFv(fields[key]);
    desc[tencent] = v ? { Name: name, Value: norm(v), Unit: (fields[key] as { unit?: string }).unit ?? '', Src: v.src } : null;
  }
  return { EcgDescription: desc, EcgDiagnosis: { Name: '心电图诊断', Value: ((fields.conclusions as FieldValue[] | undefined) ?? []).map((c) => c.value) } };
}

function endoscopy(fields: Obj): Obj {
  const lesions = (fields.lesions as Obj[] | undefined) ?? [];
  const biopsy = (fields.biopsySites as FieldValue[] | undefined) ?? [];
  return {
    BiopsyPart: biopsy.length > 0 ? { Value: biopsy.map((b) => norm(b)).join('、'), Src: biopsy.map((b) => b.src).join(';') } : null,
    Desc: {
      Text: src(asFv(fields.findings)),
      Organ: lesions.map((l) => {
        const organ = asFv((l.site as Obj).organ);
        const text = asFv(l.text)!;
        return { Part: part(organ), Index: [text.start, text.end], Src: text.value, PartAlias: organ?.value ?? '', SymDescList: [block('病变', asFv(l.kind))].filter(Boolean) };
      }),
    },
    Summary: { Text: src(asFv(fields.diagnosis)), Symptom: [] },
  };
}

/** A vaccination certificate's holder, read with the certificate's own labels (受种者姓名, 证件号码…), is the patient. */
function holderInfo(info: Obj, holder: Obj): void {
  for (const [key, field] of [['Name', 'name'], ['Sex', 'sex'], ['Birthday', 'birthDate'], ['IdCard', 'idNumber']] as const) {
    const v = asFv(holder[field]);
    if (v) info[key] = v.value;
  }
}

/** EndoscopyV2 (a Check): the findings' lesions by organ, and the endoscopic diagnoses as Summary symptoms. */
function endoscopyV2(fields: Obj): Obj {
  const diagnosis = asFv(fields.diagnosis);
  const out = check({ ...fields, impression: diagnosis });
  (out.Summary as Obj).Symptom = ((fields.diagnoses as Obj[] | undefined) ?? []).map((d) => {
    const text = asFv(d.text)!;
    return withCoords({ Index: [text.start, text.end], Symptom: block('病变', text), Src: text.value }, text);
  });
  return { ...out, ...pageOf([asFv(fields.findings), diagnosis]) };
}

function prescription(fields: Obj): Obj {
  return {
    MedicineList: ((fields.drugs as Obj[] | undefined) ?? []).map((d) => ({
      Name: src(asFv(d.name)), TradeName: '', Firm: '', Category: '', Specification: src(asFv(d.specification)),
      MinQuantity: norm(asFv(d.quantity)), DosageUnit: norm(asFv(d.dose)), PackingUnit: '',
    })),
  };
}

function exame(fields: Obj): Obj {
  const findings = (fields.findings as Obj[] | undefined) ?? [];
  return {
    OverView: findings.map((f) => ({ Text: baseInfo('结论', asFv(f.text)!), Items: [baseInfo('异常', asFv(f.finding)!)] })),
    Abnormality: findings.map((f) => ({ Text: baseInfo('异常', asFv(f.finding)!), Items: asFv(f.advice) ? [baseInfo('建议', asFv(f.advice)!)] : [] })),
  };
}

function diagCert(fields: Obj): Obj {
  return { Advice: { Text: src(asFv(fields.advice)) }, Diagnosis: diagItems(fields.diagnoses, '诊断') };
}

/** The MRS `Template` of a structure result. */
export function toTencentTemplate(result: StructureResult, doc: MedDocument): Obj {
  const type = result.type.type;
  const fields = result.fields as Obj;
  const info = reportInfo(result.report as Obj, type, result.type.name);
  patientNumbers(result.patient as Obj, info);
  const template: Obj = { PatientInfo: patientInfo(result.patient as Obj), ReportInfo: info, ReportType: result.type.name };
  if (type === 'vaccination') holderInfo(template.PatientInfo as Obj, (fields.holder as Obj | undefined) ?? {});
  if (type === 'lab') {
    template.Indicator = indicator(fields);
    template.IndicatorV3 = indicatorV3(fields, result.report as Obj);
  } else if (['ultrasound', 'ct', 'mri', 'xray', 'mammography'].includes(type)) template.Check = check(fields);
  else if (type === 'pathology') {
    template.Pathology = pathology(fields, doc);
    template.PathologyV2 = pathologyV2(fields, result.report as Obj, doc.text);
  } else if (type === 'ecg') template.Electrocardiogram = electrocardiogram(fields);
  else if (type === 'endoscopy') {
    template.Endoscopy = endoscopy(fields);
    template.EndoscopyV2 = endoscopyV2(fields);
  } else if (type === 'vaccination') template.VaccineCertificate = vaccineCertificate(fields);
  else if (type === 'prescription') template.Prescription = prescription(fields);
  else if (type === 'diagnosis_certificate') template.DiagCert = diagCert(fields);
  else if (type === 'checkup') {
    template.Exame = exame(fields);
    // A checkup's lab tables, from every page, as the lab sheet's indicators.
    template.Indicator = indicator({ items: fields.labItems });
  }
  else if (['admission', 'discharge', 'outpatient', 'progress_note', 'front_sheet', 'operation'].includes(type)) {
    template.MedDoc = medDoc(fields);
    if (['admission', 'discharge', 'outpatient'].includes(type)) template.MedDocV2 = medDocV2(fields, result.patient as Obj, type);
    if (type === 'operation') template.Surgery = surgery(fields);
  }
  template.OcrText = doc.text;
  return template;
}

/** The TextToObject response body (without RequestId): `{Template, TextTypeList}`. */
export function toTencentResponse(result: StructureResult, doc: MedDocument): Obj {
  const parents = tables.parents[result.type.type] ?? [];
  const TextTypeList = [...parents, { Id: result.type.code, Name: result.type.name }].map((t, i) => ({ Id: t.Id, Level: i + 1, Name: t.Name }));
  return { Template: toTencentTemplate(result, doc), TextTypeList };
}
