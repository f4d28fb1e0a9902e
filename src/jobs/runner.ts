import { MedstructError, isMedstructError } from '../errors.js';
import type { Database } from '../store/index.js';
import type { WorkerPool } from '../server/pool.js';
import { claimJob, failJob, finishJob, purgeExpiredJobs, renewLease, requeueJob, type Job } from './store.js';

export interface RunnerOptions {
  /** Jobs run at once by this instance; default the pool's threads. */
  concurrency?: number;
  /** A claimed job is another instance's to take over once its lease lapses without renewal. */
  leaseMs?: number;
  /** Idle polling interval. */
  pollMs?: number;
  /** Timeout of one task (one PDF or one batch item). */
  taskTimeoutMs?: number;
  /** Attempts before a job that keeps crashing its worker is failed. */
  maxAttempts?: number;
}

type ItemOutcome = { ok: true; value: unknown } | { ok: false; error: { code: string; message: string } };

/**
 * Runs persisted jobs: claims them with a lease, renews it while working, stores the result and the
 * charge in one transaction. A job whose instance died is claimed again when its lease runs out
 * (at once on restart for the embedded store), so a kill -9 loses no job.
 */
export class JobRunner {
  private readonly concurrency: number;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly taskTimeoutMs: number;
  private readonly maxAttempts: number;
  private readonly active = new Set<Promise<void>>();
  private stopping = false;
  private timer: NodeJS.Timeout | null = null;
  private wakeUp: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private lastPurge = 0;

  constructor(private readonly db: Database, private readonly pool: WorkerPool, options: RunnerOptions = {}) {
    this.concurrency = options.concurrency ?? pool.threads;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.pollMs = options.pollMs ?? 250;
    this.taskTimeoutMs = options.taskTimeoutMs ?? 300_000;
    this.maxAttempts = options.maxAttempts ?? 3;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Looks for work now (a job was just submitted). */
  wake(): void {
    this.wakeUp?.();
  }

  get running(): number {
    return this.active.size;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      let claimed = false;
      try {
        if (Date.now() - this.lastPurge > 60_000) {
          this.lastPurge = Date.now();
          await purgeExpiredJobs(this.db);
        }
        while (!this.stopping && this.active.size < this.concurrency) {
          const job = await claimJob(this.db, this.leaseMs);
          if (!job) break;
          claimed = true;
          // A store error while finishing leaves the job to its lease (run again later), never crashes the process.
          const work = this.execute(job).catch(() => undefined).finally(() => {
            this.active.delete(work);
            this.wake();
          });
          this.active.add(work);
        }
      } catch {
        // The store is unreachable for now (PostgreSQL restarting); try again after the pause.
      }
      if (this.stopping) break;
      if (!claimed || this.active.size >= this.concurrency) {
        await new Promise<void>((resolve) => {
          this.wakeUp = resolve;
          this.timer = setTimeout(resolve, this.pollMs);
        });
        if (this.timer) clearTimeout(this.timer);
        this.wakeUp = null;
      }
    }
  }

  private async execute(job: Job): Promise<void> {
    const heartbeat = setInterval(() => { void renewLease(this.db, job.id, this.leaseMs).catch(() => undefined); }, Math.max(100, this.leaseMs / 3));
    try {
      const outcomes: ItemOutcome[] = [];
      let units = 0;
      for (const task of job.input.tasks) {
        try {
          const { value, units: taskUnits } = await this.pool.runBackground(task, this.taskTimeoutMs);
          outcomes.push({ ok: true, value });
          units += taskUnits ?? 1;
        } catch (error) {
          // Busy, shutting down, or a crashed worker: the job goes back to the queue, keeping its reservation.
          if (this.stopping || (isMedstructError(error) && error.code === 'OVERLOADED')) {
            await requeueJob(this.db, job.id);
            return;
          }
          if (!isMedstructError(error) && job.attempts < this.maxAttempts) {
            await requeueJob(this.db, job.id);
            return;
          }
          const failure = isMedstructError(error) ? error : new MedstructError('INTERNAL');
          outcomes.push({ ok: false, error: { code: failure.code, message: failure.message } });
        }
      }
      if (!job.input.batch) {
        const only = outcomes[0]!;
        if (only.ok) await finishJob(this.db, job.id, only.value, units);
        else await failJob(this.db, job.id, only.error);
        return;
      }
      await finishJob(this.db, job.id, outcomes, units);
    } finally {
      clearInterval(heartbeat);
    }
  }

  /** Stops claiming, lets running jobs finish (up to `graceMs`; the rest are requeued by their lease). */
  async stop(graceMs = 30_000): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.loop;
    const grace = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([Promise.all(this.active), grace]);
  }
}
