import { describe, expect, it } from 'vitest';
import { MedDocument } from '../src/document/document.js';
import type { FieldValue } from '../src/document/types.js';
import { setEnrichers } from '../src/fields/index.js';
import type { TableRow } from '../src/layout/index.js';
import { parseLabRow } from '../src/layout/lab.js';
import { lexiconUnit, repairUnit, unitImpliedByName } from '../src/layout/units.js';
import { Pipeline } from '../src/pipeline/stage.js';
import { structureDocument } from '../src/structure/index.js';

function row(...texts: string[]): TableRow {
  return { cells: texts.map((text, i) => ({ text, line: i, x0: i * 100, x1: i * 100 + 80 })), column: 0, header: false, inTable: true };
}

describe('lab unit lexicon', () => {
  it('spells knowledge-graph and sheet variants the lexicon way', () => {
    expect(lexiconUnit('X10E9/L')).toBe('10^9/L');
    expect(lexiconUnit('umol/L')).toBe('μmol/L');
    expect(lexiconUnit('fl')).toBe('fL');
    expect(lexiconUnit('G/L')).toBe('10^9/L');
    expect(lexiconUnit('g/')).toBeNull();
    expect(unitImpliedByName('中性粒细胞百分比')).toBe('%');
    expect(unitImpliedByName('血红蛋白')).toBeNull();
  });
});

describe('unit repair', () => {
  it('restores a glyph lost in dim light or a dropped superscript caret', () => {
    expect(repairUnit('g/', 'g/L')).toEqual({ unit: 'g/L', repaired: true });
    expect(repairUnit('g/', null)).toEqual({ unit: 'g/L', repaired: true });
    expect(repairUnit('109/L', 'X10E9/L')).toEqual({ unit: '10^9/L', repaired: true });
    expect(repairUnit('1012/L', null)).toEqual({ unit: '10^12/L', repaired: true });
    expect(repairUnit('mmo1/l', 'mmol/L')).toEqual({ unit: 'mmol/L', repaired: true });
    // m and n are confused too, so without the expected unit nmol/L is nearly as close: left as read.
    expect(repairUnit('mmo1/l', null)).toEqual({ unit: 'mmo1/l', repaired: false });
  });

  it('drops an extra glyph the recogniser was unsure of', () => {
    expect(repairUnit('%6', '%', [0.54, 0.73])).toEqual({ unit: '%', repaired: true });
    expect(repairUnit('9', '%', [0.81])).toEqual({ unit: '%', repaired: true });
  });

  it('needs the expected unit to settle a one-glyph read', () => {
    expect(repairUnit('f', 'fl', [0.76])).toEqual({ unit: 'fL', repaired: true });
    // Without it, f is as near to s and % as to fL: left as read.
    expect(repairUnit('f', null, [0.76])).toEqual({ unit: 'f', repaired: false });
  });

  it('keeps units that read as units, even when the analyte usually has another', () => {
    expect(repairUnit('mg/dL', 'mmol/L')).toEqual({ unit: 'mg/dL', repaired: false });
    expect(repairUnit('umol/L', 'μmol/L')).toEqual({ unit: 'umol/L', repaired: false });
    expect(repairUnit('个/HP', null)).toEqual({ unit: '个/HP', repaired: false });
  });

  it('leaves text far from every unit alone', () => {
    expect(repairUnit('11', 'mmol/L', [0.77, 0.47])).toEqual({ unit: '11', repaired: false });
    expect(repairUnit('阴性', null)).toEqual({ unit: '阴性', repaired: false });
    expect(repairUnit('ABC/K', 'U/L')).toEqual({ unit: 'ABC/K', repaired: false });
  });
});

