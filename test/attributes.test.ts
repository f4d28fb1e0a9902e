import { describe, expect, it } from 'vitest';
import { assertText, attributesStage } from '../src/attributes/index.js';
import { assertDialogue } from '../src/attributes/dialogue.js';
import { MedDocument } from '../src/document/document.js';
import type { Assertion, Entity } from '../src/document/types.js';
import { parseCmddDialogue, scoreCertainty } from '../src/eval/assertion.js';
import { toAliyunData } from '../src/output/aliyun.js';
import { toNocode } from '../src/output/nocode.js';
import type { EntityType } from '../src/taxonomy/taxonomy.js';
import { annotate } from './document-helper.js';

function assertAll(text: string, findings: Array<[string, EntityType?, number?]>): Assertion[] {
  const doc = annotate(text, findings);
  attributesStage.process(doc);
  const order = doc.entities.slice().sort((a, b) => a.start - b.start);
  return findings.map(([surface, , nth = 0]) => order.filter((e) => e.text === surface)[nth]!.assertion!);
}

const certainties = (text: string, findings: Array<[string, EntityType?, number?]>): string[] => assertAll(text, findings).map((a) => a.certainty);

describe('negation', () => {
  it('does not run a denial on into a clause whose finding states a change', () => {
    expect(certainties('头颅MRI示右侧基底节区急性脑梗死，未见出血转化，脑白质脱髓鞘改变。', [['脑梗死', 'disease'], ['出血转化', 'disease'], ['脑白质脱髓鞘改变', 'disease']]))
      .toEqual(['positive', 'negative', 'positive']);
    expect(certainties('患者入院时呈谵妄状态，定向力障碍，注意力不集中。', [['谵妄', 'symptom'], ['注意力不集中', 'symptom']])).toEqual(['positive', 'positive']);
  });

  it('negates every finding of a coordinated list and stops at 伴', () => {
    expect(certainties('患者无发热、咳嗽、咳痰，伴胸闷。', [['发热'], ['咳嗽'], ['咳痰'], ['胸闷']]))
      .toEqual(['negative', 'negative', 'negative', 'positive']);
  });

  it('runs on over commas only into clauses that are nothing but findings', () => {
    expect(certainties('无发热，咳嗽，咳痰等不适。', [['发热'], ['咳嗽'], ['咳痰']])).toEqual(['negative', 'negative', 'negative']);
    expect(certainties('无发热，咳嗽3天。', [['发热'], ['咳嗽']])).toEqual(['negative', 'positive']);
    // A run of clauses that goes on into a statement is a series of observations, each on its own.
    expect(certainties('无呕吐腹泻，纳差，二便可。', [['呕吐'], ['腹泻'], ['纳差', 'symptom']])).toEqual(['negative', 'negative', 'positive']);
    expect(certainties('拟诊：急性阑尾炎，建议急诊手术。', [['急性阑尾炎']])).toEqual(['possible']);
    expect(certainties('双侧海马未见萎缩，脑萎缩。', [['萎缩'], ['脑萎缩']])).toEqual(['negative', 'positive']);
  });

  it('reads 未见异常 before a finding in its clause as a negation, and not into the next clause', () => {
    expect(certainties('双侧腋窝未见异常肿大淋巴结。', [['肿大淋巴结', 'symptom']])).toEqual(['negative']);
    expect(certainties('增强扫描未见明显异常强化灶。', [['异常强化灶', 'symptom']])).toEqual(['negative']);
    expect(certainties('双肾未见异常，右肾结石。', [['右肾结石']])).toEqual(['positive']);
    // 无强化 describes the lesion's enhancement, it does not deny the lesion.
    expect(certainties('肝S4见一小类圆形无强化低密度灶。', [['低密度灶', 'symptom']])).toEqual(['positive']);
  });

  it('ends the scope at 但 and keeps pseudo-cues from negating', () => {
    expect(certainties('无明显诱因出现腹痛，无恶心，但有呕吐。', [['腹痛'], ['恶心'], ['呕吐']])).toEqual(['positive', 'negative', 'positive']);
    expect(certainties('心律不齐，四肢无力。', [['心律不齐'], ['四肢无力']])).toEqual(['positive', 'positive']);
  });

  it('reads examination and history negations', () => {
    expect(certainties('双肺呼吸音粗，未闻及干湿性啰音。', [['干湿性啰音']])).toEqual(['negative']);
    expect(certainties('浅表淋巴结未扪及肿大，肝脾肋下未及。', [['肿大']])).toEqual(['negative']);
    expect(certainties('四肢肌力5级，巴氏征未引出，脑膜刺激征未引出。', [['巴氏征', 'symptom'], ['脑膜刺激征', 'symptom']])).toEqual(['negative', 'negative']);
    expect(certainties('否认高血压、糖尿病、冠心病病史。', [['高血压', 'disease'], ['糖尿病', 'disease'], ['冠心病', 'disease']]))
      .toEqual(['negative', 'negative', 'negative']);
    expect(certainties('头痛，不伴恶心、呕吐。', [['头痛'], ['恶心'], ['呕吐']])).toEqual(['positive', 'negative', 'negative']);
    expect(certainties('排除主动脉夹层后给予抗凝治疗。', [['主动脉夹层', 'disease']])).toEqual(['negative']);
  });

  it('reads post-position denials and node counts', () => {
    expect(certainties('无盗汗，低热否认，听神经瘤可除外，切口感染未发生。', [['盗汗'], ['低热'], ['听神经瘤', 'disease'], ['切口感染', 'disease']]))
      .toEqual(['negative', 'negative', 'negative', 'negative']);
    expect(certainties('乳头状癌，淋巴结转移（0/6）。', [['乳头状癌', 'disease'], ['淋巴结转移', 'disease']])).toEqual(['positive', 'negative']);
    expect(certainties('住院期间未再出现心律失常，结核暂不考虑。', [['心律失常'], ['结核', 'disease']])).toEqual(['negative', 'negative']);
  });

  it('does not let a longer cue swallow the start of a finding (无尿频)', () => {
    expect(certainties('大小便正常，无尿频、尿急。', [['尿频'], ['尿急']])).toEqual(['negative', 'negative']);
  });

  it('reads a cue that recognition took into the span, but not a word that only looks like one', () => {
    expect(certainties('纵隔内未见肿大淋巴结，两肺门不大。', [['纵隔内未见肿大淋巴结'], ['两肺门不大']])).toEqual(['negative', 'negative']);
    expect(certainties('动脉导管未闭，右肺中叶肺不张，二尖瓣关闭不全。', [['动脉导管未闭', 'disease'], ['肺不张', 'disease'], ['二尖瓣关闭不全', 'disease']]))
      .toEqual(['positive', 'positive', 'positive']);
    expect(certainties('左肾见一无回声区，考虑肾囊肿。', [['无回声区'], ['肾囊肿', 'disease']])).toEqual(['positive', 'possible']);
  });

  it('keeps a cue inside one finding from reaching the finding before it', () => {
    expect(certainties('室间隔增厚，左室壁节段性运动未见异常。', [['室间隔增厚'], ['左室壁节段性运动未见异常']])).toEqual(['positive', 'negative']);
    expect(certainties('胸腔积液 左室壁运动未见异常', [['胸腔积液'], ['左室壁运动未见异常']])).toEqual(['positive', 'negative']);
  });

  it('negates a finding by a trailing negative result', () => {
    expect(certainties('肿瘤标志物阴性，CEA(-)，尿糖(+)。', [['肿瘤标志物', 'lab_test'], ['CEA', 'lab_test'], ['尿糖', 'lab_test']]))
      .toEqual(['negative', 'negative', 'positive']);
    expect(certainties('免疫组化：ER（－），HER2（-）。', [['ER', 'lab_test'], ['HER2', 'lab_test']])).toEqual(['negative', 'negative']);
  });

  it('reads 已排除 and 未引起 before a finding, and denied or never-taken drugs', () => {
    expect(certainties('复查胸部CT，已排除肺结核。患者已过溶栓时间窗，未行静脉溶栓。', [['肺结核'], ['静脉溶栓', 'procedure']])).toEqual(['negative', 'negative']);
    expect(certainties('胃窦部黏膜增厚，未引起明显狭窄。', [['狭窄', 'symptom']])).toEqual(['negative']);
    expect(certainties('否认服用阿司匹林、氯吡格雷等抗血小板药物，长期口服二甲双胍。', [['阿司匹林', 'drug'], ['氯吡格雷', 'drug'], ['二甲双胍', 'drug']]))
      .toEqual(['negative', 'negative', 'positive']);
    // A negation about the illness still says nothing against a drug.
    expect(certainties('无发热，予头孢呋辛抗感染。', [['发热'], ['头孢呋辛', 'drug']])).toEqual(['negative', 'positive']);
  });

  it('reads denials written after the findings, node counts before them and results that did not rise', () => {
    expect(certainties('皮疹、关节痛均无，肺动脉高压未显示。', [['皮疹'], ['关节痛'], ['肺动脉高压', 'disease']])).toEqual(['negative', 'negative', 'negative']);
    expect(certainties('第2、4、7组淋巴结0/15枚见转移。', [['转移', 'disease']])).toEqual(['negative']);
    expect(certainties('区域淋巴结10/15枚见转移。', [['转移', 'disease']])).toEqual(['positive']);
    expect(certainties('心肌酶未见升高，HER-2(0)。', [['心肌酶', 'lab_test'], ['HER-2', 'lab_test']])).toEqual(['negative', 'negative']);
  });

  it('reads a denial that closes the finding’s clause or follows a heading’s colon, and unlikely findings as possible', () => {
    expect(certainties('阴道流血无，腹痛无。吞咽困难(无)。', [['阴道流血'], ['腹痛'], ['吞咽困难']])).toEqual(['negative', 'negative', 'negative']);
    expect(certainties('药物过敏史：否认。宫缩未及。', [['药物过敏'], ['宫缩', 'symptom']])).toEqual(['negative', 'negative']);
    expect(certainties('骨质疏松症不成立，肝外转移暂无证据。', [['骨质疏松症'], ['肝外转移']])).toEqual(['negative', 'negative']);
    // Unlikely is still not ruled out.
    expect(certainties('肺栓塞可能性小，转移可能性不大。', [['肺栓塞'], ['转移']])).toEqual(['possible', 'possible']);
    // 无 before the next finding still denies that one only.
    expect(certainties('咳嗽，无发热。', [['咳嗽'], ['发热']])).toEqual(['positive', 'negative']);
    expect(certainties('并非没有胸闷。', [['胸闷']])).toEqual(['positive']);
  });

  it('reads a seeing verb after a finding as its denial only where it ends the clause', () => {
    expect(certainties('右叶结节内未见钙化，CDFI：结节内未见明确血流信号。', [['结节', 'symptom'], ['钙化', 'symptom'], ['结节', 'symptom', 1]]))
      .toEqual(['positive', 'negative', 'positive']);
    expect(certainties('胸腔积液未见，杂音未闻及 。', [['胸腔积液'], ['杂音', 'symptom']])).toEqual(['negative', 'negative']);
  });

  it('reads a bare denial closing the finding’s clause, the sign written with 一, denials of what was not observed or has not formed, and doubt written after', () => {
    expect(certainties('查体：颈抵抗无，巴氏征(一)，腹部包块暂无（触诊欠满意）。', [['颈抵抗', 'symptom'], ['巴氏征', 'symptom'], ['腹部包块', 'symptom']]))
      .toEqual(['negative', 'negative', 'negative']);
    expect(certainties('家属未观察到抽搐，胰周假性囊肿尚未形成，复查未再见胆总管扩张。', [['抽搐', 'symptom'], ['胰周假性囊肿'], ['胆总管扩张', 'symptom']]))
      .toEqual(['negative', 'negative', 'negative']);
    expect(certainties('颈部淋巴结结核高度怀疑，主动脉夹层疑诊，腺肌症声像不典型。', [['颈部淋巴结结核'], ['主动脉夹层'], ['腺肌症']]))
      .toEqual(['possible', 'possible', 'possible']);
    // The longer forms stay denials and doubts before the finding too.
    expect(certainties('各切缘均未见癌组织，暂无肺转移，不符合肾病综合征，高度怀疑胰腺癌。', [['癌组织'], ['肺转移'], ['肾病综合征'], ['胰腺癌']]))
      .toEqual(['negative', 'negative', 'negative', 'possible']);
    // A test or microbe not found, where nothing follows: 血常规未见异常 still says nothing against the test.
    expect(certainties('尿沉渣镜检红细胞均未见，抗酸杆菌未查见，血常规未见异常。', [['红细胞', 'lab_test'], ['抗酸杆菌', 'microbe'], ['血常规', 'lab_test']]))
      .toEqual(['negative', 'negative', 'positive']);
  });

  it('reads an episode that did not come back or a state that was relieved, written after the finding, as absent', () => {
    expect(certainties('腹痛未再反复，晕厥未再发生，室速未再发，尿潴留已解除。', [['腹痛', 'symptom'], ['晕厥', 'symptom'], ['室速'], ['尿潴留', 'symptom']]))
      .toEqual(['negative', 'negative', 'negative', 'negative']);
  });

  it('reads how patients write: denials after the symptom, colloquial symptoms that contain 没/不, and hedges after the disease', () => {
    expect(certainties('嗓子疼已经好了，鼻塞也消了，烧早就退了，呕吐没再出现过。', [['嗓子疼', 'symptom'], ['鼻塞', 'symptom'], ['烧', 'symptom'], ['呕吐', 'symptom']]))
      .toEqual(['negative', 'negative', 'negative', 'negative']);
    expect(certainties('最近浑身没劲，没胃口，吃不下饭，睡不着觉。', [['浑身没劲', 'symptom'], ['没胃口', 'symptom'], ['吃不下饭', 'symptom'], ['睡不着觉', 'symptom']]))
      .toEqual(['positive', 'positive', 'positive', 'positive']);
    expect(certainties('我怀疑自己有甲亢，医生说要排除糖尿病，胆结石排除不了，已经排除了怀孕。', [['甲亢'], ['糖尿病'], ['胆结石'], ['怀孕', 'symptom']]))
      .toEqual(['possible', 'possible', 'possible', 'negative']);
  });

  it('reads worries, either-or questions and questionnaire answers as patients write them', () => {
    expect(certainties('我担心自己有胃癌，怕是甲亢，不知道是胆囊炎还是胰腺炎，不知道算不算焦虑症。', [['胃癌', 'disease'], ['甲亢', 'disease'], ['胆囊炎', 'disease'], ['胰腺炎', 'disease'], ['焦虑症', 'disease']]))
      .toEqual(['possible', 'possible', 'possible', 'possible', 'possible']);
    expect(certainties('既往史问卷：高血压 是；糖尿病 否；癫痫 从未。', [['高血压', 'disease'], ['糖尿病', 'disease'], ['癫痫', 'disease']])).toEqual(['positive', 'negative', 'negative']);
  });

  it('reads cultures without growth, drugs not taken or held back, and denials that the evidence is lacking', () => {
    expect(certainties('痰培养3天无细菌生长，血培养×2套均无菌生长。', [['痰培养', 'lab_test'], ['血培养', 'lab_test']])).toEqual(['negative', 'negative']);
    expect(certainties('阿司匹林没在吃，华法林从不吃，暂缓使用来氟米特，NSAIDs禁用。', [['阿司匹林', 'drug'], ['华法林', 'drug'], ['来氟米特', 'drug'], ['NSAIDs', 'drug']]))
      .toEqual(['negative', 'negative', 'negative', 'negative']);
    expect(certainties('结核目前证据不足，淋巴瘤尚未发现证据，骨髓涂片未见异常浆细胞。', [['结核', 'disease'], ['淋巴瘤', 'disease'], ['异常浆细胞', 'lab_test']]))
      .toEqual(['negative', 'negative', 'negative']);
  });

  it('reads lay denials after the symptom, and 待查 after a diagnosis as open unless the span takes it in', () => {
    expect(certainties('胸痛也没出现过，便血一次都没有过，也没查出来贫血，乙肝两对半全阴。', [['胸痛', 'symptom'], ['便血', 'symptom'], ['贫血', 'disease'], ['乙肝两对半', 'lab_test']]))
      .toEqual(['negative', 'negative', 'negative', 'negative']);
    expect(certainties('肺癌待查，腹痛待查，发热待查：感染？', [['肺癌', 'disease'], ['腹痛待查', 'disease'], ['发热', 'disease']]))
      .toEqual(['possible', 'positive', 'positive']);
    expect(certainties('胆红素脑病目前无依据，脑白质软化亦未提示，胎儿生长受限不存在，NST无反应型。', [['胆红素脑病', 'disease'], ['脑白质软化', 'disease'], ['胎儿生长受限', 'disease'], ['NST无反应型', 'symptom']]))
      .toEqual(['negative', 'negative', 'negative', 'positive']);
  });

  it('reads the answer to a form’s question, not the question, and leaves a plain question mark alone', () => {
    expect(certainties('有无发热、咳嗽？没有的。有无胸痛：无。有无腹痛：有，右下腹。右肺结节？无明显增大。', [['发热', 'symptom'], ['咳嗽', 'symptom'], ['胸痛', 'symptom'], ['腹痛', 'symptom'], ['结节', 'symptom']]))
      .toEqual(['negative', 'negative', 'negative', 'positive', 'possible']);
  });

  it('reads patients’ fears and guesses as doubt, and symptoms that hold 不 as present', () => {
    expect(certainties('我好怕是脑瘤，说不定是颈椎病，胃癌的概率很小，心梗应该不至于吧。', [['脑瘤', 'disease'], ['颈椎病', 'disease'], ['胃癌', 'disease'], ['心梗', 'disease']]))
      .toEqual(['possible', 'possible', 'possible', 'possible']);
    expect(certainties('最近精神不太好，吃不下，睡不着。', [['精神不太好', 'symptom'], ['吃不下', 'symptom'], ['睡不着', 'symptom']])).toEqual(['positive', 'positive', 'positive']);
  });

  it('reads checkup results that did not rise, denials after a list, and a test still to be done', () => {
    expect(certainties('甲胎蛋白、CEA均未见升高，C反应蛋白不高，衣原体、淋球菌都没有，都没有胸闷。', [['甲胎蛋白', 'lab_test'], ['CEA', 'lab_test'], ['C反应蛋白', 'lab_test'], ['衣原体', 'microbe'], ['淋球菌', 'microbe'], ['胸闷', 'symptom']]))
      .toEqual(['negative', 'negative', 'negative', 'negative', 'negative', 'negative']);
    const [dna] = assertAll('HBV-DNA待测。', [['HBV-DNA', 'lab_test']]);
    expect(dna!.temporality).toBe('future');
  });

  it('reads an answer reported after a comma, ticked form boxes, and a spouse who only reports', () => {
    expect(certainties('电话随访：询问有无黑便、呕血，答无。多饮□有☑无，视物模糊未诉，低血糖最近没有，足部溃疡待观察。', [['黑便', 'symptom'], ['呕血', 'symptom'], ['多饮', 'symptom'], ['视物模糊', 'symptom'], ['低血糖', 'disease'], ['足部溃疡', 'disease']]))
      .toEqual(['negative', 'negative', 'negative', 'negative', 'negative', 'possible']);
    const [snore, cough] = assertAll('我老婆说我打呼噜很响。我老公咳嗽一周。', [['打呼噜', 'symptom'], ['咳嗽', 'symptom']]);
    expect([snore!.subject, cough!.subject]).toEqual(['patient', 'other']);
  });

  it('reads each field of a form by its own answer, however the fields are parted, and unticked boxes as absent', () => {
    expect(certainties('头晕：无   头痛：偶尔\t心慌：无 | 胸痛：有', [['头晕', 'symptom'], ['头痛', 'symptom'], ['心慌', 'symptom'], ['胸痛', 'symptom']]))
      .toEqual(['negative', 'positive', 'negative', 'positive']);
    expect(certainties('既往史：糖尿病□ 高血压☑ □冠心病 ☑脑卒中；有无肝炎：不详。', [['糖尿病', 'disease'], ['高血压', 'disease'], ['冠心病', 'disease'], ['脑卒中', 'disease'], ['肝炎', 'disease']]))
      .toEqual(['negative', 'positive', 'negative', 'positive', 'possible']);
  });

  it('reads a labelled field and a ticked pair of boxes in a checklist', () => {
    expect(certainties('【入院护理评估】既往COPD：否；近1周进食减少：否；1.意识：清楚 2.头晕：有 3.视力障碍：无', [['COPD', 'disease'], ['进食减少', 'symptom'], ['头晕', 'symptom'], ['视力障碍', 'symptom']]))
      .toEqual(['negative', 'negative', 'positive', 'negative']);
    expect(certainties('系统回顾：头痛 □无 ☑有  恶心 ☑无 □有。心理评估：焦虑 ☑  抑郁 □', [['头痛', 'symptom'], ['恶心', 'symptom'], ['焦虑', 'symptom'], ['抑郁', 'symptom']]))
      .toEqual(['positive', 'negative', 'positive', 'negative']);
  });

  it('reads OCR’d form rows: a table’s rules, an answer a space after its label, ticks after the answer, open answers', () => {
    expect(certainties('│发热│否│  │咳嗽│是│', [['发热', 'symptom'], ['咳嗽', 'symptom']])).toEqual(['negative', 'positive']);
    expect(certainties('入院评估：咳痰 无  胸闷 无 ☑   头孢过敏 不详   贫血 轻度', [['咳痰', 'symptom'], ['胸闷', 'symptom'], ['头孢过敏', 'disease'], ['贫血', 'disease']]))
      .toEqual(['negative', 'negative', 'possible', 'positive']);
  });

  it('reads letters, marks, ticked options, paired answers and boxes before or after the finding', () => {
    expect(certainties('泌尿系统：尿频 N  尿急 N  夜尿增多 Y。筛查：手足疱疹 ×  口腔溃疡 √', [['尿频', 'symptom'], ['尿急', 'symptom'], ['夜尿增多', 'symptom'], ['手足疱疹', 'symptom'], ['口腔溃疡', 'symptom']]))
      .toEqual(['negative', 'negative', 'positive', 'negative', 'positive']);
    expect(certainties('吞咽困难 无 ☑ 有 □    结核接触史 不详 □ 否 ☑    黑便  待观察', [['吞咽困难', 'symptom'], ['结核接触史', 'disease'], ['黑便', 'symptom']]))
      .toEqual(['negative', 'negative', 'possible']);
    expect(certainties('ROS：发热/寒战：否/否；头痛/头晕：否/是', [['发热', 'symptom'], ['寒战', 'symptom'], ['头痛', 'symptom'], ['头晕', 'symptom']]))
      .toEqual(['negative', 'negative', 'negative', 'positive']);
    // A box touching the finding is its own, whichever side it stands on.
    expect(certainties('您是否有以下症状？[√]咳嗽 [√]咳痰 [ ]咯血。高危因素：吸烟☑ 高血脂☑ 肥胖□', [['咳嗽', 'symptom'], ['咳痰', 'symptom'], ['咯血', 'symptom'], ['高血脂', 'disease'], ['肥胖', 'disease']]))
      .toEqual(['positive', 'positive', 'negative', 'positive', 'negative']);
    // Devices a safety checklist asks about take the answer too.
    expect(certainties('术前核查  心脏起搏器 无  义齿：有', [['心脏起搏器', 'equipment'], ['义齿', 'equipment']])).toEqual(['negative', 'positive']);
  });

  it('reads replies a plain or full-width space away, a ticked option after a question, and a doubted box', () => {
    expect(certainties('既往史: 高血压 否 糖尿病 否 手术 是。呼吸系统：哮喘 无　COPD 无', [['高血压', 'disease'], ['糖尿病', 'disease'], ['手术', 'procedure'], ['哮喘', 'disease'], ['COPD', 'disease']]))
      .toEqual(['negative', 'negative', 'positive', 'negative', 'negative']);
    expect(certainties('2. 您是否患有糖尿病？ 是□ 否☑　不知道□', [['糖尿病', 'disease']])).toEqual(['negative']);
    expect(certainties('[√]高脂血症　[ ]痛风　[?]甲状腺功能减退', [['高脂血症', 'disease'], ['痛风', 'disease'], ['甲状腺功能减退', 'disease']]))
      .toEqual(['positive', 'negative', 'possible']);
  });

  it('reads a field’s answer past a history word or an abbreviation in its label', () => {
    expect(certainties('哮喘家族史：无；深静脉血栓病史□  幽门螺杆菌(HP)：阴性', [['哮喘', 'disease'], ['深静脉血栓', 'disease'], ['幽门螺杆菌', 'microbe']]))
      .toEqual(['negative', 'negative', 'negative']);
  });

  it('parts voice-to-text statements at its spaces, but keeps a form’s answer a space from its label', () => {
    expect(certainties('我妈头晕倒是没有 就是后脑勺发紧 黑便没有', [['头晕', 'symptom'], ['后脑勺发紧', 'symptom'], ['黑便', 'symptom']]))
      .toEqual(['negative', 'positive', 'negative']);
    expect(certainties('咯血 否   盗汗 是   午后低热 是', [['咯血', 'symptom'], ['盗汗', 'symptom'], ['午后低热', 'symptom']]))
      .toEqual(['negative', 'positive', 'positive']);
  });

  it('reads 要是 as a condition but not inside 主要是', () => {
    const [vomit, cough] = assertAll('要是出现呕吐要及时就医。主要是咳嗽。', [['呕吐', 'symptom'], ['咳嗽', 'symptom']]);
    expect([vomit!.conditional, cough!.conditional, cough!.certainty]).toEqual([true, false, 'positive']);
  });

  it('reads an exclusion still waiting for a test as doubt', () => {
    expect(certainties('踝部肿痛，骨折待X线排除，痛风待血尿酸结果排除。', [['骨折'], ['痛风']])).toEqual(['possible', 'possible']);
  });

  it('reads symptoms that did not recur or have gone as absent, and ones only partly gone as present', () => {
    expect(certainties('未再发作胸痛，无再发头晕，发热已消退，双下肢水肿部分消退。', [['胸痛', 'symptom'], ['头晕', 'symptom'], ['发热', 'symptom'], ['水肿', 'symptom']]))
      .toEqual(['negative', 'negative', 'negative', 'positive']);
  });

  it('reads verdicts written after the finding: ruled out, absent, resolved, turned negative, or a doubtful sign', () => {
    expect(certainties('急性胰腺炎基本排除，DIC暂无依据，脑转移除外（头颅MRI阴性），骨转移亦无，粒缺伴发热未出现。', [['急性胰腺炎'], ['DIC'], ['脑转移'], ['骨转移'], ['粒缺伴发热']]))
      .toEqual(['negative', 'negative', 'negative', 'negative', 'negative']);
    expect(certainties('渗出影基本吸收，大便隐血转阴，湿热之象不显，视物模糊未再出现。', [['渗出影', 'symptom'], ['大便隐血', 'lab_test'], ['湿热'], ['视物模糊', 'symptom']]))
      .toEqual(['negative', 'negative', 'negative', 'negative']);
    expect(certainties('应激性溃疡需警惕，肠源性感染亦需考虑，肌紧张(±)，r/o 急性胰腺炎。', [['应激性溃疡'], ['肠源性感染'], ['肌紧张', 'symptom'], ['急性胰腺炎']]))
      .toEqual(['possible', 'possible', 'possible', 'possible']);
    // Advice to exclude still leaves the finding open; a nodule of unknown nature is there; a germ's name is no denial.
    expect(certainties('听神经瘤需行内听道MRI除外。肺部结节性质待定。不除外合并鲍曼不动杆菌感染。', [['听神经瘤'], ['结节', 'symptom'], ['鲍曼不动杆菌', 'microbe']]))
      .toEqual(['possible', 'positive', 'possible']);
  });

  it('reads results not detected, equivocal tests, signs not seen, a bare 考虑 after the finding, and words that only contain 不', () => {
    expect(certainties('FISH未检测到MYC重排，GM试验（±），脑膜转移未见明确征象，视神经炎考虑，视神经鞘瘤不考虑。', [['MYC重排', 'lab_test'], ['GM试验', 'lab_test'], ['脑膜转移'], ['视神经炎'], ['视神经鞘瘤']]))
      .toEqual(['negative', 'possible', 'negative', 'possible', 'negative']);
    expect(certainties('左侧肢体活动不灵，肿物表面凹凸不平。', [['活动不灵', 'symptom'], ['表面凹凸不平', 'symptom']])).toEqual(['positive', 'positive']);
    expect(certainties('急性胃肠炎——无腹泻，暂不考虑。', [['急性胃肠炎'], ['腹泻', 'symptom']])).toEqual(['negative', 'negative']);
  });

  it('reads diagnoses named as alternatives, a second choice and an atypical picture as doubt', () => {
    expect(certainties('上颌窦底见软组织影，黏膜下囊肿或息肉。多形性腺瘤可能大，Warthin瘤亦可；胆囊癌征象不典型。', [['软组织影', 'symptom'], ['黏膜下囊肿', 'disease'], ['息肉', 'disease'], ['多形性腺瘤'], ['Warthin瘤'], ['胆囊癌']]))
      .toEqual(['positive', 'possible', 'possible', 'possible', 'possible', 'possible']);
    // Symptoms joined by 或 describe a pattern; tests so joined are a choice.
    expect(certainties('多为空腹痛或夜间痛。建议B超或MRI检查。', [['空腹痛', 'symptom'], ['夜间痛', 'symptom'], ['B超', 'exam'], ['MRI', 'exam']]))
      .toEqual(['positive', 'positive', 'positive', 'positive']);
  });

  it('reads a result that closes a bracketed remark after the finding, and doubt that cannot tell two findings apart', () => {
    expect(certainties('HER2（1+，阴性），直肠系膜筋膜受累（MRF-），HER2（2+，不确定），结节（2.5cm）。', [['HER2', 'lab_test'], ['直肠系膜筋膜受累', 'disease'], ['HER2', 'lab_test', 1], ['结节']]))
      .toEqual(['negative', 'negative', 'possible', 'positive']);
    expect(certainties('非典型腺瘤样增生与原位腺癌冰冻下难以区分。MET突变可疑。可疑为恶性肿瘤。既往未患哮喘，也未诊断过过敏性鼻炎。', [['非典型腺瘤样增生', 'disease'], ['原位腺癌', 'disease'], ['MET突变', 'lab_test'], ['恶性肿瘤', 'disease'], ['哮喘', 'disease'], ['过敏性鼻炎', 'disease']]))
      .toEqual(['possible', 'possible', 'possible', 'possible', 'negative', 'negative']);
  });

  it('reads history denied after its heading, never-seen or uncaught findings, a short differential list and open questions', () => {
    expect(certainties('肝炎、结核等传染病史：无。包块从未出现嵌顿，动态心电图未捕捉到房颤，肺栓塞排除。', [['肝炎', 'disease'], ['结核', 'disease'], ['嵌顿'], ['房颤', 'disease'], ['肺栓塞', 'disease']]))
      .toEqual(['negative', 'negative', 'negative', 'negative', 'negative']);
    expect(certainties('鉴别：特发性震颤、多系统萎缩。恶性胸腔积液尚待明确，待进一步排除嗜铬细胞瘤。', [['特发性震颤', 'disease'], ['多系统萎缩', 'disease'], ['恶性胸腔积液', 'disease'], ['嗜铬细胞瘤', 'disease']]))
      .toEqual(['possible', 'possible', 'possible', 'possible']);
  });

  it('does not read a normal examination as a negated test', () => {
    expect(certainties('腹部CT未见异常。', [['腹部CT', 'exam']])).toEqual(['positive']);
  });

  it('understands colloquial negation', () => {
    expect(certainties('宝宝不发烧，没怎么咳嗽。', [['发烧'], ['咳嗽']])).toEqual(['negative', 'negative']);
  });
});

