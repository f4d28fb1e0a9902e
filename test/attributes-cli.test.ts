import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The CLI runs from dist/ (npm test builds it first).
function medstruct(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/medstruct.js', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const lastLine = (stdout: string): Record<string, number> => JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, number>;

// Common findings, so the check does not hang on what a retrained recognizer happens to find at the edges.
const TEXT = '患者3天前出现发热，无咳嗽、咳痰。考虑肺炎。父亲患高血压。';

describe('medstruct ner with assertions', () => {
  it('carries the assertion of each finding in the native format', () => {
    const r = medstruct('ner', TEXT);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { entities: Array<{ text: string; type: string; assertion: { certainty: string; subject: string } | null }> };
    const find = (text: string) => out.entities.find((e) => e.text === text);
    expect(find('发热')?.assertion?.certainty).toBe('positive');
    expect(find('咳嗽')?.assertion?.certainty).toBe('negative');
    expect(find('肺炎')?.assertion?.certainty).toBe('possible');
    expect(find('高血压')?.assertion?.subject).toBe('family');
  });

  it('writes one full native document per line for --jsonl --format native', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'medstruct-jsonl-')), 'in.jsonl');
    writeFileSync(file, `${JSON.stringify({ text: '无咳嗽。' })}\n${JSON.stringify({ text: '考虑肺炎。' })}\n`);
    const r = medstruct('ner', '--jsonl', file, '--format', 'native');
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { entities: Array<{ text: string; assertion: { certainty: string } | null }>; relations: unknown[] });
    expect(lines).toHaveLength(2);
    expect(lines[0]!.entities.find((e) => e.text === '咳嗽')?.assertion?.certainty).toBe('negative');
    expect(lines[1]!.entities.find((e) => e.text === '肺炎')?.assertion?.certainty).toBe('possible');
    expect(Array.isArray(lines[1]!.relations)).toBe(true);
  });

  it('maps the axes to Alibaba attributes and drops negated findings for nocode on request', () => {
    const aliyun = JSON.parse(medstruct('ner', '--format', 'aliyun', TEXT).stdout) as { result: { ner: Array<{ text: string; attributes: string[] }> } };
    expect(aliyun.result.ner.find((n) => n.text === '咳嗽')?.attributes).toEqual(['NEGATIVE']);
    expect(aliyun.result.ner.find((n) => n.text === '肺炎')?.attributes).toEqual(['POSSIBLE']);
    const names = (args: string[]): string[] =>
      (JSON.parse(medstruct('ner', '--format', 'nocode', ...args, TEXT).stdout) as { data: { entity_extraction: Array<{ ner_name: string }> } })
        .data.entity_extraction.map((e) => e.ner_name);
    expect(names([])).toContain('咳嗽');
    expect(names(['--drop-negated'])).not.toContain('咳嗽');
    expect(names(['--drop-negated'])).toContain('发热');
  });
});

