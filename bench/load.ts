/**
 * HTTP load test of `medstruct serve`, from this process (the client) against a server child process on
 * loopback, with autocannon:
 *   1. throughput and latency of POST /v1/ner with distinct 300-character clinical texts (a seeded pool of
 *      `--texts` texts composed from templates and the knowledge graph's names, see load-texts.ts);
 *   2. overload: four times more concurrent clients than the pool queues; most are refused (503), and the
 *      latency of refusals and of admitted calls is reported apart;
 *   3. `--only photos`: the photos of `--dir` (default data/ocr, `npm run data:ocr`) posted to /v1/structure by
 *      `--photo-clients` clients at once (default 2), with the server's peak RSS (the kernel's VmHWM).
 * The server runs on a fresh SQLite folder with its default metering (every call reserved and charged).
 * Self-contained: needs only the build (dist/) and models/; prints the machine and its load average.
 *
 *   npm run build && npm run bench:load [-- --seconds 20 --connections 16 --threads 2 --max-queue 32 --texts 20000 --cpu --only steady|overload]
 *
 * `--cpu` first times, in this process on one thread, the CPU the compiled /v1/ner work (the default pipeline
 * and the native reply) costs per text of the pool, on a first pass (mentions new to the linker's memo) and on
 * a second pass over 50 of them (memo warm, as with repeated texts): on a busy machine CPU time varies much
 * less than wall time, and cores / CPU per text bounds the requests per second.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PACKAGE_ROOT } from '../src/resources.js';
import { loadTexts } from './load-texts.js';

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: Record<string, number>;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats: Record<string, { count: number }>;
  duration: number;
}
/** A run: awaitable, and an emitter of `response` (client, status, bytes, milliseconds) for every reply. */
type AutocannonRun = PromiseLike<AutocannonResult> & { on(event: 'response', listener: (client: unknown, status: number, bytes: number, ms: number) => void): void };
type Autocannon = (options: Record<string, unknown>) => AutocannonRun;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

