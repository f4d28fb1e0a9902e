import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The CLI runs from dist/ (npm test builds it first).
function medstruct(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/medstruct.js', ...args], { encoding: 'utf8', timeout: 60_000, input });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const TEXT = '𠮷😀患者3天前出现发热、咳嗽，于浙江大学医学院附属第一医院就诊。';
const FEVER_START = 2 + 7; // 𠮷 and 😀 count one code point each

describe('medstruct ner', () => {
  const dir = mkdtempSync(join(tmpdir(), 'medstruct-ner-'));

  it('prints native entities with end-exclusive code-point offsets', () => {
    const r = medstruct(['ner', TEXT]);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { entities: Array<Record<string, unknown>> };
    const fever = out.entities.find((e) => e.text === '发热')!;
    expect(fever).toMatchObject({ start: FEVER_START, end: FEVER_START + 2, type: 'symptom', parent: null });
    expect(Object.keys(fever).sort()).toEqual(['assertion', 'children', 'confidence', 'end', 'id', 'link', 'parent', 'start', 'text', 'type']);
    expect(out.entities.some((e) => e.type === 'hospital' && e.text === '浙江大学医学院附属第一医院')).toBe(true);
  });

  it('prints Alibaba GetNerChMedical data with closed intervals, and nocode positions end-exclusive, from standard input', () => {
    const aliyun = medstruct(['ner', '--format', 'aliyun', '-'], TEXT);
    expect(aliyun.status).toBe(0);
    const data = JSON.parse(aliyun.stdout) as { success: boolean; result: { text: string; ner: Array<{ text: string; type: string[]; begin_char: number; end_char: number; probability: number[] }> } };
    expect(data.success).toBe(true);
    expect(data.result.text).toBe(TEXT);
    const fever = data.result.ner.find((e) => e.text === '发热')!;
    expect(fever.begin_char).toBe(FEVER_START);
    expect(fever.end_char).toBe(FEVER_START + 1);
    expect(fever.type).toEqual(['Symptom']);

    const nocode = medstruct(['ner', '--format', 'nocode', TEXT]);
    expect(nocode.status).toBe(0);
    const items = (JSON.parse(nocode.stdout) as { data: { entity_extraction: Array<{ ner_name: string; ner_type: string; positions: Array<{ start_index: number; end_index: number }> }> } }).data.entity_extraction;
    const nFever = items.find((e) => e.ner_name === '发热')!;
    expect(nFever.ner_type).toBe('symptom');
    expect(nFever.positions[0]).toMatchObject({ start_index: FEVER_START, end_index: FEVER_START + 2 });
    expect(items.find((e) => e.ner_name === '浙江大学医学院附属第一医院')?.ner_type).toBe('organization');
  });

  it('answers one line per --jsonl input line, in order, with labels of --scheme', () => {
    const file = join(dir, 'in.jsonl');
    writeFileSync(file, [
      JSON.stringify({ text: '行直肠癌根治术，术后予奥沙利铂化疗。', id: 1 }),
      JSON.stringify({ text: '' }),
      JSON.stringify({ text: '腹部CT示肝囊肿。' }),
    ].join('\n') + '\n');
    const r = medstruct(['ner', '--jsonl', file, '--scheme', 'yidu']);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { entities: Array<{ start: number; end: number; type: string; text: string }> });
    expect(lines).toHaveLength(3);
    expect(lines[0]!.entities.some((e) => e.type === '手术')).toBe(true);
    expect(lines[0]!.entities.find((e) => e.text === '奥沙利铂')?.type).toBe('药物');
    expect(lines[1]!.entities).toEqual([]);
    expect(lines[2]!.entities.find((e) => e.text.includes('CT'))?.type).toBe('影像检查');
  });

  it('labels --jsonl lines of the native scheme with unified types only, drug attributes included', () => {
    const file = join(dir, 'native.jsonl');
    writeFileSync(file, JSON.stringify({ text: '既往高血压病史5年，口服氨氯地平5mg每日一次。' }) + '\n');
    const r = medstruct(['ner', '--jsonl', file]);
    expect(r.status).toBe(0);
    const { entities } = JSON.parse(r.stdout) as { entities: Array<{ type: string; text: string }> };
    const unified = new Set(['disease', 'symptom', 'drug', 'anatomy', 'lab_test', 'exam', 'procedure', 'equipment', 'microbe', 'department', 'hospital', 'region', 'population', 'age', 'person', 'time', 'measurement', 'location']);
    expect(entities.filter((e) => !unified.has(e.type))).toEqual([]);
    expect(entities.find((e) => e.text === '氨氯地平')?.type).toBe('drug');
  });

  it('evaluates a gold file and ends with the F1 line; rejects an unknown scheme with a stable code', () => {
    const gold = join(dir, 'gold.jsonl');
    writeFileSync(gold, JSON.stringify({ text: '患者行直肠癌根治术。', entities: [{ start: 3, end: 9, type: '手术' }] }) + '\n');
    const r = medstruct(['eval', 'ner', '--data', gold, '--scheme', 'yidu']);
    expect(r.status).toBe(0);
    const last = JSON.parse(r.stdout.trim().split('\n').pop()!) as { f1: number };
    expect(last.f1).toBeGreaterThan(0);
    const bad = medstruct(['ner', '--scheme', 'nope', '发热']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('INVALID_ARGUMENT');
  });
});
