import { describe, expect, it } from 'vitest';
import { classifyStage, classifyText, REPORT_TYPES, type ReportType } from '../src/classify/index.js';
import { MedDocument } from '../src/document/document.js';
import { isMedstructError } from '../src/errors.js';

/** One realistic report per type key (written for these tests), with the subtype expected where one applies. */
const REPORTS: Array<{ type: ReportType; subtype?: string; code: number; text: string }> = [
  {
    type: 'lab', code: 11, text: `浙江省人民医院检验报告单
姓名：陈某某  性别：男  年龄：52岁  科别：心内科  床号：12  标本种类：血清  样本号：20231104-0087
项目名称            结果      单位        参考范围
丙氨酸氨基转移酶    68 ↑      U/L         9-50
天门冬氨酸氨基转移酶 35       U/L         15-40
总胆红素            15.2      μmol/L      0-21
肌酐                118 ↑     μmol/L      57-111
尿酸                486 ↑     μmol/L      208-428
甘油三酯            2.35 ↑    mmol/L      0-1.7
采集时间：2023-11-04 07:32  报告时间：2023-11-04 11:05  检验者：刘某  审核者：王某`,
  },
  {
    type: 'ultrasound', code: 345, text: `彩色多普勒超声检查报告
姓名：李某 性别：女 年龄：38岁 超声号：U2023110208 检查部位：甲状腺
超声所见：甲状腺左叶大小约45×16×15mm，右叶约47×17×16mm，峡部厚2.5mm。右叶中部探及一低回声结节，大小约9×7mm，边界不清，形态不规则，纵横比>1，内见多个点状强回声，CDFI：结节内见少许血流信号。左叶未见明显结节。双侧颈部未见异常肿大淋巴结。
超声提示：甲状腺右叶实性结节（TI-RADS 4c类），建议细针穿刺活检。`,
  },
  {
    type: 'ultrasound', subtype: 'obstetric', code: 3451, text: `产科超声检查
宫内可见一胎儿，胎位：头位。双顶径约78mm，头围约286mm，腹围约270mm，股骨长约59mm。胎心搏动可见，胎心率约146次/分。胎盘位于子宫后壁，成熟度Ⅰ级。羊水最大深度约52mm。脐动脉S/D：2.6。
超声提示：宫内妊娠，单活胎，超声孕周约30周。`,
  },
  {
    type: 'ct', code: 347, text: `胸部CT平扫报告
检查方法：胸部CT平扫（薄层重建）
影像表现：双肺纹理清晰，右肺上叶尖段见一磨玻璃结节，大小约8mm×6mm，CT值约-520HU，边界清，内见空泡征。左肺下叶背段见条索影。纵隔内未见肿大淋巴结，气管及主支气管通畅。心影不大，双侧胸腔未见积液。
影像诊断：1.右肺上叶磨玻璃结节，建议3个月后复查；2.左肺下叶少许纤维灶。`,
  },
  {
    type: 'ct', subtype: 'pet_ct', code: 352, text: `PET/CT检查报告
静脉注射18F-FDG后60分钟行全身PET/CT显像。右肺下叶见一软组织肿块，大小约3.2cm×2.8cm，放射性摄取异常增高，SUVmax 11.6；右肺门及纵隔4R区见肿大淋巴结，SUVmax 7.3。肝脏、脾脏未见异常代谢。
诊断意见：右肺下叶高代谢肿块，考虑肺癌，伴右肺门及纵隔淋巴结转移。`,
  },
  {
    type: 'mri', code: 349, text: `头颅MRI平扫+增强报告
影像所见：双侧半卵圆中心及侧脑室旁见多发斑点状长T1长T2信号影，FLAIR呈高信号，DWI未见弥散受限，增强扫描未见强化。脑室系统未见扩大，中线结构居中。
诊断意见：双侧半卵圆中心及侧脑室旁多发缺血灶，Fazekas 1级。`,
  },
  {
    type: 'xray', code: 351, text: `数字化X线摄影（DR）报告
检查部位：胸部正位
X线表现：胸廓对称，气管居中。双肺纹理增多、模糊，右下肺野见片状密度增高影，边缘模糊。心影不大，双膈面光整，肋膈角锐利。
印象：右下肺炎，请结合临床，治疗后复查。`,
  },
  {
    type: 'mammography', code: 350, text: `乳腺钼靶检查报告
投照体位：双侧CC位及MLO位
影像所见：双乳呈不均匀致密型。左乳外上象限见一不规则肿块，大小约18mm×15mm，边缘见毛刺，其内见细小多形性钙化，呈段样分布。右乳未见明确肿块及可疑钙化。双侧腋下见小淋巴结影。
诊断意见：左乳外上象限肿块伴钙化，BI-RADS 4C类，建议活检。右乳BI-RADS 1类。`,
  },
  {
    type: 'endoscopy', subtype: 'gastroscopy', code: 353, text: `电子胃镜检查报告
检查所见：食管黏膜光滑，齿状线清晰。贲门开闭正常。胃底黏液湖清亮。胃体黏膜未见异常。胃角弧度存在。胃窦黏膜红白相间，以白为主，可见散在糜烂，于胃窦小弯取活检2块。幽门圆，开闭好。十二指肠球部及降部未见异常。
内镜诊断：慢性萎缩性胃炎伴糜烂（C-1）。`,
  },
  {
    type: 'endoscopy', subtype: 'colonoscopy', code: 354, text: `电子结肠镜检查报告
镜检所见：进镜至回盲部，回肠末端及阑尾开口未见异常。升结肠见一约0.6cm广基息肉，表面光滑，予圈套器切除。横结肠、降结肠及乙状结肠黏膜光滑。直肠距肛门5cm见一约0.3cm息肉，予活检钳钳除。退镜观察肛门见内痔。
诊断：结肠多发息肉（已切除），内痔。`,
  },
  {
    type: 'ecg', code: 363, text: `十二导联心电图报告
心率：48bpm  PR间期：168ms  QRS时限：96ms  QT/QTc：452/404ms  电轴：+35°
心电图诊断：1.窦性心动过缓 2.ST-T改变（Ⅱ、Ⅲ、aVF导联ST段压低0.05mV）`,
  },
  {
    type: 'pathology', code: 15, text: `外科病理诊断报告单  病理号：P2023-10587
送检标本：（左乳）肿物切除标本
肉眼所见：灰白灰红组织一块，大小3.5×2.8×2cm，切面见一灰白结节，直径1.8cm，质硬，边界不清。
镜下所见：癌细胞呈巢团状、条索状浸润性生长，核异型明显，核分裂象易见。
免疫组化：ER(约90%强+)，PR(约30%中+)，HER-2(2+)，Ki-67(约25%+)，CK5/6(-)，P63(肌上皮-)。
病理诊断：（左乳）浸润性导管癌，Ⅱ级，肿瘤最大径1.8cm；HER-2(2+)建议行FISH检测。`,
  },
  {
    type: 'admission', code: 29, text: `入院记录
姓名：赵某  性别：男  年龄：67岁  入院日期：2023-09-12 10:20  病史陈述者：患者本人及家属
主诉：反复胸闷、气促5年，加重伴双下肢水肿1周。
现病史：患者5年前活动后出现胸闷、气促，休息后可缓解，未规律诊治。1周前受凉后上述症状加重，夜间不能平卧，伴双下肢水肿、尿量减少，为进一步治疗来我院。
既往史：高血压病史10年，2型糖尿病病史6年。否认药物过敏史。
个人史：吸烟40年，每日20支。
家族史：无特殊。
体格检查：T 36.6℃ P 102次/分 R 24次/分 BP 156/92mmHg，双肺底可闻及湿啰音，双下肢中度凹陷性水肿。
初步诊断：1.慢性心力衰竭急性加重 2.高血压3级 3.2型糖尿病`,
  },
  {
    type: 'discharge', code: 28, text: `出院记录
入院日期：2023-08-01  出院日期：2023-08-12  住院天数：11天
入院情况：患者因“右上腹痛3天”入院，查体右上腹压痛，Murphy征阳性。
入院诊断：急性结石性胆囊炎
诊疗经过：入院后予禁食、抗感染、解痉等治疗，于2023-08-04在全麻下行腹腔镜胆囊切除术，术后病理示慢性胆囊炎伴胆囊结石。术后恢复良好。
出院诊断：1.急性结石性胆囊炎 2.脂肪肝
出院情况：患者无腹痛，饮食睡眠可，切口愈合良好。
出院医嘱：1.低脂饮食；2.术后1个月门诊复查；3.不适随诊。`,
  },
  {
    type: 'discharge', subtype: 'discharge_certificate', code: 222, text: `出院证明书
患者孙某，女，45岁，于2023年7月3日入院，2023年7月10日出院，住院7天。
出院诊断：子宫多发肌瘤
出院医嘱：休息两周，1个月后复查B超，禁止性生活及盆浴1个月。`,
  },
  {
    type: 'outpatient', code: 210, text: `门诊病历
就诊日期：2023-10-20  科室：呼吸内科  门诊号：M0042317
主诉：咳嗽、咽痛3天。
现病史：3天前受凉后出现咳嗽，少痰，伴咽痛，无发热。
体格检查：咽部充血，双侧扁桃体Ⅰ度肿大，双肺呼吸音清。
诊断：急性上呼吸道感染
处理：1.连花清瘟胶囊 4粒 tid 口服；2.多饮水，注意休息；3.不适随诊。`,
  },
  {
    type: 'operation', code: 212, text: `手术记录
手术日期：2023-06-15  术前诊断：急性化脓性阑尾炎  术后诊断：急性化脓性阑尾炎
手术名称：腹腔镜阑尾切除术  手术医师：周某  第一助手：吴某  麻醉方式：全身麻醉
手术经过：患者取仰卧位，麻醉成功后常规消毒铺巾。于脐部切开1cm建立气腹，置入腹腔镜，探查见阑尾充血肿胀，表面脓苔附着，周围少量脓性渗液。分离阑尾系膜，结扎阑尾动脉，于根部结扎切除阑尾，吸净渗液，术中出血约10ml，清点器械纱布无误后关闭切口。标本送病理。`,
  },
  {
    type: 'progress_note', code: 217, text: `2023-05-08 09:30 主治医师查房记录
今日查房，患者术后第2天，诉切口轻度疼痛，无发热，已排气，未排便。查体：T 37.2℃，腹软，切口敷料干燥，无渗血渗液，引流管引流出淡血性液体约30ml。王主治医师查房后指示：患者恢复顺利，今日予流质饮食，继续抗感染治疗，明日拔除引流管。`,
  },
  {
    type: 'front_sheet', code: 211, text: `住院病案首页
医疗付费方式：城镇职工基本医疗保险  第1次住院  病案号：0587431
姓名：钱某 性别：男 出生日期：1961-03-02 国籍：中国 民族：汉族
入院途径：急诊 入院时间：2023-04-02 入院科别：神经内科 出院时间：2023-04-16 实际住院：14天
主要诊断：脑梗死 疾病编码：I63.900 入院病情：有
其他诊断：高血压病3级 疾病编码：I10.x05
离院方式：医嘱离院 科主任：郑某 质控医师：冯某`,
  },
  {
    type: 'prescription', code: 215, text: `××市第一人民医院 处方笺
普通处方  费别：医保  门诊号：3307261  科别：内分泌科
姓名：何某 性别：女 年龄：58岁  临床诊断：2型糖尿病
Rp:
盐酸二甲双胍片 0.5g×30片×2盒
用法：一次0.5g 一日三次 口服
阿卡波糖片 50mg×30片×1盒
用法：一次50mg 一日三次 餐时嚼服
医师：林某  药品金额：86.40元  审核药师：孔某  调配：曹某  核对/发药：许某`,
  },
  {
    type: 'diagnosis_certificate', code: 218, text: `诊断证明书
姓名：马某 性别：男 年龄：34岁 就诊科室：骨科
诊断：右桡骨远端骨折
建议：石膏外固定，休息六周，定期复查X线。
特此证明。
医师：杨某  2023年3月18日（医院诊断证明专用章）`,
  },
  {
    type: 'vaccination', code: 219, text: `预防接种证
儿童姓名：小明 性别：男 出生日期：2022-05-01
疫苗名称  剂次  接种日期  接种部位  批号  接种单位
乙肝疫苗  第1剂  2022-05-01  右上臂三角肌  202203A12  市妇幼保健院
卡介苗  第1剂  2022-05-02  左上臂三角肌  202201B07  市妇幼保健院
脊灰灭活疫苗  第1剂  2022-07-01  左大腿前外侧  202204C33  社区卫生服务中心`,
  },
  {
    type: 'checkup', code: 17, text: `健康体检报告  体检编号：TJ20231009015
总检结论：
1.血压偏高（142/91mmHg）：建议低盐饮食，监测血压，必要时心内科就诊。
2.脂肪肝（中度）：建议控制体重，低脂饮食，适量运动，半年后复查肝功能及腹部彩超。
3.甲状腺结节（TI-RADS 3类）：建议6-12个月复查甲状腺彩超。
4.总胆固醇偏高：建议低脂饮食，3个月后复查血脂。
主检医生：高某`,
  },
  {
    type: 'drug_leaflet', code: 223, text: `阿托伐他汀钙片说明书
请仔细阅读说明书并在医师指导下使用
【药品名称】通用名称：阿托伐他汀钙片
【成份】本品主要成份为阿托伐他汀钙。
【适应症】高胆固醇血症；冠心病或冠心病等危症合并高胆固醇血症。
【规格】20mg
【用法用量】口服，常用起始剂量为每日一次10mg，剂量调整时间间隔应为4周或以上。
【不良反应】常见鼻咽炎、关节痛、腹泻、肌痛；罕见横纹肌溶解。
【禁忌】活动性肝病患者、妊娠及哺乳期妇女禁用。
【贮藏】密封，25℃以下保存。
【批准文号】国药准字H20051408`,
  },
  {
    type: 'other', code: 0, text: '高血压是一种以体循环动脉压升高为主要特征的临床综合征，长期高血压可引起心、脑、肾等靶器官损害，合理饮食和规律运动有助于控制血压。',
  },
];

