import { decodeText } from '../cli/io.js';
import { MedDocument } from '../document/document.js';
import { MedstructError } from '../errors.js';
import { assertHasText, getOcrEngine } from '../ocr/index.js';
import type { OcrPage } from '../ocr/types.js';
import { documentFromPages } from './document.js';
import { detectMedia } from './media.js';
import { readPdf, type PageReader } from './pdf.js';

export { CELL_SEPARATOR, documentFromOcrLines, documentFromPages, toPolygon, type ForeignLine, type MrsOcrInfo } from './document.js';
export { detectMedia, type MediaKind } from './media.js';
export type { PageReader } from './pdf.js';

export interface IngestOptions {
  filename?: string;
  mime?: string;
  /** Most pages a PDF may have (default 100). */
  maxPages?: number;
  /** Largest input in bytes (default 50 MB). */
  maxBytes?: number;
  /** Resolution scanned PDF pages are rendered at (default 200 dpi). */
  dpi?: number;
  /** OCR for images and scanned pages; defaults to the in-process engine (servers pass an OcrPool's `read`). */
  read?: PageReader;
}

export const DEFAULT_MAX_PAGES = 100;
export const DEFAULT_MAX_BYTES = 50 * 1024 * 1024;

const defaultReader: PageReader = async (image) => (await getOcrEngine()).read(image);

/** The pages of an image or PDF as OCR pages (lines in reading order, polygons in image pixels or PDF points). */
export async function ingestPages(input: Buffer, options: IngestOptions = {}): Promise<{ kind: 'image' | 'pdf'; pages: OcrPage[] }> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (input.length > maxBytes) throw new MedstructError('INPUT_TOO_LARGE', `The input has ${input.length} bytes; the limit is ${maxBytes}`);
  if (input.length === 0) throw new MedstructError('EMPTY_INPUT');
  const kind = detectMedia(input, options);
  const read = options.read ?? defaultReader;
  if (kind === 'image') return { kind, pages: [assertHasText(await read(input))] };
  if (kind === 'pdf') return { kind, pages: await readPdf(input, { maxPages: options.maxPages ?? DEFAULT_MAX_PAGES, dpi: options.dpi ?? 200, read }) };
  throw new MedstructError('UNSUPPORTED_MEDIA', 'The input is text, not an image or PDF');
}

/**
 * Any supported input as a MedDocument: text (UTF-8/UTF-16/GB18030), an image (OCR), or a PDF (text
 * layer, OCR for scanned pages). Image and PDF documents carry pages, a polygon and a page number per character.
 */
export async function ingestFile(input: Buffer, options: IngestOptions = {}): Promise<MedDocument> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (input.length > maxBytes) throw new MedstructError('INPUT_TOO_LARGE', `The input has ${input.length} bytes; the limit is ${maxBytes}`);
  if (input.length === 0) throw new MedstructError('EMPTY_INPUT');
  if (detectMedia(input, options) === 'text') return new MedDocument(decodeText(input));
  return documentFromPages((await ingestPages(input, options)).pages);
}
