import { describe, expect, it } from 'vitest';
import { ingestFile } from '../src/ingest/index.js';
import { structureDocument, toTencentBlock, toTencentResponse } from '../src/structure/index.js';
import { makePdf } from './fixtures/ocr/pdf.js';

const line = (text: string, i: number) => ({ x: 40, y: 60 + 24 * i, size: 11, text });

describe('MRS Block of a PDF', () => {
  it('gives each block the page its evidence starts on, not always page 1', async () => {
    const pdf = makePdf([
      {
        texts: ['XX市第一人民医院检验报告单', '姓名：王建国  性别：男  年龄：56岁  科室：心内科', '标本：全血  样本号：20230512-0031'].map(line),
      },
      {
        texts: [
          '项目  结果  单位  参考范围',
          '白细胞计数 WBC  12.5 ↑  10^9/L  3.5-9.5',
          '血红蛋白 HGB  98  g/L  130-175',
          '血小板计数 PLT  210  10^9/L  125-350',
          '葡萄糖 GLU  6.8  mmol/L  3.9-6.1',
          '报告时间：2023-05-12 10:30  检验者：李明',
        ].map(line),
      },
    ]);
    const doc = await ingestFile(pdf, { filename: 'lab.pdf' });
    const result = structureDocument(doc, { type: 'lab' });
    const response = toTencentResponse(result, doc) as { Template: Record<string, unknown>; TextTypeList: unknown };
    const block = toTencentBlock(response.Template, doc, response.TextTypeList) as Record<string, Array<{ Page: number }>>;
    expect(block.Indicator?.map((item) => item.Page)).toEqual([2]);
    expect(block.TextTypeListBlocks?.[0]?.Page).toBe(1);
    for (const items of Object.values(block)) for (const item of items) expect([1, 2]).toContain(item.Page);
  });

  it('has no page for text input', () => {
    const block = toTencentBlock({ Check: [{ Desc: { Text: { Index: [0, 3] } } }] }, { pages: [], pageOf: () => null } as never, []);
    expect(block).toEqual({ Check: [{ Desc: { Text: { Index: [0, 3] } }, Page: 0 }], TextTypeListBlocks: [{ TextTypeList: [], Page: 0 }] });
  });
});
