import { describe, expect, it } from 'vitest';
import { MedDocument } from '../src/document/document.js';
import { loadEntityStage } from '../src/entities/index.js';
import type { Entity } from '../src/document/types.js';

function recognize(text: string, scheme: Parameters<typeof loadEntityStage>[0] = 'native'): { doc: MedDocument; entities: Entity[] } {
  const doc = new MedDocument(text);
  loadEntityStage(scheme).process(doc);
  return { doc, entities: doc.entities };
}

const find = (entities: Entity[], text: string, type?: string): Entity | undefined =>
  entities.find((e) => e.text === text && (type === undefined || e.type === type));

describe('native entity recognition (committed model)', () => {
  it('finds symptoms, time, diseases, drugs, exams and lab tests in an admission note', () => {
    const { entities } = recognize('患者3天前无明显诱因出现发热、咳嗽，伴胸闷。既往高血压病史10年，2型糖尿病5年。予头孢曲松抗感染治疗，行胸部CT检查。查血常规示白细胞升高。');
    expect(find(entities, '发热', 'symptom')).toBeDefined();
    expect(find(entities, '咳嗽', 'symptom')).toBeDefined();
    expect(find(entities, '3天前', 'time')).toBeDefined();
    expect(find(entities, '2型糖尿病', 'disease')).toBeDefined();
    expect(find(entities, '头孢曲松', 'drug')).toBeDefined();
    expect(find(entities, '胸部CT', 'exam')).toBeDefined();
    expect(find(entities, '白细胞', 'lab_test')).toBeDefined();
    for (const e of entities) {
      expect(e.confidence).toBeGreaterThan(0);
      expect(e.confidence).toBeLessThanOrEqual(1);
      expect(e.id).toMatch(/^T\d+$/);
      expect(e.label).toBeUndefined();
    }
  });

  it('adds rule entities: hospital, department, age, date, measurements, person, population', () => {
    const { entities } = recognize('患儿，男，5岁，2023-01-05因发热就诊于浙江大学医学院附属儿童医院小儿内科，体温39.2℃，血压100/60mmHg，胸片示右肺下叶斑片影2.0×1.5cm。');
    expect(find(entities, '5岁', 'age')).toBeDefined();
    expect(find(entities, '2023-01-05', 'time')).toBeDefined();
    expect(entities.some((e) => e.type === 'hospital' && e.text.endsWith('儿童医院'))).toBe(true);
    expect(entities.some((e) => e.type === 'department' && e.text.endsWith('内科'))).toBe(true);
    expect(find(entities, '39.2℃', 'measurement')).toBeDefined();
    expect(find(entities, '100/60mmHg', 'measurement')).toBeDefined();
    expect(find(entities, '2.0×1.5cm', 'measurement')).toBeDefined();
    const header = recognize('姓名：张三 性别：男 年龄：45岁 科室：心内科 报告医师：李四').entities;
    expect(find(header, '张三', 'person')).toBeDefined();
    expect(find(header, '李四', 'person')).toBeDefined();
    expect(find(header, '45岁', 'age')).toBeDefined();
    expect(find(header, '心内科', 'department')).toBeDefined();
    expect(header.some((e) => e.type === 'anatomy')).toBe(false);
    const caution = recognize('孕妇及儿童慎用本品。').entities;
    expect(find(caution, '孕妇', 'population')).toBeDefined();
    expect(find(caution, '儿童', 'population')).toBeDefined();
  });

  it('marks the position before a sub-site word as a Location child, as Alibaba nests 左肺下叶 → 左, 下', () => {
    const { entities } = recognize('左肺下叶见一结节，右肾上极囊肿。');
    const lobe = find(entities, '左肺下叶', 'anatomy')!;
    const byId = new Map(entities.map((e) => [e.id, e]));
    expect(lobe.children.map((id) => [byId.get(id)!.text, byId.get(id)!.start])).toEqual([['左', 0], ['下', 2]]);
    const pole = find(entities, '右肾上极', 'anatomy');
    if (pole) expect(pole.children.map((id) => byId.get(id)!.text)).toEqual(['右', '上']);
  });

  it('nests laterality inside anatomy and the region inside a hospital name (parent/children)', () => {
    const { entities } = recognize('查体：右下肺可闻及湿啰音，双下肢无水肿。于北京协和医院就诊。');
    const byId = new Map(entities.map((e) => [e.id, e]));
    const lung = find(entities, '右下肺', 'anatomy')!;
    expect(lung).toBeDefined();
    const side = byId.get(lung.children[0]!)!;
    expect(side).toMatchObject({ text: '右下', type: 'location', parent: lung.id });
    expect(find(entities, '双', 'location')?.parent).toBe(find(entities, '双下肢', 'anatomy')?.id);
    const hospital = find(entities, '北京协和医院', 'hospital')!;
    expect(hospital).toBeDefined();
    expect(hospital.children.map((id) => byId.get(id)!.text)).toEqual(['北京']);
    for (const e of entities) {
      if (e.parent === null) continue;
      const parent = byId.get(e.parent)!;
      expect(parent.start).toBeLessThanOrEqual(e.start);
      expect(parent.end).toBeGreaterThanOrEqual(e.end);
      expect(parent.children).toContain(e.id);
    }
  });

  it('nests CMeEE anatomy inside symptoms in the cmeee scheme', () => {
    const { entities } = recognize('患儿出现右下腹疼痛，伴恶心呕吐。', 'cmeee');
    const symptom = entities.find((e) => e.label === 'sym' && e.text.includes('腹'));
    expect(symptom).toBeDefined();
    expect(symptom!.children.length).toBeGreaterThan(0);
    expect(entities.find((e) => e.id === symptom!.children[0])?.label).toBe('bod');
  });

  it('keeps offsets in code points of the original text when astral characters and full-width forms precede', () => {
    const prefix = '𠮷😀 ';
    const { doc, entities } = recognize(`${prefix}患者出现发热，ＣＴ示右肺炎症。`);
    const fever = find(entities, '发热', 'symptom');
    expect(fever).toBeDefined();
    expect(fever!.start).toBe(Array.from(prefix).length + 4);
    expect(doc.slice(fever!.start, fever!.end)).toBe('发热');
  });

  it('processes a long input in sentence windows with global offsets', () => {
    const sentence = '患者3天前出现发热、咳嗽，伴胸痛。';
    const text = sentence.repeat(700);
    expect(text.length).toBeGreaterThan(10_000);
    const { doc, entities } = recognize(text);
    const fevers = entities.filter((e) => e.text === '发热' && e.type === 'symptom');
    expect(fevers.length).toBe(700);
    expect(fevers[699]!.start).toBe(699 * sentence.length + 7);
    for (const e of entities) expect(doc.slice(e.start, e.end)).toBe(e.text);
  });

  it('does not crash on empty, whitespace-only or garbage input', () => {
    for (const text of ['', '   \n\t ', '@@@###!!!', '\u0000\u0001\uffff', 'a'.repeat(5000), '。。。，，，', '\ud800']) {
      expect(() => recognize(text)).not.toThrow();
    }
    expect(recognize('').entities).toEqual([]);
  });

  it('labels entities in a corpus scheme with that scheme\'s own labels', () => {
    const yidu = recognize('患者行直肠癌根治术，术后病理示直肠腺癌，予奥沙利铂化疗。', 'yidu').entities;
    expect(yidu.some((e) => e.label === '手术' && e.type === 'procedure')).toBe(true);
    expect(yidu.some((e) => e.label === '疾病和诊断' && e.text.includes('腺癌'))).toBe(true);
    expect(yidu.some((e) => e.label === '药物' && e.text === '奥沙利铂')).toBe(true);
    const ccks = recognize('患者双下肢水肿，查血常规正常。', 'ccks2017').entities;
    expect(ccks.some((e) => e.label === '症状和体征')).toBe(true);
  });
});

