/**
 * The worker-thread side of the pool: every CPU-bound call (models, OCR, PDF) runs here so the HTTP
 * thread only parses, authenticates and meters. The same module runs in the pool's media lane (images
 * and PDFs) and in its model threads. Results and errors come back as plain data
 * (`{ ok, value | error }`) because class instances do not survive the thread boundary.
 */
import { getPriority, setPriority } from 'node:os';
import { classifyText, isReportType, type Classification } from '../classify/index.js';
import { MedDocument } from '../document/document.js';
import { deidentifyImage, deidentifyText } from '../deid/index.js';
import { isMedstructError, MedstructError } from '../errors.js';
import { detectMedia, documentFromOcrLines, documentFromPages, ingestFile, ingestPages, type MrsOcrInfo } from '../ingest/index.js';
import { getLinker } from '../linking/index.js';
import { toAliyunData } from '../output/aliyun.js';
import { toFhirBundle } from '../output/fhir/index.js';
import { toNativeNer } from '../output/native.js';
import { toNocode } from '../output/nocode.js';
import { buildPipeline } from '../pipeline/default.js';
import { readJsonResource } from '../resources.js';
import { structureDocument, toTencentBlock, toTencentResponse } from '../structure/index.js';
import type { DocumentInput, WorkerTask } from './tasks.js';

// Linux applies setpriority to the calling thread: model threads a little below the HTTP thread keep
// replies (and quick 503 refusals) flowing when every core is busy.
try {
  setPriority(Math.min(19, getPriority() + 5));
} catch {
  // Not permitted here: keep the inherited priority.
}

export type WorkerReply = { ok: true; value: unknown; units?: number } | { ok: false; error: { code: string; message: string; status: number } };

const round = (x: number): number => Math.round(x * 10000) / 10000;

let parents: Record<string, Array<{ Id: number; Name: string }>> | null = null;

/** MRS multi-level TextTypeList of a classification (the same parents as the TextToObject reply). */
function textTypeList(c: Classification): Array<{ Id: number; Level: number; Name: string }> {
  parents ??= readJsonResource<{ parents: Record<string, Array<{ Id: number; Name: string }>> }>('fields', 'tencent.json').parents;
  return [...(parents[c.type] ?? []), { Id: c.code, Name: c.name }].map((t, i) => ({ Id: t.Id, Level: i + 1, Name: t.Name }));
}

/** The input's file bytes, refused as a corrupt image/PDF when they are not the kind the caller promised. */
function bytesOf(input: DocumentInput): Buffer {
  const bytes = input.base64 !== undefined ? Buffer.from(input.base64, 'base64') : Buffer.from(input.bytes ?? []);
  if (input.expect) {
    const kind = detectMedia(bytes, { filename: input.filename, mime: input.mime });
    if (kind !== input.expect) throw new MedstructError(input.expect === 'image' ? 'CORRUPT_IMAGE' : 'CORRUPT_PDF', `The data is not ${input.expect === 'image' ? 'an image' : 'a PDF'}`);
  }
  return bytes;
}

async function documentOf(input: DocumentInput): Promise<MedDocument> {
  if (input.text !== undefined) return new MedDocument(input.text);
  if (input.ocrInfo !== undefined) return documentFromOcrLines({ OcrInfoList: input.ocrInfo as MrsOcrInfo[] });
  if (input.pages !== undefined) return documentFromPages(input.pages);
  return ingestFile(bytesOf(input), { filename: input.filename, mime: input.mime, maxPages: input.maxPages });
}

async function run(task: WorkerTask): Promise<{ value: unknown; units?: number }> {
  switch (task.op) {
    case 'ready':
      buildPipeline();
      return { value: true };
    case 'ner': {
      const doc = buildPipeline().run(new MedDocument(task.text));
      if (task.format === 'aliyun') return { value: toAliyunData(doc) };
      if (task.format === 'nocode') return { value: toNocode(doc, { dropNegated: task.dropNegated }) };
      return { value: toNativeNer(doc) };
    }
    case 'classify':
      return { value: classifyText(task.text) };
    case 'link': {
      const linker = getLinker();
      const candidates = task.diagnoses ? linker.linkDiagnoses(task.mention) : linker.link(task.mention, task.type);
      return { value: { candidates: candidates.slice(0, task.limit).map((c) => ({ ...c, score: round(c.score) })) } };
    }
    case 'ocr': {
      const { kind, pages } = await ingestPages(Buffer.from(task.bytes), { filename: task.filename, mime: task.mime, maxPages: task.maxPages });
      return { value: { kind, pages }, units: pages.length };
    }
    case 'pages': {
      const { pages } = await ingestPages(bytesOf(task.input), { filename: task.input.filename, mime: task.input.mime, maxPages: task.input.maxPages });
      return { value: pages };
    }
    case 'structure': {
      const doc = await documentOf(task.input);
      if (doc.text.trim() === '') throw new MedstructError('EMPTY_INPUT', 'The document has no text');
      const type = task.type === 'auto' || !isReportType(task.type) ? 'auto' : task.type;
      const result = structureDocument(doc, { type });
      const units = Math.max(1, doc.pages.length);
      if (task.format === 'native') return { value: result, units };
      if (task.format === 'fhir') return { value: toFhirBundle(result, doc), units };
      const response = toTencentResponse(result, doc) as { Template: Record<string, unknown>; TextTypeList: unknown };
      if (task.input.expect !== 'pdf') return { value: response, units };
      return { value: { ...response, Block: toTencentBlock(response.Template, doc, response.TextTypeList), IsBlock: true }, units };
    }
    case 'deidentifyText':
      return { value: deidentifyText(task.text, { mode: task.mode, mask: task.mask }) };
    case 'deidentifyImage': {
      const bytes = task.base64 !== undefined ? Buffer.from(task.base64, 'base64') : Buffer.from(task.bytes ?? []);
      const { image, mime, spans } = await deidentifyImage(bytes, { mask: task.mask });
      return { value: { image: image.toString('base64'), mime, spans } };
    }
    case 'textTypes': {
      if (task.text !== undefined) return { value: textTypeList(classifyText(task.text)) };
      const lists = [];
      for (const bytes of task.images ?? []) {
        const doc = await documentOf({ bytes, expect: 'image', maxPages: 1 });
        lists.push(...textTypeList(classifyText(doc.text)));
      }
      return { value: lists };
    }
  }
}

export default async function handle(task: WorkerTask): Promise<WorkerReply> {
  try {
    return { ok: true, ...(await run(task)) };
  } catch (error) {
    if (isMedstructError(error)) return { ok: false, error: { code: error.code, message: error.message, status: error.status } };
    return { ok: false, error: { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error), status: 500 } };
  }
}
