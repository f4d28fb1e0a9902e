import { describe, expect, it } from 'vitest';
import type { ReportType } from '../src/classify/index.js';
import { MedDocument } from '../src/document/document.js';
import { detectSections, SECTION_KEYS, sectionsStage } from '../src/sections/index.js';
import { readJsonResource } from '../src/resources.js';

function sectionsOf(text: string, type: ReportType | null): Record<string, string> {
  const doc = new MedDocument(text);
  const out: Record<string, string> = {};
  for (const s of detectSections(doc, type)) out[s.key] = doc.slice(s.start, s.end);
  return out;
}

describe('header sections', () => {
  it('splits an admission record, with headers inline and on their own lines', () => {
    const text = `入 院 记 录
姓名：孙某  性别：女  年龄：61岁
主诉：间断上腹痛2年，加重伴黑便3天。
现病史：患者2年前无明显诱因出现上腹部隐痛，多于餐后发生。3天前解柏油样黑便3次。
既往史：高血压病史8年。否认肝炎结核病史。  个人史：无烟酒嗜好。
月经史：14岁初潮，50岁绝经。婚育史：适龄结婚，育1子。
家族史：母亲患胃癌。
体格检查
T 36.5℃ P 92次/分 R 18次/分 BP 110/70mmHg，贫血貌，上腹部轻压痛。
辅助检查：血红蛋白82g/L。
初步诊断：1.上消化道出血 2.高血压2级`;
    const s = sectionsOf(text, 'admission');
    expect(s.chief_complaint).toBe('间断上腹痛2年，加重伴黑便3天。');
    expect(s.present_illness).toContain('柏油样黑便');
    expect(s.past_history).toBe('高血压病史8年。否认肝炎结核病史。');
    expect(s.personal_history).toBe('无烟酒嗜好。');
    expect(s.menstrual_history).toBe('14岁初潮，50岁绝经。');
    expect(s.marital_history).toBe('适龄结婚，育1子。');
    expect(s.family_history).toBe('母亲患胃癌。');
    expect(s.physical_exam).toContain('BP 110/70mmHg');
    expect(s.auxiliary_exam).toBe('血红蛋白82g/L。');
    expect(s.admission_diagnosis).toBe('1.上消化道出血 2.高血压2级');
  });

  it('splits a discharge summary and keeps header spans and titles', () => {
    const text = `出院记录\n入院诊断：急性胰腺炎\n住院经过：予禁食、抑酶、补液治疗，腹痛缓解。\n出院诊断：急性胰腺炎（轻症）\n出院时情况：无腹痛，进食可。\n出院医嘱：低脂饮食，2周后复查淀粉酶。\n出院带药：泮托拉唑肠溶片 40mg qd`;
    const doc = new MedDocument(text);
    const sections = detectSections(doc, 'discharge');
    expect(sections.map((s) => s.key)).toEqual(['admission_diagnosis', 'treatment_course', 'discharge_diagnosis', 'discharge_condition', 'discharge_orders', 'medications']);
    const course = sections[1]!;
    expect(course.title).toBe('住院经过：');
    expect(doc.slice(course.header!.start, course.header!.end)).toBe('住院经过：');
    expect(doc.slice(course.start, course.end)).toBe('予禁食、抑酶、补液治疗，腹痛缓解。');
  });

  it('names pathology sections, including bracketed and numbered headers', () => {
    const text = `病理报告 病理号：B23-0451
【送检标本】（胃窦）活检组织
一、大体所见：灰白碎组织4粒，直径0.1-0.2cm。
二、镜下所见：胃黏膜腺体异型增生，部分呈浸润性生长。
三、免疫组化：CK(+)，Ki-67(60%+)，P53(突变型)。
四、诊断意见：（胃窦）中分化腺癌。
分子检测：HER-2 FISH未扩增。`;
    const s = sectionsOf(text, 'pathology');
    expect(s.specimen).toBe('（胃窦）活检组织');
    expect(s.gross).toBe('灰白碎组织4粒，直径0.1-0.2cm。');
    expect(s.microscopic).toContain('异型增生');
    expect(s.ihc).toBe('CK(+)，Ki-67(60%+)，P53(突变型)。');
    expect(s.pathology_diagnosis).toBe('（胃窦）中分化腺癌。');
    expect(s.molecular).toBe('HER-2 FISH未扩增。');
  });

  it('finds imaging headers in OCR text with half-width colons and spaced letters', () => {
    const text = 'CT 检 查 报 告 单\n检查部位: 上腹部\n影 像 表 现:\n肝右叶见一低密度灶，大小约2.0cm，增强扫描呈快进快出。\n影像诊断:\n肝右叶占位，考虑肝癌。';
    const s = sectionsOf(text, 'ct');
    expect(s.exam_item).toBe('上腹部');
    expect(s.findings).toContain('快进快出');
    expect(s.impression).toBe('肝右叶占位，考虑肝癌。');
  });

  it('reads drug leaflet sections', () => {
    const s = sectionsOf('【药品名称】\n通用名称：布洛芬缓释胶囊\n【适应症】用于缓解轻至中度疼痛。\n【用法用量】口服，一次1粒，一日2次。\n【不良反应】少数病人可出现恶心。\n【贮藏】密封保存。', 'drug_leaflet');
    expect(s.drug_name).toBe('布洛芬缓释胶囊');
    expect(s.indications).toBe('用于缓解轻至中度疼痛。');
    expect(s.dosage).toBe('口服，一次1粒，一日2次。');
    expect(s.adverse_reactions).toBe('少数病人可出现恶心。');
    expect(s.storage).toBe('密封保存。');
  });

  it('keeps a quoted exam result inside the history it is quoted in', () => {
    const text = '主诉：颈部肿物1月。\n现病史：患者1月前发现颈部肿物，行甲状腺彩超检查，超声提示：甲状腺右叶结节，TI-RADS 4a类。术后病理示：甲状腺乳头状癌。\n既往史：体健。';
    const s = sectionsOf(text, 'admission');
    expect(Object.keys(s)).toEqual(['chief_complaint', 'present_illness', 'past_history']);
    expect(s.present_illness).toContain('超声提示：甲状腺右叶结节');
    expect(s.present_illness).toContain('术后病理示：甲状腺乳头状癌。');
  });

  it('does not take a header word inside a sentence for a header', () => {
    const s = sectionsOf('患者诉诊断明确后规律服药，建议定期复查。', 'outpatient');
    expect(s).toEqual({});
  });
});