describe('uncertainty', () => {
  it('reads a diagnosis not yet established, a finding still to be screened for, and a drug held back', () => {
    expect(certainties('扩张型心肌病诊断尚不能确立。肿瘤性心包积液亦需排查。心率58次/分，暂不加用β受体阻滞剂。', [['扩张型心肌病', 'disease'], ['肿瘤性心包积液', 'disease'], ['β受体阻滞剂', 'drug']]))
      .toEqual(['possible', 'possible', 'negative']);
    const [ulcer] = assertAll('压力性损伤一旦发生，应立即上报。', [['压力性损伤', 'disease']]);
    expect([ulcer!.certainty, ulcer!.conditional]).toEqual(['possible', true]);
  });

  it('reads a finding waiting on a check named after it as open, but not a bare X待查', () => {
    expect(certainties('慢性阻塞性肺疾病待肺功能检查证实，狼疮性肾炎（待肾活检证实），电解质紊乱待血生化回报。发热待查。', [['慢性阻塞性肺疾病', 'disease'], ['狼疮性肾炎', 'disease'], ['电解质紊乱', 'disease'], ['发热', 'symptom']]))
      .toEqual(['possible', 'possible', 'possible', 'positive']);
  });

  it('lets a turn that leaves the finding open have the last word', () => {
    expect(certainties('目前急性冠脉综合征证据不足，但不能完全除外，建议门诊行冠脉CTA。结核尚不能除外，但T-SPOT阴性。', [['急性冠脉综合征', 'disease'], ['结核', 'disease']]))
      .toEqual(['possible', 'possible']);
  });

  it('reads what could not be assessed as open, and a stain’s lost expression as negative', () => {
    expect(certainties('精神检查不合作，幻觉、妄想未能评估。免疫组化：MSH2表达缺失，MLH1(+)。', [['幻觉', 'symptom'], ['妄想', 'symptom'], ['MSH2', 'lab_test'], ['MLH1', 'lab_test']]))
      .toEqual(['possible', 'possible', 'negative', 'positive']);
  });

  it('reads pre- and post-position hedges', () => {
    expect(certainties('肝S5结节，较前增大，考虑转移。', [['结节'], ['转移', 'disease']])).toEqual(['positive', 'possible']);
    expect(certainties('肝S5、S8低密度灶，肝囊肿可能。', [['低密度灶'], ['肝囊肿', 'disease']])).toEqual(['positive', 'possible']);
    expect(certainties('胰腺癌待排，结肠癌不除外。', [['胰腺癌', 'disease'], ['结肠癌', 'disease']])).toEqual(['possible', 'possible']);
    expect(certainties('初步诊断：急性冠脉综合征？', [['急性冠脉综合征', 'disease']])).toEqual(['possible']);
    expect(certainties('疑似急性胰腺炎，倾向于病毒性心肌炎。', [['急性胰腺炎', 'disease'], ['病毒性心肌炎', 'disease']])).toEqual(['possible', 'possible']);
  });

  it('keeps a hedge on one numbered diagnosis from reaching the others', () => {
    expect(certainties('出院诊断：1.急性心肌梗死 2.高脂血症 3.肺部感染？', [['急性心肌梗死', 'disease'], ['高脂血症', 'disease'], ['肺部感染', 'disease']]))
      .toEqual(['positive', 'positive', 'possible']);
    expect(certainties('右侧第2、第11后肋骨质破坏，不除外转移。', [['骨质破坏'], ['转移', 'disease']])).toEqual(['positive', 'possible']);
    // An item number that runs into the diagnosis' own number still ends the hedge; a measurement is no item.
    expect(certainties('入院诊断：1.腹痛待查：急性胰腺炎？消化性溃疡穿孔待排 2.2型糖尿病', [['消化性溃疡穿孔', 'disease'], ['2型糖尿病', 'disease']]))
      .toEqual(['possible', 'positive']);
    expect(certainties('1.考虑右肺结节 2.5cm及纵隔淋巴结转移 2.肝囊肿', [['右肺结节', 'symptom'], ['纵隔淋巴结转移', 'disease'], ['肝囊肿', 'disease']]))
      .toEqual(['possible', 'possible', 'positive']);
  });

  it('reads pending pathology as possible', () => {
    expect(certainties('乙状结肠见一隆起性病变，结肠癌待病理。', [['隆起性病变'], ['结肠癌', 'disease']])).toEqual(['positive', 'possible']);
  });

  it('treats double negation as possible', () => {
    expect(certainties('不能排除肺结核，未排除肺癌。', [['肺结核', 'disease'], ['肺癌', 'disease']])).toEqual(['possible', 'possible']);
    expect(certainties('左侧输卵管积水不能完全排除。', [['输卵管积水', 'disease']])).toEqual(['possible']);
  });

  it('lets advice to clarify hedge the diagnosis before it, not what the image shows', () => {
    expect(certainties('右肾上极低回声团，肾癌？血管平滑肌脂肪瘤，建议增强CT进一步检查。', [['低回声团'], ['肾癌', 'disease'], ['血管平滑肌脂肪瘤', 'disease']]))
      .toEqual(['positive', 'possible', 'possible']);
    // 请结合临床 closes many reports whatever their certainty (a pathologist's definite diagnosis too).
    expect(certainties('（淋巴结）慢性炎，请结合临床。', [['慢性炎', 'disease']])).toEqual(['positive']);
    expect(certainties('腰椎间盘突出症，需行MRI检查进一步明确。', [['腰椎间盘突出症', 'disease']])).toEqual(['possible']);
    expect(certainties('胆囊结石，胆囊炎。建议结合临床。', [['胆囊结石', 'disease'], ['胆囊炎', 'disease']])).toEqual(['positive', 'positive']);
  });

  it('reads doubt written after the finding, after 考虑 and a colon, and an equivocal result', () => {
    expect(certainties('结肠腺瘤倾向，先天性心脏病疑似，炎性结节亦有可能。', [['结肠腺瘤'], ['先天性心脏病'], ['炎性结节']])).toEqual(['possible', 'possible', 'possible']);
    expect(certainties('诊断考虑：抑郁发作。有可能是支气管炎。', [['抑郁发作'], ['支气管炎']])).toEqual(['possible', 'possible']);
    expect(certainties('支气管舒张试验可疑阳性。', [['支气管舒张试验', 'lab_test']])).toEqual(['possible']);
  });

  it('hedges the second choice of 首先考虑…，其次…', () => {
    expect(certainties('肝S8占位，首先考虑肝细胞癌，其次局灶性结节增生。', [['肝细胞癌', 'disease'], ['局灶性结节增生', 'disease']])).toEqual(['possible', 'possible']);
  });

  it('hedges the differential diagnoses of 需与…相鉴别, not the finding they are drawn against', () => {
    expect(certainties('患者胸痛需与主动脉夹层、肺栓塞相鉴别。', [['胸痛'], ['主动脉夹层'], ['肺栓塞']])).toEqual(['positive', 'possible', 'possible']);
  });

  it('reads 似见 as doubt and keeps a hedge after a colon on its own side', () => {
    expect(certainties('肝右叶似见一小低密度影。', [['低密度影']])).toEqual(['possible']);
    expect(certainties('术前诊断：胰头占位：胰腺癌？', [['胰头占位'], ['胰腺癌', 'disease']])).toEqual(['positive', 'possible']);
  });

  it('hedges what accompanies a hedged diagnosis, not what accompanies a denial or a doubtful sign', () => {
    expect(certainties('考虑左肺癌伴纵隔淋巴结转移。', [['左肺癌'], ['纵隔淋巴结转移']])).toEqual(['possible', 'possible']);
    expect(certainties('无发热伴咳嗽。', [['发热'], ['咳嗽']])).toEqual(['negative', 'positive']);
    expect(certainties('右乳可疑结节伴钙化。', [['结节', 'symptom'], ['钙化', 'symptom']])).toEqual(['possible', 'positive']);
  });

  it('keeps doubt or denial inside a bracketed remark from the finding outside it', () => {
    expect(certainties('右肺上叶结节（转移？），肝内低密度灶(血管瘤?)。', [['结节', 'symptom'], ['转移'], ['低密度灶', 'symptom'], ['血管瘤']]))
      .toEqual(['positive', 'possible', 'positive', 'possible']);
    // A bracket holding only the cue speaks of the finding before it.
    expect(certainties('HBsAg(阴性)，右肾结石(?)。', [['HBsAg', 'lab_test'], ['右肾结石']])).toEqual(['negative', 'possible']);
  });

  it('takes the conclusion of an item a finding heads (differentials, question lists)', () => {
    expect(certainties('2.肺栓塞：患者有气促，但无咯血，D-二聚体正常，可排除。3.憩室炎：CT表现可相似，尚不能完全除外。', [['肺栓塞'], ['咯血', 'symptom'], ['憩室炎']]))
      .toEqual(['negative', 'negative', 'possible']);
    expect(certainties('胸闷/胸痛：无；心悸：有（偶发）。', [['胸闷', 'symptom'], ['胸痛', 'symptom'], ['心悸', 'symptom']])).toEqual(['negative', 'negative', 'positive']);
    expect(certainties('无长R-R间歇，ST段动态改变：未见。', [['ST段动态改变', 'symptom']])).toEqual(['negative']);
    expect(certainties('3.慢性阻塞性肺疾病：患者有长期吸烟史，气促需考虑此病。2.颅内占位性病变：本例急性起病，可能性小，必要时复查增强MRI。', [['慢性阻塞性肺疾病'], ['颅内占位性病变']]))
      .toEqual(['possible', 'possible']);
    // Reasoning that ends in a finding or in what a test showed concludes nothing.
    expect(certainties('1.急性胰腺炎：上腹痛，CT示胰腺肿胀，未见坏死。2.胆管炎：发热，肌钙蛋白阴性。', [['急性胰腺炎'], ['胆管炎']])).toEqual(['positive', 'positive']);
  });

  it('reads 除外 as advice after an advice word, and as a result otherwise', () => {
    expect(certainties('（颈部淋巴结）反应性增生，必要时除外淋巴瘤。', [['反应性增生'], ['淋巴瘤']])).toEqual(['positive', 'possible']);
    expect(certainties('左肺下叶小结节，建议3个月后复查，排除肿瘤。', [['小结节'], ['肿瘤']])).toEqual(['positive', 'possible']);
    expect(certainties('经冠脉CTA检查，排除冠心病。', [['冠心病']])).toEqual(['negative']);
    expect(certainties('心电图正常，心肌酶不高，可以排除急性心肌梗死。', [['急性心肌梗死']])).toEqual(['negative']);
    expect(certainties('（颈部淋巴结）淋巴组织反应性增生，淋巴瘤需进一步免疫组化排除。', [['反应性增生'], ['淋巴瘤']])).toEqual(['positive', 'possible']);
    expect(certainties('肺动脉CTA未见充盈缺损，肺栓塞已排除。', [['充盈缺损'], ['肺栓塞']])).toEqual(['negative', 'negative']);
  });

  it('reads 未能/不可/无法 排除 as doubt and 可排除 after the finding as a result', () => {
    expect(certainties('右肺门增大，中央型肺癌不可除外。', [['中央型肺癌', 'disease']])).toEqual(['possible']);
    expect(certainties('胸腔积液原因未明，未能排除结核性胸膜炎。', [['结核性胸膜炎', 'disease']])).toEqual(['possible']);
    expect(certainties('局部骨质破坏，无法排除骨转移。', [['骨质破坏', 'disease'], ['骨转移', 'disease']])).toEqual(['positive', 'possible']);
    expect(certainties('主动脉管壁光整，主动脉夹层可排除。', [['主动脉夹层', 'disease']])).toEqual(['negative']);
    expect(certainties('运动负荷试验阴性，未提示心肌缺血。', [['心肌缺血', 'disease']])).toEqual(['negative']);
    expect(certainties('痰培养未培养出致病菌。', [['致病菌', 'microbe']])).toEqual(['negative']);
    expect(certainties('降钙素原正常，细菌感染依据不足。', [['细菌感染', 'disease']])).toEqual(['negative']);
  });

  it('keeps doubt and denial across 有/为 and reads 不能确定, 待进一步除外 and 不支持', () => {
    expect(certainties('胆总管下段疑有结石。', [['结石', 'disease']])).toEqual(['possible']);
    expect(certainties('否认有糖尿病、高血压。', [['糖尿病', 'disease'], ['高血压', 'disease']])).toEqual(['negative', 'negative']);
    expect(certainties('肝内低密度灶，是否为转移瘤不能确定。', [['低密度灶', 'disease'], ['转移瘤', 'disease']])).toEqual(['positive', 'possible']);
    expect(certainties('右肺结节，肺癌待进一步除外。', [['结节', 'disease'], ['肺癌', 'disease']])).toEqual(['positive', 'possible']);
    expect(certainties('心肌酶谱未见异常，心肌梗死暂不支持。', [['心肌梗死', 'disease']])).toEqual(['negative']);
    expect(certainties('心电图大致正常，暂不支持急性冠脉综合征。', [['急性冠脉综合征', 'disease']])).toEqual(['negative']);
  });

  it('reads 警惕 as present doubt and leaves a sign the image shows certain under advice to clarify', () => {
    const [cancer] = assertAll('胃窦壁局限性增厚，需警惕胃癌。', [['胃癌', 'disease']]);
    expect([cancer!.certainty, cancer!.temporality, cancer!.conditional]).toEqual(['possible', 'current', false]);
    expect(certainties('中腹部见多个气液平面，肠梗阻征象，建议CT进一步检查。', [['肠梗阻', 'disease']])).toEqual(['positive']);
  });

  it('lets a negation decide a finding described as 可疑 inside its list, not one outside it', () => {
    expect(certainties('肝门区及腹膜后未见肿大淋巴结及可疑结节。', [['肿大淋巴结', 'disease'], ['结节', 'disease']])).toEqual(['negative', 'negative']);
    expect(certainties('胆囊未见增大，胆囊颈部可疑小结石。', [['增大', 'disease'], ['小结石', 'disease']])).toEqual(['negative', 'possible']);
    expect(certainties('排除肺栓塞后考虑病毒性心肌炎。', [['肺栓塞', 'disease'], ['病毒性心肌炎', 'disease']])).toEqual(['negative', 'possible']);
  });
});

