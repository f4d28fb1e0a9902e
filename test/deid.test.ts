import { describe, expect, it } from 'vitest';
import { deidentifyText, detectPhi, idCheckChar, isValidId18, resolveMaskFlags, type PhiType } from '../src/deid/index.js';
import { isMedstructError } from '../src/errors.js';

const ADMISSION = [
  '入院记录',
  '姓名：欧阳娜娜  性别：女  年龄：92岁  住院号：ZY2023001234  床号：12',
  '身份证号：11010519491231002X  联系电话：138-0013-8000',
  '现住址：北京市朝阳区建国路88号院3号楼2单元501室',
  '联系人：张伟（儿子）  电话：(010)62345678  邮箱：zhangwei88@163.com',
  '主诉：反复胸闷3年，加重2天。',
  '现病史：患者欧阳娜娜于2023年3月5日因胸闷在北京协和医院就诊，胸部CT示右侧张力性气胸。血培养示李斯特菌生长，王氏征阳性，白细胞 12.6×10^9/L。其子张伟代诉病史。',
  '陈建国主任医师查房后指示完善检查。',
  '记录医师：李明',
].join('\n');

function typesOf(text: string, mask?: string[]): Array<[PhiType, string]> {
  return detectPhi(text, { mask }).map((s) => [s.type, s.text]);
}