describe('reports without headers', () => {
  it('splits findings from a trailing conclusion', () => {
    const text = '甲状腺左叶见一低回声结节，大小约6×5mm，边界清，形态规则，CDFI未见明显血流信号。右叶回声均匀。双侧颈部未见肿大淋巴结。甲状腺左叶结节，TI-RADS 3类，建议定期复查。';
    const s = sectionsOf(text, 'ultrasound');
    expect(s.findings).toContain('双侧颈部未见肿大淋巴结。');
    expect(s.impression).toBe('甲状腺左叶结节，TI-RADS 3类，建议定期复查。');
  });

  it('splits a leading numbered impression from the findings after it', () => {
    const text = '1.右肺上叶结节，考虑炎性结节可能，建议随访。\n2.肝囊肿。\n右肺上叶见一实性结节，直径约6mm，边界清。双肺门不大。肝右叶见一类圆形低密度影，边界清，增强扫描未见强化。';
    const s = sectionsOf(text, 'ct');
    expect(s.impression).toBe('1.右肺上叶结节，考虑炎性结节可能，建议随访。\n2.肝囊肿。');
    expect(s.findings).toContain('增强扫描未见强化');
  });

  it('takes the conclusions before the first header of an exam report as its impression', () => {
    const text = '1、脾门区小结节，副脾可能，建议随访。\n2、腰椎退行性变。检查所见:\n肝脏形态、大小及密度未见异常，肝内胆管未见扩张。脾门区见结节状软组织密度影，直径约1.1cm，增强扫描强化同脾脏。';
    const s = sectionsOf(text, 'ct');
    expect(s.impression).toBe('1、脾门区小结节，副脾可能，建议随访。\n2、腰椎退行性变。');
    expect(s.findings).toContain('增强扫描强化同脾脏');
  });

  it('ends a statement at 请结合临床 when the export ran the findings straight after it', () => {
    const text = '1.右肺中叶少许慢性炎症，请结合临床两侧胸廓对称，纵隔居中。右肺中叶见少许条索影，边界清。两肺门不大，纵隔内未见肿大淋巴结。';
    const s = sectionsOf(text, 'ct');
    expect(s.impression).toBe('1.右肺中叶少许慢性炎症，请结合临床');
    expect(s.findings?.startsWith('两侧胸廓对称')).toBe(true);
  });

  it('gives a history paragraph on its own as the present illness', () => {
    const text = '患者3天前受凉后出现发热，体温最高39.2℃，伴咳嗽、咳黄痰，自服布洛芬后体温可降至正常。';
    expect(sectionsOf(text, 'admission')).toEqual({ present_illness: text });
  });

  it('leaves a purely descriptive paragraph without a split', () => {
    expect(sectionsOf('肝脏大小形态正常，实质回声均匀。胆囊大小正常，壁光滑。', 'ultrasound')).toEqual({});
  });
});

describe('sectionsStage and resources', () => {
  it('uses the classification the classify stage left on the document', () => {
    const doc = new MedDocument('诊断意见：（结肠）管状腺瘤，低级别上皮内瘤变。');
    doc.classification = { type: 'pathology' };
    sectionsStage.process(doc);
    expect(doc.sections.map((s) => s.key)).toEqual(['pathology_diagnosis']);
  });

  it('lists only known keys in headers.json, and every key in keys.ts has a description there or is implicit', () => {
    const file = readJsonResource<{ keys: Record<string, unknown> }>('sections', 'headers.json');
    for (const key of Object.keys(file.keys)) expect(SECTION_KEYS).toContain(key);
    expect(Object.keys(file.keys).sort()).toEqual([...SECTION_KEYS].sort());
  });
});