describe('time, subject and hypotheticals', () => {
  it('ends a colleague’s topic at the pregnant patient, and reads a screened risk named as the finding as present', () => {
    const [varicella, fever, rash] = assertAll('同事近期患水痘，孕妇目前无发热、皮疹。', [['水痘', 'disease'], ['发热', 'symptom'], ['皮疹', 'symptom']]);
    expect([varicella!.subject, fever!.subject, rash!.subject]).toEqual(['other', 'patient', 'patient']);
    expect(certainties('营养科会诊：NRS2002评分5分，存在营养风险。患者长期卧床，有压疮风险。', [['营养风险', 'disease'], ['压疮', 'disease']]))
      .toEqual(['positive', 'possible']);
  });

  it('keeps the patient the subject of a history a relative tells', () => {
    const [memory, fever] = assertAll('患者老伴诉其近1年记忆力下降。患者入院前2天被家人发现发热。', [['记忆力下降', 'symptom'], ['发热', 'symptom']]);
    expect([memory!.subject, fever!.subject]).toEqual(['patient', 'patient']);
  });

  it('marks history and planned procedures', () => {
    const [ulcer, surgery] = assertAll('既往有胃溃疡病史，拟行胃大部切除术。', [['胃溃疡', 'disease'], ['胃大部切除术', 'procedure']]);
    expect(ulcer!.temporality).toBe('past');
    expect(ulcer!.certainty).toBe('positive');
    expect(surgery!.temporality).toBe('future');
    expect(assertAll('左下肺癌术后复查。', [['左下肺癌', 'disease']])[0]!.temporality).toBe('past');
    const needed = assertAll('需行24小时动态心电图，尚需完善甲状腺摄碘率，可予奥氮平口服。', [['动态心电图', 'exam'], ['甲状腺摄碘率', 'exam'], ['奥氮平', 'drug']]);
    expect(needed.map((a) => a.temporality)).toEqual(['future', 'future', 'future']);
  });

  it('dates procedures by 术后, a year or a planned re-check, and leaves findings to re-check current', () => {
    const temporalities = (text: string, findings: Array<[string, EntityType]>): string[] => assertAll(text, findings).map((a) => a.temporality);
    expect(temporalities('胆囊切除术后，胆总管轻度扩张。', [['胆囊切除术', 'procedure'], ['扩张', 'disease']])).toEqual(['past', 'current']);
    expect(temporalities('2018年行腹腔镜阑尾切除术，术后恢复可。', [['腹腔镜阑尾切除术', 'procedure']])).toEqual(['past']);
    expect(temporalities('右肺癌术后改变，术区未见复发。', [['右肺癌', 'disease'], ['复发', 'disease']])).toEqual(['past', 'current']);
    expect(temporalities('建议3个月后复查胸部CT，右肺结节随访。', [['胸部CT', 'exam'], ['右肺结节', 'disease']])).toEqual(['future', 'current']);
    expect(temporalities('咳嗽后呕吐2次。', [['咳嗽', 'symptom'], ['呕吐', 'symptom']])).toEqual(['current', 'current']);
  });

  it('dates re-checks still to come, tests done during the stay, discoveries and childhood events', () => {
    const temporalities = (text: string, findings: Array<[string, EntityType]>): string[] => assertAll(text, findings).map((a) => a.temporality);
    expect(temporalities('出院后2周门诊复查血常规及肝肾功能，每3个月复查腹部B超。', [['血常规', 'lab_test'], ['肝肾功能', 'lab_test'], ['腹部B超', 'exam']]))
      .toEqual(['future', 'future', 'future']);
    expect(temporalities('术后1月复查CT示吻合口未见复发。', [['CT', 'exam'], ['复发', 'disease']])).toEqual(['current', 'current']);
    expect(temporalities('必要时行肝穿刺活检。', [['肝穿刺活检', 'procedure']])).toEqual(['future']);
    expect(temporalities('住院期间行腹部CT检查，提示急性胰腺炎。', [['腹部CT', 'exam'], ['急性胰腺炎', 'disease']])).toEqual(['past', 'current']);
    expect(temporalities('入院后行胃镜检查示胃角溃疡，遂行内镜下止血术。', [['胃镜', 'exam'], ['胃角溃疡', 'disease'], ['内镜下止血术', 'procedure']]))
      .toEqual(['past', 'current', 'past']);
    expect(temporalities('2016年因甲状腺癌行甲状腺全切术。', [['甲状腺癌', 'disease'], ['甲状腺全切术', 'procedure']])).toEqual(['past', 'past']);
    expect(temporalities('患者3年前体检发现肝囊肿，未予处理；3年前患带状疱疹。', [['肝囊肿', 'disease'], ['带状疱疹', 'disease']])).toEqual(['current', 'past']);
    expect(temporalities('患儿出生时有缺氧缺血性脑病，现运动发育落后。', [['缺氧缺血性脑病', 'disease'], ['运动发育落后', 'symptom']])).toEqual(['past', 'current']);
    const [fever] = assertAll('出院后如出现发热、腹痛加重，及时来院复诊。', [['发热', 'symptom'], ['腹痛', 'symptom']]);
    expect([fever!.certainty, fever!.temporality]).toEqual(['possible', 'future']);
  });

  it('dates self-taken drugs and denied histories as past, plans to test urgently as ahead', () => {
    const [drug, surgery, enzymes] = assertAll('自服布洛芬后好转。手术史：无。急查心肌酶谱。', [['布洛芬', 'drug'], ['手术', 'procedure'], ['心肌酶谱', 'lab_test']]);
    expect([drug!.temporality, surgery!.temporality, enzymes!.temporality]).toEqual(['past', 'past', 'future']);
    expect(surgery!.certainty).toBe('negative');
  });

  it('leaves a relative’s operated disease current, and an exam to correlate with ahead', () => {
    const [cancer, scope] = assertAll('其父甲状腺癌术后。中央型肺癌？请结合支气管镜。', [['甲状腺癌'], ['支气管镜', 'procedure']]);
    expect([cancer!.subject, cancer!.temporality, scope!.temporality]).toEqual(['family', 'current', 'future']);
  });

  it('keeps a disease to be excluded current, dates a drug stopped afterwards, and reads 届时 as ahead', () => {
    const [lynch, drug, mri] = assertAll('建议行错配修复蛋白检测以排除Lynch综合征。服用甲巯咪唑半年后自行停药。3个月后复查，届时行乳腺MRI。', [['Lynch综合征', 'disease'], ['甲巯咪唑', 'drug'], ['乳腺MRI', 'exam']]);
    expect([lynch!.temporality, lynch!.certainty, drug!.temporality, mri!.temporality]).toEqual(['current', 'possible', 'past', 'future']);
  });

  it('reads cousins as family, and no mother inside a tumour’s name', () => {
    const [epilepsy, tumour] = assertAll('其表哥幼时有癫痫病史。胶质母细胞瘤与转移瘤鉴别。', [['癫痫', 'disease'], ['胶质母细胞瘤', 'disease']]);
    expect([epilepsy!.subject, tumour!.subject]).toEqual(['family', 'patient']);
  });

  it('ends a relative’s topic at a denial, and reads classmates as others', () => {
    const [brother, injury, hfmd] = assertAll('其弟有热性惊厥史，父亲癫痫，否认头颅外伤史。幼儿园同班有2名手足口病患儿。', [['热性惊厥'], ['头颅外伤'], ['手足口病']]);
    expect([brother!.subject, injury!.subject, hfmd!.subject]).toEqual(['family', 'patient', 'other']);
  });

  it('reads a parent reporting for the child as the reporter, ends a relative’s topic at a diagnosis, and dates a previous operation', () => {
    const [rash, father, eczema, other, section, bigger] = assertAll(
      '患儿母亲代诉皮疹反复2周。母亲有哮喘，考虑特应性皮炎。同室患者确诊水痘。瘢痕子宫（前次剖宫产）。与前次检查比较病灶无明显增大。',
      [['皮疹', 'symptom'], ['哮喘'], ['特应性皮炎'], ['水痘'], ['剖宫产', 'procedure'], ['增大', 'symptom']],
    );
    expect([rash!.subject, father!.subject, eczema!.subject, other!.subject]).toEqual(['patient', 'family', 'patient', 'other']);
    expect([section!.temporality, bigger!.temporality]).toEqual(['past', 'current']);
  });

  it('reads colloquial kin as family until the writer speaks of themselves, and an exposure as someone else’s disease', () => {
    const [dad, mine, flu] = assertAll('我爸有高血压，我最近头晕。有流感接触史。', [['高血压'], ['头晕', 'symptom'], ['流感']]);
    expect([dad!.subject, mine!.subject, flu!.subject, flu!.temporality]).toEqual(['family', 'patient', 'other', 'current']);
  });

  it('dates what healed before a sequel as past, and reads a carer as another person', () => {
    const [zoster, carer] = assertAll('水痘愈合后遗留色素沉着。陪护家属有发热。', [['水痘'], ['发热', 'symptom']]);
    expect([zoster!.temporality, carer!.subject]).toEqual(['past', 'other']);
  });

  it('dates an age of onset and status post (s/p) as past for the patient only', () => {
    const [pox, lc, copd, seizure] = assertAll('3岁时患水痘。s/p LC 8年。其父60岁时诊断为慢性阻塞性肺疾病。8月龄时有热性惊厥发作1次。', [['水痘'], ['LC', 'procedure'], ['慢性阻塞性肺疾病'], ['热性惊厥']]);
    expect([pox!.temporality, lc!.temporality, copd!.temporality, copd!.subject, seizure!.temporality]).toEqual(['past', 'past', 'current', 'family', 'past']);
  });

  it('attributes family members’ diseases to the family', () => {
    const [own, father, mother] = assertAll('高血压10年。父亲患冠心病，母亲有糖尿病。', [['高血压', 'disease'], ['冠心病', 'disease'], ['糖尿病', 'disease']]);
    expect(own!.subject).toBe('patient');
    expect(father!.subject).toBe('family');
    expect(mother!.subject).toBe('family');
    expect(assertAll('有高血压家族史。', [['高血压', 'disease']])[0]!.subject).toBe('family');
    const [hypothyroidism] = assertAll('其母孕期患甲状腺功能减退。', [['甲状腺功能减退', 'disease']]);
    expect([hypothyroidism!.subject, hypothyroidism!.temporality]).toEqual(['family', 'past']);
    expect(assertAll('其女患系统性红斑狼疮。', [['系统性红斑狼疮', 'disease']])[0]!.subject).toBe('family');
    expect(assertAll('同病房病友近日出现腹泻。', [['腹泻', 'symptom']])[0]!.subject).toBe('other');
    expect(assertAll('其子宫体积增大。', [['体积增大', 'disease']])[0]!.subject).toBe('patient');
  });

  it('dates what follows a year as past, and leaves a discovery it dates current', () => {
    const temporalities = (text: string, findings: Array<[string, EntityType, number?]>): string[] => assertAll(text, findings).map((a) => a.temporality);
    expect(temporalities('2019年于我院行冠状动脉造影，予药物保守治疗。', [['冠状动脉造影', 'procedure']])).toEqual(['past']);
    expect(temporalities('2021年孕8周稽留流产行清宫术，此次为第3次妊娠。', [['稽留流产', 'disease'], ['清宫术', 'procedure']])).toEqual(['past', 'past']);
    expect(temporalities('患者于2020年6月无诱因出现黑便，此次入院前5天再次出现黑便。', [['黑便', 'symptom'], ['黑便', 'symptom', 1]]))
      .toEqual(['past', 'current']);
    expect(temporalities('2022年体检发现肝血管瘤，未予处理。', [['肝血管瘤', 'disease']])).toEqual(['current']);
  });

  it('dates a drug that was stopped as past', () => {
    const [warfarin, aspirin] = assertAll('2周前停用华法林，现口服阿司匹林。', [['华法林', 'drug'], ['阿司匹林', 'drug']]);
    expect([warfarin!.temporality, aspirin!.temporality]).toEqual(['past', 'current']);
    // Advice to stop a drug speaks of one still given.
    expect(assertAll('药疹首先考虑；建议停用头孢曲松，观察皮疹变化。', [['头孢曲松', 'drug']])[0]!.temporality).toBe('current');
  });

  it('dates drugs: taken before, given during the stay, taken home, or the mother’s in pregnancy', () => {
    const axes = (text: string, findings: Array<[string, EntityType]>): string[][] => assertAll(text, findings).map((a) => [a.temporality, a.subject]);
    expect(axes('患者既往曾因抑郁症规律服用舍曲林2年，已停药3年。', [['舍曲林', 'drug']])).toEqual([['past', 'patient']]);
    expect(axes('入院后予头孢曲松抗感染、氨溴索化痰等治疗。', [['头孢曲松', 'drug'], ['氨溴索', 'drug']])).toEqual([['past', 'patient'], ['past', 'patient']]);
    expect(axes('出院带药：阿司匹林肠溶片100mg qd，氯吡格雷75mg qd，嘱坚持服用1年。', [['阿司匹林肠溶片', 'drug'], ['氯吡格雷', 'drug']]))
      .toEqual([['future', 'patient'], ['future', 'patient']]);
    expect(axes('嘱出院后低盐低脂饮食，规律服用阿托伐他汀钙片。', [['阿托伐他汀钙片', 'drug']])).toEqual([['future', 'patient']]);
    expect(axes('患儿母亲孕期曾服用甲硝唑。', [['甲硝唑', 'drug']])).toEqual([['past', 'family']]);
    expect(axes('有“慢性乙型病毒性肝炎”病史10余年，长期口服恩替卡韦抗病毒治疗。', [['恩替卡韦', 'drug']])).toEqual([['current', 'patient']]);
  });

  it('reads orders and operation headings over their whole sentence, and tests done before or elsewhere as past', () => {
    const temporalities = (text: string, findings: Array<[string, EntityType]>): string[] => assertAll(text, findings).map((a) => a.temporality);
    expect(temporalities('出院医嘱：1.继续口服莫西沙星片0.4g qd，共5天；2.2周后复查胸部CT。', [['莫西沙星片', 'drug'], ['胸部CT', 'exam']]))
      .toEqual(['future', 'future']);
    expect(temporalities('手术名称：内镜逆行胰胆管造影＋内镜下乳头括约肌切开取石术。', [['内镜逆行胰胆管造影', 'procedure'], ['内镜下乳头括约肌切开取石术', 'procedure']]))
      .toEqual(['past', 'past']);
    expect(temporalities('出院诊断：右侧股骨颈骨折（已行右侧人工全髋关节置换术）。', [['右侧股骨颈骨折', 'disease'], ['右侧人工全髋关节置换术', 'procedure']]))
      .toEqual(['current', 'past']);
    expect(temporalities('昨日行腹部增强CT提示胰头占位。', [['腹部增强CT', 'exam'], ['胰头占位', 'disease']])).toEqual(['past', 'current']);
    expect(temporalities('患者3天前在外院行头颅MRI示腔隙性脑梗死。', [['头颅MRI', 'exam'], ['腔隙性脑梗死', 'disease']])).toEqual(['past', 'current']);
  });

  it('dates the drugs and tests of the discharge orders section, yesterday’s tests, and reads 低于检测下限 as negative', () => {
    const doc = annotate('出院医嘱：1.美托洛尔缓释片47.5mg qd；2.螺内酯20mg qd。', [['美托洛尔缓释片', 'drug'], ['螺内酯', 'drug']]);
    doc.sections = [{ key: 'discharge_orders', title: '出院医嘱', header: { start: 0, end: 4 }, start: 5, end: 36 }];
    attributesStage.process(doc);
    expect(doc.entities.map((e) => e.assertion!.temporality)).toEqual(['future', 'future']);
    const [liver, drug] = assertAll('昨日复查肝功能示ALT 120U/L，今日予加用双环醇保肝。', [['肝功能', 'lab_test'], ['双环醇', 'drug']]);
    expect([liver!.temporality, drug!.temporality]).toEqual(['past', 'current']);
    expect(assertAll('复查HBV-DNA低于检测下限，肝功能正常。', [['HBV-DNA', 'lab_test']])[0]!.certainty).toBe('negative');
  });

  it('reads named risks as possible and ahead, plans over their sentence, refusals and absent sequelae', () => {
    const axes = (text: string, findings: Array<[string, EntityType]>): string[][] => assertAll(text, findings).map((a) => [a.certainty, a.temporality]);
    expect(axes('穿刺后有发生气胸、咯血的风险，已告知患者。', [['气胸', 'disease'], ['咯血', 'symptom']])).toEqual([['possible', 'future'], ['possible', 'future']]);
    expect(axes('增强CT检查存在造影剂过敏及造影剂肾病风险。', [['造影剂过敏', 'disease'], ['造影剂肾病', 'disease']]))
      .toEqual([['possible', 'future'], ['possible', 'future']]);
    expect(axes('孕期规律产检，唐氏筛查低风险。', [['唐氏筛查', 'exam']])).toEqual([['positive', 'current']]);
    expect(axes('计划下周行第4周期化疗，化疗前复查血常规、肝肾功能。', [['化疗', 'procedure'], ['血常规', 'lab_test'], ['肝肾功能', 'lab_test']]))
      .toEqual([['positive', 'future'], ['positive', 'future'], ['positive', 'future']]);
    expect(axes('建议于当地医院行胃镜检查。', [['胃镜检查', 'exam']])).toEqual([['positive', 'future']]);
    expect(axes('患者拒绝行手术治疗，要求保守治疗。', [['手术治疗', 'procedure']])).toEqual([['negative', 'future']]);
    expect(axes('脑梗死病史3年，未遗留明显后遗症。', [['脑梗死', 'disease'], ['后遗症', 'disease']])).toEqual([['positive', 'past'], ['negative', 'current']]);
  });

  it('keeps a relative as the topic of the later clauses until another subject or advice opens one', () => {
    const subjects = (text: string, findings: Array<[string, EntityType, number?]>): string[] => assertAll(text, findings).map((a) => a.subject);
    expect(subjects('母亲健在，有2型糖尿病；其兄患冠心病，曾行支架植入术。', [['2型糖尿病', 'disease'], ['冠心病', 'disease'], ['支架植入术', 'procedure']]))
      .toEqual(['family', 'family', 'family']);
    expect(subjects('母亲已故，死于肝硬化，生前有乙肝病史。', [['肝硬化', 'disease'], ['乙肝', 'disease']])).toEqual(['family', 'family']);
    expect(subjects('患者之妻近日有发热、咽痛，患者本人无发热。', [['发热', 'symptom'], ['咽痛', 'symptom'], ['发热', 'symptom', 1]]))
      .toEqual(['other', 'other', 'patient']);
    expect(subjects('其父患结肠癌，建议行肠镜筛查。', [['结肠癌', 'disease'], ['肠镜', 'exam']])).toEqual(['family', 'patient']);
  });

  it('reads a relative’s 病史 as the family’s standing history, not the patient’s past', () => {
    const [cancer] = assertAll('患者外婆有乳腺癌病史。', [['乳腺癌', 'disease']]);
    expect([cancer!.subject, cancer!.temporality]).toEqual(['family', 'current']);
    expect(assertAll('家族中无类似疾病及遗传病史。', [['遗传病', 'disease']])[0]!.temporality).toBe('current');
    expect(assertAll('有乳腺癌病史。', [['乳腺癌', 'disease']])[0]!.temporality).toBe('past');
    const [tb] = assertAll('父亲年轻时曾患肺结核，已治愈。', [['肺结核', 'disease']]);
    expect([tb!.subject, tb!.temporality]).toEqual(['family', 'past']);
  });

  it('uses the family and past history sections', () => {
    const doc = annotate('既往史：糖尿病5年。家族史：哥哥肝癌。', [['糖尿病', 'disease'], ['肝癌', 'disease']]);
    doc.sections = [
      { key: 'past_history', title: '既往史', header: { start: 0, end: 3 }, start: 0, end: 10 },
      { key: 'family_history', title: '家族史', header: { start: 10, end: 13 }, start: 10, end: 19 },
    ];
    attributesStage.process(doc);
    expect(doc.entities[0]!.assertion!.temporality).toBe('past');
    expect(doc.entities[1]!.assertion!.subject).toBe('family');
    const obstetric = annotate('婚育史：已婚，G2P1，剖宫产1次。', [['剖宫产', 'procedure']]);
    obstetric.sections = [{ key: 'marital_history', title: '婚育史', header: { start: 0, end: 3 }, start: 0, end: 20 }];
    attributesStage.process(obstetric);
    expect(obstetric.entities[0]!.assertion!.temporality).toBe('past');
    // A drug named in the past history is most often still taken (长期口服…).
    const drug = annotate('既往史：高血压10年，长期口服氨氯地平。', [['高血压', 'disease'], ['氨氯地平', 'drug']]);
    drug.sections = [{ key: 'past_history', title: '既往史', header: { start: 0, end: 3 }, start: 0, end: 20 }];
    attributesStage.process(drug);
    expect(drug.entities.map((e) => e.assertion!.temporality)).toEqual(['past', 'current']);
    // The plan's tests lie ahead; a drug it names is what the patient is now given.
    const plan = annotate('处理：阿莫西林胶囊0.5g tid，完善头颅MRI。', [['阿莫西林胶囊', 'drug'], ['头颅MRI', 'exam']]);
    plan.sections = [{ key: 'treatment_plan', title: '处理', header: { start: 0, end: 2 }, start: 0, end: 30 }];
    attributesStage.process(plan);
    expect(plan.entities.map((e) => e.assertion!.temporality)).toEqual(['current', 'future']);
  });

  it('marks conditional findings as hypothetical and not asserted present', () => {
    const [pain] = assertAll('如出现胸痛、呼吸困难等不适及时就诊。', [['胸痛'], ['呼吸困难']]);
    expect(pain!.conditional).toBe(true);
    expect(pain!.certainty).toBe('possible');
  });

  it('reads 如 as a condition only where something follows from it, not as "such as" or inside 自如/缺如', () => {
    const conditional = (text: string, findings: Array<[string, EntityType?]>): boolean[] => assertAll(text, findings).map((a) => a.conditional);
    expect(conditional('如胸痛加重及时就诊。如术中出现快速性心律失常，可予β受体阻滞剂。', [['胸痛', 'symptom'], ['快速性心律失常']])).toEqual([true, true]);
    expect(conditional('需排除继发性因素如狼疮性肾炎。四肢活动自如，颈项强直不明显。右侧乳腺缺如呈术后改变。', [['狼疮性肾炎'], ['颈项强直', 'symptom'], ['术后改变', 'symptom']]))
      .toEqual([false, false, false]);
  });

  it('keeps stated findings apart from the hypothetical ones in the same sentence', () => {
    const [pain, fever] = assertAll('患者腹痛3天，如出现发热及时复诊。', [['腹痛', 'symptom'], ['发热', 'symptom']]);
    expect([pain!.conditional, pain!.certainty, pain!.temporality]).toEqual([false, 'positive', 'current']);
    expect([fever!.conditional, fever!.certainty, fever!.temporality]).toEqual([true, 'possible', 'future']);
    const [stated, hypothetical] = assertAll('患儿发热2天，无抽搐，如出现抽搐立即就诊。', [['抽搐', 'symptom', 0], ['抽搐', 'symptom', 1]]);
    expect([stated!.certainty, stated!.conditional]).toEqual(['negative', false]);
    expect([hypothetical!.certainty, hypothetical!.conditional]).toEqual(['possible', true]);
  });

  it('reads risks a consent form or leaflet names (可能出现, 不良反应为) as hypothetical', () => {
    const risks = assertAll('术中可能出现大出血、感染等并发症。', [['大出血', 'symptom'], ['感染', 'disease']]);
    expect(risks.map((a) => [a.certainty, a.conditional, a.temporality])).toEqual([['possible', true, 'future'], ['possible', true, 'future']]);
    const [nausea] = assertAll('本品常见不良反应为恶心、腹泻。', [['恶心', 'symptom'], ['腹泻', 'symptom']]);
    expect(nausea!.conditional).toBe(true);
  });

  it('keeps a procedure or exam planned under a condition certain, and conditional', () => {
    const [gastroscopy] = assertAll('上腹部隐痛2月，必要时行胃镜检查。', [['上腹部隐痛', 'symptom'], ['胃镜检查', 'exam']]).slice(1);
    expect([gastroscopy!.certainty, gastroscopy!.conditional, gastroscopy!.temporality]).toEqual(['positive', true, 'future']);
    const [biopsy] = assertAll('肝功能示转氨酶升高，如转氨酶持续升高需行肝脏穿刺活检。', [['肝脏穿刺活检', 'procedure']]);
    expect([biopsy!.certainty, biopsy!.conditional]).toEqual(['positive', true]);
  });

  it('takes the clause after a condition as hypothetical too, and no further', () => {
    const [node, puncture] = assertAll('若结节增大或出现颈部淋巴结肿大，建议行细针穿刺。', [['颈部淋巴结肿大', 'disease'], ['细针穿刺', 'procedure']]);
    expect([node!.conditional, puncture!.conditional, puncture!.certainty]).toEqual([true, true, 'positive']);
    const [dehydration] = assertAll('如果孩子出现呕吐、腹泻，要警惕脱水，及时就诊。', [['脱水', 'disease']]);
    expect(dehydration!.conditional).toBe(true);
    const [aspirin] = assertAll('如有胸痛及时就诊，继续口服阿司匹林，监测血压。', [['胸痛', 'symptom'], ['阿司匹林', 'disease']]).slice(1);
    expect(aspirin!.conditional).toBe(false);
  });

  it('records the deciding triggers as original-text spans', () => {
    const text = '患者　否认 高血压。';
    const [a] = assertAll(text, [['高血压', 'disease']]);
    const trigger = a!.triggers.find((t) => t.axis === 'certainty')!;
    expect(trigger.text).toBe('否认');
    expect(Array.from(text).slice(trigger.start, trigger.end).join('')).toBe('否认');
  });
});

