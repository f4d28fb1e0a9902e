/**
 * Report types, their finer subtypes and the matching Tencent MRS report type codes (TextTypeList ids),
 * so MRS clients can switch without remapping.
 */

export const REPORT_TYPES = [
  'lab',
  'ultrasound',
  'ct',
  'mri',
  'xray',
  'mammography',
  'endoscopy',
  'ecg',
  'pathology',
  'admission',
  'discharge',
  'outpatient',
  'operation',
  'progress_note',
  'front_sheet',
  'prescription',
  'diagnosis_certificate',
  'vaccination',
  'checkup',
  'drug_leaflet',
  'other',
] as const;

export type ReportType = (typeof REPORT_TYPES)[number];

export interface TypeCode {
  code: number;
  /** The MRS TextTypeList name. */
  name: string;
}

export interface ClassificationCandidate extends TypeCode {
  type: ReportType;
  subtype: string | null;
  confidence: number;
}

export interface Classification extends ClassificationCandidate {
  /** The next most likely types, best first (never repeats the chosen one). */
  alternatives: ClassificationCandidate[];
}

/** MRS code and name of each type when no finer subtype applies. */
export const TYPE_CODES: Readonly<Record<ReportType, TypeCode>> = {
  lab: { code: 11, name: '检验报告' },
  ultrasound: { code: 345, name: '超声报告' },
  ct: { code: 347, name: 'CT报告' },
  mri: { code: 349, name: 'MRI报告' },
  xray: { code: 351, name: 'X线报告' },
  mammography: { code: 350, name: '乳腺钼靶报告' },
  endoscopy: { code: 27, name: '内镜报告' },
  ecg: { code: 363, name: '心电图报告' },
  pathology: { code: 15, name: '病理报告' },
  admission: { code: 29, name: '入院报告' },
  discharge: { code: 28, name: '出院报告' },
  outpatient: { code: 210, name: '门诊病历' },
  operation: { code: 212, name: '手术记录' },
  progress_note: { code: 217, name: '病程记录' },
  front_sheet: { code: 211, name: '病案首页' },
  prescription: { code: 215, name: '处方单' },
  diagnosis_certificate: { code: 218, name: '诊断证明' },
  vaccination: { code: 219, name: '疫苗接种证明' },
  checkup: { code: 17, name: '体检结论' },
  drug_leaflet: { code: 223, name: '药品说明书' },
  other: { code: 0, name: '其他' },
};

/** Subtypes with their own MRS code; the parent type is implied by the key's owner. */
export const SUBTYPE_CODES: Readonly<Partial<Record<ReportType, Readonly<Record<string, TypeCode>>>>> = {
  ultrasound: {
    obstetric: { code: 3451, name: '产科超声报告' },
    echocardiography: { code: 345, name: '超声心动图报告' },
  },
  ct: {
    pet_ct: { code: 352, name: 'PET-CT报告' },
  },
  endoscopy: {
    gastroscopy: { code: 353, name: '胃镜报告' },
    colonoscopy: { code: 354, name: '肠镜报告' },
    laryngoscopy: { code: 355, name: '喉镜报告' },
    colposcopy: { code: 356, name: '阴道镜报告' },
    cystoscopy: { code: 357, name: '膀胱镜报告' },
    laparoscopy: { code: 358, name: '腹腔镜报告' },
    hysteroscopy: { code: 359, name: '宫腔镜报告' },
    bronchoscopy: { code: 360, name: '支气管镜报告' },
    nasopharyngoscopy: { code: 361, name: '鼻咽镜报告' },
    rhinoscopy: { code: 362, name: '鼻内镜报告' },
  },
  discharge: {
    discharge_certificate: { code: 222, name: '出院证明' },
  },
};

export function isReportType(value: string): value is ReportType {
  return (REPORT_TYPES as readonly string[]).includes(value);
}

/** MRS code and name for a type and optional subtype. */
export function codeOf(type: ReportType, subtype: string | null): TypeCode {
  return (subtype !== null ? SUBTYPE_CODES[type]?.[subtype] : undefined) ?? TYPE_CODES[type];
}
