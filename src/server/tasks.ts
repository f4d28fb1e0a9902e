import type { OcrPage } from '../ocr/types.js';
import type { EntityType } from '../taxonomy/taxonomy.js';

/** The calls the HTTP thread hands to the worker pool (plain data: it crosses a thread boundary). */
export type NerFormat = 'native' | 'aliyun' | 'nocode';

/** A document to read: text, file bytes (text, image or PDF), or MRS OcrInfoList (bring-your-own OCR). */
export interface DocumentInput {
  text?: string;
  bytes?: Uint8Array;
  /** The bytes as base64, for inputs persisted in a job row. */
  base64?: string;
  filename?: string;
  mime?: string;
  /** The kind the caller promised; other bytes are refused as a corrupt image/PDF. */
  expect?: 'image' | 'pdf';
  ocrInfo?: unknown[];
  /** The file's pages as already read by the media lane (see WorkerPool). */
  pages?: OcrPage[];
  maxPages: number;
}

export type WorkerTask =
  | { op: 'ready' }
  | { op: 'ner'; text: string; format: NerFormat; dropNegated?: boolean }
  | { op: 'classify'; text: string }
  | { op: 'link'; mention: string; type?: EntityType; diagnoses?: boolean; limit: number }
  /** An image or PDF: its pages as OCR lines; charged per page. */
  | { op: 'ocr'; bytes: Uint8Array; filename?: string; mime?: string; maxPages: number }
  /** The pages of a document input's image or PDF (after its `expect` check), for a structure call's second step. */
  | { op: 'pages'; input: DocumentInput }
  /** Structure result (native), MRS `{Template, TextTypeList}` (+ `Block` for PDFs) or a FHIR R4 Bundle; charged per page. */
  | { op: 'structure'; input: DocumentInput; type: string; format: 'native' | 'tencent' | 'fhir' }
  | { op: 'deidentifyText'; text: string; mode: 'mask' | 'tag' | 'surrogate'; mask?: string[] }
  /** An image's bytes, or its base64 for a task persisted in a job row. */
  | { op: 'deidentifyImage'; bytes?: Uint8Array; base64?: string; mask?: string[] }
  /** MRS TextTypeList of a text or of each image. */
  | { op: 'textTypes'; text?: string; images?: Uint8Array[] };