describe('assertText', () => {
  it('asserts an arbitrary span such as a lesion the fields stage found', () => {
    const doc = new MedDocument('胆囊未见结石，右肾囊肿可能。');
    expect(assertText(doc, 4, 6).certainty).toBe('negative');
    expect(assertText(doc, 7, 11).certainty).toBe('possible');
  });
});

describe('edge input', () => {
  it('handles empty documents, empty spans and spans at the very end', () => {
    const empty = new MedDocument('');
    attributesStage.process(empty);
    expect(assertText(empty, 0, 0).certainty).toBe('positive');
    const doc = new MedDocument('未见结石');
    expect(assertText(doc, 4, 4).certainty).toBe('negative');
    expect(assertText(doc, 2, 4).certainty).toBe('negative');
  });
});

describe('output formats', () => {
  it('maps the axes to Alibaba attributes and lets nocode drop negated findings', () => {
    const doc = annotate('无发热，父亲患高血压，肺癌待排。', [['发热'], ['高血压', 'disease'], ['肺癌', 'disease']]);
    attributesStage.process(doc);
    const ner = toAliyunData(doc).result.ner;
    expect(ner.map((n) => n.attributes)).toEqual([['NEGATIVE'], ['FAMILY'], ['POSSIBLE']]);
    expect(ner[0]!.attr_probability[0]).toBeGreaterThan(0.5);
    const kept = toNocode(doc, { dropNegated: true }).data.entity_extraction.map((e) => e.ner_name);
    expect(kept).toEqual(['高血压', '肺癌']);
    expect(toNocode(doc).data.entity_extraction).toHaveLength(3);
  });
});