describe('findings the taggers miss (gap-filling layer)', () => {
  it('adds report findings from the dictionaries where a report states them', () => {
    const { entities } = recognize('胆囊壁毛糙，胆囊内未见结石。左侧第5、6肋骨骨折，左侧少量气胸待排。');
    expect(find(entities, '结石')).toMatchObject({ source: 'dictionary' });
    expect(find(entities, '气胸')).toMatchObject({ source: 'dictionary' });
  });

  it('reads imaging observations whole, absorbing a shorter finding inside them', () => {
    const { entities } = recognize('甲状腺右叶见一低回声结节，大小约0.8×0.6cm。左侧颞叶见片状长T2信号，DWI未见弥散受限。');
    expect(find(entities, '低回声结节', 'symptom')).toBeDefined();
    expect(find(entities, '结节')).toBeUndefined();
    expect(find(entities, '片状长T2信号', 'symptom')).toBeDefined();
    const lesions = recognize('两肾实质见数个小类圆形低密度病灶，右肺下叶见斑片状模糊影。').entities;
    expect(find(lesions, '小类圆形低密度病灶', 'symptom')).toBeDefined();
    expect(find(lesions, '斑片状模糊影', 'symptom')).toBeDefined();
    expect(find(entities, '弥散受限', 'symptom')).toBeDefined();
    // Anatomy inside or beside a finding stays.
    expect(find(entities, '甲状腺右叶', 'anatomy')).toBeDefined();
  });

  it('reads a finding with its site, degree and modifiers, but leaves the negation cue out', () => {
    const { entities } = recognize('胆囊壁明显增厚，二尖瓣少量反流，结肠肝曲肠壁不规则增厚。胆总管未见扩张。（颈部淋巴结）反应性增生。');
    expect(find(entities, '胆囊壁明显增厚', 'symptom')).toBeDefined();
    expect(find(entities, '二尖瓣少量反流', 'symptom')).toBeDefined();
    expect(entities.some((e) => e.type === 'symptom' && e.text.endsWith('肠壁不规则增厚'))).toBe(true);
    expect(find(entities, '扩张', 'symptom')).toBeDefined();
    expect(find(entities, '反应性增生')).toBeDefined();
    expect(find(entities, '胆囊壁', 'anatomy')).toBeDefined();
    const sites = recognize('颅内未见出血，脑沟脑裂增宽。右室壁未见明显节段运动异常。').entities;
    expect(find(sites, '脑沟脑裂增宽', 'symptom')).toBeDefined();
    expect(find(sites, '节段运动异常', 'symptom')).toBeDefined();
    const negated = recognize('患者无明显咳嗽、咳痰，双扁桃体稍肿大。').entities;
    expect(find(negated, '咳嗽', 'symptom')).toBeDefined();
    expect(negated.some((e) => e.text.startsWith('明显'))).toBe(false);
  });

  it('states findings before differential and result cues, and after a duration', () => {
    const { entities } = recognize('左侧颞叶占位，胶质瘤与转移瘤鉴别。墨菲征阴性。胸闷、气促3天，活动后加重。入院诊断：社区获得性肺炎。');
    expect(find(entities, '转移瘤', 'disease')).toBeDefined();
    expect(find(entities, '墨菲征')).toBeDefined();
    expect(find(entities, '气促', 'symptom')).toBeDefined();
    expect(find(entities, '社区获得性肺炎', 'disease')).toBeDefined();
  });

  it('lets a dictionary word take in a tagger finding that stands alone inside it, not one beside a site', () => {
    const { entities } = recognize('左侧颞顶部硬膜下血肿，中线结构右移。查体：咽部充血。');
    expect(find(entities, '硬膜下血肿')).toBeDefined();
    expect(find(entities, '血肿')).toBeUndefined();
    expect(find(entities, '充血', 'symptom')).toBeDefined();
    expect(find(entities, '咽部', 'anatomy')).toBeDefined();
  });

  it('reads the signs a physical examination denies or finds as symptoms', () => {
    const { entities } = recognize('查体：腹软，剑突下压痛，无反跳痛及肌紧张，双肺未闻及干湿性啰音，心脏各瓣膜听诊区未闻及杂音。');
    for (const sign of ['反跳痛', '肌紧张', '干湿性啰音', '杂音']) expect(find(entities, sign, 'symptom')).toBeDefined();
    expect(entities.some((e) => e.type === 'symptom' && e.text.endsWith('压痛'))).toBe(true);
  });

  it('leaves words inside names, treatments and departments alone', () => {
    const { entities } = recognize('予抗感染、抗肿瘤治疗，腹腔内注射肿瘤坏死因子30万单位，请肿瘤科会诊。');
    const added = entities.filter((e) => e.source !== 'model' && (e.type === 'disease' || e.type === 'symptom'));
    expect(added.map((e) => e.text)).toEqual([]);
  });
});

