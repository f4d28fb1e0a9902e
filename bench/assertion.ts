/**
 * Cost of the attributes (assertion) and relations stages next to the entities stage they follow: CPU
 * milliseconds per pass over the report sentences of eval/assertion-reports*.jsonl, the three stages
 * timed in alternation so that load from other processes hits them alike.
 *
 *   npm run bench:assertion [-- --seconds 10] [--fresh [--build]] [--texts FILE.jsonl]
 *
 * `--fresh` times the default `ner` pipeline as a user runs it instead: each pass takes every text through
 * all the stages (sections, entities, attributes, relations, linking) as a new document, one document at a
 * time, and adds up each stage's wall time (per-stage CPU clocks would cost more than the small stages;
 * run it on a quiet machine). With `--build` it times the compiled dist/ that bin/medstruct and the server run
 * (`npm run build` first): the stages' shares differ from the sources as tsx runs them. `--texts` reads the texts from the `text` field of each line of another JSONL file
 * instead (e.g. whole reports: ../shared/data/reports/samples.jsonl).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { attributesStage } from '../src/attributes/index.js';
import { MedDocument } from '../src/document/document.js';
import { loadEntityStage } from '../src/entities/index.js';
import { buildPipeline } from '../src/pipeline/default.js';
import type { Stage } from '../src/pipeline/stage.js';
import { relationsStage } from '../src/relations/index.js';
import { PACKAGE_ROOT } from '../src/resources.js';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

function reportTexts(): string[] {
  const file = option('texts', '');
  if (file) return readFileSync(file, 'utf8').split('\n').filter((line) => line.trim()).map((line) => (JSON.parse(line) as { text: string }).text);
  const texts: string[] = [];
  for (const file of readdirSync(join(PACKAGE_ROOT, 'eval')).filter((f) => /^assertion-reports.*\.jsonl$/.test(f)).sort()) {
    for (const line of readFileSync(join(PACKAGE_ROOT, 'eval', file), 'utf8').split('\n')) {
      if (line.trim()) texts.push((JSON.parse(line) as { text: string }).text);
    }
  }
  return texts;
}

/** CPU milliseconds of one pass of `run` over all documents. */
function cpuMs(docs: MedDocument[], run: (doc: MedDocument) => void): number {
  const start = process.cpuUsage();
  for (const doc of docs) run(doc);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

type DocumentModule = typeof import('../src/document/document.js');
type PipelineModule = typeof import('../src/pipeline/default.js');

/** The document and pipeline modules from the sources, or from the compiled dist/ with `--build`. */
async function pipelineModules(build: boolean): Promise<[DocumentModule, PipelineModule]> {
  if (!build) return [{ MedDocument } as DocumentModule, { buildPipeline } as PipelineModule];
  const dist = (path: string): string => pathToFileURL(join(PACKAGE_ROOT, 'dist', path)).href;
  if (!existsSync(join(PACKAGE_ROOT, 'dist', 'pipeline', 'default.js'))) throw new Error('no dist/: run npm run build first');
  return [(await import(dist('document/document.js'))) as DocumentModule, (await import(dist('pipeline/default.js'))) as PipelineModule];
}

/** Wall milliseconds per pass of each stage of the default pipeline, each new document through every stage. */
async function freshPipeline(texts: string[], seconds: number, build: boolean): Promise<void> {
  const [documents, pipelines] = await pipelineModules(build);
  const stages = pipelines.buildPipeline().stages;
  const totals: Record<string, number> = Object.fromEntries(stages.map((s) => [s.name, 0]));
  const run = (): void => {
    for (const text of texts) {
      const doc = new documents.MedDocument(text);
      for (const stage of stages) {
        const started = performance.now();
        stage.process(doc);
        totals[stage.name]! += performance.now() - started;
      }
    }
  };
  run();
  for (const name of Object.keys(totals)) totals[name] = 0;
  let passes = 0;
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) { run(); passes++; }
  const perPass = Object.fromEntries(Object.entries(totals).map(([name, ms]) => [name, Math.round((ms / passes) * 100) / 100]));
  console.log(JSON.stringify({
    data: option('texts', 'eval/assertion-reports*.jsonl'), mode: `fresh documents, default ner pipeline, ${build ? 'compiled dist/' : 'sources under tsx'}`, documents: texts.length,
    cpu: cpus()[0]?.model ?? 'unknown', node: process.version, date: new Date().toISOString(), passes, wallMsPerPass: perPass,
    attributesShareOfNer: Math.round(((totals.attributes ?? 0) / (totals.entities ?? 1)) * 1000) / 1000,
  }, null, 2));
}

async function main(): Promise<void> {
  const seconds = Number(option('seconds', '10'));
  if (process.argv.includes('--fresh')) {
    await freshPipeline(reportTexts(), seconds, process.argv.includes('--build'));
    return;
  }
  const entities: Stage = loadEntityStage('native');
  const docs = reportTexts().map((t) => new MedDocument(t));
  const recognize = (doc: MedDocument): void => { doc.entities = []; entities.process(doc); };
  const assert = (doc: MedDocument): void => { for (const e of doc.entities) e.assertion = null; attributesStage.process(doc); };
  const relate = (doc: MedDocument): void => { doc.relations = []; relationsStage.process(doc); };
  for (const doc of docs) { recognize(doc); assert(doc); relate(doc); }
  const totals = { entities: 0, attributes: 0, relations: 0 };
  let passes = 0;
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) {
    totals.entities += cpuMs(docs, recognize);
    // Recognition replaced the entities; relations re-adds its drug attributes before they are timed again.
    cpuMs(docs, relate);
    totals.attributes += cpuMs(docs, assert);
    totals.relations += cpuMs(docs, relate);
    passes++;
  }
  const chars = docs.reduce((n, d) => n + d.length, 0);
  const per = (ms: number): number => Math.round((ms / passes) * 100) / 100;
  console.log(JSON.stringify({
    data: option('texts', 'eval/assertion-reports*.jsonl'), documents: docs.length, characters: chars,
    asserted: docs.reduce((n, d) => n + d.entities.filter((e) => e.assertion).length, 0),
    relations: docs.reduce((n, d) => n + d.relations.length, 0),
    cpu: cpus()[0]?.model ?? 'unknown', node: process.version, date: new Date().toISOString(), passes,
    cpuMsPerPass: { entities: per(totals.entities), attributes: per(totals.attributes), relations: per(totals.relations) },
    attributesShareOfNer: Math.round((totals.attributes / totals.entities) * 1000) / 1000,
    relationsShareOfNer: Math.round((totals.relations / totals.entities) * 1000) / 1000,
  }, null, 2));
}

await main();