function startServer(dataDir: string, threads: string, maxQueue: string): Promise<{ child: ChildProcess; url: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, MEDSTRUCT_LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, [join(PACKAGE_ROOT, 'bin', 'medstruct.js'), 'serve', '--port', '0', '--data-dir', dataDir, '--threads', threads, '--max-queue', maxQueue],
    { env, stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      const match = /listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(err);
      if (match) resolve({ child, url: match[1]! });
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${err}`)));
  });
}

async function waitReady(url: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const ok = await fetch(`${url}/readyz`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('server never became ready');
}

const ms = (x: number): string => `${x.toFixed(1)} ms`;
const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');

/** The q-quantile (0..1) of sorted values, nearest rank. */
function quantile(sorted: number[], q: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

function latencyLine(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  return `n ${sorted.length}, p50 ${ms(quantile(sorted, 0.5))}, p90 ${ms(quantile(sorted, 0.9))}, p99 ${ms(quantile(sorted, 0.99))}, max ${ms(sorted.at(-1) ?? NaN)}`;
}

/**
 * Server-side time from request to reply of refused calls, from /metrics: a refused call never gets
 * an action name, so it is counted under its route (`action="/v1/ner"`); admitted ones under `ner`.
 */
async function refusalBuckets(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const buckets = new Map<string, number>();
  for (const match of text.matchAll(/^medstruct_request_duration_seconds_bucket\{surface="native",action="\/v1\/ner",le="([^"]+)"\} (\d+)$/gm)) {
    buckets.set(match[1]!, Number(match[2]));
  }
  return buckets;
}

/** CPU milliseconds per text of the server's NER work (compiled dist/), first pass over `texts`, then 50 again. */
async function nerCpu(texts: string[]): Promise<{ cold: number; warm: number }> {
  const dist = (path: string): string => pathToFileURL(join(PACKAGE_ROOT, 'dist', path)).href;
  const { buildPipeline } = (await import(dist('pipeline/default.js'))) as typeof import('../src/pipeline/default.js');
  const { MedDocument } = (await import(dist('document/document.js'))) as typeof import('../src/document/document.js');
  const { toNativeNer } = (await import(dist('output/native.js'))) as typeof import('../src/output/native.js');
  const pipeline = buildPipeline();
  const perText = (list: string[]): number => {
    const start = process.cpuUsage();
    for (const text of list) JSON.stringify(toNativeNer(pipeline.run(new MedDocument(text))));
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1000 / list.length;
  };
  pipeline.run(new MedDocument('患者咳嗽3天。'));
  return { cold: perText(texts), warm: perText(texts.slice(0, 50)) };
}

/** Kernel figures of a process in MB: VmHWM (peak resident set) and VmRSS. */
function residentMB(pid: number): { peak: number; now: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { peak: kb('VmHWM') / 1024, now: kb('VmRSS') / 1024 };
}

async function photos(url: string, headers: Record<string, string>, pid: number): Promise<void> {
  const dir = option('dir', join(PACKAGE_ROOT, 'data', 'ocr'));
  const files = readdirSync(dir).filter((f) => /photo.*\.jpe?g$/.test(f)).sort();
  if (files.length === 0) throw new Error(`no photos in ${dir}: run npm run data:ocr`);
  const clients = Number(option('photo-clients', '2'));
  const idle = residentMB(pid);
  console.log(`machine: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length} cores, node ${process.version}; load average before: ${load()}`);
  console.log(`server ready: RSS ${idle.now.toFixed(0)} MB; ${files.length} photos, ${clients} clients at once, POST /v1/structure`);
  const started = Date.now();
  const failures: string[] = [];
  await Promise.all(Array.from({ length: clients }, async (_, lane) => {
    for (let i = lane; i < files.length; i += clients) {
      const body = JSON.stringify({ file: readFileSync(join(dir, files[i]!)).toString('base64') });
      const reply = await fetch(`${url}/v1/structure`, { method: 'POST', headers, body });
      if (!reply.ok) failures.push(`${files[i]}: ${reply.status}`);
      await reply.arrayBuffer();
    }
  }));
  const seconds = (Date.now() - started) / 1000;
  const after = residentMB(pid);
  console.log(`${(files.length / seconds).toFixed(2)} photos/s (${(seconds / files.length).toFixed(2)} s each), failures ${failures.length}${failures.length ? `: ${failures.join(', ')}` : ''}`);
  console.log(`server peak RSS ${after.peak.toFixed(0)} MB, after ${after.now.toFixed(0)} MB; load average ${load()}`);
}

async function main(): Promise<void> {
  const seconds = Number(option('seconds', '20'));
  const connections = Number(option('connections', '16'));
  const threads = option('threads', String(availableParallelism()));
  const maxQueue = option('max-queue', String(Number(threads) * 16));
  const textCount = Number(option('texts', '20000'));
  const only = option('only', 'both');
  if (!['both', 'steady', 'overload', 'photos'].includes(only)) throw new Error('--only takes steady, overload or photos');
  const dataDir = mkdtempSync(join(tmpdir(), 'medstruct-load-'));
  const env = { ...process.env };
  delete env.DATABASE_URL;
  const created = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'bin', 'medstruct.js'), 'keys', 'create', '--name', 'load', '--data-dir', dataDir], { env, encoding: 'utf8' });
  const { key } = JSON.parse(created.stdout.trim().split('\n').at(-1)!) as { key: string };
  const texts = only === 'photos' ? [] : loadTexts(textCount);
  if (process.argv.includes('--cpu')) {
    const sample = texts.slice(0, 2000);
    const cpu = await nerCpu(sample);
    console.log(`NER work per 300-character text, one thread: ${cpu.cold.toFixed(2)} ms CPU on a first pass over ${sample.length} texts, ${cpu.warm.toFixed(2)} ms on repeated texts`);
  }
  const { child, url } = await startServer(dataDir, threads, maxQueue);
  try {
    await waitReady(url);
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    if (only === 'photos') {
      await photos(url, headers, child.pid!);
      return;
    }
    // One request whose body is the pool's next text: autocannon builds a listed request for every connection
    // up front (2000 texts × 128 connections took seconds of the client's time, counted in the first replies).
    const bodies = texts.map((text) => JSON.stringify({ text }));
    let next = 0;
    const nextText = (request: Record<string, unknown>): Record<string, unknown> => ({ ...request, body: bodies[next++ % bodies.length] });
    const requests = [{ method: 'POST', path: '/v1/ner', headers, setupRequest: nextText }];
    console.log(`machine: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length} cores, node ${process.version}; server threads ${threads}, queue ${maxQueue}`);
    console.log(`load average before: ${load()}; ${texts.length} distinct 300-character texts`);

    // Warm-up on the end of the pool, so the measured run starts on texts the server has not seen.
    next = bodies.length - 3000;
    await autocannon({ url, connections, duration: 3, requests });
    next = 0;
    if (only !== 'overload') {
      const steady = await autocannon({ url, connections, duration: seconds, requests });
      console.log(`\n1. steady load: ${connections} connections, ${seconds} s, POST /v1/ner, 300 characters`);
      console.log(`   ${steady.requests.average.toFixed(0)} req/s (total ${steady.requests.total}), latency p50 ${ms(steady.latency.p50!)}, p99 ${ms(steady.latency.p99!)}, max ${ms(steady.latency.max!)}`);
      console.log(`   errors ${steady.errors}, timeouts ${steady.timeouts}, non-2xx ${steady.non2xx}; load average ${load()}`);
    }
    if (only === 'steady') return;

    const overloadConnections = Number(maxQueue) * 4;
    const refusals: number[] = [];
    const admitted: number[] = [];
    const before = await refusalBuckets(url);
    // A long client timeout: a timed-out admitted call would reset its connection and skew the refusals after it.
    const run = autocannon({ url, connections: overloadConnections, duration: Math.max(5, seconds / 2), requests, timeout: 40 });
    // A connection's first refusal also waited for the connection itself (all of them open at once at the
    // start): it is reported apart, so the refusal figures are those of calls on open connections.
    const replies = new Map<unknown, number>();
    const firstRefusals: number[] = [];
    run.on('response', (client, status, _bytes, latency) => {
      const nth = (replies.get(client) ?? 0) + 1;
      replies.set(client, nth);
      const refused = status === 503 || status === 429;
      if (refused) (nth === 1 ? firstRefusals : refusals).push(latency);
      else admitted.push(latency);
    });
    const overload = await run;
    const statuses = Object.fromEntries(Object.entries(overload.statusCodeStats).map(([code, s]) => [code, s.count]));
    const total = Object.values(statuses).reduce((a, b) => a + b, 0);
    console.log(`\n2. overload: ${overloadConnections} connections against a queue of ${maxQueue}`);
    const refused = (statuses['503'] ?? 0) + (statuses['429'] ?? 0);
    console.log(`   statuses ${JSON.stringify(statuses)} (${((100 * refused) / Math.max(1, total)).toFixed(1)}% refused), errors ${overload.errors}, timeouts ${overload.timeouts}`);
    console.log(`   refusals (429/503) on open connections: ${latencyLine(refusals)}`);
    console.log(`   admitted calls:     ${latencyLine(admitted)}`);
    console.log(`   refusals as a new connection's first reply: ${latencyLine(firstRefusals)}`);
    const after = await refusalBuckets(url);
    const served = (le: string): number => (after.get(le) ?? 0) - (before.get(le) ?? 0);
    const all = Math.max(1, served('+Inf'));
    console.log(`   refusals in the server (request to reply): ${['0.005', '0.01', '0.05', '0.1'].map((le) => `≤ ${Number(le) * 1000} ms ${((100 * served(le)) / all).toFixed(2)}%`).join(', ')} of ${served('+Inf')}`);
    const health = await fetch(`${url}/healthz`).then((r) => r.status, () => 0);
    console.log(`   server after overload: /healthz ${health}; load average ${load()}`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