describe('medstruct eval assertion', () => {
  it('scores the report sentences of the repository and ends with the accuracy line', () => {
    const r = medstruct('eval', 'assertion', '--data', 'eval/assertion-reports.jsonl');
    expect(r.status).toBe(0);
    const last = lastLine(r.stdout);
    expect(last.accuracy).toBeGreaterThan(0.9);
    expect(last.negativeRecall).toBeGreaterThan(0.9);
    expect(last).not.toHaveProperty('temporalityAccuracy');
  });

  it('scores history and family where the gold gives them', () => {
    const r = medstruct('eval', 'assertion', '--data', 'eval/assertion-reports-g.jsonl');
    expect(r.status).toBe(0);
    const last = lastLine(r.stdout);
    expect(last.temporalityAccuracy).toBeGreaterThan(0.9);
    expect(last.subjectAccuracy).toBeGreaterThan(0.9);
  });

  it('finds the sections of each gold row, as the pipeline does, so a heading sets its defaults', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'medstruct-sections-')), 'reports.jsonl');
    const text = '婚育史：适龄结婚，G3P1，剖宫产1次，人工流产2次。';
    const at = (word: string): { start: number; end: number } => ({ start: text.indexOf(word), end: text.indexOf(word) + word.length });
    const findings = ['剖宫产', '人工流产'].map((w) => ({ ...at(w), type: 'procedure', certainty: 'positive', temporality: 'past', subject: 'patient' }));
    writeFileSync(file, `${JSON.stringify({ text, findings })}\n`);
    expect(lastLine(medstruct('eval', 'assertion', '--data', file).stdout).temporalityAccuracy).toBe(1);
  });

  it('scores the conditional axis where the gold gives it', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'medstruct-conditional-')), 'reports.jsonl');
    const rows = [
      {
        text: '患者腹痛3天，如出现发热及时复诊。',
        findings: [{ start: 2, end: 4, certainty: 'positive', conditional: false }, { start: 10, end: 12, certainty: 'possible', conditional: true }],
      },
      { text: '胆囊内未见结石。', findings: [{ start: 5, end: 7, certainty: 'negative' }] },
    ];
    writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const r = medstruct('eval', 'assertion', '--data', file);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout.slice(0, r.stdout.lastIndexOf('\n{'))) as { conditional: { findings: number; conditionalFindings: number } };
    expect(report.conditional).toMatchObject({ findings: 2, conditionalFindings: 1 });
    const last = lastLine(r.stdout);
    expect(last.conditionalAccuracy).toBeGreaterThanOrEqual(0);
    expect(last.conditionalAccuracy).toBeLessThanOrEqual(1);
    expect(last).toHaveProperty('conditionalRecall');
    expect(lastLine(medstruct('eval', 'assertion', '--data', 'eval/assertion-reports.jsonl').stdout)).not.toHaveProperty('conditionalAccuracy');
  });

  it('scores report sentences end to end on the entities the pipeline recognizes itself', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'medstruct-e2e-')), 'reports.jsonl');
    const rows = [
      { text: '胆囊壁毛糙，胆囊内未见结石。', findings: [{ start: 11, end: 13, certainty: 'negative' }] },
      { text: '右肺下叶结节，考虑肺癌可能。', findings: [{ start: 9, end: 11, certainty: 'possible' }] },
      { text: '患者否认高血压、糖尿病病史。', findings: [{ start: 4, end: 7, certainty: 'negative' }, { start: 8, end: 11, certainty: 'negative' }] },
    ];
    writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const r = medstruct('eval', 'assertion', '--ner', '--data', file);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout.slice(0, r.stdout.lastIndexOf('\n{'))) as { format: string; coverage: { findings: number; found: number } };
    expect(report.format).toBe('reports-end-to-end');
    expect(report.coverage.findings).toBe(4);
    const last = lastLine(r.stdout);
    expect(last.found).toBe(1);
    expect(last.accuracy).toBe(1);
    const cmdd = medstruct('eval', 'assertion', '--ner', '--data', 'eval');
    expect(cmdd.status).not.toBe(0);
    expect(cmdd.stdout + cmdd.stderr).toContain('INVALID_ARGUMENT');
  });

  it('reads a directory of CMDD dialogues', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'medstruct-cmdd-')), 'dev');
    mkdirSync(dir);
    writeFileSync(join(dir, 'dev_0.json'), JSON.stringify({
      'example-id': '1',
      'dialogue-content': [
        { speaker: '患者', sentence: '宝宝咳嗽两天了', label: 'OOBIOOO', normalized: ['咳嗽'], type: ['1'] },
        { speaker: '医生', sentence: '发烧吗？', label: 'BIOO', normalized: ['发热'], type: ['2'] },
        { speaker: '患者', sentence: '没有发烧', label: 'OOBI', normalized: ['发热'], type: ['2'] },
      ],
    }));
    const r = medstruct('eval', 'assertion', '--data', dir);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout.slice(0, r.stdout.lastIndexOf('\n{')))).toMatchObject({ format: 'cmdd', mentions: 3 });
    expect(lastLine(r.stdout).accuracy).toBeGreaterThanOrEqual(2 / 3);
  });

  it('reports a missing path and a malformed line with stable codes', () => {
    const missing = medstruct('eval', 'assertion', '--data', '/nonexistent/cmdd');
    expect(missing.status).not.toBe(0);
    expect(missing.stdout + missing.stderr).toContain('NOT_FOUND');
    const file = join(mkdtempSync(join(tmpdir(), 'medstruct-rep-')), 'bad.jsonl');
    writeFileSync(file, '{"text":"无发热","findings":[{"start":1,"end":9,"certainty":"negative"}]}\n');
    const bad = medstruct('eval', 'assertion', '--data', file);
    expect(bad.status).not.toBe(0);
    expect(bad.stdout + bad.stderr).toContain('INVALID_ARGUMENT');
  });
});