describe('lab rows from misread cells', () => {
  it('repairs the unit and keeps what was read', () => {
    const item = parseLabRow(row('7', '总蛋白', 'TP', '89.1', '↑', 'g/', '65.0-85.0'));
    expect(item).toMatchObject({ name: '总蛋白', result: '89.1', unit: 'g/L', unitRead: 'g/', unitRepaired: true, flag: '↑' });
    const count = parseLabRow(row('白细胞计数', '1.82', '109/L', '3.50-9.50'), { expectedUnit: () => 'X10E9/L' });
    expect(count).toMatchObject({ unit: '10^9/L', unitRead: '109/L', flag: '↓', flagInferred: true });
    expect(parseLabRow(row('中性粒细胞百分比', '60.3', '%6', '40.0-75.0'))).toMatchObject({ unit: '%', unitRepaired: true });
    expect(parseLabRow(row('血红蛋白', '142', 'g/L', '130-175'))).toMatchObject({ unit: 'g/L', unitRead: 'g/L', unitRepaired: false });
  });

  it('skips an unreadable mark before the unit and a sequence number read as letters', () => {
    expect(parseLabRow(row('13', '甘油三酯', 'TG', '1.00', '11', 'mmol/L', '0.56-1.70'))).toMatchObject({ name: '甘油三酯', unit: 'mmol/L', unitRepaired: false, flag: null });
    expect(parseLabRow(row('n', '直接胆红素', 'DBIL', '2.5', 'μmol/L', '0-6.8'))).toMatchObject({ name: '直接胆红素', abbreviation: 'DBIL', result: '2.5', unit: 'μmol/L' });
    expect(parseLabRow(row('6', '总蛋白', 'TP', '89.1', 'TT', 'g/', '65.0-85.0'))).toMatchObject({ unit: 'g/L', unitRead: 'g/', flag: '↑', flagInferred: true });
  });
});

describe('lab fields from an OCR-read sheet', () => {
  it('normalizes a misread unit to the repaired one while the value keeps the OCR text', () => {
    const analytes: Record<string, { standardName: string; code: string; abbreviation: string; unit: string }> = {
      平均红细胞体积: { standardName: '平均红细胞体积', code: 'MCV', abbreviation: 'MCV', unit: 'fl' },
    };
    setEnrichers({ lookupLabAnalyte: (name) => analytes[name] ?? null, linkDisease: () => [], linkDiagnoses: () => [], linkProcedure: () => [] });
    const text = '项目\t结果\t单位\t参考范围\n总蛋白\tTP\t89.1\t↑\tg/\t65.0-85.0\n平均红细胞体积\tMCV\t97.2\tf\t82.0-100.0\n中性粒细胞百分比\tNEUT%\t60.3\t%6\t40.0-75.0\n血红蛋白\tHGB\t142\tg/L\t130-175';
    const items = structureDocument(new MedDocument(text), { type: 'lab', pipeline: new Pipeline([]) }).fields.items as Array<Record<string, FieldValue>>;
    expect(items.map((i) => [i.unit!.value, i.unit!.normalized])).toEqual([['g/', 'g/L'], ['f', 'fL'], ['%6', '%'], ['g/L', 'g/L']]);
    expect(items.map((i) => i.range!.value)).toEqual(['65.0-85.0', '82.0-100.0', '40.0-75.0', '130-175']);
  });

  it('passes over an unreadable flag mark between result and unit', () => {
    const text = '项目\t结果\t单位\t参考范围\n甘油三酯\tTG\t2.35\t11\tmmol/L\t0.56-1.70\n钾\tK\t4.1\tmmol/L\t3.5-5.3\n' +
      '6\t总蛋白\tTP\t89.1\tT\tg/\t65.0-85.0\n1\t中性粒细胞百分比\tNEUT%\t88.2\tT\t9\t40.0-75.0\n尿酸\t512\t个\tμmol/L\t208-428';
    const items = structureDocument(new MedDocument(text), { type: 'lab', pipeline: new Pipeline([]) }).fields.items as Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(items.map((i) => [i.name.value, i.unit.normalized, i.range.value, i.direction])).toEqual([
      ['甘油三酯', 'mmol/L', '0.56-1.70', 'H'],
      ['钾', 'mmol/L', '3.5-5.3', null],
      ['总蛋白', 'g/L', '65.0-85.0', 'H'],
      ['中性粒细胞百分比', '%', '40.0-75.0', 'H'],
      ['尿酸', 'μmol/L', '208-428', 'H'],
    ]);
  });
});