/** Fragments a user sends alone: a findings paragraph, a conclusion line, a history paragraph, OCR lines. */
const FRAGMENTS: Array<{ type: ReportType; text: string }> = [
  { type: 'ultrasound', text: '肝脏大小形态正常，包膜光滑，肝实质回声细密均匀，肝内管道结构清晰，门静脉内径1.1cm。胆囊壁毛糙，腔内见一强回声团，后方伴声影，随体位改变移动。' },
  { type: 'ct', text: '右肺中叶见一类圆形软组织密度结节，大小约15mm×12mm，边缘分叶，可见短毛刺，增强扫描呈中度不均匀强化。' },
  { type: 'mri', text: 'L4/5椎间盘T2WI信号减低，向后方突出，压迫硬膜囊，双侧侧隐窝狭窄。' },
  { type: 'ecg', text: '窦性心律 不完全性右束支传导阻滞' },
  { type: 'checkup', text: '脂肪肝（轻度）考虑胆囊息肉，建议定期复查，胰、脾、双肾未发现明显异常' },
  { type: 'admission', text: '患者2月前无明显诱因出现上腹部隐痛，进食后加重，伴反酸、嗳气，无呕血黑便，于当地医院行胃镜检查示“胃窦溃疡”，予奥美拉唑治疗后症状稍缓解，为进一步诊治来我院。' },
  { type: 'pathology', text: '免疫组化：CK7(+)，CK20(-)，TTF-1(+)，NapsinA(+)，Ki-67约40%+。病理诊断：(右肺上叶)浸润性腺癌，腺泡为主型。' },
  { type: 'lab', text: '白细胞计数 12.6 ↑ 10^9/L 3.5-9.5\n中性粒细胞百分比 85.2 ↑ % 40-75\n血红蛋白 128 g/L 130-175 ↓' },
  { type: 'discharge', text: '出院诊断：1.社区获得性肺炎 2.2型糖尿病。出院医嘱：继续口服头孢呋辛酯片0.25g bid 5天，1周后复查胸部CT。' },
  { type: 'ct', text: '胸部CT 平扫\n两肺 纹理 增多，左肺下叶 见斑 片状 高密 度影，边界模 糊。\n纵隔 内 未见 肿大 淋巴 结' },
];

