/**
 * NER engine benchmark: model load time, single-core throughput (characters per wall and per CPU second) of the
 * entities stage alone, and resident memory, on the held-out texts of a scheme (or, without
 * data/ner, on built-in clinical sentences).
 *
 *   npm run bench:ner [-- --scheme native --seconds 10 --build]
 *
 * `--build` times the compiled dist/ (what bin/medstruct and the server run; `npm run build` first)
 * instead of the sources as tsx transpiles them, which run slower. `--pipeline` times the whole default
 * pipeline behind POST /v1/ner (sections, entities, attributes, relations, linking) on fresh documents of
 * 300 characters cut from the same texts joined by line breaks, and reports its CPU milliseconds per text.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { pathToFileURL } from 'node:url';
import { PACKAGE_ROOT } from '../src/resources.js';
import { isSchemeName, type SchemeName } from '../src/taxonomy/taxonomy.js';

const FALLBACK = [
  '患者3天前无明显诱因出现发热，最高体温39.2℃，伴咳嗽、咳黄痰，无胸痛、咯血。',
  '查体：T 38.5℃，P 96次/分，BP 130/80mmHg，右下肺可闻及湿啰音，双下肢无水肿。',
  '血常规：WBC 12.5×10^9/L，中性粒细胞百分比85.3%，C反应蛋白56mg/L。胸部CT示右肺下叶炎症。',
  '入院诊断：1.社区获得性肺炎 2.2型糖尿病 3.高血压病2级。予头孢曲松钠2.0g静滴抗感染治疗。',
];

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

function texts(scheme: SchemeName): { texts: string[]; source: string } {
  const file = join(PACKAGE_ROOT, 'data', 'ner', scheme === 'native' ? 'yidu' : scheme, 'heldout.jsonl');
  if (!existsSync(file)) return { texts: FALLBACK, source: 'built-in sentences' };
  const rows = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => (JSON.parse(l) as { text: string }).text);
  return { texts: rows, source: file.slice(PACKAGE_ROOT.length + 1) };
}

type DocumentModule = typeof import('../src/document/document.js');
type EntitiesModule = typeof import('../src/entities/index.js');
type PipelineModule = typeof import('../src/pipeline/default.js');

async function modules(build: boolean): Promise<[DocumentModule, EntitiesModule, PipelineModule]> {
  if (!build) return [await import('../src/document/document.js'), await import('../src/entities/index.js'), await import('../src/pipeline/default.js')];
  const dist = (path: string): string => pathToFileURL(join(PACKAGE_ROOT, 'dist', path)).href;
  if (!existsSync(join(PACKAGE_ROOT, 'dist', 'entities', 'index.js'))) throw new Error('no dist/: run npm run build first');
  return [
    (await import(dist('document/document.js'))) as DocumentModule,
    (await import(dist('entities/index.js'))) as EntitiesModule,
    (await import(dist('pipeline/default.js'))) as PipelineModule,
  ];
}

const PIPELINE_TEXT_LENGTH = 300;

async function main(): Promise<void> {
  const build = process.argv.includes('--build');
  const pipelineMode = process.argv.includes('--pipeline');
  const [{ MedDocument }, { loadEntityStage }, { buildPipeline }] = await modules(build);
  const scheme = option('scheme', 'native');
  if (!isSchemeName(scheme)) throw new Error(`unknown scheme ${scheme}`);
  const seconds = Number(option('seconds', '10'));
  const rssBefore = process.memoryUsage().rss;
  const loadStart = performance.now();
  const loadCpu = process.cpuUsage();
  const pipeline = pipelineMode ? buildPipeline({ scheme }) : null;
  const stage = pipeline ? { process: (doc: InstanceType<typeof MedDocument>) => void pipeline.run(doc) } : loadEntityStage(scheme);
  stage.process(new MedDocument('患者发热'));
  const loadMs = performance.now() - loadStart;
  const loadCpuUsed = process.cpuUsage(loadCpu);
  const { texts: corpus, source } = texts(scheme);
  const joined = pipelineMode ? corpus.join('\n') : '';
  const pieces = Array.from({ length: Math.floor(joined.length / PIPELINE_TEXT_LENGTH) }, (_, i) => joined.slice(i * PIPELINE_TEXT_LENGTH, (i + 1) * PIPELINE_TEXT_LENGTH));
  const docs = corpus.map((t) => new MedDocument(t));
  // The stage alone reruns prepared documents; the pipeline gets a fresh document per text, as a request does.
  const pass = (): { chars: number; entities: number } => {
    let chars = 0;
    let entities = 0;
    if (pipelineMode) {
      for (const text of pieces) {
        const doc = new MedDocument(text);
        stage.process(doc);
        chars += doc.length;
        entities += doc.entities.length;
      }
    } else {
      for (const doc of docs) {
        doc.entities = [];
        stage.process(doc);
        chars += doc.length;
        entities += doc.entities.length;
      }
    }
    return { chars, entities };
  };
  // Warm up the JIT on one pass, then time whole passes until `seconds` elapse.
  pass();
  let chars = 0;
  let entities = 0;
  let texts300 = 0;
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  while (performance.now() - start < seconds * 1000) {
    const done = pass();
    chars += done.chars;
    entities += done.entities;
    texts300 += pieces.length;
  }
  const elapsed = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const result = {
    scheme,
    timed: pipelineMode ? 'default pipeline, 300-character texts' : 'entities stage',
    code: build ? 'dist (compiled)' : 'src (tsx)',
    data: source,
    cpu: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    date: new Date().toISOString(),
    loadMs: Math.round(loadMs),
    loadCpuMs: Math.round((loadCpuUsed.user + loadCpuUsed.system) / 1000),
    charsPerSecond: Math.round(chars / elapsed),
    // Throughput per second of this process' own CPU time: what one dedicated core achieves when
    // other processes share the machine.
    charsPerCpuSecond: Math.round(chars / cpuSeconds),
    entitiesPerSecond: Math.round(entities / elapsed),
    ...(pipelineMode ? { cpuMsPerText: Number(((cpuSeconds * 1000) / texts300).toFixed(2)), averageTextLength: Math.round(chars / texts300) } : {}),
    rssMB: Math.round(process.memoryUsage().rss / 1e6),
    rssAtStartMB: Math.round(rssBefore / 1e6),
  };
  console.log(JSON.stringify(result, null, 2));
}

await main();
