import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { ERROR_CODES, MedstructError, type ErrorCode } from '../errors.js';
import { detectMedia } from '../ingest/media.js';
import type { OcrPage } from '../ocr/types.js';
import { PACKAGE_ROOT } from '../resources.js';
import type { DocumentInput, WorkerTask } from './tasks.js';
import type { WorkerReply } from './worker.js';

export interface PoolOptions {
  /** Worker threads; default one per core. */
  threads?: number;
  /** Calls allowed to wait for a thread; beyond it calls are refused at once (OVERLOADED). */
  maxQueue?: number;
  /** Threads that read images and PDFs (OCR, PDF layer); default 1. Each holds its own OCR engine and its memory. */
  mediaThreads?: number;
  /** The compiled worker module; default dist/server/worker.js. */
  workerFile?: string;
}

/** The compiled worker: next to this file when running from dist/, else the build output of src/. */
export function defaultWorkerFile(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) return join(dirname(here), 'worker.js');
  return join(PACKAGE_ROOT, 'dist', 'server', 'worker.js');
}

export interface PoolStats {
  threads: number;
  mediaThreads: number;
  /** HTTP calls holding a place (parsing, waiting, running or answering). */
  admitted: number;
  queued: number;
  running: number;
  maxQueue: number;
  completed: number;
  /** Share of thread time spent on tasks since the pool started, 0..1. */
  utilization: number;
}

/** True when the bytes' first kilobyte shows an image or a PDF (whatever cannot be told goes to the model threads, which explain it). */
function looksLikeMedia(input: DocumentInput): boolean {
  const head = input.base64 !== undefined ? Buffer.from(input.base64.slice(0, 1368), 'base64') : input.bytes?.subarray(0, 1024);
  if (head === undefined || head.length === 0) return false;
  try {
    return detectMedia(head, { filename: input.filename, mime: input.mime }) !== 'text';
  } catch {
    return false;
  }
}

/** Tasks that read an image or a PDF from start to end. */
function isMediaTask(task: WorkerTask): boolean {
  return task.op === 'ocr' || task.op === 'pages' || task.op === 'deidentifyImage' || (task.op === 'textTypes' && task.images !== undefined);
}

/**
 * A bounded worker-thread pool: calls beyond the bound fail fast instead of piling up. HTTP calls take
 * a place with `admit` as soon as their request line arrives (before the body is read, parsed or
 * metered), so a refusal costs no parsing and no store write, and an admitted call is never refused later.
 *
 * Images and PDFs are read in a media lane of their own (one thread by default): OCR's activation memory
 * (several hundred MB per run, kept by the allocator of the thread that ran it) then exists once, not once
 * per core, and text calls never wait behind a photo. A structure call on a file reads its pages there
 * and structures them in the model threads.
 */
export class WorkerPool {
  private readonly piscina: Piscina;
  private readonly media: Piscina;
  readonly threads: number;
  readonly mediaThreads: number;
  readonly maxQueue: number;
  private running = 0;
  private admitted = 0;

  constructor(options: PoolOptions = {}) {
    this.threads = Math.max(1, options.threads ?? availableParallelism());
    this.maxQueue = options.maxQueue ?? this.threads * 16;
    const filename = options.workerFile ?? defaultWorkerFile();
    if (!existsSync(filename)) throw new MedstructError('MODEL_NOT_FOUND', `Worker module ${filename} is missing; run npm run build`);
    // The bounds are kept here (admission for calls, `runBackground` for jobs). Piscina's own limit is a
    // backstop for tasks whose callers went away (a client that hangs up frees its place at once).
    this.piscina = new Piscina({ filename, minThreads: this.threads, maxThreads: this.threads, maxQueue: 2 * (this.maxQueue + this.threads), idleTimeout: 60_000 });
    this.mediaThreads = Math.max(1, options.mediaThreads ?? 1);
    this.media = new Piscina({ filename, minThreads: this.mediaThreads, maxThreads: this.mediaThreads, maxQueue: 2 * (this.maxQueue + this.threads), idleTimeout: 60_000 });
  }

  /**
   * Takes a place for an HTTP call that will run a task: false when `threads + maxQueue` calls are
   * already in progress. Every successful `admit` is followed by one `leave` when the call is answered.
   */
  admit(): boolean {
    if (this.admitted >= this.threads + this.maxQueue) return false;
    this.admitted++;
    return true;
  }

  leave(): void {
    this.admitted--;
  }

  /** Runs the task of an admitted call (or the warm-up); rejects with TIMEOUT after `timeoutMs`. */
  async run(task: WorkerTask, timeoutMs: number, transferList?: ArrayBuffer[]): Promise<{ value: unknown; units?: number }> {
    this.running++;
    try {
      if (task.op !== 'structure' || !looksLikeMedia(task.input)) return await this.runIn(isMediaTask(task) ? this.media : this.piscina, task, timeoutMs, transferList);
      const deadline = Date.now() + timeoutMs;
      const { input } = task;
      const pages = (await this.runIn(this.media, { op: 'pages', input }, timeoutMs, transferList)).value as OcrPage[];
      const left = deadline - Date.now();
      if (left <= 0) throw new MedstructError('TIMEOUT');
      return await this.runIn(this.piscina, { ...task, input: { pages, expect: input.expect, maxPages: input.maxPages } }, left);
    } finally {
      this.running--;
    }
  }

  private async runIn(lane: Piscina, task: WorkerTask, timeoutMs: number, transferList?: ArrayBuffer[]): Promise<{ value: unknown; units?: number }> {
    const signal = AbortSignal.timeout(timeoutMs);
    let reply: WorkerReply;
    try {
      reply = (await lane.run(task, { signal, transferList })) as WorkerReply;
    } catch (error) {
      if (signal.aborted) throw new MedstructError('TIMEOUT');
      if (error instanceof Error && /queue is at limit/i.test(error.message)) throw new MedstructError('OVERLOADED');
      throw error;
    }
    if (!reply.ok) {
      const code = (reply.error.code in ERROR_CODES ? reply.error.code : 'INTERNAL') as ErrorCode;
      throw new MedstructError(code, reply.error.message);
    }
    return { value: reply.value, units: reply.units };
  }

  /** Runs a background task (an async job's): OVERLOADED while the queue is full, so jobs yield to calls. */
  async runBackground(task: WorkerTask, timeoutMs: number): Promise<{ value: unknown; units?: number }> {
    if (this.saturated()) throw new MedstructError('OVERLOADED');
    return this.run(task, timeoutMs);
  }

  /** True when the model threads' or the media lane's queue is at its bound. */
  saturated(): boolean {
    return this.piscina.queueSize >= this.maxQueue || this.media.queueSize >= this.maxQueue;
  }

  stats(): PoolStats {
    return {
      threads: this.threads, mediaThreads: this.mediaThreads, admitted: this.admitted, queued: this.piscina.queueSize + this.media.queueSize,
      running: this.running, maxQueue: this.maxQueue, completed: this.piscina.completed + this.media.completed, utilization: this.piscina.utilization,
    };
  }

  /** Waits for queued and running tasks, then stops the threads. */
  async close(): Promise<void> {
    await Promise.all([this.piscina.close(), this.media.close()]);
  }
}