describe('combined taggers', () => {
  it('decode exactly what the separate models decode, from one shared extraction', async () => {
    const { SequenceModel, FeatureExtractor, loadGazetteer } = await import('../src/entities/index.js');
    const { modelPath } = await import('../src/resources.js');
    const yidu = SequenceModel.load(modelPath('ner', 'yidu.bin'));
    const ccks = SequenceModel.load(modelPath('ner', 'ccks2017.bin'));
    const shared = new FeatureExtractor(loadGazetteer(), [yidu.lexicon, ccks.lexicon]);
    const combined = SequenceModel.combine([yidu, ccks]);
    const doc = new MedDocument('患者行直肠癌根治术，术后予奥沙利铂化疗，双下肢水肿，胸部CT示右肺结节。');
    const s = doc.sentences[0]!;
    const separate = [yidu, ccks].flatMap((model, k) => {
      const own = new FeatureExtractor(loadGazetteer(), [model.lexicon]);
      const n = own.extract(doc.norm.chars, s.normStart, s.normEnd);
      return model.decode(own.features, n, own.slots, own.lexiconSlot(0)).map((span) => ({ ...span, layer: span.layer + k, confidence: 0 }));
    });
    const n = shared.extract(doc.norm.chars, s.normStart, s.normEnd);
    const together = combined.decode(shared.features, n, shared.slots, shared.lexiconSlot(0)).map((span) => ({ ...span, confidence: 0 }));
    expect(together).toEqual(separate);
    expect(together.length).toBeGreaterThan(3);
  });
});

