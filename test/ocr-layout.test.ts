import { describe, expect, it } from 'vitest';
import type { Polygon } from '../src/document/types.js';
import { documentFromPages } from '../src/ingest/index.js';
import { tableRows } from '../src/layout/index.js';
import { inferFlag, labRows, parseLabRow } from '../src/layout/lab.js';
import type { OcrLine, OcrPage } from '../src/ocr/types.js';

/** A line of text at (x, y), 20 px high, glyphs 20 px (CJK) or 10 px wide. */
function line(text: string, x: number, y: number): OcrLine {
  let at = x;
  const chars = Array.from(text).map((char) => {
    const w = char.codePointAt(0)! >= 0x2e80 ? 20 : 10;
    const polygon: Polygon = [[at, y], [at + w, y], [at + w, y + 20], [at, y + 20]];
    at += w;
    return { char, polygon, confidence: 0.99 };
  });
  return { text, confidence: 0.99, polygon: [[x, y], [at, y], [at, y + 20], [x, y + 20]], chars };
}

function page(rows: Array<Array<[string, number]>>): OcrPage {
  const lines = rows.flatMap((cells, r) => cells.map(([text, x]) => line(text, x, 40 + r * 40)));
  return { width: 1400, height: 40 + rows.length * 40, rotation: 0, skew: 0, lines };
}

const row = (...cells: string[]) => ({ cells: cells.map((text, i) => ({ text, line: i, x0: i * 100, x1: i * 100 + 50 })), column: 0, header: false, inTable: true });

describe('lab rows', () => {
  it('reads printed flags, attached flags and H/L letters', () => {
    expect(parseLabRow(row('1', '白细胞计数', 'WBC', '11.2', '↑', '10^9/L', '3.5-9.5'))).toMatchObject({ name: '白细胞计数', abbreviation: 'WBC', result: '11.2', unit: '10^9/L', range: '3.5-9.5', flag: '↑', flagInferred: false });
    expect(parseLabRow(row('血红蛋白', '98↓', 'g/L', '130-175'))).toMatchObject({ result: '98', flag: '↓', flagInferred: false });
    expect(parseLabRow(row('钾', '5.9', 'H', 'mmol/L', '3.5-5.3'))).toMatchObject({ flag: '↑', unit: 'mmol/L' });
  });

  it('infers a lost flag from the range and marks it inferred', () => {
    expect(parseLabRow(row('肌酐', '128', 'μmol/L', '57-111'))).toMatchObject({ flag: '↑', flagInferred: true });
    expect(parseLabRow(row('钠', '131.0', '+', 'mmol/L', '137.0-147.0'))).toMatchObject({ unit: 'mmol/L', flag: '↓', flagInferred: true });
    expect(parseLabRow(row('甘油三酯', '1.2', 'mmol/L', '<1.7'))).toMatchObject({ flag: null, flagInferred: false });
    expect(inferFlag('2.1', '<1.7')).toBe('↑');
    expect(inferFlag('阴性', '0-5')).toBeNull();
  });

  it('rebuilds a two-column sheet: the right table follows the left one', () => {
    const sheet = page([
      [['生化检验报告单', 500]],
      [['项目', 40], ['结果', 300], ['单位', 420], ['参考范围', 540], ['项目', 740], ['结果', 1000], ['单位', 1120], ['参考范围', 1240]],
      [['葡萄糖', 40], ['6.77', 300], ['mmol/L', 420], ['3.90-6.10', 540], ['白细胞计数', 740], ['7.90', 1000], ['10^9/L', 1120], ['3.50-9.50', 1240]],
      [['尿酸', 40], ['250', 300], ['μmol/L', 420], ['208-428', 540], ['血红蛋白', 740], ['120', 1000], ['g/L', 1120], ['130-175', 1240]],
      [['检验者：周洁', 40], ['审核者：陈刚', 740]],
      [['报告时间：2024-05-06', 40]],
    ]);
    expect(labRows(sheet).map((r) => `${r.column}:${r.name}:${r.flag ?? ''}`)).toEqual(['0:葡萄糖:↑', '0:尿酸:', '1:白细胞计数:', '1:血红蛋白:↓']);
    const doc = documentFromPages([sheet]);
    expect(doc.text.split('\n')).toEqual([
      '生化检验报告单',
      '项目\t结果\t单位\t参考范围',
      '葡萄糖\t6.77\tmmol/L\t3.90-6.10',
      '尿酸\t250\tμmol/L\t208-428',
      '项目\t结果\t单位\t参考范围',
      '白细胞计数\t7.90\t10^9/L\t3.50-9.50',
      '血红蛋白\t120\tg/L\t130-175',
      '检验者：周洁\t审核者：陈刚',
      '报告时间：2024-05-06',
    ]);
    const at = doc.text.indexOf('白细胞计数');
    expect(doc.polygonOf(at, at + 1)).toEqual([[740, 120], [760, 120], [760, 140], [740, 140]]);
    expect(tableRows(sheet).filter((r) => r.header)).toHaveLength(2);
  });
});
