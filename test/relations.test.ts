import { describe, expect, it } from 'vitest';
import { MedDocument } from '../src/document/document.js';
import { toAliyunData } from '../src/output/aliyun.js';
import { relationsStage } from '../src/relations/index.js';
import { annotate } from './document-helper.js';

/** Relations as `type from→to` over entity texts. */
function related(doc: MedDocument): string[] {
  relationsStage.process(doc);
  const text = new Map(doc.entities.map((e) => [e.id, e.text]));
  return doc.relations.map((r) => `${r.type} ${text.get(r.from)}→${text.get(r.to)}`).sort();
}

describe('relations', () => {
  it('gives a lesion its site, laterality, position and size', () => {
    const doc = annotate('左肺下叶见一结节，大小约1.2×0.8cm，边界清。', [
      ['左肺下叶', 'anatomy'], ['左', 'location'], ['下', 'location'], ['结节', 'symptom'], ['1.2×0.8cm', 'measurement'],
    ]);
    expect(related(doc)).toEqual([
      'laterality 左肺下叶→左', 'position 左肺下叶→下', 'site 结节→左肺下叶', 'size 结节→1.2×0.8cm',
    ]);
    for (const r of doc.relations) expect(r.confidence).toBeGreaterThan(0.5);
  });

  it('nests locations inside anatomy in the Alibaba format', () => {
    const doc = annotate('左肺下叶见一结节。', [['左肺下叶', 'anatomy'], ['左', 'location'], ['下', 'location'], ['结节', 'symptom']]);
    const ner = toAliyunData(doc).result.ner;
    const lobe = ner.find((n) => n.text === '左肺下叶')!;
    expect(lobe.children.map((id) => ner.find((n) => n.id === id)!.text)).toEqual(['左', '下']);
    expect(ner.find((n) => n.text === '左')!.parent).toEqual([lobe.id]);
  });

  it('links a test to its value and reference range', () => {
    const doc = annotate('白细胞 12.5×10^9/L 3.5-9.5，血红蛋白 120g/L。', [
      ['白细胞', 'lab_test'], ['12.5×10^9/L', 'measurement'], ['3.5-9.5', 'measurement'], ['血红蛋白', 'lab_test'], ['120g/L', 'measurement'],
    ]);
    expect(related(doc)).toEqual(['reference_range 白细胞→3.5-9.5', 'value 白细胞→12.5×10^9/L', 'value 血红蛋白→120g/L']);
  });

  it('finds dose, frequency, route and duration of each drug', () => {
    const doc = annotate('予阿莫西林0.5g 口服 tid，连用7天；甲硝唑0.4g bid 静滴。', [['阿莫西林', 'drug'], ['甲硝唑', 'drug']]);
    expect(related(doc)).toEqual([
      'dose 甲硝唑→0.4g', 'dose 阿莫西林→0.5g', 'duration 阿莫西林→连用7天', 'frequency 甲硝唑→bid', 'frequency 阿莫西林→tid',
      'route 甲硝唑→静滴', 'route 阿莫西林→口服',
    ]);
    const dose = doc.entities.find((e) => e.text === '0.5g')!;
    expect([dose.type, dose.label, dose.source]).toEqual(['measurement', 'dose', 'rule']);
  });

  it('uses a dose entity recognition already found instead of adding one', () => {
    const doc = annotate('二甲双胍 0.5g 每日3次 口服。', [['二甲双胍', 'drug'], ['0.5g', 'measurement']]);
    expect(related(doc)).toEqual(['dose 二甲双胍→0.5g', 'frequency 二甲双胍→每日3次', 'route 二甲双胍→口服']);
    expect(doc.entities.filter((e) => e.text === '0.5g')).toHaveLength(1);
  });

  it('dates an event and stays within its sentence', () => {
    const doc = annotate('3天前出现发热。2019年行阑尾切除术。', [['3天前', 'time'], ['发热', 'symptom'], ['2019年', 'time'], ['阑尾切除术', 'procedure']]);
    expect(related(doc)).toEqual(['time 发热→3天前', 'time 阑尾切除术→2019年']);
  });

  it('does nothing on a document without entities', () => {
    const doc = new MedDocument('');
    relationsStage.process(doc);
    expect(doc.relations).toEqual([]);
  });
});
