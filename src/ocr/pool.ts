import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { MedstructError, isMedstructError, type ErrorCode } from '../errors.js';
import type { OcrPage, ReadOptions } from './types.js';

export interface OcrPoolOptions {
  /** Worker threads (default 1); each runs one image at a time. */
  workers?: number;
  /** onnxruntime threads per worker (default 2 / workers, at least 1). */
  threadsPerWorker?: number;
  /** Queued images beyond which `read` fails with OVERLOADED (default 64). */
  maxQueue?: number;
}

export interface WorkerTask {
  bytes: Uint8Array;
  options: ReadOptions;
}

export type WorkerReply = { page: OcrPage } | { error: { code: ErrorCode; message: string } };

/**
 * OCR in worker threads, so a server's event loop stays free while images are read. Each worker
 * loads its own engine once. From TypeScript sources (tests, tsx) the worker runs through tsx.
 */
export class OcrPool {
  private readonly piscina: Piscina;
  private closed = false;

  constructor(options: OcrPoolOptions = {}) {
    const workers = options.workers ?? 1;
    const fromSource = import.meta.url.endsWith('.ts');
    const filename = fileURLToPath(new URL(fromSource ? './worker.ts' : './worker.js', import.meta.url));
    this.piscina = new Piscina({
      filename,
      minThreads: workers,
      maxThreads: workers,
      maxQueue: options.maxQueue ?? 64,
      execArgv: fromSource ? ['--import', 'tsx'] : [],
      env: { ...process.env, MEDSTRUCT_OCR_THREADS: String(options.threadsPerWorker ?? Math.max(1, Math.floor(2 / workers))) },
    });
  }

  /**
   * Reads one image in a worker. `timeoutMs` or an aborted `signal` stops the task: a worker caught
   * mid-inference is terminated and replaced, so the pool keeps serving.
   */
  async read(bytes: Buffer, options: ReadOptions = {}, control: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<OcrPage> {
    if (this.closed) throw new MedstructError('INTERNAL', 'The OCR pool is closed');
    const timeout = control.timeoutMs === undefined ? undefined : AbortSignal.timeout(control.timeoutMs);
    const signals = [timeout, control.signal].filter((s): s is AbortSignal => s !== undefined);
    const signal = signals.length === 0 ? undefined : signals.length === 1 ? signals[0] : AbortSignal.any(signals);
    let reply: WorkerReply;
    try {
      reply = (await this.piscina.run({ bytes: new Uint8Array(bytes), options } satisfies WorkerTask, { signal })) as WorkerReply;
    } catch (error) {
      if (isMedstructError(error)) throw error;
      if (timeout?.aborted) throw new MedstructError('TIMEOUT', `OCR took longer than ${control.timeoutMs} ms`);
      if (control.signal?.aborted) throw control.signal.reason;
      if (String((error as Error).message).includes('queue is full')) throw new MedstructError('OVERLOADED');
      throw new MedstructError('INTERNAL', `The OCR worker failed: ${(error as Error).message}`);
    }
    if ('error' in reply) throw new MedstructError(reply.error.code, reply.error.message);
    return reply.page;
  }

  /** Waits for no task: running ones are cancelled, the workers end and nothing keeps the process alive. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.piscina.destroy();
  }
}