describe('cmeee feature templates', () => {
  it('index up front every stacked feature a decoded main layer can give the symptom layer', async () => {
    const { allStackKeys, stackKeys, STACK_TEMPLATES } = await import('../src/entities/features.js');
    const { tagCount } = await import('../src/entities/tags.js');
    const tags = tagCount(8);
    const known = new Set(allStackKeys(tags, 0));
    // 右下腹 as bod (label 5: B I E), then O, then a single-character dis (label 0: S).
    const path = Int32Array.from([1 + 4 * 5, 2 + 4 * 5, 3 + 4 * 5, 0, 4]);
    const keys = new Int32Array(path.length * STACK_TEMPLATES);
    stackKeys(path, path.length, 0, keys);
    for (const key of keys) expect(known.has(key)).toBe(true);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('add the wide-context features without changing the others', async () => {
    const { FeatureExtractor, loadGazetteer } = await import('../src/entities/index.js');
    const { SHARED_SLOTS } = await import('../src/entities/features.js');
    const doc = new MedDocument('颅顶头皮有溃疡，伴反复咳嗽。');
    const s = doc.sentences[0]!;
    const narrow = new FeatureExtractor(loadGazetteer());
    const wide = new FeatureExtractor(loadGazetteer(), [], true);
    const n = narrow.extract(doc.norm.chars, s.normStart, s.normEnd);
    wide.extract(doc.norm.chars, s.normStart, s.normEnd);
    const changed = new Set<number>();
    for (let k = 0; k < n * SHARED_SLOTS; k++) if (narrow.features[k] !== wide.features[k]) changed.add(k % SHARED_SLOTS);
    expect(changed.size).toBeGreaterThan(0);
    expect(Math.min(...changed)).toBeGreaterThanOrEqual(SHARED_SLOTS - 5);
  });
});
