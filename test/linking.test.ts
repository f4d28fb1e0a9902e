import { describe, expect, it } from 'vitest';
import { MedDocument } from '../src/document/document.js';
import type { Entity } from '../src/document/types.js';
import { getLinker, linkingStage } from '../src/linking/index.js';
import { decodeKg, encodeKg, KnowledgeGraph, packKg, type KgRows } from '../src/linking/kg.js';
import { CONTEXT_FEATURES, contextRows, RERANK_FEATURES } from '../src/linking/linker.js';
import { normalizeKey } from '../src/linking/normalize.js';
import { MedstructError } from '../src/errors.js';
import { hospitalAbbreviations, loadHospitalAbbreviationRules } from '../src/linking/hospital-abbreviations.js';
import { toNocode } from '../src/output/nocode.js';
import type { EntityType } from '../src/taxonomy/taxonomy.js';

const linker = getLinker();
const best = (mention: string, type?: EntityType): string | undefined => linker.link(mention, type)[0]?.name;

describe('linker', () => {
  it('maps colloquial symptoms to standard terms', () => {
    expect(best('肚子疼', 'symptom')).toBe('腹痛');
    expect(best('拉稀', 'symptom')).toBe('腹泻');
    expect(best('嗓子疼', 'symptom')).toBe('咽痛');
    expect(best('发烧', 'symptom')).toBe('发热');
  });

  it('links diseases with ICD-10 codes and procedures with ICD-9-CM-3 codes', () => {
    const [hypertension] = linker.link('高血压', 'disease');
    expect(hypertension?.name).toBe('高血压');
    expect(hypertension?.codes.icd10).toMatch(/^I10/);
    const [appendix] = linker.link('急性阑尾炎', 'disease');
    expect(appendix?.codes.icd10).toMatch(/^K35/);
    const [laparoscopic] = linker.link('腹腔镜阑尾切除术', 'procedure');
    expect(laparoscopic).toMatchObject({ name: '腹腔镜下阑尾切除术', codes: { icd9cm3: '47.0100' } });
    const [stent] = linker.link('右侧颈内动脉支架置入术', 'procedure');
    expect(stent?.codes.icd9cm3).toBe('00.6300');
    expect(KnowledgeGraph.icd10Ancestors('A00.901')).toEqual(['A00.9', 'A00']);
  });

  it('resolves lab abbreviations and report spellings', () => {
    expect(best('WBC', 'lab_test')).toBe('白细胞计数');
    expect(best('HGB', 'lab_test')).toBe('血红蛋白');
    expect(best('谷丙转氨酶', 'lab_test')).toBe('丙氨酸氨基转移酶');
    const alt = linker.lookupLabAnalyte('ALT');
    expect(alt).toMatchObject({ standardName: '丙氨酸氨基转移酶', abbreviation: 'ALT', unit: 'U/L' });
    expect(linker.lookupLabAnalyte('谷丙转氨酶')?.standardName).toBe('丙氨酸氨基转移酶');
    expect(linker.lookupLabAnalyte('血红蛋白(HGB)')?.abbreviation).toBe('HGB');
    expect(linker.lookupLabAnalyte('今天天气不错')).toBeNull();
  });

  it('maps drug brands to generic names', () => {
    expect(best('拜唐苹', 'drug')).toBe('阿卡波糖片');
    expect(best('希舒美', 'drug')).toBe('阿奇霉素干混悬剂');
  });

  it('splits a diagnosis string holding several diagnoses', () => {
    const names = linker.linkDiagnoses('胃癌术后；高血压3级').map((c) => c.name);
    expect(names).toContain('胃恶性肿瘤');
    expect(names.some((n) => n.startsWith('高血压'))).toBe(true);
    const three = linker.linkDiagnoses('2型糖尿病，冠心病，脑梗死后遗症').map((c) => c.name);
    expect(three).toEqual(expect.arrayContaining(['2型糖尿病', '冠状动脉粥样硬化性心脏病']));
  });

  it('marks candidates found by covering known terms in their own feature column', () => {
    const key = normalizeKey('慢性胃炎伴十二指肠球部溃疡');
    const found = linker.diagnosisCandidates(key);
    const gastritis = [...found].find(([concept]) => linker.kg.names[concept] === '慢性胃炎');
    expect(gastritis?.[1][RERANK_FEATURES.indexOf('coverHit')]).toBe(1);
    expect(gastritis?.[1][RERANK_FEATURES.indexOf('headInText')]).toBe(1);
    expect(gastritis?.[1][RERANK_FEATURES.indexOf('missingChars')]).toBe(0);
  });

  it('gives the second re-ranker each candidate\'s standing among the string\'s candidates', () => {
    const features = [new Float64Array(RERANK_FEATURES.length), new Float64Array(RERANK_FEATURES.length), new Float64Array(RERANK_FEATURES.length)];
    const rows = contextRows(features, ['icd10:C34.900', 'icd10:M80700/3', 'icd10:M80100/3'], ['肺恶性肿瘤', '鳞状细胞癌', '癌'], [0.8, 0.6, 0.2], 1);
    const at = (row: Float64Array, name: (typeof CONTEXT_FEATURES)[number]): number => row[RERANK_FEATURES.length + CONTEXT_FEATURES.indexOf(name)]!;
    expect(rows.map((r) => at(r, 'rank'))).toEqual([0, 1, 2]);
    expect(at(rows[1]!, 'shareOfBest')).toBeCloseTo(0.75);
    // 癌 sits inside the strong 鳞状细胞癌; the reverse relation is seen from 鳞状细胞癌 only for strong others.
    expect(at(rows[2]!, 'insideStrongOther')).toBeCloseTo(0.6);
    expect(at(rows[1]!, 'containsStrongOther')).toBe(0);
    expect(at(rows[0]!, 'strongCandidates')).toBe(2);
  });

  it('leaves garbage unlinked', () => {
    for (const junk of ['asdfgh', '的了吗', '123456', '', '   ', '！！！']) {
      expect(linker.link(junk)).toEqual([]);
      expect(linker.linkDiagnoses(junk)).toEqual([]);
    }
    expect(linker.link('左侧', 'anatomy')).toEqual([]);
  });

  it('leaves report findings unlinked when no concept is credible (no forced links)', () => {
    // Bare findings without an organ, and normal findings: a training phrase holding them as a fragment,
    // or a longer term they are a piece of, is no evidence.
    for (const mention of ['低回声团', '窦性心律', '肿大', '稍高密度影', '左心室高电压', '结节影', '包块', '双肺纹理清晰']) {
      expect(linker.link(mention, 'symptom'), mention).toEqual([]);
      expect(linker.linkText(mention), mention).toEqual([]);
    }
    expect(best('降钙素原', 'lab_test')).not.toBe('降钙素');
  });

  it('still links a mention that narrows a known term or names it with a neutral affix', () => {
    expect(best('（左乳）浸润性导管癌', 'disease')).toBe('浸润性导管癌');
    expect(best('左心室肥厚', 'disease')).toBe('心室肥厚');
    expect(best('腹腔镜阑尾切除术', 'procedure')).toBe('腹腔镜下阑尾切除术');
    expect(best('肝大', 'symptom')).toBe('肝大');
    expect(best('胆囊结石', 'disease')).toBe('胆囊结石');
    expect(best('肺纹理增粗', 'symptom')).toBe('肺纹理增粗');
  });

  it('links a single term of unknown type as itself, not as diagnoses similar strings were coded as', () => {
    expect(linker.linkText('白细胞计数')[0]?.name).toBe('白细胞计数');
    expect(linker.linkText('阿莫西林胶囊')[0]?.name).toBe('阿莫西林胶囊');
    expect(linker.linkText('甲状腺结节')[0]?.name).toBe('甲状腺结节');
    expect(linker.linkText('胃癌术后')[0]?.name).toBe('胃恶性肿瘤');
    expect(linker.linkText('胃癌术后；高血压3级').map((c) => c.name)).toEqual(expect.arrayContaining(['胃恶性肿瘤', '高血压3级']));
  });

  it('finds hospitals by generated nicknames', () => {
    expect(linker.lookupHospital('浙一医院')?.name).toBe('浙江大学医学院附属第一医院');
    expect(linker.lookupHospital('浙大一院')?.name).toBe('浙江大学医学院附属第一医院');
    expect(linker.lookupHospital('协和')?.name).toBe('中国医学科学院北京协和医院');
    expect(linker.lookupHospital('中山一院')?.name).toBe('中山大学附属第一医院');
    expect(linker.lookupHospital('华西医院')?.name).toBe('四川大学华西医院');
    expect(linker.lookupHospital('华西')?.type).toBe('hospital');
    expect(linker.lookupHospital('好大夫')).toBeNull();
  });
});

