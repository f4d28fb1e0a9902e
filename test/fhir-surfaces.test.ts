import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { MedDocument } from '../src/document/document.js';
import { toFhirBundle } from '../src/output/fhir/index.js';
import { structureDocument } from '../src/structure/index.js';
import { checkBundle } from './fhir-checker.js';
import { testServer, type TestServer } from './server-helper.js';

const REPORTS = join(import.meta.dirname, 'fixtures', 'reports');
const CT = join(REPORTS, 'ct.txt');

/** Runs the CLI and returns what it printed. */
async function cli(argv: string[]): Promise<string> {
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => { lines.push(String(chunk)); return true; }) as typeof process.stdout.write;
  try {
    expect(await main(argv)).toBe(0);
  } finally {
    process.stdout.write = write;
  }
  return lines.join('');
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('FHIR output on the CLI and the HTTP API', () => {
  let server: TestServer;
  let key: string;

  beforeAll(async () => {
    server = await testServer();
    key = (await server.key()).key;
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
  });

  it('medstruct structure --format fhir prints one valid Bundle', async () => {
    const bundle = JSON.parse(await cli(['structure', CT, '--format', 'fhir'])) as Json;
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'document' });
    expect(checkBundle(bundle)).toEqual([]);
    const report = bundle.entry.find((e: Json) => e.resource.resourceType === 'DiagnosticReport').resource;
    expect(report.code.coding[0]).toMatchObject({ system: 'http://loinc.org', code: '18748-4' });
  }, 60_000);

  it('medstruct structure --jsonl --format fhir prints one Bundle per line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'medstruct-fhir-'));
    try {
      const file = join(dir, 'reports.jsonl');
      writeFileSync(file, [readFileSync(join(REPORTS, 'lab.txt'), 'utf8'), readFileSync(join(REPORTS, 'ecg.txt'), 'utf8')].map((text) => JSON.stringify({ text })).join('\n'));
      const bundles = (await cli(['structure', '--jsonl', file, '--format', 'fhir'])).trim().split('\n').map((line) => JSON.parse(line) as Json);
      expect(bundles.map((b) => b.type)).toEqual(['collection', 'document']);
      for (const b of bundles) expect(checkBundle(b)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('every report fixture, through the full pipeline, gives a structurally valid Bundle', () => {
    for (const name of readdirSync(REPORTS).filter((f) => f.endsWith('.txt'))) {
      const doc = new MedDocument(readFileSync(join(REPORTS, name), 'utf8'));
      const bundle = toFhirBundle(structureDocument(doc), doc);
      expect([name, checkBundle(bundle)]).toEqual([name, []]);
    }
  }, 60_000);

  it('POST /v1/structure with format fhir answers a valid Bundle; other formats are refused', async () => {
    const reply = await server.call('POST', '/v1/structure', { key, body: { text: 'CT检查报告\n检查所见：右肺下叶见结节影，大小约8mm。\n诊断意见：右肺下叶结节。', type: 'ct', format: 'fhir' } });
    expect(reply.status).toBe(200);
    expect(reply.body.resourceType).toBe('Bundle');
    expect(checkBundle(reply.body)).toEqual([]);
    expect(reply.body.entry.map((e: Json) => e.resource.resourceType)).toEqual(expect.arrayContaining(['Composition', 'Patient', 'DiagnosticReport', 'Observation']));
    const bad = await server.call('POST', '/v1/structure', { key, body: { text: '诊断意见：右肺下叶结节。', format: 'hl7v2' } });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'INVALID_ARGUMENT']);
  }, 60_000);
});