describe('dialogues (CMDD format)', () => {
  const dialogue = parseCmddDialogue({
    'example-id': 't1',
    'dialogue-content': [
      { speaker: '医生', sentence: '宝宝发烧吗？', label: 'OOBIOO', type: ['2'] },
      { speaker: '患者', sentence: '没有发烧，就是咳嗽', label: 'OOBIOOOBI', type: ['2', '1'] },
    ],
  }, 't1.json');

  it('reads mentions and statuses', () => {
    expect(dialogue.mentions).toEqual([{ utterance: 0, start: 2, end: 4 }, { utterance: 1, start: 2, end: 4 }, { utterance: 1, start: 7, end: 9 }]);
    expect(dialogue.gold).toEqual(['negative', 'negative', 'positive']);
  });

  it('asserts mentions with the answer in view', () => {
    const predicted = assertDialogue(dialogue.utterances, dialogue.mentions);
    expect(predicted[1]).toBe('negative');
    expect(predicted[2]).toBe('positive');
  });

  it('reads the answer a few turns later and the standard names of mentions', () => {
    const later = parseCmddDialogue({
      'example-id': 't2',
      'dialogue-content': [
        { speaker: '医生', sentence: '宝宝有呕吐、腹泻吗？', label: 'OOOBIOBIOO', type: ['2', '2'], normalized: ['呕吐', '腹泻'] },
        { speaker: '患者', sentence: '咳了三天了，晚上厉害', label: 'BOOOOOOOOO', type: ['1'], normalized: ['咳嗽'] },
        { speaker: '患者', sentence: '没有呕吐，也不拉肚子', label: 'OOOOOOOOOO', type: [], normalized: [] },
        { speaker: '医生', sentence: '考虑是支气管炎，一般病毒感染引起的', label: 'OOOBIIIOOOOOOOOOO', type: ['3'], normalized: ['支气管炎'] },
      ],
    }, 't2.json');
    expect(later.mentions[1]).toEqual({ utterance: 0, start: 6, end: 8, normalized: '腹泻' });
    expect(assertDialogue(later.utterances, later.mentions)).toEqual(['negative', 'negative', 'positive', 'possible']);
  });

  it('scores accuracy and macro-F1', () => {
    const s = scoreCertainty(['positive', 'negative', 'possible', 'positive'], ['positive', 'negative', 'positive', 'positive']);
    expect(s.accuracy).toBe(0.75);
    expect(s.perClass.possible.recall).toBe(0);
    expect(s.confusion.possible.positive).toBe(1);
  });
});

describe('stage scope', () => {
  it('leaves anatomy without an assertion and asserts drugs on time and subject only', () => {
    const doc = annotate('左肺下叶结节，予阿莫西林，无效。', [['左肺下叶', 'anatomy'], ['结节'], ['阿莫西林', 'drug']]);
    attributesStage.process(doc);
    const by = (t: string): Entity => doc.entities.find((e) => e.text === t)!;
    expect(by('左肺下叶').assertion).toBeNull();
    expect(by('阿莫西林').assertion!.certainty).toBe('positive');
    expect(by('结节').assertion!.certainty).toBe('positive');
  });
});