describe('hospital abbreviation rules', () => {
  const rules = loadHospitalAbbreviationRules();
  const regions = new Set(['北京', '北京市', '上海', '上海市', '四川', '四川省', '浙江', '浙江省']);
  it('derives nicknames from the structure of the full name', () => {
    expect(hospitalAbbreviations('浙江大学医学院附属第一医院', regions, rules)).toEqual(expect.arrayContaining(['浙大一院', '浙一医院', '浙一']));
    expect(hospitalAbbreviations('北京协和医院', regions, rules)).toEqual(expect.arrayContaining(['协和医院', '协和']));
    expect(hospitalAbbreviations('中山大学附属第一医院', regions, rules)).toContain('中山一院');
    expect(hospitalAbbreviations('四川大学华西医院', regions, rules)).toEqual(expect.arrayContaining(['华西医院', '华西']));
    expect(hospitalAbbreviations('上海市第六人民医院', regions, rules)).toContain('上海六院');
    expect(hospitalAbbreviations('北京市朝阳区妇幼保健院', regions, rules)).toEqual([]);
  });
});

describe('linking stage', () => {
  function withEntities(text: string, spans: Array<[string, EntityType]>): MedDocument {
    const doc = new MedDocument(text);
    for (const [surface, type] of spans) {
      const start = Array.from(text).join('').indexOf(surface);
      const entity: Entity = {
        id: doc.newEntityId(), start, end: start + Array.from(surface).length, text: surface, type,
        confidence: 0.9, source: 'model', parent: null, children: [], assertion: null, link: null,
      };
      doc.entities.push(entity);
    }
    doc.rebuildNesting();
    return doc;
  }

  it('links entities and feeds the nocode format, hospital nicknames included', () => {
    const doc = withEntities('患者3天前在浙一医院就诊，诉肚子疼伴拉稀，查WBC 12.5×10^9/L，予希舒美口服。', [
      ['浙一医院', 'hospital'], ['肚子疼', 'symptom'], ['拉稀', 'symptom'], ['WBC', 'lab_test'], ['希舒美', 'drug'], ['口服', 'measurement'],
    ]);
    linkingStage.process(doc);
    const byText = new Map(doc.entities.map((e) => [e.text, e]));
    expect(byText.get('浙一医院')?.link).toMatchObject({ name: '浙江大学医学院附属第一医院', type: 'hospital' });
    expect(byText.get('肚子疼')?.link?.name).toBe('腹痛');
    expect(byText.get('WBC')?.link?.codes.lab).toBe('WBC');
    expect(byText.get('口服')?.link).toBeNull();
    const nocode = toNocode(doc).data.entity_extraction;
    const hospital = nocode.find((e) => e.ner_name === '浙一医院');
    expect(hospital).toMatchObject({ entity_name: '浙江大学医学院附属第一医院', entity_type: 'hospital', ner_type: 'organization' });
    expect(hospital?.entity_id).toMatch(/^hospital:/);
    expect(nocode.find((e) => e.ner_name === '希舒美')?.entity_name).toBe('阿奇霉素干混悬剂');
  });
});

