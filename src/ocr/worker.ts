import { isMedstructError } from '../errors.js';
import { OcrEngine } from './engine.js';
import type { WorkerReply, WorkerTask } from './pool.js';

let engine: Promise<OcrEngine> | null = null;

/** Piscina task: read one image; MedstructErrors come back as data so their code survives the thread boundary. */
export default async function readInWorker(task: WorkerTask): Promise<WorkerReply> {
  engine ??= OcrEngine.create({ threads: Number(process.env.MEDSTRUCT_OCR_THREADS) || 1 });
  try {
    const page = await (await engine).read(Buffer.from(task.bytes.buffer, task.bytes.byteOffset, task.bytes.byteLength), task.options);
    return { page };
  } catch (error) {
    if (isMedstructError(error)) return { error: { code: error.code, message: error.message } };
    throw error;
  }
}
