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

  it('leaves a side or position written inside an organ to that organ', () => {
    const doc = annotate('右下肢水肿2周，既往左肾结石。', [
      ['右下肢', 'anatomy'], ['右', 'location'], ['水肿', 'symptom'], ['2周', 'time'],
      ['左肾结石', 'disease'], ['左肾', 'anatomy'], ['左', 'location'],
    ]);
    expect(related(doc)).toEqual([
      'laterality 右下肢→右', 'laterality 左肾→左', 'site 左肾结石→左肾', 'site 水肿→右下肢', 'time 水肿→2周',
    ]);
  });

  it('links every position written inside one site, breast quadrants and vessel segments included', () => {
    const doc = annotate('右膝关节内侧半月板后角见线样高信号影。左乳外上象限探及一低回声肿块。前降支近段混合斑块。', [
      ['右膝关节内侧半月板后角', 'anatomy'], ['右', 'location'], ['内侧', 'location'], ['后', 'location'], ['线样高信号影', 'symptom'],
      ['左乳外上象限', 'anatomy'], ['左', 'location'], ['外上', 'location'], ['低回声肿块', 'symptom'],
      ['前降支近段', 'anatomy'], ['近段', 'location'], ['混合斑块', 'symptom'],
    ]);
    expect(related(doc)).toEqual([
      'laterality 右膝关节内侧半月板后角→右', 'laterality 左乳外上象限→左',
      'position 前降支近段→近段', 'position 右膝关节内侧半月板后角→内侧', 'position 右膝关节内侧半月板后角→后', 'position 左乳外上象限→外上',
      'site 低回声肿块→左乳外上象限', 'site 混合斑块→前降支近段', 'site 线样高信号影→右膝关节内侧半月板后角',
    ]);
  });

  it('sizes organs and lesions measured before their name, never a blood pressure', () => {
    const doc = annotate('前列腺大小约4.8×3.9×3.6cm。肝右叶可见一大小约2.3×1.8cm的高回声团。高血压病史10年，最高血压180/100mmHg。', [
      ['前列腺', 'anatomy'], ['4.8×3.9×3.6cm', 'measurement'], ['肝右叶', 'anatomy'], ['2.3×1.8cm', 'measurement'], ['高回声团', 'symptom'],
      ['高血压', 'disease'], ['血压', 'lab_test', 1], ['180/100mmHg', 'measurement'],
    ]);
    expect(related(doc)).toEqual([
      'site 高回声团→肝右叶', 'size 前列腺→4.8×3.9×3.6cm', 'size 高回声团→2.3×1.8cm', 'value 血压→180/100mmHg',
    ]);
  });

  it('does not give a size across a comma to the finding after it', () => {
    const doc = annotate('胰头部见一低密度肿块，大小约3.1×2.7cm，胰管扩张。', [
      ['胰头部', 'anatomy'], ['低密度肿块', 'symptom'], ['3.1×2.7cm', 'measurement'], ['胰管扩张', 'disease'], ['胰管', 'anatomy'],
    ]);
    expect(related(doc)).toEqual(['site 低密度肿块→胰头部', 'site 胰管扩张→胰管', 'size 低密度肿块→3.1×2.7cm']);
  });

  it('reads an upper or lower bound as a reference range and gives each value to the nearest test', () => {
    const doc = annotate('降钙素原 0.82 ng/mL <0.05 ↑\neGFR 52 ml/min/1.73m2 >90\n入院查血常规示白细胞 15.2×10^9/L。', [
      ['降钙素原', 'lab_test'], ['0.82 ng/mL', 'measurement'], ['<0.05', 'measurement'],
      ['eGFR', 'lab_test'], ['52 ml/min/1.73m2', 'measurement'], ['>90', 'measurement'],
      ['血常规', 'lab_test'], ['白细胞', 'lab_test'], ['15.2×10^9/L', 'measurement'],
    ]);
    expect(related(doc)).toEqual([
      'reference_range eGFR→>90', 'reference_range 降钙素原→<0.05',
      'value eGFR→52 ml/min/1.73m2', 'value 白细胞→15.2×10^9/L', 'value 降钙素原→0.82 ng/mL',
    ]);
  });

  it('dates tests and drugs but not the route a drug is given by', () => {
    const doc = annotate('2020年起皮下注射门冬胰岛素30注射液。今日复查血常规。', [
      ['2020年', 'time'], ['门冬胰岛素30注射液', 'drug'], ['今日', 'time'], ['血常规', 'lab_test'],
    ]);
    expect(related(doc)).toEqual(['route 门冬胰岛素30注射液→皮下注射', 'time 血常规→今日', 'time 门冬胰岛素30注射液→2020年']);
  });

  it('gives drugs infused together the route and frequency written once after them', () => {
    const doc = annotate('0.9%氯化钠注射液 100ml + 注射用头孢曲松钠 2.0g 静脉滴注 qd', [['0.9%氯化钠注射液', 'drug'], ['注射用头孢曲松钠', 'drug']]);
    expect(related(doc)).toEqual([
      'dose 0.9%氯化钠注射液→100ml', 'dose 注射用头孢曲松钠→2.0g',
      'frequency 0.9%氯化钠注射液→qd', 'frequency 注射用头孢曲松钠→qd',
      'route 0.9%氯化钠注射液→静脉滴注', 'route 注射用头孢曲松钠→静脉滴注',
    ]);
  });

  it('gives a diagnosis written as 考虑… the site of the finding before it', () => {
    const doc = annotate('右侧基底节区见斑点状低密度影，考虑腔隙性脑梗死。胃窦部见一约1.5cm溃疡。', [
      ['右侧基底节区', 'anatomy'], ['右侧', 'location'], ['斑点状低密度影', 'symptom'], ['腔隙性脑梗死', 'disease'],
      ['胃窦部', 'anatomy'], ['1.5cm', 'measurement'], ['溃疡', 'disease'],
    ]);
    expect(related(doc)).toEqual([
      'laterality 右侧基底节区→右侧', 'site 斑点状低密度影→右侧基底节区', 'site 溃疡→胃窦部', 'site 腔隙性脑梗死→右侧基底节区', 'size 溃疡→1.5cm',
    ]);
  });

  it('reads a plain time after a drug as its duration when 连用 or × before it says so', () => {
    const doc = annotate('阿莫西林胶囊 0.5g 口服 tid ×7天；发热持续3天，予布洛芬 0.2g 口服。', [
      ['阿莫西林胶囊', 'drug'], ['7天', 'time'], ['发热', 'symptom'], ['3天', 'time'], ['布洛芬', 'drug'],
    ]);
    const relations = related(doc);
    expect(relations.filter((r) => r.startsWith('duration') || r.startsWith('time'))).toEqual(['duration 阿莫西林胶囊→7天', 'time 发热→3天']);
  });

  it('adds the reference range recognition left out after a test, not a date or a value with its unit', () => {
    const doc = annotate('谷丙转氨酶 56 U/L 9-50 ↑\n降钙素原 0.82 ng/mL <0.05 ↑\nHBV-DNA <500 IU/mL\n2024-05-20 血常规', [
      ['谷丙转氨酶', 'lab_test'], ['56 U/L', 'measurement'], ['降钙素原', 'lab_test'], ['0.82 ng/mL', 'measurement'],
      ['HBV-DNA', 'lab_test'], ['<500 IU/mL', 'measurement'], ['血常规', 'lab_test'],
    ]);
    expect(related(doc)).toEqual([
      'reference_range 谷丙转氨酶→9-50', 'reference_range 降钙素原→<0.05',
      'value HBV-DNA→<500 IU/mL', 'value 谷丙转氨酶→56 U/L', 'value 降钙素原→0.82 ng/mL',
    ]);
    const range = doc.entities.find((e) => e.text === '9-50')!;
    expect([range.type, range.label, range.source]).toEqual(['measurement', 'reference_range', 'rule']);
  });

  it('reads a prescription label: pack sizes are no dose, the usage clause after 用法： or Sig: is the drug\'s', () => {
    const doc = annotate('处方：头孢克肟分散片 100mg×12片，用法：一次1片，一日2次，口服。Rp: 阿莫西林胶囊 0.25g×24粒 Sig: 0.5g tid po', [
      ['头孢克肟分散片', 'drug'], ['100mg', 'measurement'], ['阿莫西林胶囊', 'drug'], ['0.25g', 'measurement'], ['0.5g', 'measurement'],
    ]);
    expect(related(doc)).toEqual([
      'dose 头孢克肟分散片→1片', 'dose 阿莫西林胶囊→0.5g', 'frequency 头孢克肟分散片→一日2次', 'frequency 阿莫西林胶囊→tid',
      'route 头孢克肟分散片→口服', 'route 阿莫西林胶囊→po',
    ]);
  });

  it('adds a frequency around the part recognition cut out of it as a time', () => {
    const doc = annotate('注射用奥美拉唑钠 40mg 静推 q12h', [['注射用奥美拉唑钠', 'drug'], ['12h', 'time']]);
    expect(related(doc)).toEqual(['dose 注射用奥美拉唑钠→40mg', 'frequency 注射用奥美拉唑钠→q12h', 'route 注射用奥美拉唑钠→静推']);
    expect(doc.entities.find((e) => e.text === '12h')!.parent).toBe(doc.entities.find((e) => e.text === 'q12h')!.id);
  });

  it('does nothing on a document without entities', () => {
    const doc = new MedDocument('');
    relationsStage.process(doc);
    expect(doc.relations).toEqual([]);
  });
});