describe('knowledge-graph artifact', () => {
  const rows: KgRows = {
    sources: ['test'],
    concepts: [['icd10:I10.x00', '高血压', 'disease', 3], ['lab:ALT', '丙氨酸氨基转移酶', 'lab', 0], ['icd10:K35.900', '急性阑尾炎', 'disease', 0]],
    surfaces: [['高血压', 0, 0], ['高血压病', 0, 1], ['alt', 1, 2], ['谷丙转氨酶', 1, 1], ['急性阑尾炎', 2, 0]],
    labs: [[1, 'ALT', 'alanine aminotransferase', 'U/L', '9-50']],
    hospitals: [],
    compounds: [['高血压病3级', [0]]],
    keywords: [['阑尾', 2, 0.9]],
    segments: [['高血压病', [0]]],
    scorer: { features: ['dice'], weights: [1], bias: 0, threshold: 0.5, rerank: { weights: [1], bias: 0, threshold: 0.4, fallback: 0.3 }, coverage: 0.6 },
  };

  it('reads back exactly what it wrote, names, surfaces and bigram index included', () => {
    const packed = packKg(rows);
    const kg = new KnowledgeGraph(decodeKg(encodeKg(packed)));
    expect(kg.names).toEqual(['高血压', '丙氨酸氨基转移酶', '急性阑尾炎']);
    expect(kg.codes(0)).toEqual({ icd10: 'I10.x00' });
    const [first, end] = kg.exact('谷丙转氨酶');
    expect(end - first).toBe(1);
    expect(kg.surfaceConcept[first]).toBe(1);
    const [start, stop] = kg.postings(kg.gramCodes('阑尾')[0]!);
    expect([...kg.postingData.subarray(start, stop)].map((s) => kg.surfaceKeys[s])).toEqual(['急性阑尾炎']);
    expect(kg.labs).toEqual(rows.labs);
    expect(kg.prior[0]).toBe(3);
  });

  it('refuses bytes that are not an artifact with a stable error', () => {
    expect(() => decodeKg(Buffer.from('{"version":2}'))).toThrow(MedstructError);
  });
});
