import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { ERROR_CODES, MedstructError, type ErrorCode } from '../errors.js';
import { PACKAGE_ROOT } from '../resources.js';
import type { WorkerTask } from './tasks.js';
import type { WorkerReply } from './worker.js';

export interface PoolOptions {
  /** Worker threads; default one per core. */
  threads?: number;
  /** Tasks allowed to wait for a thread; beyond it calls are refused at once (OVERLOADED). */
  maxQueue?: number;
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
  queued: number;
  running: number;
  maxQueue: number;
  completed: number;
  /** Share of thread time spent on tasks since the pool started, 0..1. */
  utilization: number;
}

/** A bounded worker-thread pool: calls beyond the queue bound fail fast instead of piling up. */
export class WorkerPool {
  private readonly piscina: Piscina;
  readonly threads: number;
  readonly maxQueue: number;
  private running = 0;

  constructor(options: PoolOptions = {}) {
    this.threads = Math.max(1, options.threads ?? availableParallelism());
    this.maxQueue = options.maxQueue ?? this.threads * 16;
    const filename = options.workerFile ?? defaultWorkerFile();
    if (!existsSync(filename)) throw new MedstructError('MODEL_NOT_FOUND', `Worker module ${filename} is missing; run npm run build`);
    this.piscina = new Piscina({ filename, minThreads: this.threads, maxThreads: this.threads, maxQueue: this.maxQueue, idleTimeout: 60_000 });
  }

  /** Runs a task; rejects with OVERLOADED when the queue is full and TIMEOUT after `timeoutMs`. */
  async run(task: WorkerTask, timeoutMs: number, transferList?: ArrayBuffer[]): Promise<{ value: unknown; units?: number }> {
    if (this.saturated()) throw new MedstructError('OVERLOADED');
    const signal = AbortSignal.timeout(timeoutMs);
    this.running++;
    let reply: WorkerReply;
    try {
      reply = (await this.piscina.run(task, { signal, transferList })) as WorkerReply;
    } catch (error) {
      if (signal.aborted) throw new MedstructError('TIMEOUT');
      if (error instanceof Error && /queue is at limit/i.test(error.message)) throw new MedstructError('OVERLOADED');
      throw error;
    } finally {
      this.running--;
    }
    if (!reply.ok) {
      const code = (reply.error.code in ERROR_CODES ? reply.error.code : 'INTERNAL') as ErrorCode;
      throw new MedstructError(code, reply.error.message);
    }
    return { value: reply.value, units: reply.units };
  }

  /** True when a new task would be refused (the queue is at its bound). */
  saturated(): boolean {
    return this.piscina.queueSize >= this.maxQueue;
  }

  stats(): PoolStats {
    return {
      threads: this.threads, queued: this.piscina.queueSize, running: this.running, maxQueue: this.maxQueue,
      completed: this.piscina.completed, utilization: this.piscina.utilization,
    };
  }

  /** Waits for queued and running tasks, then stops the threads. */
  async close(): Promise<void> {
    await this.piscina.close();
  }
}
