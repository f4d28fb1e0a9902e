import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The CLI runs from dist/ (npm test builds it first).
function medstruct(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/medstruct.js', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const NOTE = '姓名：张三  电话：13800138000\n患者张三因胸痛入院，送检医生：李四。';

describe('medstruct deid', () => {
  it('prints the masked text, or tags, and --json adds the spans with types', () => {
    expect(medstruct('deid', NOTE).stdout).toBe('姓名：＊＊  电话：＊＊＊＊＊＊＊＊＊＊＊\n患者＊＊因胸痛入院，送检医生：＊＊。\n');
    expect(medstruct('deid', '--mode', 'tag', '--mask', 'doctor', NOTE).stdout).toBe('姓名：张三  电话：13800138000\n患者张三因胸痛入院，送检医生：[医务人员]。\n');
    const out = JSON.parse(medstruct('deid', '--json', '--mode', 'surrogate', '--seed', '3', NOTE).stdout) as { text: string; spans: Array<{ type: string; text: string; start: number }> };
    expect(out.spans.map((s) => [s.type, s.text])).toEqual([['patient_name', '张三'], ['phone', '13800138000'], ['patient_name', '张三'], ['staff_name', '李四']]);
    expect(out.text).not.toContain('张三');
  });

  it('reads a file and writes --out; a bad flag is a JSON error with exit code 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'medstruct-deid-'));
    writeFileSync(join(dir, 'note.txt'), NOTE);
    expect(medstruct('deid', join(dir, 'note.txt'), '--out', join(dir, 'clean.txt')).status).toBe(0);
    expect(readFileSync(join(dir, 'clean.txt'), 'utf8')).not.toContain('13800138000');
    const bad = medstruct('deid', '--mask', 'nobody', NOTE);
    expect(bad.status).toBe(2);
    expect(JSON.parse(bad.stderr.trim().split('\n')[0]!).error.code).toBe('INVALID_ARGUMENT');
  });

  it('medstruct eval deid prints per-type recall and precision with a JSON last line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'medstruct-deid-eval-'));
    const rows = [
      { text: '姓名：张三 电话：13800138000', spans: [{ start: 3, end: 5, type: 'patient_name' }, { start: 9, end: 20, type: 'phone' }] },
      { text: '白细胞 12.6×10^9/L，住院号：A123', spans: [{ start: 20, end: 24, type: 'record_number' }] },
    ];
    writeFileSync(join(dir, 'gold.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n'));
    const r = medstruct('eval', 'deid', '--data', join(dir, 'gold.jsonl'));
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(JSON.parse(lines[lines.length - 1]!)).toMatchObject({ recall: 1, precision: 1 });
  });
});
