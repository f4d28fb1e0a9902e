/**
 * Linking benchmark: knowledge-graph load time and memory, then single-core throughput of `link` on entity
 * mentions and of `linkDiagnoses` on CHIP-CDN diagnosis strings (data/linking/chip-cdn-heldout.json from
 * `npm run data:link`; skipped when absent). Run with `npm run bench:link`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { PACKAGE_ROOT } from '../src/resources.js';
import { loadKnowledgeGraph } from '../src/linking/kg.js';
import { Linker } from '../src/linking/linker.js';
import type { EntityType } from '../src/taxonomy/taxonomy.js';

const cpuSeconds = (since: NodeJS.CpuUsage): number => { const u = process.cpuUsage(since); return (u.user + u.system) / 1e6; };

const rssBefore = process.memoryUsage().rss;
const loadStarted = performance.now();
const loadCpu = process.cpuUsage();
const linker = new Linker(loadKnowledgeGraph());
const loadMs = performance.now() - loadStarted;
const loadCpuMs = cpuSeconds(loadCpu) * 1000;
const rssAfter = process.memoryUsage().rss;

// Entity mentions as the NER stage hands them over: mostly known terms, some variants, some noise.
const MENTIONS: Array<[string, EntityType]> = [
  ['高血压', 'disease'], ['2型糖尿病', 'disease'], ['冠心病', 'disease'], ['慢性胃炎', 'disease'], ['肺部感染', 'disease'],
  ['脑梗死', 'disease'], ['急性阑尾炎', 'disease'], ['左肺上叶腺癌', 'disease'], ['胆囊结石伴胆囊炎', 'disease'], ['甲状腺结节', 'disease'],
  ['肚子疼', 'symptom'], ['拉稀', 'symptom'], ['嗓子疼', 'symptom'], ['发热', 'symptom'], ['咳嗽咳痰', 'symptom'],
  ['胸闷气短', 'symptom'], ['头晕', 'symptom'], ['恶心呕吐', 'symptom'], ['双下肢水肿', 'symptom'], ['乏力', 'symptom'],
  ['阿司匹林', 'drug'], ['拜唐苹', 'drug'], ['二甲双胍', 'drug'], ['希舒美', 'drug'], ['硝苯地平控释片', 'drug'],
  ['WBC', 'lab_test'], ['HGB', 'lab_test'], ['ALT', 'lab_test'], ['谷丙转氨酶', 'lab_test'], ['肌酐', 'lab_test'],
  ['胸部CT', 'exam'], ['心电图', 'exam'], ['腹部B超', 'exam'], ['胃镜', 'exam'],
  ['阑尾切除术', 'procedure'], ['腹腔镜胆囊切除术', 'procedure'], ['冠状动脉支架置入术', 'procedure'],
  ['浙一医院', 'hospital'], ['协和医院', 'hospital'], ['华西', 'hospital'], ['中山一院', 'hospital'],
  ['心内科', 'department'], ['呼吸内科', 'department'], ['xq12', 'disease'], ['左侧', 'symptom'],
];

/**
 * Items per wall second and per CPU second of this process: on a machine shared with other jobs the CPU-time
 * figure is the per-core throughput (one thread does all the work).
 */
function throughput(label: string, items: number, run: () => void): { label: string; items: number; seconds: number; perSecond: number; perCpuSecond: number } {
  run(); // warm-up pass: JIT and caches
  const started = performance.now();
  const cpu = process.cpuUsage();
  let rounds = 0;
  while (performance.now() - started < 5000) { run(); rounds++; }
  const seconds = (performance.now() - started) / 1000;
  const cpuUsed = cpuSeconds(cpu);
  return { label, items: items * rounds, seconds: Math.round(seconds * 100) / 100, perSecond: Math.round((items * rounds) / seconds), perCpuSecond: Math.round((items * rounds) / cpuUsed) };
}

const results = [
  throughput('link(mention, type)', MENTIONS.length, () => { for (const [m, t] of MENTIONS) linker.link(m, t); }),
];
const heldOutPath = join(PACKAGE_ROOT, 'data', 'linking', 'chip-cdn-heldout.json');
if (existsSync(heldOutPath)) {
  const texts = (JSON.parse(readFileSync(heldOutPath, 'utf8')) as Array<{ text: string }>).map((r) => r.text);
  results.push(throughput('linkDiagnoses(CHIP-CDN text)', texts.length, () => { for (const t of texts) linker.linkDiagnoses(t); }));
}
console.log(JSON.stringify({
  machine: `${cpus()[0]?.model ?? 'unknown'} (${cpus().length} cores), node ${process.version}`,
  loadMs: Math.round(loadMs),
  loadCpuMs: Math.round(loadCpuMs),
  loadAverage: loadavg().map((x) => Math.round(x * 10) / 10),
  rssMB: Math.round(rssAfter / 1e6),
  rssAddedMB: Math.round((rssAfter - rssBefore) / 1e6),
  results,
}, null, 2));