describe('PHI detection in clinical text', () => {
  it('finds every planted identifier of an admission note with its type', () => {
    const found = typesOf(ADMISSION);
    expect(found).toEqual(expect.arrayContaining([
      ['patient_name', '欧阳娜娜'],
      ['age', '92岁'],
      ['record_number', 'ZY2023001234'],
      ['record_number', '12'],
      ['id_card', '11010519491231002X'],
      ['phone', '138-0013-8000'],
      ['address', '北京市朝阳区建国路88号院3号楼2单元501室'],
      ['relative_name', '张伟'],
      ['phone', '(010)62345678'],
      ['email', 'zhangwei88@163.com'],
      ['date', '2023年3月5日'],
      ['hospital', '北京协和医院'],
      ['staff_name', '陈建国'],
      ['staff_name', '李明'],
    ]));
    expect(found.filter(([type, text]) => type === 'patient_name' && text === '欧阳娜娜')).toHaveLength(2);
    expect(found.filter(([type, text]) => type === 'relative_name' && text === '张伟')).toHaveLength(2);
  });

  it('does not take an everyday word after a name label for a name', () => {
    expect(typesOf('患者：男性，45岁。签名：患者本人。姓名：热合曼')).toEqual([['patient_name', '热合曼']]);
  });

  it('leaves clinical words that begin with a surname alone', () => {
    const text = '胸部CT示右侧张力性气胸，血培养示李斯特菌，王氏征阳性，白细胞 12.6×10^9/L，黄疸消退，高血压病史10年，马尾神经未受压，患者常常主诉胸闷，皮肤巩膜无黄染。';
    expect(detectPhi(text)).toEqual([]);
  });

  it('reads the staff of lab sheets, pathology and operation records, including lists and foreign names', () => {
    const text = '送检医生：刘洋  检验者：赵强  审核者：孙丽\n术者：司马光、诸葛亮  麻醉医师：阿卜杜拉·买买提\n报告医师 上官婉儿  复核医师 周杰';
    expect(typesOf(text).map(([, t]) => t)).toEqual(['刘洋', '赵强', '孙丽', '司马光', '诸葛亮', '阿卜杜拉·买买提', '上官婉儿', '周杰']);
    expect(new Set(typesOf(text).map(([type]) => type))).toEqual(new Set(['staff_name']));
  });

  it('finds names in running text and under labels it does not list', () => {
    expect(typesOf('患者王伟因胸痛3小时入院。')).toEqual([['patient_name', '王伟']]);
    expect(typesOf('被保险人：令狐德胜  随访对象：闫静（本人）')).toEqual([['patient_name', '令狐德胜'], ['patient_name', '闫静']]);
    expect(typesOf('经于明主任医师会诊后转科。')).toEqual([['staff_name', '于明']]);
    expect(typesOf('家属向德胜陪护，已告知病情。')).toEqual([['relative_name', '向德胜']]);
  });

  it('accepts identity numbers by shape and checksum and phones in their usual forms', () => {
    expect(typesOf('证件 11010519491231002X 已核对')).toEqual([['id_card', '11010519491231002X']]);
    expect(typesOf('流水 123456789012345678 与 990101202013451234')).toEqual([]);
    expect(typesOf('身份证 110105491231002 旧证')).toEqual([['id_card', '110105491231002']]);
    const phones = typesOf('手机 13800138000，138 0013 8000，+86 13912345678；座机 0571-87654321转8012，（0755）83456789');
    expect(phones.map(([, t]) => t)).toEqual(['13800138000', '138 0013 8000', '+86 13912345678', '0571-87654321转8012', '(0755)83456789'.replace('(', '（').replace(')', '）')]);
    expect(phones.every(([type]) => type === 'phone')).toBe(true);
  });

  it('does not take lab values, doses or clinical numbers for identifiers', () => {
    const text = 'WBC 12.6×10^9/L，PLT 236×10^9/L，HBV-DNA 1.23×10^5 IU/mL，CA125 35.2U/mL，血压 135/82mmHg，3月余，孕3产1，阿莫西林0.5g tid。';
    expect(detectPhi(text)).toEqual([]);
  });

  it('finds record numbers by their labels, insurance numbers, passports and licence plates', () => {
    const text = '病理号：P2023-00123  标本号 S20230456  影像号：CT20230001  门诊号:MZ202300045  医保卡号：H963360773  护照号：E12345678  车牌号：粤B·D12345';
    expect(typesOf(text)).toEqual([
      ['record_number', 'P2023-00123'], ['record_number', 'S20230456'], ['record_number', 'CT20230001'], ['record_number', 'MZ202300045'],
      ['insurance_number', 'H963360773'], ['passport', 'E12345678'], ['license_plate', '粤B·D12345'],
    ]);
  });

  it('with the knowledge graph, finds hospital nicknames where a hospital is named', () => {
    const found = detectPhi('患者曾在湘雅就诊，后转至华西手术，现在家中休养。', { knowledgeGraph: true }).map((s) => [s.type, s.text, s.source]);
    expect(found).toEqual([['hospital', '湘雅', 'knowledge-graph'], ['hospital', '华西', 'knowledge-graph']]);
  });

  it('reads dates with times in the usual forms', () => {
    expect(typesOf('于2023年3月5日10时30分入院，3月6日8:00复查，2023-03-07 14:20出院，出生日期：19800101。').map(([, t]) => t))
      .toEqual(['2023年3月5日10时30分', '3月6日8:00', '2023-03-07 14:20', '19800101']);
  });

  it('masks only ages over 89 and keeps generic hospital mentions', () => {
    expect(typesOf('患者，女，67岁，既往于当地医院及上级医院就诊。')).toEqual([]);
    expect(typesOf('患者，男，95岁，转至四川大学华西医院。')).toEqual([['age', '95岁'], ['hospital', '四川大学华西医院']]);
  });
});

describe('GB 11643 check character', () => {
  it('matches published examples and rejects a wrong check digit', () => {
    expect(idCheckChar('11010519491231002')).toBe('X');
    expect(isValidId18('11010519491231002X')).toBe(true);
    expect(isValidId18('110105194912310021')).toBe(false);
    expect(isValidId18('110105194902300021')).toBe(false);
  });
});

