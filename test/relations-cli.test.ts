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

describe('medstruct eval relations', () => {
  const dir = mkdtempSync(join(tmpdir(), 'medstruct-relations-'));
  const file = join(dir, 'reports.jsonl');
  writeFileSync(file, JSON.stringify({
    text: '谷丙转氨酶 56 U/L 9-50 ↑',
    entities: [
      { id: 'T1', start: 0, end: 5, type: 'lab_test' }, { id: 'T2', start: 6, end: 12, type: 'measurement' },
      { id: 'T3', start: 13, end: 17, type: 'measurement' },
    ],
    relations: [{ type: 'value', from: 'T1', to: 'T2' }, { type: 'reference_range', from: 'T1', to: 'T3' }],
  }) + '\n');

  it('scores relations from gold entities and, with --ner, from the pipeline’s own', () => {
    for (const args of [[], ['--ner']]) {
      const r = medstruct('eval', 'relations', '--data', file, ...args);
      expect(r.status).toBe(0);
      const last = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, number>;
      expect(last).toMatchObject({ precision: 1, recall: 1, f1: 1 });
    }
  });

  it('refuses a line without entities', () => {
    writeFileSync(join(dir, 'bad.jsonl'), '{"text":"右肾结石"}\n');
    const bad = medstruct('eval', 'relations', '--data', join(dir, 'bad.jsonl'));
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/INVALID_ARGUMENT/);
  });
});
