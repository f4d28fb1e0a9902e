import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The CLI runs from dist/ (npm test builds it first).
function medstruct(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/medstruct.js', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('medstruct link', () => {
  const dir = mkdtempSync(join(tmpdir(), 'medstruct-link-'));

  it('prints the links of a diagnosis string', () => {
    const r = medstruct('link', '胃癌术后；高血压3级');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { links: Array<{ name: string; id: string; code: string; score: number; type: string }> };
    const stomach = out.links.find((l) => l.name === '胃恶性肿瘤');
    expect(stomach).toMatchObject({ type: 'disease' });
    expect(stomach?.code).toMatch(/^C16/);
    expect(stomach?.id).toBe(`icd10:${stomach?.code}`);
  });

  it('scores single mentions in the jsonl mention format', () => {
    const file = join(dir, 'report-mentions.jsonl');
    writeFileSync(file, [
      '{"text":"肚子疼","type":"symptom","expected":"腹痛"}',
      '{"text":"低回声团","type":"symptom","expected":"unlinked"}',
      '{"text":"WBC","type":"lab_test","expected":["白细胞计数"]}',
    ].join('\n') + '\n');
    const r = medstruct('eval', 'link', '--mentions', file);
    expect(r.status).toBe(0);
    const last = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, number>;
    expect(last).toMatchObject({ mentions: 3, precision: 1, recall: 1, unlinkedAccuracy: 1 });
    writeFileSync(file, '{"text":"肚子疼"}\n');
    const bad = medstruct('eval', 'link', '--mentions', file);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/INVALID_JSON/);
  });

  it('answers one line per input line, in order, unlinked lines included', () => {
    const file = join(dir, 'mentions.jsonl');
    writeFileSync(file, ['{"text":"肚子疼"}', '{"text":"浙一医院","type":"hospital"}', '{"text":"qwerty"}', '{"text":"WBC","type":"lab_test"}'].join('\n') + '\n');
    const r = medstruct('link', '--jsonl', file);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { links: Array<{ name: string; type: string }> });
    expect(lines).toHaveLength(4);
    expect(lines[0]!.links[0]?.name).toBe('腹痛');
    expect(lines[1]!.links[0]).toMatchObject({ name: '浙江大学医学院附属第一医院', type: 'hospital' });
    expect(lines[2]!.links).toEqual([]);
    expect(lines[3]!.links[0]?.name).toBe('白细胞计数');
  });

  it('evaluates on the CHIP-CDN format and ends with the F1 line', () => {
    const file = join(dir, 'cdn.json');
    writeFileSync(file, JSON.stringify([
      { text: '高血压病3级 极高危', normalized_result: '高血压' },
      { text: '2型糖尿病;冠心病', normalized_result: '2型糖尿病##冠状动脉粥样硬化性心脏病' },
    ]));
    const r = medstruct('eval', 'link', '--data', file);
    expect(r.status).toBe(0);
    const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { f1: number };
    expect(last.f1).toBeGreaterThan(0.5);
  });

  it('reports bad input with a stable code', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, '{"text": "not an array"');
    const r = medstruct('eval', 'link', '--data', file);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('INVALID_JSON');
    expect(medstruct('link', '--type', 'planet', '高血压').stderr).toContain('INVALID_ARGUMENT');
  });
});