describe('masking modes', () => {
  it('mask mode keeps the length and every character outside the spans', () => {
    const { text, spans } = deidentifyText(ADMISSION);
    expect(Array.from(text)).toHaveLength(Array.from(ADMISSION).length);
    expect(text).toContain('姓名：＊＊＊＊  性别：女');
    expect(text).toContain('张力性气胸');
    expect(text).toContain('李斯特菌');
    for (const span of spans) expect(span.replacement).toBe('＊'.repeat(Array.from(span.text).length));
    for (const secret of ['欧阳娜娜', '11010519491231002X', '13800138000', '建国路', '张伟', '李明', '协和']) expect(text).not.toContain(secret);
  });

  it('tag mode writes the type of each span', () => {
    const { text } = deidentifyText('姓名：张三 电话：13800138000 送检医生：李四 住院号：123456', { mode: 'tag' });
    expect(text).toBe('姓名：[姓名] 电话：[电话] 送检医生：[医务人员] 住院号：[编号]');
  });

  it('surrogate mode is consistent within a document and keeps the shape of each value', () => {
    const source = '姓名：欧阳娜娜 身份证号：11010519491231002X 电话：138-0013-8000\n患者欧阳娜娜于2023年3月5日入院，2023年3月12日出院。送检医生：李明 审核者：王芳';
    const { text, spans } = deidentifyText(source, { mode: 'surrogate', seed: 42 });
    const byText = new Map<string, Set<string>>();
    for (const s of spans) byText.set(s.text, (byText.get(s.text) ?? new Set()).add(s.replacement));
    expect(byText.get('欧阳娜娜')!.size).toBe(1);
    const name = [...byText.get('欧阳娜娜')!][0]!;
    expect(Array.from(name)).toHaveLength(4);
    expect(name).not.toBe('欧阳娜娜');
    const id = [...byText.get('11010519491231002X')!][0]!;
    expect(isValidId18(id)).toBe(true);
    expect(id).not.toBe('11010519491231002X');
    expect([...byText.get('138-0013-8000')!][0]).toMatch(/^1[3-9]\d-\d{4}-\d{4}$/);
    const staff = spans.filter((s) => s.type === 'staff_name').map((s) => s.replacement);
    expect(new Set(staff).size).toBe(2);
    // Dates move by one offset, so the stay still lasts 7 days.
    const dates = spans.filter((s) => s.type === 'date').map((s) => s.replacement.match(/\d+/g)!.map(Number));
    const days = dates.map(([y, m, d]) => Date.UTC(y!, m! - 1, d!) / 86_400_000);
    expect(days[1]! - days[0]!).toBe(7);
    expect(text).not.toContain('欧阳娜娜');
    expect(deidentifyText(source, { mode: 'surrogate', seed: 42 }).text).toBe(text);
  });
});

describe('mask flags', () => {
  it('doctor masks only staff names; patient leaves staff and hospitals', () => {
    const text = '北京协和医院 姓名：张三 电话：13800138000 送检医生：李四';
    expect(deidentifyText(text, { mask: ['doctor'] }).text).toBe('北京协和医院 姓名：张三 电话：13800138000 送检医生：＊＊');
    expect(deidentifyText(text, { mask: ['patient'] }).text).toBe('北京协和医院 姓名：＊＊ 电话：＊＊＊＊＊＊＊＊＊＊＊ 送检医生：李四');
    expect(deidentifyText(text, { mask: ['hospital', 'phone'] }).text).toBe('＊＊＊＊＊＊ 姓名：张三 电话：＊＊＊＊＊＊＊＊＊＊＊ 送检医生：李四');
  });

  it('dates can be kept by leaving the date flag out', () => {
    const text = '入院日期：2023-03-05 姓名：张三';
    expect(deidentifyText(text, { mask: ['name'] }).text).toBe('入院日期：2023-03-05 姓名：＊＊');
    expect(resolveMaskFlags(undefined).has('date')).toBe(true);
  });

  it('rejects an unknown flag and an unknown mode with INVALID_ARGUMENT', () => {
    for (const call of [() => deidentifyText('张三', { mask: ['nobody'] }), () => deidentifyText('张三', { mode: 'blur' as 'mask' })]) {
      try {
        call();
        expect.unreachable();
      } catch (error) {
        expect(isMedstructError(error) && error.code).toBe('INVALID_ARGUMENT');
      }
    }
  });

  it('offsets are code points of the original text', () => {
    const text = '𠮷𠮷 姓名：张三';
    const [span] = detectPhi(text);
    expect(span).toMatchObject({ start: 6, end: 8, text: '张三' });
    expect(deidentifyText(text).text).toBe('𠮷𠮷 姓名：＊＊');
  });
});

