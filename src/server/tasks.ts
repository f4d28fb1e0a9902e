import type { EntityType } from '../taxonomy/taxonomy.js';

/** The calls the HTTP thread hands to the worker pool (plain data: it crosses a thread boundary). */
export type NerFormat = 'native' | 'aliyun' | 'nocode';

export type WorkerTask =
  | { op: 'ready' }
  | { op: 'ner'; text: string; format: NerFormat; dropNegated?: boolean }
  | { op: 'classify'; text: string }
  | { op: 'link'; mention: string; type?: EntityType; diagnoses?: boolean; limit: number }
  /** An image or PDF: its pages as OCR lines; charged per page. */
  | { op: 'ocr'; bytes: Uint8Array; filename?: string; mime?: string; maxPages: number };
