/**
 * HTTP load test of `medstruct serve`, from this process (the client) against a server child process on
 * loopback, with autocannon:
 *   1. throughput and latency of POST /v1/ner with 300-character clinical texts;
 *   2. overload: four times more concurrent clients than the pool queues; most are refused (503) and the
 *      latency of all replies is reported.
 * The server runs on a fresh SQLite folder with its default metering (every call reserved and charged).
 *
 *   npm run build && npm run bench:load [-- --seconds 20 --connections 16 --threads 2 --max-queue 32]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../src/resources.js';

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: Record<string, number>;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats: Record<string, { count: number }>;
  duration: number;
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

/** Clinical sentences written for this bench; joined and cut into 300-character texts. */
const SENTENCES = [
  '患者男，67岁，因反复咳嗽咳痰10年，加重伴气促3天入院。',
  '既往高血压病史15年，最高血压180/100mmHg，长期口服苯磺酸氨氯地平片5mg qd，血压控制可。',
  '查体：T 37.8℃，P 102次/分，R 24次/分，BP 150/90mmHg，口唇发绀，双肺可闻及散在湿啰音及哮鸣音。',
  '血常规示白细胞计数12.6×10^9/L，中性粒细胞百分比86.2%，C反应蛋白48mg/L，降钙素原0.35ng/ml。',
  '胸部CT示双肺慢性支气管炎、肺气肿改变，右肺下叶斑片状渗出影，考虑感染。',
  '入院诊断：1.慢性阻塞性肺疾病急性加重；2.社区获得性肺炎；3.高血压病3级（很高危）。',
  '予头孢哌酮舒巴坦钠3g q12h静滴抗感染，多索茶碱平喘，布地奈德雾化吸入，低流量吸氧等治疗。',
  '否认糖尿病、冠心病病史，否认药物过敏史，吸烟40年，每日20支，已戒烟2年。',
  '患者女，52岁，体检发现甲状腺结节1月，无颈部疼痛，无声音嘶哑，无吞咽困难。',
  '甲状腺彩超示甲状腺右叶低回声结节，大小约1.2×0.8cm，边界不清，纵横比>1，可见点状强回声，TI-RADS 4b类。',
];

function texts300(count: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let text = '';
    for (let j = i; Array.from(text).length < 300; j++) text += SENTENCES[j % SENTENCES.length];
    out.push(Array.from(text).slice(0, 300).join(''));
  }
  return out;
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

async function main(): Promise<void> {
  const seconds = Number(option('seconds', '20'));
  const connections = Number(option('connections', '16'));
  const threads = option('threads', String(availableParallelism()));
  const maxQueue = option('max-queue', String(Number(threads) * 16));
  const dataDir = mkdtempSync(join(tmpdir(), 'medstruct-load-'));
  const env = { ...process.env };
  delete env.DATABASE_URL;
  const created = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'bin', 'medstruct.js'), 'keys', 'create', '--name', 'load', '--data-dir', dataDir], { env, encoding: 'utf8' });
  const { key } = JSON.parse(created.stdout.trim().split('\n').at(-1)!) as { key: string };
  const { child, url } = await startServer(dataDir, threads, maxQueue);
  try {
    await waitReady(url);
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const requests = texts300(50).map((text) => ({ method: 'POST', path: '/v1/ner', headers, body: JSON.stringify({ text }) }));
    console.log(`machine: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length} cores, node ${process.version}; server threads ${threads}, queue ${maxQueue}`);

    await autocannon({ url, connections, duration: 3, requests });
    const steady = await autocannon({ url, connections, duration: seconds, requests });
    console.log(`\n1. steady load: ${connections} connections, ${seconds} s, POST /v1/ner, 300 characters`);
    console.log(`   ${steady.requests.average.toFixed(0)} req/s (total ${steady.requests.total}), latency p50 ${ms(steady.latency.p50!)}, p99 ${ms(steady.latency.p99!)}, max ${ms(steady.latency.max!)}`);
    console.log(`   errors ${steady.errors}, timeouts ${steady.timeouts}, non-2xx ${steady.non2xx}`);

    const overloadConnections = Number(maxQueue) * 4;
    const overload = await autocannon({ url, connections: overloadConnections, duration: Math.max(5, seconds / 2), requests });
    const statuses = Object.fromEntries(Object.entries(overload.statusCodeStats).map(([code, s]) => [code, s.count]));
    const total = Object.values(statuses).reduce((a, b) => a + b, 0);
    const refused = (statuses['503'] ?? 0) + (statuses['429'] ?? 0);
    console.log(`\n2. overload: ${overloadConnections} connections against a queue of ${maxQueue}`);
    console.log(`   statuses ${JSON.stringify(statuses)} (${((100 * refused) / Math.max(1, total)).toFixed(1)}% refused), errors ${overload.errors}, timeouts ${overload.timeouts}`);
    console.log(`   latency of all replies (mostly refusals) p50 ${ms(overload.latency.p50!)}, p90 ${ms(overload.latency.p90!)}, p97.5 ${ms(overload.latency.p97_5!)}, p99 ${ms(overload.latency.p99!)}`);
    const health = await fetch(`${url}/healthz`).then((r) => r.status, () => 0);
    console.log(`   server after overload: /healthz ${health}`);
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