describe('forms, lists and name forms beyond the admission note', () => {
  it('reads labels spaced out for alignment and Latin or pinyin names with their honorific', () => {
    const cover = '健康体检报告\n体检编号：TJ2024001587\n姓    名：慕容晓峰\n性    别：男\n手    机：139 1022 3456\nPatient Name: ZHANG Wei  Sex: M\nAttending Physician: Dr. Li Ming';
    expect(typesOf(cover)).toEqual([
      ['record_number', 'TJ2024001587'], ['patient_name', '慕容晓峰'], ['phone', '139 1022 3456'], ['patient_name', 'ZHANG Wei'], ['staff_name', 'Dr. Li Ming'],
    ]);
    expect(typesOf('检查医师：CT室  Name: N/A  <?XML:NAMESPACE PREFIX = O />')).toEqual([]);
  });

  it('reads identifiers under labels it does not list, but not lot or model numbers', () => {
    expect(typesOf('结算编号：JS20230915000123  出生医学证明编号：Q440087361  发票号码：00123456')).toEqual([
      ['record_number', 'JS20230915000123'], ['record_number', 'Q440087361'], ['record_number', '00123456'],
    ]);
    expect(typesOf('批号：20230512  型号：ABC12345  序号：100234  邮编：100730')).toEqual([]);
  });

  it('masks a barcode number wherever it is repeated and types a social security number that is an ID as one', () => {
    expect(typesOf('条码号：2305120087  *2305120087*\n标本号 S2023051')).toEqual([
      ['record_number', '2305120087'], ['record_number', '2305120087'], ['record_number', 'S2023051'],
    ]);
    expect(typesOf('社会保障号码：110105 19491231 002X  医保卡号：H963360773')).toEqual([['id_card', '110105 19491231 002X'], ['insurance_number', 'H963360773']]);
  });

  it('reads phones with spaces and extensions written with 转, and birth times to the minute', () => {
    expect(typesOf('委托人电话：0571-8765 4321 转 802，科室 (028)8542 2114，出生时间：2023年5月6日4时7分').map(([, t]) => t))
      .toEqual(['0571-8765 4321 转 802', '(028)8542 2114', '2023年5月6日4时7分']);
  });

  it('reads signatures with a note before the colon, the names of a handover list and half-anonymized names', () => {
    expect(typesOf('转诊医生（签字）：上官德胜  领药人：于秀英（家属）')).toEqual([['staff_name', '上官德胜'], ['relative_name', '于秀英']]);
    expect(typesOf('床号  姓名  诊断\n12床  王建国  肺部感染\n加3床  司徒美玲  心力衰竭\n15床  高热待查').map(([, t]) => t)).toEqual(['12', '王建国', '加3', '司徒美玲', '15']);
    expect(typesOf('经科室讨论，患者陈某某手术指征明确，其女于某表示理解，患者张某今日出院。')).toEqual([
      ['patient_name', '陈某某'], ['relative_name', '于某'], ['patient_name', '张某'],
    ]);
    expect(typesOf('患者于某日突发胸痛，曾在外院就诊。')).toEqual([]);
  });
});

describe('certificates, slips and combined labels', () => {
  it('reads the first value under combined labels, certificates that name the patient in running text and dates in Chinese numerals', () => {
    expect(typesOf('心电图号：ECG2023117  姓名/性别/年龄：钱文博/男/52岁  科别：门诊')).toEqual([['record_number', 'ECG2023117'], ['patient_name', '钱文博']]);
    expect(typesOf('诊断证明书\n兹证明孙雨萱，女，34岁，因腰椎间盘突出症在我院住院治疗。\n医师（签字）：冯晓峰\n二〇二三年十一月二十七日')).toEqual([
      ['patient_name', '孙雨萱'], ['staff_name', '冯晓峰'], ['date', '二〇二三年十一月二十七日'],
    ]);
  });

  it('reads receipt numbers, cashier numbers and names written one after another with slashes', () => {
    expect(typesOf('票据号：0023145678  收费员：2617  就诊序号：27\n记录：蒋洁/彭志强')).toEqual([
      ['record_number', '0023145678'], ['record_number', '2617'], ['staff_name', '蒋洁'], ['staff_name', '彭志强'],
    ]);
    expect(typesOf('今日陈文君主任医师查房：患者刘建华一般情况可，发血者：杨梅')).toEqual([['staff_name', '陈文君'], ['patient_name', '刘建华'], ['staff_name', '杨梅']]);
  });
});

