/**
 * The worker-thread side of the pool: every CPU-bound call (models, OCR, PDF) runs here so the HTTP
 * thread only parses, authenticates and meters. Results and errors come back as plain data
 * (`{ ok, value | error }`) because class instances do not survive the thread boundary.
 */
import { MedDocument } from '../document/document.js';
import { isMedstructError } from '../errors.js';
import { toAliyunData } from '../output/aliyun.js';
import { toNativeNer } from '../output/native.js';
import { toNocode } from '../output/nocode.js';
import { buildPipeline } from '../pipeline/default.js';
import type { WorkerTask } from './tasks.js';

export type WorkerReply = { ok: true; value: unknown; units?: number } | { ok: false; error: { code: string; message: string; status: number } };

function nerPipeline() {
  return buildPipeline({ scheme: 'native' });
}

function run(task: WorkerTask): { value: unknown; units?: number } {
  switch (task.op) {
    case 'ready':
      nerPipeline();
      return { value: true };
    case 'ner': {
      const doc = nerPipeline().run(new MedDocument(task.text));
      if (task.format === 'aliyun') return { value: toAliyunData(doc) };
      if (task.format === 'nocode') return { value: toNocode(doc, { dropNegated: task.dropNegated }) };
      return { value: toNativeNer(doc) };
    }
  }
}

export default function handle(task: WorkerTask): WorkerReply {
  try {
    return { ok: true, ...run(task) };
  } catch (error) {
    if (isMedstructError(error)) return { ok: false, error: { code: error.code, message: error.message, status: error.status } };
    return { ok: false, error: { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error), status: 500 } };
  }
}
