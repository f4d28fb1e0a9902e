import type { Polygon } from '../document/types.js';

export const PHI_TYPES = [
  'patient_name',
  'relative_name',
  'staff_name',
  'id_card',
  'passport',
  'phone',
  'email',
  'address',
  'record_number',
  'insurance_number',
  'license_plate',
  'hospital',
  'date',
  'age',
  'barcode',
] as const;

export type PhiType = (typeof PHI_TYPES)[number];

/** The MRS ImageMask flag a PHI type falls under. */
export type PhiCategory = 'patient' | 'doctor' | 'hospital' | 'barcode';

export type DeidMode = 'mask' | 'tag' | 'surrogate';

/** A detected PHI span: code-point offsets into the original text, end exclusive. */
export interface PhiSpan {
  start: number;
  end: number;
  type: PhiType;
  category: PhiCategory;
  /** The original text of the span. */
  text: string;
  /** What the span was replaced with in the output text (or `■` for image boxes). */
  replacement: string;
  /** Which detector found it: `label`, `pattern`, `context`, `gazetteer`, `propagation`, `model`, `image`. */
  source: string;
  /** For images: 1-based page and the covered box(es) in original-image pixels. */
  page?: number;
  polygons?: Polygon[];
}

export interface DeidOptions {
  mode?: DeidMode;
  /** Mask flags (patient, doctor, hospital, barcode, name, id, phone, email, address, record_number, insurance, plate, date, age, all …); default: everything. */
  mask?: string[];
  /** Seed for surrogate values; the same seed gives the same surrogates. Default: random per call. */
  seed?: number;
  /** Check hospital names against the knowledge graph and find nicknames it knows (协和, 湘雅); loads the KG (~0.7 s once). */
  knowledgeGraph?: boolean;
}

export function categoryOf(type: PhiType): PhiCategory {
  if (type === 'staff_name') return 'doctor';
  if (type === 'hospital') return 'hospital';
  if (type === 'barcode') return 'barcode';
  return 'patient';
}