describe('tables', () => {
  it('reads the cells under PHI columns of a tab-separated schedule, not the diagnoses of a list', () => {
    const schedule = '手术间\t台次\t床号\t姓名\t住院号\t手术名称\t主刀\n3\t1\t12\t令狐德胜\tZY20231187\t腹腔镜胆囊切除术\t蒋卫东\n3\t2\t加2\t于秀英\t2023004512\t甲状腺次全切除术\t蒋卫东';
    expect(typesOf(schedule)).toEqual([
      ['record_number', '12'], ['patient_name', '令狐德胜'], ['record_number', 'ZY20231187'], ['staff_name', '蒋卫东'],
      ['record_number', '加2'], ['patient_name', '于秀英'], ['record_number', '2023004512'], ['staff_name', '蒋卫东'],
    ]);
    expect(typesOf('床号  姓名  性别  年龄  诊断\n13  高血压  女  70岁  心衰\n项目  结果  单位\n白细胞  11.2  10^9/L')).toEqual([['record_number', '13']]);
  });

  it('reads key-value grids and labels with notes after the colon or joined labels before it', () => {
    expect(typesOf('| 姓名 | 欧阳晓峰 | 性别 | 男 |\n| 住院号 | 2095130419 | 床号 | 36 |\n| 检查所见 | 肝脏大小正常 |').map(([, t]) => t))
      .toEqual(['欧阳晓峰', '2095130419', '36']);
    expect(typesOf('开方医师：（电子签名）韦海燕  科主任（签名）：石玉珍  陪护人及电话：张敏 13812345678  就诊卡：4454766373')).toEqual([
      ['staff_name', '韦海燕'], ['staff_name', '石玉珍'], ['relative_name', '张敏'], ['phone', '13812345678'], ['record_number', '4454766373'],
    ]);
  });
});

