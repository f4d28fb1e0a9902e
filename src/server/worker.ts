/**
 * The worker-thread side of the pool: every CPU-bound call (models, OCR, PDF) runs here so the HTTP
 * thread only parses, authenticates and meters. Results and errors come back as plain data
 * (`{ ok, value | error }`) because class instances do not survive the thread boundary.
 */
import { classifyText } from '../classify/index.js';
import { MedDocument } from '../document/document.js';
import { isMedstructError } from '../errors.js';
import { ingestPages } from '../ingest/index.js';
import { getLinker } from '../linking/index.js';
import { toAliyunData } from '../output/aliyun.js';
import { toNativeNer } from '../output/native.js';
import { toNocode } from '../output/nocode.js';
import { buildPipeline } from '../pipeline/default.js';
import type { WorkerTask } from './tasks.js';

export type WorkerReply = { ok: true; value: unknown; units?: number } | { ok: false; error: { code: string; message: string; status: number } };

const round = (x: number): number => Math.round(x * 10000) / 10000;

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