describe('classifyText', () => {
  it.each(REPORTS)('classifies a $type report', ({ type, subtype, code, text }) => {
    const result = classifyText(text);
    expect(result.type).toBe(type);
    if (subtype) expect(result.subtype).toBe(subtype);
    expect(result.code).toBe(code);
    expect(result.confidence).toBeGreaterThan(0.5);
    expect(result.name.length).toBeGreaterThan(0);
  });

  it('covers every report type key in these tests', () => {
    expect(new Set(REPORTS.map((r) => r.type))).toEqual(new Set(REPORT_TYPES));
  });

  it.each(FRAGMENTS)('classifies a $type fragment', ({ type, text }) => {
    expect(classifyText(text).type).toBe(type);
  });

  it('gives MRS names and alternatives ranked below the choice', () => {
    const result = classifyText(REPORTS.find((r) => r.type === 'ultrasound')!.text);
    expect(result.name).toBe('超声报告');
    for (const alt of result.alternatives) {
      expect(alt.type).not.toBe(result.type);
      expect(alt.confidence).toBeLessThanOrEqual(result.confidence);
    }
  });

  it('rejects empty text with a stable error code', () => {
    try {
      classifyText('  \n ');
      expect.unreachable();
    } catch (error) {
      expect(isMedstructError(error) && error.code).toBe('EMPTY_INPUT');
    }
  });

  it('handles noise without crashing', () => {
    const result = classifyText('@@##  123 %% ~~ abc');
    expect(REPORT_TYPES).toContain(result.type);
    expect(result.confidence).toBeGreaterThan(0);
  });
});

describe('classifyStage', () => {
  it('sets doc.classification, and `other` on an empty document', () => {
    const doc = new MedDocument(REPORTS[0]!.text);
    classifyStage.process(doc);
    expect((doc.classification as { type: string }).type).toBe('lab');
    const empty = new MedDocument('');
    classifyStage.process(empty);
    expect((empty.classification as { type: string }).type).toBe('other');
  });
});