describe('OCR layouts, spaced numbers and names known by their context', () => {
  it('reads values written on the line under their label, with stray spaces, and an address wrapped over two lines', () => {
    const form = '江苏省人民医院\n出 院 小 结\n姓名\n司 马文静\n性别\n女\n身份证号\n32010219850 7153217\n联系电话\n1385 2601478\n住址\n江苏省南京市玄武区孝陵卫\n街道中山门大街301号2栋602室\n主诉：咳嗽2周。\n医师签名\n钱 立新';
    expect(typesOf(form)).toEqual([
      ['hospital', '江苏省人民医院'], ['patient_name', '司 马文静'], ['id_card', '32010219850 7153217'], ['phone', '1385 2601478'],
      ['address', '江苏省南京市玄武区孝陵卫'], ['address', '街道中山门大街301号2栋602室'], ['staff_name', '钱 立新'],
    ]);
    // Without a label, a stray space is accepted only when the checksum vouches for the number.
    expect(typesOf('身份证复印件为32010219850 7153217，另见32010219850 7153216。')).toEqual([['id_card', '32010219850 7153217']]);
    expect(typesOf('患者\nPatients\n家系成员')).toEqual([]);
    expect(typesOf('姓名\n王建国 男 45岁\n住址\n不详')).toEqual([['patient_name', '王建国']]);
  });

  it('reads bank card numbers in groups of four, pathology numbers in brackets and staff after a role with a space', () => {
    expect(typesOf('开户银行：中国银行苏州分行\n银行卡号：6216 6132 0457 8891 235\n术后病理（S23-004517）示：腺癌，手术日期（2023-05-06）\n取材 贺建军  记录 董丽')).toEqual([
      ['record_number', '6216 6132 0457 8891 235'], ['record_number', 'S23-004517'], ['date', '2023-05-06'], ['staff_name', '贺建军'], ['staff_name', '董丽'],
    ]);
  });

  it('reads a surname alone before a title, but not words that read as one', () => {
    expect(typesOf('3月后复查，请预约邝主任门诊或预约于主任专家门诊。[钟医生] 10:21：您好。由司徒医生接诊，谭教授上台指导。')).toEqual([
      ['staff_name', '邝'], ['staff_name', '于'], ['staff_name', '钟'], ['staff_name', '司徒'], ['staff_name', '谭'],
    ]);
    expect(typesOf('下周找孙医生复诊，已联系欧阳主任会诊。')).toEqual([['staff_name', '孙'], ['staff_name', '欧阳']]);
    expect(typesOf('经主任同意后出院。请示上级医生，向主任汇报病情。科主任及本院主任医师查房。问多少钱医生说不贵。悼念陈文盛教授。')).toEqual([]);
  });

  it('reads staff named after their hospital and department, in brackets, after roles before a colon and in slash lists', () => {
    expect(typesOf('受邀专家：浙江大学医学院附属第二医院心内科黄建平主任医师\n会诊意见（四川省肿瘤医院罗晓红）：同意手术。术者欧阳振华主任。')).toEqual([
      ['hospital', '浙江大学医学院附属第二医院'], ['staff_name', '黄建平'], ['hospital', '四川省肿瘤医院'], ['staff_name', '罗晓红'], ['staff_name', '欧阳振华'],
    ]);
    expect(typesOf('麻醉：宋立平/诸葛红梅  器械护士：严静\n检验:向文斌 审核:邵玉兰\n客户经理：慕容雪  电话：0512-65231234').map(([, t]) => t)).toEqual([
      '宋立平', '诸葛红梅', '严静', '向文斌', '邵玉兰', '慕容雪', '0512-65231234',
    ]);
  });

  it('reads relatives after kinship words and pinyin names after 患者', () => {
    expect(typesOf('我是张桂芳的外孙女林可欣，替外婆咨询。其夫白振国诉患者近日食欲差。')).toEqual([['relative_name', '林可欣'], ['relative_name', '白振国']]);
    expect(typesOf('其妻阿依古丽·买买提诉患者平素独居。')).toEqual([['relative_name', '阿依古丽·买买提']]);
    expect(typesOf('患者Li Xiaoming，男，60岁。母亲和胎儿的情况良好，患者HBV DNA阳性。')).toEqual([['patient_name', 'Li Xiaoming']]);
  });
});

describe('surrogates of the newer forms', () => {
  it('moves a date in Chinese numerals by the same offset as the other dates', () => {
    const { spans } = deidentifyText('入院日期：2023年11月20日\n诊断证明书 医师（签字）：冯晓峰\n二〇二三年十一月二十七日', { mode: 'surrogate', seed: 7 });
    const [arabic, chinese] = spans.filter((s) => s.type === 'date').map((s) => s.replacement);
    const numerals = '〇一二三四五六七八九';
    const small = (t: string): number => (t.includes('十') ? (t.indexOf('十') === 0 ? 1 : numerals.indexOf(t[0]!)) * 10 + (t.endsWith('十') ? 0 : numerals.indexOf(t.at(-1)!)) : numerals.indexOf(t));
    const m = /^([〇一二三四五六七八九]{4})年(.+)月(.+)日$/.exec(chinese!)!;
    const [y, mo, d] = arabic!.match(/\d+/g)!.map(Number);
    const fromChinese = Date.UTC(Number(Array.from(m[1]!, (c) => numerals.indexOf(c)).join('')), small(m[2]!) - 1, small(m[3]!));
    expect((fromChinese - Date.UTC(y!, mo! - 1, d!)) / 86_400_000).toBe(7);
    expect(chinese).not.toBe('二〇二三年十一月二十七日');
  });
});
