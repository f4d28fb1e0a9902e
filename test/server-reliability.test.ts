import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freshPgDatabase } from './pg-helper.js';
import { testServer, waitFor } from './server-helper.js';

const BIN = join(import.meta.dirname, '..', 'bin', 'medstruct.js');
const NOTE = '患者女，58岁，因“反复上腹痛2月”入院。胃镜示胃窦溃疡，病理示慢性萎缩性胃炎伴肠化。给予奥美拉唑肠溶胶囊口服。';
const dirs: string[] = [];
afterAll(() => { for (const dir of dirs) rmSync(dir, { recursive: true, force: true }); });

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'medstruct-reliability-'));
  dirs.push(dir);
  return dir;
}

/** Runs the CLI; the environment decides the store (DATABASE_URL or --data-dir). */
function cli(args: string[], env: NodeJS.ProcessEnv): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Starts `medstruct serve` on a free port and resolves with its URL once it listens. */
function serve(args: string[], env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--threads', '1', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.resume();
    child.stderr!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) resolve({ child, url: match[1]! });
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
  });
}

async function post(url: string, key: string, body: unknown): Promise<{ status: number; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const response = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

const withoutPg = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, MEDSTRUCT_LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  return env;
};

const stores: Array<[string, () => Promise<{ env: NodeJS.ProcessEnv; args: string[] }>, boolean]> = [
  ['the embedded store', async () => ({ env: withoutPg(), args: ['--data-dir', tempDir()] }), false],
  ['PostgreSQL', async () => ({
    env: { ...process.env, MEDSTRUCT_LOG_LEVEL: 'warn', MEDSTRUCT_JOB_LEASE_MS: '1000', DATABASE_URL: await freshPgDatabase(process.env.DATABASE_URL!, 'medstruct_crash_test') },
    args: [],
  }), !process.env.DATABASE_URL],
];

for (const [name, setup, skip] of stores) {
  describe.skipIf(skip)(`kill -9 during async jobs on ${name}`, () => {
    it('loses no job and charges each once', { timeout: 240_000 }, async () => {
      const { env, args } = await setup();
      const created = cli(['keys', 'create', '--name', 'crash-test', ...args], env);
      expect(created.status).toBe(0);
      const { key, id } = JSON.parse(created.stdout.trim().split('\n').at(-1)!) as { key: string; id: string };

      const first = await serve(args, env);
      const jobs: string[] = [];
      for (let i = 0; i < 8; i++) {
        const reply = await post(`${first.url}/v1/jobs`, key, { action: 'ner', items: Array.from({ length: 8 }, (_, j) => ({ text: `${NOTE}（${i}-${j}）` })) });
        expect(reply.status).toBe(202);
        jobs.push(reply.body.id);
      }
      const statusOf = async (url: string, job: string): Promise<string> => {
        const response = await fetch(`${url}/v1/jobs/${job}`, { headers: { authorization: `Bearer ${key}` } });
        return ((await response.json()) as { status: string }).status;
      };
      // Kill as soon as work has started, so jobs are running or queued at the crash.
      await waitFor(async () => (await statusOf(first.url, jobs[0]!)) !== 'queued', 60_000);
      const lastBeforeKill = await statusOf(first.url, jobs.at(-1)!);
      first.child.kill('SIGKILL');
      expect(lastBeforeKill).not.toBe('done');
      await new Promise((resolve) => first.child.once('exit', resolve));

      const second = await serve(args, env);
      try {
        for (const job of jobs) await waitFor(async () => (await statusOf(second.url, job)) === 'done', 90_000);
      } finally {
        second.child.kill('SIGTERM');
        await new Promise((resolve) => second.child.once('exit', resolve));
      }
      const usage = cli(['usage', '--json', '--day', 'all', ...args], env);
      const statement = JSON.parse(usage.stdout) as { calls: Record<string, Record<string, number>>; totals: { units: number } };
      expect(statement.calls[id]).toEqual({ ner: jobs.length });
      expect(statement.totals.units).toBe(jobs.length * 8);
    });
  });
}

describe('overload and shutdown', () => {
  it('refuses work beyond the queue with 503 OVERLOADED and keeps serving', async () => {
    const server = await testServer({ threads: 1, maxQueue: 2 });
    try {
      const { key } = await server.key();
      await waitFor(async () => server.ctx.state.ready);
      const text = NOTE.repeat(20);
      const replies = await Promise.all(Array.from({ length: 24 }, () => server.call('POST', '/v1/ner', { key, body: { text } })));
      const statuses = replies.map((r) => r.status);
      expect(statuses).toContain(200);
      expect(statuses).toContain(503);
      expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
      expect(replies.find((r) => r.status === 503)!.body.error.code).toBe('OVERLOADED');
      expect((await server.call('POST', '/v1/ner', { key, body: { text: NOTE } })).status).toBe(200);
      // One thread and a queue of two admit three calls at a time; the refusals happen before the body
      // is read, so they never reach the store (no reservation, nothing charged).
      expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(3);
      const charged = await server.db.all<{ n: number }>("SELECT COUNT(*) AS n FROM requests WHERE state = 'charged'");
      expect(Number(charged[0]!.n)).toBe(statuses.filter((s) => s === 200).length + 1);
      const reserved = await server.db.all<{ n: number }>('SELECT COUNT(*) AS n FROM requests');
      expect(Number(reserved[0]!.n)).toBe(Number(charged[0]!.n));
      // Every answered call gave its place back.
      await waitFor(async () => server.ctx.pool.stats().admitted === 0);

      // A call past its time is answered TIMEOUT (MRS: InternalError.ServerTimeOutError) and not charged.
      server.ctx.config.requestTimeoutMs = 1;
      const late = await server.call('POST', '/v1/ner', { key, body: { text } });
      expect([late.status, late.body.error.code]).toEqual([504, 'TIMEOUT']);
      const lateMrs = await server.call('POST', '/', { key, body: { Text: text }, headers: { 'X-TC-Action': 'TextToClass' } });
      expect(lateMrs.body.Response.Error.Code).toBe('InternalError.ServerTimeOutError');
      const after = await server.db.all<{ n: number }>("SELECT COUNT(*) AS n FROM requests WHERE state = 'charged'");
      expect(Number(after[0]!.n)).toBe(Number(charged[0]!.n));
    } finally {
      await server.stop();
    }
  });

  it('drains calls in flight on shutdown', async () => {
    const server = await testServer({ threads: 1 });
    const { key } = await server.key();
    await waitFor(async () => server.ctx.state.ready);
    const inFlight = Array.from({ length: 6 }, () => server.call('POST', '/v1/ner', { key, body: { text: NOTE.repeat(15) } }));
    await waitFor(async () => server.ctx.state.inFlight === 6, 10_000);
    const closing = server.stop();
    const replies = await Promise.all(inFlight);
    await closing;
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });
});
