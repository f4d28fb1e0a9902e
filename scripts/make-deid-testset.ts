/**
 * Builds the de-identification test set: realistic Chinese clinical records (admission notes, lab
 * sheets, pathology, discharge summaries, operation records, consent forms, referrals, claims) with
 * planted PHI in many surface forms and gold spans (code points, end exclusive).
 *
 *   npx tsx scripts/make-deid-testset.ts [--count 300] [--seed 7] [--out data/deid]
 *
 * Writes `tune.jsonl` (templates the rules were developed against), `test.jsonl` (held-out templates,
 * looked at once after the first evaluation), `final.jsonl` (templates written after the rules were
 * frozen, evaluated only) and `final2.jsonl` (14 further layouts written before the changes they
 * prompted: request forms, check-up covers, settlements, birth certificates, case front pages,
 * pinyin names) and `final3.jsonl` (12 more, written after those changes and evaluated once without
 * change: certificates, report cards, slips, dates in Chinese numerals) and `final4.jsonl` (10 more, written
 * after the final3 changes: grids, spaced OCR labels, tab-separated schedules) and `final5.jsonl` (12 more, written
 * blind, before reading the detector: OCR of photographed pages, online consultations, unlabelled names in
 * narrative, rosters, claims with bank cards, full-width digits, lowercase x), plus `images/` with lab-sheet images (planted PHI, a barcode and a QR code):
 * `images.jsonl` (clean renders) and `photos.jsonl` (the sheets photographed: tilt, keystone, shadow,
 * blur, JPEG), each image with its PHI and clinical strings. Deterministic for a seed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { idCheckChar } from '../src/deid/idcard.js';
import { photograph } from './make-ocr-testset.js';
import type { PhiType } from '../src/deid/types.js';

function argValue(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

let state = 7;
function rand(): number {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
const digits = (n: number): string => Array.from({ length: n }, () => String(int(0, 9))).join('');
const pad2 = (n: number): string => String(n).padStart(2, '0');

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何', '林', '罗', '郑', '梁', '谢', '宋', '唐', '许', '韩', '冯', '邓', '曹', '彭', '曾', '田', '董', '袁', '潘', '蒋', '蔡', '余', '杜', '叶', '程', '苏', '魏', '吕', '丁', '任', '沈', '姚', '卢', '姜', '崔', '钟', '谭', '陆', '汪', '范', '金', '石', '廖', '贾', '夏', '韦', '付', '方', '白', '邹', '孟', '熊', '秦', '邱', '江', '尹', '薛', '闫', '段', '雷', '侯', '龙', '史', '陶', '黎', '贺', '顾', '毛', '郝', '龚', '邵', '万', '钱', '严', '覃', '武', '戴', '莫', '孔', '向', '汤', '常', '温', '康', '施', '高', '于'];
const COMPOUND = ['欧阳', '司马', '上官', '诸葛', '东方', '皇甫', '慕容', '司徒', '令狐', '夏侯', '尉迟', '公孙'];
const GIVEN = ['建华', '秀英', '志强', '丽娟', '国庆', '海燕', '文博', '子涵', '雨萱', '俊杰', '明', '静', '磊', '洁', '涛', '梅', '勇', '敏', '晨曦', '浩然', '思远', '佳怡', '春生', '桂兰', '玉珍', '德胜', '红', '军', '淑芬', '家豪', '一鸣', '欣悦', '宏伟', '丹', '鑫', '凤英', '金凤', '振东', '晓峰', '美玲', '建国', '卫东', '小红', '亚楠', '胜男', '天宇', '梓轩', '伟', '芳', '娜'];
const FOREIGN = ['阿卜杜拉·买买提', '古丽娜尔·吐尔逊', '热依汗古丽·艾力', '约翰·史密斯', '玛丽亚·安德森', '努尔兰·哈力克', '迪丽娜扎·阿不都'];

function personName(): string {
  const r = rand();
  if (r < 0.07) return pick(FOREIGN);
  if (r < 0.15) return pick(COMPOUND) + pick(GIVEN);
  return pick(SURNAMES) + pick(GIVEN);
}

const REGIONS = ['110105', '110108', '120104', '130102', '310104', '320106', '330106', '340104', '350102', '370102', '410105', '420106', '430104', '440106', '440305', '500103', '510107', '610113', '650102', '210102'];
function idNumber(): string {
  const r = rand();
  const region = pick(REGIONS);
  const year = int(1925, 2012);
  const birth = `${pad2(int(1, 12))}${pad2(int(1, 28))}`;
  if (r < 0.07) return `${region}${String(year).slice(2)}${birth}${digits(3)}`;
  let first17 = `${region}${year}${birth}${digits(3)}`;
  if (r < 0.17) while (idCheckChar(first17) !== 'X') first17 = `${region}${year}${birth}${digits(3)}`;
  const id = first17 + idCheckChar(first17);
  return rand() < 0.1 ? `${id.slice(0, 6)} ${id.slice(6, 14)} ${id.slice(14)}` : id;
}

function mobile(): string {
  const n = `1${pick(['3', '5', '7', '8', '9'])}${digits(9)}`;
  return pick([n, n, n, `${n.slice(0, 3)}-${n.slice(3, 7)}-${n.slice(7)}`, `${n.slice(0, 3)} ${n.slice(3, 7)} ${n.slice(7)}`, `+86 ${n}`, `+86-${n}`]);
}
function landline(): string {
  const area = pick(['010', '021', '022', '020', '0755', '0571', '025', '027', '0371', '028', '0531', '0991']);
  const local = `${int(2, 8)}${digits(area.length === 3 ? 7 : pick([6, 7]))}`;
  return pick([`${area}-${local}`, `(${area})${local}`, `${area} ${local}`, `${area}-${local}转${int(100, 8999)}`, `（${area}）${local}`]);
}
const phone = (): string => (rand() < 0.7 ? mobile() : landline());

const PROVINCES: Array<[string, string, string[]]> = [
  ['北京市', '', ['朝阳区', '海淀区', '丰台区', '西城区']],
  ['上海市', '', ['徐汇区', '浦东新区', '静安区']],
  ['广东省', '广州市', ['越秀区', '天河区', '海珠区']],
  ['广东省', '深圳市', ['南山区', '福田区']],
  ['浙江省', '杭州市', ['西湖区', '上城区']],
  ['江苏省', '南京市', ['鼓楼区', '玄武区']],
  ['四川省', '成都市', ['武侯区', '锦江区']],
  ['湖北省', '武汉市', ['洪山区', '江汉区']],
  ['河南省', '郑州市', ['金水区', '二七区']],
  ['山东省', '青岛市', ['市南区', '崂山区']],
  ['湖南省', '长沙市', ['岳麓区', '芙蓉区']],
  ['陕西省', '西安市', ['雁塔区', '碑林区']],
];
const ROADS = ['建国路', '中山北路', '人民大道', '解放西路', '文三路', '长江路', '学府街', '新华大街', '光华路', '东风路', '和平里', '青年路'];
function address(): string {
  const [prov, city, dists] = pick(PROVINCES);
  const r = rand();
  if (r < 0.15) return `${prov.replace(/省$/, '')}${pick(['信阳市', '周口市', '南充市', '赣州市'])}${pick(['罗山县', '淮阳区', '仪陇县', '于都县'])}${pick(['青山镇', '城关镇', '东岳乡'])}${pick(['李家村', '河口村', '新庄村'])}${int(1, 12)}组${int(1, 80)}号`;
  const head = rand() < 0.2 ? `${city || prov}` : `${prov}${city}`;
  const tail = pick([`${int(1, 300)}号`, `${int(1, 300)}号${int(1, 20)}号楼${int(1, 6)}单元${int(101, 2605)}室`, `${int(1, 200)}号院${int(1, 30)}栋${int(101, 1808)}`, `${int(1, 99)}弄${int(1, 40)}号${int(101, 602)}室`]);
  return `${head}${pick(dists)}${pick(ROADS)}${tail}`;
}

const CITIES = ['北京', '上海', '广州', '深圳', '杭州', '南京', '成都', '武汉', '郑州', '青岛', '长沙', '西安', '苏州', '温州', '洛阳', '徐州', '绵阳', '宜昌'];
function hospital(): string {
  const city = pick(CITIES);
  return pick([
    `${city}市第一人民医院`, `${city}市中心医院`, `${city}市人民医院`, `${city}市中医医院`, `${city}市妇幼保健院`,
    `${city}医科大学附属第二医院`, `${city}大学附属肿瘤医院`, `${city}市儿童医院`, `${city}市第三人民医院`,
    `${pick(['青山', '城关', '东岳', '白沙'])}镇卫生院`, `${pick(['朝晖', '湖滨', '东湖'])}街道社区卫生服务中心`, '北京协和医院', '四川大学华西医院', '复旦大学附属华山医院', '中山大学附属第一医院',
  ]);
}

function date(): string {
  const y = int(2015, 2024);
  const m = int(1, 12);
  const d = int(1, 28);
  return pick([`${y}年${m}月${d}日`, `${y}-${pad2(m)}-${pad2(d)}`, `${y}/${m}/${d}`, `${y}.${pad2(m)}.${pad2(d)}`, `${y}-${pad2(m)}-${pad2(d)} ${pad2(int(0, 23))}:${pad2(int(0, 59))}`, `${y}年${pad2(m)}月${pad2(d)}日 ${pad2(int(6, 22))}:${pad2(int(0, 59))}`]);
}
const shortDate = (): string => `${int(1, 12)}月${int(1, 28)}日`;
const birthDate = (): string => { const y = int(1925, 2012); const m = int(1, 12); const d = int(1, 28); return pick([`${y}-${pad2(m)}-${pad2(d)}`, `${y}年${m}月${d}日`]); };

function recordNumber(kind: string): string {
  switch (kind) {
    case '住院号': return pick([digits(7), `ZY${digits(8)}`, digits(10)]);
    case '门诊号': return pick([`MZ${digits(9)}`, digits(12)]);
    case '病案号': return digits(pick([6, 7, 8]));
    case '病理号': return pick([`P${int(2018, 2024)}-${digits(5)}`, `${int(18, 24)}B${digits(5)}`, `BL${digits(7)}`]);
    case '标本号': return pick([digits(10), `S${digits(8)}`]);
    case '影像号': return pick([`CT${digits(8)}`, `MR${digits(7)}`, digits(9)]);
    case '检查号': return pick([`US${digits(8)}`, digits(11)]);
    case '条码号': return digits(pick([10, 12, 13]));
    case '床号': return pick([String(int(1, 60)), `${int(1, 60)}+`, `加${int(1, 9)}`]);
    default: return pick([digits(8), `ID${digits(8)}`]);
  }
}

const PLATE_PROVINCES = ['京', '沪', '粤', '苏', '浙', '川', '鄂', '豫', '鲁', '湘'];
const plate = (): string => `${pick(PLATE_PROVINCES)}${pick(['A', 'B', 'C', 'D', 'E', 'F'])}${pick(['', '·'])}${pick(['', 'D'])}${digits(5)}`.slice(0, 9);
const email = (): string => `${pick(['zhang', 'li.ming', 'wangfang', 'chenjh', 'liu_yang', 'zhao88'])}${int(1, 999)}@${pick(['163.com', 'qq.com', 'sina.com', 'hospital.org.cn', 'gmail.com'])}`;
const passport = (): string => pick([`E${digits(8)}`, `E${pick(['A', 'B', 'C'])}${digits(7)}`, `G${digits(8)}`]);
const insurance = (): string => pick([digits(10), `${pick(REGIONS)}${digits(12)}`, `H${digits(9)}`]);

/** Everyday clinical text that must survive: names of signs, bugs and lab items that look like names. */
const CLINICAL = [
  '查体：T 36.8℃，P 88次/分，R 20次/分，BP 135/82mmHg，神志清，双肺呼吸音粗，未闻及干湿啰音。',
  '血常规：白细胞 12.6×10^9/L，中性粒细胞 82.3%，血红蛋白 105g/L，血小板 236×10^9/L。',
  '胸部CT示右侧张力性气胸，纵隔向左移位。',
  '血培养示李斯特菌生长，予氨苄西林抗感染治疗。',
  '王氏征阳性，黄疸较前消退，白蛋白 28.6g/L。',
  '高血压病史10年，口服硝苯地平控释片30mg qd，血压控制可。',
  '马尾神经未见明显受压，L4/5椎间盘突出。',
  '肝功能：ALT 56U/L，AST 48U/L，总胆红素 32.1μmol/L，甲胎蛋白 6.2ng/mL。',
  '诊断：1.社区获得性肺炎 2.2型糖尿病 3.冠状动脉粥样硬化性心脏病。',
  '术后予头孢呋辛预防感染，患者恢复良好，切口甲级愈合。',
  '既往于当地医院行阑尾切除术，否认输血史，否认药物过敏史。',
  '孕3产1，末次月经不详，月经规律。',
];

type Piece = string | [string, PhiType];
interface Row { id: string; template: string; text: string; spans: Array<{ start: number; end: number; type: PhiType; text: string }> }

function build(id: string, template: string, pieces: Piece[]): Row {
  let text = '';
  let cp = 0;
  const spans: Row['spans'] = [];
  for (const piece of pieces) {
    const value = typeof piece === 'string' ? piece : piece[0];
    const length = Array.from(value).length;
    if (typeof piece !== 'string') spans.push({ start: cp, end: cp + length, type: piece[1], text: value });
    text += value;
    cp += length;
  }
  return { id, template, text, spans };
}

const sep = (): string => pick(['：', ':', '：', ' ', '： ']);
const gap = (): string => pick(['  ', ' ', '\t', '    ']);
const sex = (): string => pick(['男', '女']);
const ageOf = (): [Piece, boolean] => { const a = rand() < 0.2 ? int(90, 104) : int(18, 89); return a > 89 ? [[`${a}岁`, 'age'], true] : [`${a}岁`, false]; };

type Template = () => Piece[];

const TUNE: Record<string, Template> = {
  admission: () => {
    const name = personName(); const [age] = ageOf(); const rel = personName();
    return ['入院记录\n姓名', sep(), [name, 'patient_name'], gap(), '性别', sep(), sex(), gap(), '年龄', sep(), age, gap(), '住院号', sep(), [recordNumber('住院号'), 'record_number'], '\n',
      '出生日期', sep(), [birthDate(), 'date'], gap(), '身份证号', sep(), [idNumber(), 'id_card'], '\n',
      '现住址', sep(), [address(), 'address'], '\n联系人', sep(), [rel, 'relative_name'], gap(), '联系电话', sep(), [phone(), 'phone'], '\n',
      '入院日期', sep(), [date(), 'date'], '\n主诉：反复咳嗽咳痰5年，加重伴气促3天。\n现病史：患者', [name, 'patient_name'], '于5年前无明显诱因出现咳嗽，', pick(CLINICAL), pick(CLINICAL), '\n',
      '记录医师', sep(), [personName(), 'staff_name']];
  },
  labsheet: () => {
    const name = personName(); const [age] = ageOf();
    return [[hospital(), 'hospital'], '检验报告单\n姓名', sep(), [name, 'patient_name'], gap(), '性别', sep(), sex(), gap(), '年龄', sep(), age, gap(), '科室：呼吸内科', gap(), '床号', sep(), [recordNumber('床号'), 'record_number'], '\n',
      '病历号', sep(), [recordNumber('住院号'), 'record_number'], gap(), '标本号', sep(), [recordNumber('标本号'), 'record_number'], gap(), '标本类型：静脉血\n',
      '项目 结果 参考范围\n白细胞计数 11.2 3.5-9.5 ×10^9/L ↑\n红细胞计数 4.12 4.3-5.8 ×10^12/L ↓\n血红蛋白 128 130-175 g/L ↓\n',
      '送检医生', sep(), [personName(), 'staff_name'], gap(), '检验者', sep(), [personName(), 'staff_name'], gap(), '审核者', sep(), [personName(), 'staff_name'], '\n',
      '采样时间', sep(), [date(), 'date'], gap(), '报告时间', sep(), [date(), 'date']];
  },
  pathology: () => {
    const name = personName();
    return [[hospital(), 'hospital'], '病理诊断报告\n病理号', sep(), [recordNumber('病理号'), 'record_number'], '\n姓名', sep(), [name, 'patient_name'], gap(), '性别', sep(), sex(), gap(), '年龄：56岁', gap(), '住院号', sep(), [recordNumber('住院号'), 'record_number'], '\n',
      '送检日期', sep(), [date(), 'date'], gap(), '送检医生', sep(), [personName(), 'staff_name'], '\n',
      '肉眼所见：（胃窦）灰白色组织一块，大小2.5×2.0×1.0cm。\n镜下所见：腺体排列紊乱，细胞异型明显。\n病理诊断：（胃窦）中分化腺癌，侵及肌层。\n免疫组化：CK(+)，Ki-67（约60%+），HER2（1+）。\n',
      '诊断医师', sep(), [personName(), 'staff_name'], gap(), '复核医师', sep(), [personName(), 'staff_name'], gap(), '报告日期', sep(), [date(), 'date']];
  },
  discharge: () => {
    const name = personName(); const doc = personName();
    return ['出院小结\n患者', [name, 'patient_name'], '，', sex(), '，', ...(() => { const [a] = ageOf(); return [a]; })(), '，因“发热伴咳嗽1周”于', [date(), 'date'], '入我院呼吸科。', pick(CLINICAL), '入院后予抗感染治疗，',
      pick(CLINICAL), '于', [shortDate(), 'date'], '好转出院。\n出院医嘱：1.注意休息 2.门诊随诊，如有不适可拨打', [phone(), 'phone'], '咨询。\n',
      '主治医师：', [doc, 'staff_name'], '  住院医师：', [personName(), 'staff_name'], '\n', '住院号：', [recordNumber('住院号'), 'record_number']];
  },
  imaging: () => {
    const name = personName();
    return [[hospital(), 'hospital'], ' CT检查报告\n姓名', sep(), [name, 'patient_name'], gap(), '性别', sep(), sex(), gap(), '影像号', sep(), [recordNumber('影像号'), 'record_number'], gap(), '检查号', sep(), [recordNumber('检查号'), 'record_number'], '\n',
      '检查日期', sep(), [date(), 'date'], '\n检查所见：右肺上叶见一结节影，大小约1.2×1.0cm，边缘毛刺，增强扫描不均匀强化。纵隔未见肿大淋巴结。\n诊断意见：右肺上叶结节，考虑肺癌可能。\n',
      '报告医师', sep(), [personName(), 'staff_name'], gap(), '审核医师', sep(), [personName(), 'staff_name']];
  },
  outpatient: () => {
    const name = personName();
    return ['门诊病历\n', [name, 'patient_name'], '，', sex(), '，', `${int(20, 80)}岁`, '\n门诊号', sep(), [recordNumber('门诊号'), 'record_number'], gap(), '就诊日期', sep(), [date(), 'date'], '\n手机', sep(), [mobile(), 'phone'], gap(), '医保卡号', sep(), [insurance(), 'insurance_number'], '\n',
      '主诉：头晕3天。', pick(CLINICAL), '\n处理：1.完善头颅CT 2.必要时神经内科就诊。\n医生签名：', [personName(), 'staff_name']];
  },
};

const HELD_OUT: Record<string, Template> = {
  operation: () => {
    const name = personName();
    return ['手术记录\n患者姓名', sep(), [name, 'patient_name'], gap(), '病案号', sep(), [recordNumber('病案号'), 'record_number'], gap(), '手术日期', sep(), [date(), 'date'], '\n',
      '术前诊断：胆囊结石伴慢性胆囊炎\n手术名称：腹腔镜胆囊切除术\n术者', sep(), [personName(), 'staff_name'], '  助手', sep(), [personName(), 'staff_name'], '、', [personName(), 'staff_name'], '\n',
      '麻醉方式：全麻  麻醉医师', sep(), [personName(), 'staff_name'], '  器械护士', sep(), [personName(), 'staff_name'], '\n',
      '手术经过：患者仰卧位，全麻成功后常规消毒铺巾，建立气腹，见胆囊大小约8×4cm，壁厚，与周围粘连。', pick(CLINICAL), '\n记录者：', [personName(), 'staff_name']];
  },
  consent: () => {
    const name = personName(); const rel = personName();
    return ['知情同意书\n患者', [name, 'patient_name'], '，', sex(), '，', `${int(30, 88)}岁`, '，身份证号码', sep(), [idNumber(), 'id_card'], '。\n',
      '拟行手术：经皮冠状动脉介入治疗。', pick(CLINICAL), '\n患者家属', sep(), [rel, 'relative_name'], '（与患者关系：', pick(['儿子', '女儿', '配偶']), '）  联系方式', sep(), [phone(), 'phone'], '\n',
      '家属住址', sep(), [address(), 'address'], '\n其', pick(['子', '女']), [rel, 'relative_name'], '已知晓上述风险并签字同意。\n谈话医师：', [personName(), 'staff_name'], '  日期：', [date(), 'date']];
  },
  referral: () => {
    const name = personName(); const h1 = hospital(); const h2 = hospital();
    return ['转诊单\n', [name, 'patient_name'], '，', sex(), '，', ...(() => { const [a] = ageOf(); return [a]; })(), '，家住', [address(), 'address'], '。因“右上腹痛2天”于', [date(), 'date'], '在', [h1, 'hospital'], '就诊，',
      pick(CLINICAL), '现转至', [h2, 'hospital'], '进一步治疗。\n转诊医生：', [personName(), 'staff_name'], '  电话：', [landline(), 'phone'], '\n电子邮箱：', [email(), 'email']];
  },
  english: () => {
    const name = personName();
    return [[hospital(), 'hospital'], '\nName: ', [name, 'patient_name'], '  Sex: ', pick(['M', 'F']), '  Age: ', `${int(20, 88)}Y`, '\nPatient ID: ', [recordNumber('ID'), 'record_number'], '  Tel: ', [mobile(), 'phone'], '\n',
      '条码号 ', [recordNumber('条码号'), 'record_number'], '  ID号：', [recordNumber('ID'), 'record_number'], '\n',
      'Test Result Unit\nTSH 2.35 mIU/L\nFT4 15.6 pmol/L\n', '检验者 ', [personName(), 'staff_name'], '  审核者 ', [personName(), 'staff_name'], '  Reported: ', [date(), 'date']];
  },
  ultrasound: () => {
    const name = personName();
    return ['超声检查报告单\n', '姓 名：', [name, 'patient_name'], '   性 别：', sex(), '   年 龄：', `${int(18, 85)}岁`, '   超声号：', [recordNumber('检查号'), 'record_number'], '\n',
      '申请科室：心内科  床号：', [recordNumber('床号'), 'record_number'], '  检查日期：', [date(), 'date'], '\n',
      '超声所见：左室舒张末内径52mm，室间隔厚度11mm，左室射血分数58%，二尖瓣少量反流。\n超声提示：左室壁稍厚，二尖瓣轻度反流。\n',
      '报告医师 ', [personName(), 'staff_name'], '  审核医师 ', [personName(), 'staff_name']];
  },
  claim: () => {
    const name = personName();
    return ['医疗保险理赔申请表\n被保险人：', [name, 'patient_name'], '  证件号码：', [idNumber(), 'id_card'], '\n护照号：', [passport(), 'passport'], '  社保卡号：', [insurance(), 'insurance_number'], '\n',
      '事故经过：', [date(), 'date'], '驾驶', [plate(), 'license_plate'], '号车辆发生交通事故，', [name, 'patient_name'], '被送至', [hospital(), 'hospital'], '急诊，诊断为右股骨干骨折。\n',
      '联系电话：', [phone(), 'phone'], '  通讯地址：', [address(), 'address'], '\n电子邮件：', [email(), 'email'], '\n', pick(CLINICAL)];
  },
};


/** Written after the rules were frozen and evaluated once, never tuned on (see docs/ACCURACY.md). */
const FINAL: Record<string, Template> = {
  nursing: () => {
    const name = personName(); const rel = personName();
    return ['护理记录单\n', '病区：心内科二病区  ', [recordNumber('床号'), 'record_number'], '床  姓名：', [name, 'patient_name'], '  住院号：', [recordNumber('住院号'), 'record_number'], '\n',
      [date(), 'date'], '  患者诉胸闷较前好转，', pick(CLINICAL), '遵医嘱予硝酸甘油静滴。家属', [rel, 'relative_name'], '陪护，已告知注意事项。\n责任护士：', [personName(), 'staff_name'], '\n',
      [shortDate(), 'date'], ' 22:00 患者夜间睡眠可，生命体征平稳。护士签名：', [personName(), 'staff_name']];
  },
  emergency: () => {
    const name = personName(); const [age] = ageOf();
    return ['急诊病历\n', '患者：', [name, 'patient_name'], '，', sex(), '，', age, '  就诊时间：', [date(), 'date'], '\n', '身份证：', [idNumber(), 'id_card'], '  电话：', [phone(), 'phone'], '\n',
      '主诉：车祸致头部外伤2小时。患者于2小时前驾驶', [plate(), 'license_plate'], '时与货车相撞，由120送入我院。', pick(CLINICAL), '\n',
      '陪同人：', [personName(), 'relative_name'], '（', pick(['妻子', '丈夫', '儿子', '朋友']), '）\n接诊医师：', [personName(), 'staff_name']];
  },
  prescription: () => {
    const name = personName();
    return [[hospital(), 'hospital'], '处方笺\n', '费别：', pick(['医保', '自费', '新农合']), '  医保号：', [insurance(), 'insurance_number'], '  门诊号：', [recordNumber('门诊号'), 'record_number'], '\n',
      '姓名 ', [name, 'patient_name'], '  性别 ', sex(), '  年龄 ', `${int(2, 88)}岁`, '  科别 内分泌科\n临床诊断：2型糖尿病\nRp:\n二甲双胍缓释片 0.5g×30片 用法：0.5g bid po\n',
      '医师：', [personName(), 'staff_name'], '  审核：', [personName(), 'staff_name'], '  调配：', [personName(), 'staff_name'], '  核对/发药：', [personName(), 'staff_name'], '\n', '日期：', [date(), 'date']];
  },
  newborn: () => {
    const mother = personName();
    return ['新生儿记录\n母亲姓名：', [mother, 'relative_name'], '  母亲住院号：', [recordNumber('住院号'), 'record_number'], '\n', '新生儿：', [mother, 'relative_name'], '之子', '  出生时间：', [date(), 'date'], '\n',
      '出生体重3250g，Apgar评分1分钟9分，5分钟10分。', pick(CLINICAL), '\n父亲：', [personName(), 'relative_name'], '  联系电话：', [phone(), 'phone'], '\n家庭住址：', [address(), 'address'], '\n接生者：', [personName(), 'staff_name']];
  },
  transfer: () => {
    const name = personName();
    return ['转科记录\n', [name, 'patient_name'], '，', sex(), '，', `${int(40, 85)}岁`, '，病案号', [recordNumber('病案号'), 'record_number'], '。因“胸痛6小时”于', [date(), 'date'], '急诊入院，曾于', [hospital(), 'hospital'], '行冠脉造影。',
      pick(CLINICAL), pick(CLINICAL), '经', [personName(), 'staff_name'], '主任医师会诊后同意转入心内科。\n', '转出医师：', [personName(), 'staff_name'], '  转入医师：', [personName(), 'staff_name'], '\n患者本人电话', [mobile(), 'phone'], '，邮箱', [email(), 'email']];
  },
  followup: () => {
    const name = personName();
    return ['随访记录\n随访对象：', [name, 'patient_name'], '（ID：', [recordNumber('ID'), 'record_number'], '）\n', '随访日期：', [date(), 'date'], '  随访方式：电话（', [phone(), 'phone'], '）\n',
      '患者术后恢复可，', pick(CLINICAL), '嘱其', [shortDate(), 'date'], '返院复查。出生日期：', [birthDate(), 'date'], '，现年', ...(() => { const a = int(90, 101); return [[`${a}岁`, 'age'] as Piece]; })(), '，居住于', [address(), 'address'], '。\n随访人：', [personName(), 'staff_name']];
  },
};

/**
 * Layouts of the second final group, written before any detection change prompted by it: request
 * forms with barcodes, check-up covers, insurance settlements, birth certificates, case front pages,
 * fee lists, handover lists, pinyin names, phones with spaces or 转 and addresses down to 室/组.
 */
const PINYIN_SURNAMES = ['ZHANG', 'WANG', 'LI', 'LIU', 'CHEN', 'YANG', 'HUANG', 'ZHAO', 'ZHOU', 'WU', 'XU', 'SUN', 'OUYANG'];
const PINYIN_GIVEN = ['Wei', 'Fang', 'Xiuying', 'Jianhua', 'Min', 'Jing', 'Lei', 'Haiyan', 'Zhiqiang', 'Yufei', 'Tao', 'Lina'];
function pinyinName(): string {
  const family = pick(PINYIN_SURNAMES); const given = pick(PINYIN_GIVEN);
  const title = family[0] + family.slice(1).toLowerCase();
  return pick([`${family} ${given}`, `${title} ${given}`, `${given} ${title}`, `${family} ${given.toUpperCase()}`]);
}
/** A surname with 某/某某, as records already half-anonymized write it. */
const halfName = (): string => `${pick(SURNAMES)}${pick(['某', '某某', '某某'])}`;

function spacedPhone(): string {
  const n = `1${pick(['3', '5', '8', '9'])}${digits(9)}`;
  const area = pick(['010', '021', '0571', '028', '0731', '029']);
  const local = `${int(2, 8)}${digits(area.length === 3 ? 7 : 6)}`;
  const half = local.length === 8 ? `${local.slice(0, 4)} ${local.slice(4)}` : `${local.slice(0, 3)} ${local.slice(3)}`;
  return pick([`${n.slice(0, 3)} ${n.slice(3, 7)} ${n.slice(7)}`, `${n.slice(0, 3)}-${n.slice(3, 7)}-${n.slice(7)}`, n, `${area}-${half}`, `${area}-${local} 转 ${int(100, 8999)}`, `${area}-${local}转${int(100, 999)}`, `${area} ${half}`, `（${area}）${local}-${int(100, 999)}`]);
}

const ESTATES = ['幸福小区', '阳光花园', '金桥新村', '翠湖家园', '锦绣华庭', '教工宿舍'];
function detailedAddress(): string {
  const [prov, city, dists] = pick(PROVINCES);
  const r = rand();
  if (r < 0.3) return `${pick(['河南省', '四川省', '湖南省', '安徽省'])}${pick(['信阳市', '南充市', '邵阳市', '阜阳市'])}${pick(['固始县', '营山县', '隆回县', '临泉县'])}${pick(['陈集镇', '双河乡', '桃花坪镇', '杨桥镇'])}${pick(['大王村', '石桥村', '柳树湾村', '高庄村'])}${int(1, 15)}组`;
  if (r < 0.6) return `${city || prov}${pick(dists)}${pick(ROADS)}${int(1, 400)}号${pick(ESTATES)}${int(1, 30)}栋${int(1, 4)}单元${int(101, 2802)}室`;
  return `${prov}${city}${pick(dists)}${pick(['东湖街道', '城南街道', '新华街道'])}${pick(ROADS)}${int(1, 200)}号${int(101, 1506)}室`;
}
const workUnit = (): string => pick(['华信科技有限公司', '市第三中学', '中铁建设集团', '个体', '无', '城关镇政府', '顺丰速运']);

const FINAL2: Record<string, Template> = {
  labRequest: () => {
    const name = personName(); const barcode = recordNumber('条码号');
    return [[hospital(), 'hospital'], '\n检验申请单\n条码号：', [barcode, 'record_number'], '    *', [barcode, 'record_number'], '*\n',
      '就诊卡号：', [digits(pick([10, 12])), 'record_number'], '  姓名：', [name, 'patient_name'], '  性别：', sex(), '  年龄：', `${int(1, 88)}岁`, '\n',
      '申请科室：消化内科门诊  申请医生：', [personName(), 'staff_name'], '  临床诊断：慢性胃炎\n检验项目：肝功能、肾功能、血脂四项\n标本种类：血清  标本号：', [recordNumber('标本号'), 'record_number'], '\n',
      '采集时间：', [date(), 'date'], '  采集人：', [personName(), 'staff_name'], '\n接收时间：', [date(), 'date'], '  接收人：', [personName(), 'staff_name']];
  },
  checkupCover: () => {
    const name = personName();
    return ['健康体检报告\n\n体检编号：', [`TJ${int(2019, 2024)}${digits(6)}`, 'record_number'], '\n姓    名：', [name, 'patient_name'], '\n性    别：', sex(), '\n年    龄：', `${int(22, 70)}岁`, '\n',
      '单    位：', workUnit(), '\n手    机：', [mobile(), 'phone'], '\n体检日期：', [date(), 'date'], '\n体检机构：', [hospital(), 'hospital'], '健康管理中心\n\n',
      '尊敬的', [name, 'patient_name'], pick(['先生', '女士']), '：感谢您选择我中心进行健康体检，本报告仅供临床参考。\n总检医师：', [personName(), 'staff_name']];
  },
  insuranceSettlement: () => {
    const name = personName();
    return ['基本医疗保险住院费用结算单\n结算编号：', [`JS${digits(14)}`, 'record_number'], '\n参保人姓名：', [name, 'patient_name'], '  社会保障号码：', [idNumber(), 'id_card'], '  医保卡号：', [insurance(), 'insurance_number'], '\n',
      '人员类别：在职职工  参保地：', pick(['杭州市本级', '成都市', '长沙市']), '  定点医疗机构：', [hospital(), 'hospital'], '\n住院号：', [recordNumber('住院号'), 'record_number'], '  入院日期：', [date(), 'date'], '  出院日期：', [date(), 'date'], '\n',
      '医疗费总额：12563.40元  统筹基金支付：8920.11元  个人自付：3643.29元\n经办人：', [personName(), 'staff_name'], '  结算日期：', [date(), 'date']];
  },
  birthCertificate: () => {
    const mother = personName(); const father = personName();
    return ['出生医学证明\n编号：', [`${pick(['O', 'P', 'Q'])}${digits(9)}`, 'record_number'], '\n新生儿姓名：', [personName(), 'patient_name'], '  性别：', sex(), '\n出生时间：', [`${int(2015, 2024)}年${int(1, 12)}月${int(1, 28)}日${int(0, 23)}时${int(0, 59)}分`, 'date'], '\n',
      '出生孕周：39周  体重：3300克  身长：50厘米\n母亲姓名：', [mother, 'relative_name'], '  年龄：', `${int(20, 42)}`, '  国籍：中国  民族：汉族\n有效身份证件号码：', [idNumber(), 'id_card'], '\n',
      '父亲姓名：', [father, 'relative_name'], '  年龄：', `${int(22, 48)}`, '  有效身份证件号码：', [idNumber(), 'id_card'], '\n接生机构名称：', [hospital(), 'hospital'], '\n签发日期：', [date(), 'date']];
  },
  twoWayReferral: () => {
    const name = personName();
    return ['双向转诊（转出）单\n', '患者姓名：', [name, 'patient_name'], '  性别：', sex(), '  年龄：', `${int(30, 85)}岁`, '\n家庭住址：', [detailedAddress(), 'address'], '\n',
      '联系人：', [personName(), 'relative_name'], '  关系：', pick(['女儿', '儿子', '配偶', '侄子']), '  联系人电话：', [spacedPhone(), 'phone'], '\n',
      '因病情需要，需转入', [hospital(), 'hospital'], '神经内科诊治。\n初步诊断：脑梗死\n', pick(CLINICAL), '\n转诊医生（签字）：', [personName(), 'staff_name'], '\n', [hospital(), 'hospital'], '  ', [date(), 'date']];
  },
  caseFrontPage: () => {
    const name = personName();
    return ['住院病案首页\n医疗机构：', [hospital(), 'hospital'], '  健康卡号：', [digits(18), 'record_number'], '  第', `${int(1, 4)}`, '次住院  病案号：', [recordNumber('病案号'), 'record_number'], '\n',
      '姓名：', [name, 'patient_name'], '  性别：', sex(), '  出生日期：', [birthDate(), 'date'], '  年龄：', `${int(20, 88)}`, '  国籍：中国\n',
      '身份证号：', [idNumber(), 'id_card'], '  职业：', pick(['农民', '职员', '退休', '教师']), '  婚姻：已婚\n现住址：', [detailedAddress(), 'address'], '  电话：', [spacedPhone(), 'phone'], '  邮编：', `${int(100000, 850000)}`, '\n',
      '户口地址：', [detailedAddress(), 'address'], '\n工作单位及地址：', workUnit(), '  单位电话：', [landline(), 'phone'], '\n',
      '联系人姓名：', [personName(), 'relative_name'], '  关系：', pick(['子', '女', '夫', '妻']), '  地址：', [detailedAddress(), 'address'], '  电话：', [mobile(), 'phone']];
  },
  emrHeader: () => {
    const name = personName();
    return [[hospital(), 'hospital'], '门诊电子病历\n就诊卡号：', [digits(pick([8, 10, 12])), 'record_number'], '    门诊号：', [recordNumber('门诊号'), 'record_number'], '\n',
      '姓名：', [name, 'patient_name'], '    性别：', sex(), '    年龄：', `${int(1, 88)}岁`, '    科室：皮肤科\n就诊时间：', [date(), 'date'], '\n',
      '主诉：全身散在红斑伴瘙痒1周。\n过敏史：否认药物过敏史。\n', pick(CLINICAL), '\n诊断：荨麻疹\n处理：氯雷他定片10mg qd。\n电子签名：', [personName(), 'staff_name']];
  },
  feeList: () => {
    const name = personName();
    return ['住院费用清单\n住院号：', [recordNumber('住院号'), 'record_number'], '  姓名：', [name, 'patient_name'], '  科室：骨科  床号：', [recordNumber('床号'), 'record_number'], '\n',
      '入院时间：', [date(), 'date'], '  出院时间：', [date(), 'date'], '\n', '项目名称  规格  数量  单价  金额\n头孢呋辛钠注射液  0.75g  12  18.50  222.00\n床位费  天  9  45.00  405.00\nCT平扫(胸部)  次  1  240.00  240.00\n合计：867.00元\n',
      '打印人：', [personName(), 'staff_name'], '  打印时间：', [date(), 'date']];
  },
  surgicalConsent: () => {
    const name = personName(); const agent = personName();
    return ['手术知情同意书\n患者姓名：', [name, 'patient_name'], '  住院号：', [recordNumber('住院号'), 'record_number'], '\n拟行手术：腹腔镜下右半结肠切除术\n', '手术风险：出血、感染、吻合口瘘等。\n',
      '患者签名：', [name, 'patient_name'], '  签名日期：', [date(), 'date'], '\n如患者不能签字，授权委托人签名：', [agent, 'relative_name'], '  与患者关系：', pick(['配偶', '长子', '女儿']), '\n',
      '委托人身份证号：', [idNumber(), 'id_card'], '  委托人电话：', [spacedPhone(), 'phone'], '\n经治医师签名：', [personName(), 'staff_name'], '  主刀医师签名：', [personName(), 'staff_name']];
  },
  pathologyRequest: () => {
    const name = personName();
    return ['病理检查申请单\n送检科室：普外科  送检医生：', [personName(), 'staff_name'], '  医生电话：', [mobile(), 'phone'], '\n',
      '姓名：', [name, 'patient_name'], '  住院号：', [recordNumber('住院号'), 'record_number'], '  床号：', [recordNumber('床号'), 'record_number'], '\n',
      '手术所见：甲状腺左叶见一结节，约1.5cm，质硬。\n送检标本：甲状腺左叶及峡部\n标本离体时间：', [date(), 'date'], '  固定时间：', [date(), 'date'], '\n既往病理号：', [recordNumber('病理号'), 'record_number']];
  },
  handover: () => {
    const rows: Piece[] = [];
    for (let i = 0; i < 3; i++) {
      rows.push([`${int(1, 48)}`, 'record_number'], '床  ', [personName(), 'patient_name'], '  ', pick(['肺部感染', '心力衰竭', '术后第1天', '糖尿病酮症']), '  ', pick(['生命体征平稳', '夜间睡眠差', '体温38.5℃，已予物理降温', '引流通畅']), '\n');
    }
    return ['护理交班报告\n', [date(), 'date'], '  病区：呼吸内科  原有：42  入院：3  出院：2\n床号  姓名  诊断  病情\n', ...rows,
      '交班护士：', [personName(), 'staff_name'], '  接班护士：', [personName(), 'staff_name']];
  },
  dischargeMeds: () => {
    const name = personName();
    return ['出院带药单\n姓名：', [name, 'patient_name'], '  住院号：', [recordNumber('住院号'), 'record_number'], '  出院日期：', [date(), 'date'], '\n出院诊断：冠心病  PCI术后\n',
      '阿司匹林肠溶片  100mg×30片  100mg qd\n氯吡格雷片  75mg×7片  75mg qd\n阿托伐他汀钙片  20mg×7片  20mg qn\n',
      '开单医师：', [personName(), 'staff_name'], '  药师：', [personName(), 'staff_name'], '  领药人：', [personName(), 'relative_name'], '（家属）'];
  },
  pinyinSummary: () => {
    const name = pinyinName();
    return [[hospital(), 'hospital'], '\nDISCHARGE SUMMARY\nPatient Name: ', [name, 'patient_name'], '    DOB: ', [birthDate(), 'date'], '    MRN: ', [digits(pick([7, 8])), 'record_number'], '\n',
      'Admission Date: ', [date(), 'date'], '    Ward: Cardiology\nDiagnosis: Acute myocardial infarction\nContact: ', [spacedPhone(), 'phone'], '\n',
      'Attending Physician: ', [`Dr. ${pinyinName()}`, 'staff_name'], '\n患者拼音姓名：', [name, 'patient_name']];
  },
  courseNarrative: () => {
    const name = personName(); const spouse = personName();
    return ['病程记录\n', [date(), 'date'], '  患者', [name, 'patient_name'], '今日诉腹胀，', pick(CLINICAL), '其', pick(['妻', '夫']), [spouse, 'relative_name'], '陪同，要求暂缓手术。\n',
      [date(), 'date'], '  经科室讨论，患者', [halfName(), 'patient_name'], '手术指征明确，其女', [halfName(), 'relative_name'], '表示理解并签字。家属联系电话', [spacedPhone(), 'phone'], '，现住', [detailedAddress(), 'address'], '。\n',
      '记录者：', [personName(), 'staff_name']];
  },
};

/** Written after the changes the final2 misses prompted and evaluated once without change (docs/ACCURACY.md). */
const CN_DIGITS = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
function chineseDate(): string {
  const y = String(int(2015, 2024)).split('').map((d) => CN_DIGITS[Number(d)]).join('');
  const small = (n: number): string => (n <= 10 ? ['', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十'][n]! : n < 20 ? `十${CN_DIGITS[n - 10]}` : `${CN_DIGITS[Math.floor(n / 10)]}十${n % 10 ? CN_DIGITS[n % 10] : ''}`);
  return `${y}年${small(int(1, 12))}月${small(int(1, 28))}日`;
}
const formDate = (): string => `${int(2015, 2024)}年 ${int(1, 12)} 月 ${int(1, 28)} 日`;
const lot = (): string => `${int(2022, 2024)}${pad2(int(1, 12))}${digits(3)}`;

const FINAL3: Record<string, Template> = {
  consultation: () => {
    const name = personName();
    return ['会诊申请单\n', '患者：', [name, 'patient_name'], '  ', sex(), '  ', `${int(30, 88)}岁`, '  住院号：', [recordNumber('住院号'), 'record_number'], '  ', [recordNumber('床号'), 'record_number'], '床\n',
      '邀请科室：心血管内科  会诊类型：普通\n病情摘要：', pick(CLINICAL), '请贵科协助诊治。\n申请医师：', [personName(), 'staff_name'], '  申请时间：', [date(), 'date'], '\n',
      '会诊意见：建议完善心脏彩超，加用美托洛尔缓释片23.75mg qd。\n会诊医师：', [personName(), 'staff_name'], '  会诊时间：', [date(), 'date']];
  },
  ecg: () => {
    const name = personName();
    return ['心电图报告\n心电图号：', [`ECG${digits(7)}`, 'record_number'], '\n姓名/性别/年龄：', [name, 'patient_name'], '/', sex(), '/', `${int(18, 88)}岁`, '  科别：门诊\n',
      'HR 78bpm  PR 156ms  QRS 92ms  QT/QTc 372/421ms\n诊断：窦性心律，ST-T改变\n检查者：', [personName(), 'staff_name'], '  诊断者：', [personName(), 'staff_name'], '  ', [date(), 'date']];
  },
  diagnosisCertificate: () => {
    const name = personName();
    return [[hospital(), 'hospital'], '\n诊断证明书\n兹证明', [name, 'patient_name'], '，', sex(), '，', `${int(20, 80)}岁`, '，身份证号', [idNumber(), 'id_card'], '，于', [date(), 'date'], '至', [date(), 'date'], '在我院住院治疗。\n',
      '诊断：腰椎间盘突出症\n建议：休息两周，避免负重。\n医师（签字）：', [personName(), 'staff_name'], '\n', [chineseDate(), 'date']];
  },
  deathCertificate: () => {
    const name = personName(); const kin = personName();
    return ['居民死亡医学证明（推断）书\n死者姓名：', [name, 'patient_name'], '  性别：', sex(), '  民族：汉族\n身份证件号码：', [idNumber(), 'id_card'], '\n常住户口地址：', [detailedAddress(), 'address'], '\n',
      '死亡日期：', [formDate(), 'date'], '  死亡地点：医疗卫生机构\n直接死亡原因：呼吸衰竭\n',
      '可联系的家属姓名：', [kin, 'relative_name'], '  与死者关系：', pick(['子', '女', '配偶']), '  联系电话：', [phone(), 'phone'], '\n医师签名：', [personName(), 'staff_name'], '  填报日期：', [formDate(), 'date']];
  },
  vaccination: () => {
    const child = personName();
    return ['预防接种记录\n儿童姓名：', [child, 'patient_name'], '  出生日期：', [birthDate(), 'date'], '\n监护人姓名：', [personName(), 'relative_name'], '  联系电话：', [mobile(), 'phone'], '\n',
      '疫苗名称：百白破疫苗  剂次：第2剂  疫苗批号：', lot(), '  生产企业：武汉生物\n接种单位：', [hospital(), 'hospital'], '预防接种门诊  接种日期：', [date(), 'date'], '\n接种医生：', [personName(), 'staff_name']];
  },
  transfusion: () => {
    const name = personName();
    return ['临床输血申请单\n受血者姓名：', [name, 'patient_name'], '  血型：', pick(['A', 'B', 'O', 'AB']), '型 Rh(D)阳性  住院号：', [recordNumber('住院号'), 'record_number'], '\n',
      '输血目的：纠正贫血  预定输血成分：悬浮红细胞 2U\n输血前检查：Hb 62g/L，HBsAg(-)，抗-HCV(-)，抗-HIV(-)\n',
      '申请医师：', [personName(), 'staff_name'], '  上级医师审核：', [personName(), 'staff_name'], '\n取血者：', [personName(), 'staff_name'], '  发血者：', [personName(), 'staff_name'], '  发血时间：', [date(), 'date']];
  },
  adrReport: () => {
    const name = personName();
    return ['药品不良反应/事件报告表\n患者姓名：', [name, 'patient_name'], '  性别：', sex(), '  出生日期：', [birthDate(), 'date'], '  体重：62kg\n联系方式：', [phone(), 'phone'], '\n',
      '怀疑药品：注射用头孢曲松钠  批号：', lot(), '  用法用量：2g ivgtt qd\n不良反应过程描述：用药后30分钟出现全身皮疹伴瘙痒，停药后好转。\n',
      '报告人：', [personName(), 'staff_name'], '  职业：药师  电子邮箱：', [email(), 'email'], '  报告日期：', [date(), 'date']];
  },
  registrationSlip: () => {
    const name = personName();
    return [[hospital(), 'hospital'], '\n门诊挂号凭条\n票据号：', [digits(10), 'record_number'], '\n姓名：', [name, 'patient_name'], '  就诊序号：', `${int(1, 80)}`, '\n科室：消化内科  医生：', [personName(), 'staff_name'], '（主任医师）\n',
      '挂号费：', `${int(10, 50)}.00元`, '  医保统筹：0.00\n收费员：', [`${int(1000, 9999)}`, 'record_number'], '  时间：', [date(), 'date'], '\n请凭此单到二楼候诊'];
  },
  infectiousReport: () => {
    const child = personName();
    return ['中华人民共和国传染病报告卡\n卡片编号：', [digits(12), 'record_number'], '\n患者姓名：', [child, 'patient_name'], '  （患儿家长姓名：', [personName(), 'relative_name'], '）\n',
      '身份证号：', [idNumber(), 'id_card'], '  工作单位（学校）：', workUnit(), '  联系电话：', [spacedPhone(), 'phone'], '\n现住址（详填）：', [detailedAddress(), 'address'], '\n',
      '发病日期：', [date(), 'date'], '  诊断日期：', [date(), 'date'], '\n疾病名称：手足口病\n报告单位：', [hospital(), 'hospital'], '  报告医生：', [personName(), 'staff_name'], '  填卡日期：', [date(), 'date']];
  },
  admissionNotice: () => {
    const name = personName();
    return ['住院证\n', [name, 'patient_name'], '  ', sex(), '  ', `${int(18, 88)}岁`, '  门诊号 ', [recordNumber('门诊号'), 'record_number'], '\n收住科室：普外科  门诊诊断：急性阑尾炎\n预交金：3000元\n',
      '患者本人电话：', [mobile(), 'phone'], '  紧急联系人：', [personName(), 'relative_name'], '（', pick(['父亲', '母亲', '配偶', '哥哥']), '）', [mobile(), 'phone'], '\n开证医师：', [personName(), 'staff_name'], '  ', [date(), 'date']];
  },
  foreignPatient: () => {
    const name = pick(['Smith John', 'Maria Garcia', 'KIM Minjun', 'Tanaka Yuki', 'Ivanova Olga']);
    return [[hospital(), 'hospital'], '国际医疗部\n外籍患者登记表\n姓名（英文）：', [name, 'patient_name'], '  国籍：', pick(['美国', '韩国', '日本', '俄罗斯']), '\nPassport No.: ', [passport(), 'passport'], '  出生日期：', [birthDate(), 'date'], '\n',
      '在华住址：', [address(), 'address'], '  电话：', [phone(), 'phone'], '\n紧急联系人：', [pinyinName(), 'relative_name'], '  Tel: ', [mobile(), 'phone'], '\n接待人员：', [personName(), 'staff_name']];
  },
  rounds: () => {
    const name = personName(); const senior = personName();
    return ['查房记录\n', [date(), 'date'], '  今日', [senior, 'staff_name'], '主任医师查房：患者', [name, 'patient_name'], '一般情况可，', pick(CLINICAL), '\n', [senior, 'staff_name'], '主任指示：继续目前治疗，复查血常规。患者儿子', [personName(), 'relative_name'], '及儿媳在场，已沟通病情。\n',
      '记录：', [personName(), 'staff_name'], '/', [personName(), 'staff_name']];
  },
};

/** Written after the final3 changes and evaluated once without change: the current estimate for unseen layouts. */
const FINAL4: Record<string, Template> = {
  appointment: () => {
    const name = personName();
    return [[hospital(), 'hospital'], '\n检查预约单\n预约号：', [`YY${digits(8)}`, 'record_number'], '\n患者：', [name, 'patient_name'], '（', sex(), '，', `${int(18, 80)}岁`, '）  就诊卡：', [digits(10), 'record_number'], '\n',
      '检查项目：上腹部增强CT  预约时间：', [date(), 'date'], '\n注意事项：检查前禁食4小时，请携带就诊卡及既往片子。\n短信通知已发送至', [mobile(), 'phone'], '。'];
  },
  chronicCard: () => {
    const name = personName();
    return ['门诊慢特病待遇认定申请表\n参保人：', [name, 'patient_name'], '  个人编号：', [`${digits(10)}`, 'insurance_number'], '\n公民身份号码：', [idNumber(), 'id_card'], '\n',
      '联系地址：', [detailedAddress(), 'address'], '  联系电话：', [phone(), 'phone'], '\n申请病种：高血压（Ⅲ级）  定点医院：', [hospital(), 'hospital'], '\n申请医师：', [personName(), 'staff_name'], '  科主任：', [personName(), 'staff_name'], '  日期：', [date(), 'date']];
  },
  dischargeParagraph: () => {
    const name = personName();
    return ['出院记录\n患者', [name, 'patient_name'], '（住院号：', [recordNumber('住院号'), 'record_number'], '）因“反复胸闷气促2年”于', [date(), 'date'], '入住我科，', pick(CLINICAL), '经治疗好转，于', [date(), 'date'], '出院。\n',
      '出院后如有不适请及时就诊，科室电话：', [landline(), 'phone'], '。\n医师：', [personName(), 'staff_name'], '（', pick(['主治医师', '住院医师']), '）'];
  },
  ePrescription: () => {
    const name = personName();
    return ['电子处方\n处方编号：', [`CF${digits(12)}`, 'record_number'], '\n患者：', [name, 'patient_name'], ' ', sex(), ' ', `${int(18, 88)}岁`, '  费别：医保\n诊断：急性上呼吸道感染\n',
      '1. 连花清瘟胶囊 0.35g×24粒 4粒 tid po\n2. 布洛芬缓释胶囊 0.3g×20粒 0.3g prn po\n',
      '开方医师：（电子签名）', [personName(), 'staff_name'], '  药师审核：', [personName(), 'staff_name'], '  开方时间：', [date(), 'date']];
  },
  gridReport: () => {
    const name = personName();
    return ['| 姓名 | ', [name, 'patient_name'], ' | 性别 | ', sex(), ' | 年龄 | ', `${int(18, 88)}岁`, ' |\n| 住院号 | ', [recordNumber('住院号'), 'record_number'], ' | 床号 | ', [recordNumber('床号'), 'record_number'], ' | 科室 | 肾内科 |\n',
      '| 项目 | 结果 | 单位 | 参考范围 |\n| 肌酐 | 186 | μmol/L | 57-111 |\n| 尿素 | 12.3 | mmol/L | 3.1-8.0 |\n',
      '| 检验者 | ', [personName(), 'staff_name'], ' | 审核者 | ', [personName(), 'staff_name'], ' | 报告时间 | ', [date(), 'date'], ' |'];
  },
  nursingAssessment: () => {
    const name = personName();
    return ['入院护理评估单\n姓名：', [name, 'patient_name'], '  床号：', [recordNumber('床号'), 'record_number'], '  入院方式：步行\n陪护人及电话：', [personName(), 'relative_name'], ' ', [mobile(), 'phone'], '\n',
      '文化程度：初中  宗教信仰：无  费用类别：新农合\n跌倒风险评分：35分（中风险）\n评估护士：', [personName(), 'staff_name'], '  评估时间：', [date(), 'date']];
  },
  forensicEntrust: () => {
    const subject = personName();
    return ['司法鉴定委托书\n委托人：', [personName(), 'relative_name'], '  与被鉴定人关系：', pick(['父亲', '配偶', '儿子']), '\n被鉴定人：', [subject, 'patient_name'], '  性别：', sex(), '  身份证号：', [idNumber(), 'id_card'], '\n',
      '住址：', [address(), 'address'], '\n鉴定事项：伤残等级评定\n鉴定人：', [personName(), 'staff_name'], '、', [personName(), 'staff_name'], '\n受理日期：', [date(), 'date']];
  },
  ocrPathology: () => {
    const name = personName();
    return [[hospital(), 'hospital'], '\n病 理 诊 断 报 告 书\n姓 名 : ', [name, 'patient_name'], '   性 别 : ', sex(), '   年 龄 : ', `${int(20, 85)}`, '\n病 理 号 : ', [recordNumber('病理号'), 'record_number'], '   住 院 号 : ', [recordNumber('住院号'), 'record_number'], '\n',
      '病理诊断：（乳腺）浸润性导管癌，Ⅱ级。\n诊 断 医 师 : ', [personName(), 'staff_name'], '   报 告 日 期 : ', [date(), 'date']];
  },
  transferHospital: () => {
    const name = personName();
    return ['转院记录\n', [name, 'patient_name'], '，', sex(), '，', `${int(20, 85)}岁`, '，现转往', [hospital(), 'hospital'], '。\n家属（签名）：', [personName(), 'relative_name'], '\n联系电话（手机）：', [mobile(), 'phone'], '\n',
      '转出医师（签名）：', [personName(), 'staff_name'], '  科主任（签名）：', [personName(), 'staff_name'], '\n', [date(), 'date']];
  },
  operationSchedule: () => {
    const rows: Piece[] = [];
    for (let i = 1; i <= 3; i++) {
      rows.push(`${int(1, 12)}\t${i}\t`, [`${int(1, 50)}`, 'record_number'], '\t', [personName(), 'patient_name'], '\t', [recordNumber('住院号'), 'record_number'], '\t', pick(['腹腔镜胆囊切除术', '甲状腺次全切除术', '经尿道前列腺电切术']), '\t', [personName(), 'staff_name'], '\t', pick(['全麻', '腰麻', '局麻']), '\n');
    }
    return ['手术安排表  ', [date(), 'date'], '\n手术间\t台次\t床号\t姓名\t住院号\t手术名称\t主刀\t麻醉\n', ...rows];
  },
};

/**
 * Layouts of the fifth final group, written blind (before reading the detector) and evaluated once:
 * photographed pages after OCR, online consultations, unlabelled names in narrative, rosters, claims
 * with bank cards, full-width digits and IDs ending in a lowercase x.
 */
const FULL_WIDTH_DIGITS = '０１２３４５６７８９';
const fullWidth = (value: string): string => value.replace(/[0-9]/g, (d) => FULL_WIDTH_DIGITS[Number(d)]!).replace(/-/g, '－');
/** A Han name, so that its surname alone can stand before 医生/主任/教授. */
const hanName = (): string => (rand() < 0.1 ? pick(COMPOUND) : pick(SURNAMES)) + pick(GIVEN);
const surnameOf = (name: string): string => (COMPOUND.some((c) => name.startsWith(c)) ? name.slice(0, 2) : name.slice(0, 1));
/** What OCR of a photo leaves inside a name or number: one stray space. */
function straySpace(value: string): string {
  const chars = Array.from(value);
  const at = int(1, chars.length - 1);
  return [...chars.slice(0, at), ' ', ...chars.slice(at)].join('');
}
const maybeStraySpace = (value: string): string => (rand() < 0.5 ? straySpace(value) : value);
/** An address wrapped by a photographed page: two lines, each masked on its own. */
function wrappedAddress(): [string, string] {
  const chars = Array.from(detailedAddress());
  const cut = int(Math.floor(chars.length * 0.4), Math.floor(chars.length * 0.7));
  return [chars.slice(0, cut).join(''), chars.slice(cut).join('')];
}
function idFirst17(): string {
  return `${pick(REGIONS)}${int(1930, 2010)}${pad2(int(1, 12))}${pad2(int(1, 28))}${digits(3)}`;
}
/** An 18-digit ID whose check character is X, written in lowercase as many forms do. */
function idLowerX(): string {
  let first17 = idFirst17();
  while (idCheckChar(first17) !== 'X') first17 = idFirst17();
  return `${first17}x`;
}
const anyId = (): string => (rand() < 0.4 ? idLowerX() : idNumber());
const mobileDigits = (): string => `1${pick(['3', '5', '7', '8', '9'])}${digits(9)}`;
/** A phone as typed on a phone keyboard in Chinese mode: full-width digits half the time. */
const typedPhone = (): string => (rand() < 0.5 ? fullWidth(mobileDigits()) : phone());
const bankCard = (): string => { const n = `${pick(['6222', '6217', '6228', '6214', '6230'])}${digits(pick([12, 15]))}`; return rand() < 0.4 ? n.replace(/(\d{4})(?=\d)/g, '$1 ') : n; };
const policyNumber = (): string => pick([`P${digits(15)}`, `${int(2018, 2024)}${digits(14)}`, `86${digits(16)}`]);
const clock = (): string => `${pad2(int(8, 22))}:${pad2(int(0, 59))}`;
const INSURERS = ['中国人寿保险股份有限公司', '中国平安人寿保险股份有限公司', '泰康人寿保险有限责任公司', '太平洋人寿保险股份有限公司'];
const BANKS = ['中国工商银行', '中国建设银行', '中国农业银行', '招商银行'];
const DEPARTMENTS = ['心血管内科', '神经内科', '呼吸与危重症医学科', '肿瘤科', '消化内科', '骨科'];

const FINAL5: Record<string, Template> = {
  ocrPhotoRecord: () => {
    const name = personName(); const [line1, line2] = wrappedAddress();
    return [[hospital(), 'hospital'], '\n门 诊 病 历\n姓名\n', [maybeStraySpace(name), 'patient_name'], '\n性别\n', sex(), '\n年龄\n', `${int(18, 85)}岁`, '\n',
      '门诊号', [recordNumber('门诊号'), 'record_number'], '就诊日期', [date(), 'date'], '科别神经内科\n身份证号\n', [straySpace(idNumber().replace(/ /g, '')), 'id_card'], '\n',
      '联系电话', [maybeStraySpace(mobileDigits()), 'phone'], '\n住址\n', [line1, 'address'], '\n', [line2, 'address'], '\n',
      '主诉：反复头痛1月，加重3天。\n', pick(CLINICAL), '\n处理：头颅MRI平扫，必要时复诊。\n医师签名\n', [maybeStraySpace(personName()), 'staff_name'], '\n第1页/共1页'];
  },
  onlineConsult: () => {
    const name = personName(); const relative = personName(); const doctor = hanName();
    const years = int(70, 99); const age: Piece = years > 89 ? [`${years}岁`, 'age'] : `${years}岁`;
    return [[hospital(), 'hospital'], '互联网医院  图文问诊记录\n订单号：', [`IH${digits(14)}`, 'record_number'], '\n问诊时间：', [date(), 'date'], '\n',
      '就诊人：', [name, 'patient_name'], '（', sex(), '）  就诊人手机：', [rand() < 0.5 ? fullWidth(mobileDigits()) : mobile(), 'phone'], '\n接诊医生：', [doctor, 'staff_name'], '（', pick(DEPARTMENTS), ' 主治医师）\n\n',
      '[患者] ', clock(), '：医生您好，我是', [name, 'patient_name'], '的', pick(['女儿', '儿子', '孙女']), [relative, 'relative_name'], '，替老人问一下。老人今年', age, '了，最近一周总是胸闷。\n',
      '[', [surnameOf(doctor), 'staff_name'], '医生] ', clock(), '：您好，请问之前做过哪些检查？\n',
      '[患者] ', clock(), '：上个月在', [hospital(), 'hospital'], '查过，', pick(CLINICAL), '\n',
      '[', [surnameOf(doctor), 'staff_name'], '医生] ', clock(), '：建议尽快线下就诊，可以挂我周三上午的号。\n',
      '[患者] ', clock(), '：好的，我电话', [typedPhone(), 'phone'], '，老人身份证', [anyId(), 'id_card'], '，麻烦帮忙预约。\n',
      '[', [surnameOf(doctor), 'staff_name'], '医生] ', clock(), '：已预约，报告也会发到您的邮箱', [email(), 'email'], '。'];
  },
  pathologyNoColon: () => {
    const name = personName();
    return [[hospital(), 'hospital'], '病理科\n病理检查报告\n病理号 ', [recordNumber('病理号'), 'record_number'], '   冰冻号 ', [`F${int(2018, 2024)}-${digits(4)}`, 'record_number'], '\n',
      '姓名 ', [name, 'patient_name'], '  性别 ', sex(), '  年龄 ', `${int(20, 85)}`, ' 岁  送检科室 乳腺外科  送检医师 ', [personName(), 'staff_name'], '\n',
      '住院号 ', [recordNumber('住院号'), 'record_number'], '  床号 ', [recordNumber('床号'), 'record_number'], '  送检日期 ', [date(), 'date'], '  收到日期 ', [date(), 'date'], '\n',
      '大体所见：（左乳肿物）灰白灰黄组织一块，大小3.0×2.5×2.0cm，切面灰白质硬。\n取材 ', [personName(), 'staff_name'], '  记录 ', [personName(), 'staff_name'], '\n',
      '镜下所见：癌细胞呈巢团状浸润性生长。\n病理诊断：（左乳）浸润性导管癌，Ⅱ级；ER（90%+），PR（60%+），HER2（2+）。\n',
      '诊断医师 ', [personName(), 'staff_name'], '  复核 ', [personName(), 'staff_name'], '  ', [date(), 'date'], '\n',
      '注：切片已送', [hospital(), 'hospital'], '病理科', [hanName(), 'staff_name'], '教授会诊。如有疑问请致电', [landline(), 'phone'], '。'];
  },
  microbeCritical: () => {
    const name = personName();
    return [[hospital(), 'hospital'], ' 微生物检验报告\n姓名:', [name, 'patient_name'], ' 性别:', sex(), ' 年龄:', `${int(20, 88)}岁`, ' 科室:ICU 床号:', [recordNumber('床号'), 'record_number'], ' 住院号:', [recordNumber('住院号'), 'record_number'], '\n',
      '标本:痰液 条码:', [recordNumber('条码号'), 'record_number'], '\n培养结果：肺炎克雷伯菌（+++），产ESBLs\n药敏：亚胺培南 S  头孢他啶 R  阿米卡星 S\n',
      '危急值报告：已于', [date(), 'date'], '电话通知病区护士', [personName(), 'staff_name'], '（工号', [`${int(1000, 9999)}`, 'record_number'], '），对方复述无误。\n',
      '采样:', [date(), 'date'], ' 接收:', [date(), 'date'], ' 报告:', [date(), 'date'], '\n检验:', [personName(), 'staff_name'], ' 审核:', [personName(), 'staff_name']];
  },
  dischargeSigned: () => {
    const name = personName(); const relative = personName(); const chief = hanName(); const [age] = ageOf();
    return ['出院小结\n姓名 ', [name, 'patient_name'], '  年龄 ', age, '  住院号 ', [recordNumber('住院号'), 'record_number'], '  入院日期 ', [date(), 'date'], '  出院日期 ', [date(), 'date'], '\n',
      '入院情况：因“右髋部摔伤后疼痛活动受限1天”入院，病史由患者', pick(['之子', '之女', '配偶']), [relative, 'relative_name'], '代诉。', pick(CLINICAL), '\n',
      '诊疗经过：于', [shortDate(), 'date'], '在腰硬联合麻醉下行右侧人工股骨头置换术，术者', [chief, 'staff_name'], '主任。', pick(CLINICAL), '\n',
      '出院医嘱：术后6周门诊复查，请预约', [surnameOf(chief), 'staff_name'], '主任专家门诊（周二上午），随访电话', [landline(), 'phone'], '。\n',
      '医师签名：', [personName(), 'staff_name'], '   上级医师签名：', [chief, 'staff_name'], '\n',
      '患者/家属签字：', [relative, 'relative_name'], '   与患者关系：', pick(['子', '女', '配偶']), '   签字时间：', [formDate(), 'date']];
  },
  commercialClaim: () => {
    const insured = personName(); const applicant = personName(); const passportHolder = rand() < 0.25;
    return [pick(INSURERS), '\n理赔申请书\n报案号：', [`R${digits(12)}`, 'record_number'], '  保单号：', [policyNumber(), 'insurance_number'], '\n',
      '投保人：', [applicant, 'relative_name'], '  被保险人：', [insured, 'patient_name'], '  与投保人关系：', pick(['配偶', '子女', '父母']), '\n',
      '被保险人证件类型：', passportHolder ? '护照' : '居民身份证', '  证件号码：', passportHolder ? [passport(), 'passport'] : [anyId(), 'id_card'], '  医保个人编号：', [insurance(), 'insurance_number'], '\n',
      '出险经过：被保险人于', [date(), 'date'], '因“急性阑尾炎”在', [hospital(), 'hospital'], '住院治疗', `${int(3, 15)}`, '天。\n',
      '申请人联系电话：', [typedPhone(), 'phone'], '  电子邮箱：', [email(), 'email'], '\n联系地址：', [address(), 'address'], '\n',
      '领款方式：银行转账  开户名：', [applicant, 'relative_name'], '  开户银行：', pick(BANKS), pick(CITIES), '分行\n银行卡号：', [bankCard(), 'record_number'], '\n',
      '申请人签名：', [applicant, 'relative_name'], '  申请日期：', [formDate(), 'date']];
  },
  disabilityAssessment: () => {
    const name = personName(); const first17 = idFirst17(); const id = first17 + idCheckChar(first17);
    return ['残疾人证申请  医学评定表\n申请人姓名：', [name, 'patient_name'], '  性别：', sex(), '  出生日期：', [birthDate(), 'date'], '\n',
      '公民身份号码：', [id, 'id_card'], '  原残疾人证号：', [`${id}${int(1, 7)}${int(1, 4)}`, 'id_card'], '\n户籍地址：', [detailedAddress(), 'address'], '\n',
      '监护人或代理人：', [personName(), 'relative_name'], '  关系：', pick(['父亲', '母亲', '配偶', '儿子']), '  联系电话：', [phone(), 'phone'], '\n',
      '残疾类别：肢体  残疾等级：二级\n致残原因：脑出血后遗症，左侧肢体偏瘫，肌力3级。\n',
      '评定医师：', [personName(), 'staff_name'], '  评定机构（盖章）：', [hospital(), 'hospital'], '\n评定日期：', [chineseDate(), 'date']];
  },
  groupCheckupRoster: () => {
    const cell = pick(['\t', '  ']);
    const rows: Piece[] = [];
    const foreignRow = int(0, 5);
    for (let i = 0; i < 5; i++) {
      const foreign = i === foreignRow;
      rows.push(`${i + 1}`, cell, [foreign ? pinyinName() : personName(), 'patient_name'], cell, sex(), cell, `${int(22, 60)}`, cell, foreign ? [passport(), 'passport'] : [anyId(), 'id_card'], cell, [rand() < 0.3 ? fullWidth(mobileDigits()) : mobileDigits(), 'phone'], cell, pick(['财务部', '研发部', '行政部', '销售部']), cell, pick(['A套餐', 'B套餐（女）', '入职体检']), '\n');
    }
    return [[hospital(), 'hospital'], '健康管理中心\n团体体检人员名单\n单位名称：', workUnit(), '  团检编号：', [`TT${int(2019, 2024)}${digits(5)}`, 'record_number'], '  体检日期：', [date(), 'date'], '\n',
      ['序号', '姓名', '性别', '年龄', '证件号码', '手机号', '部门', '套餐'].join(cell), '\n', ...rows, '客户经理：', [personName(), 'staff_name'], '  电话：', [landline(), 'phone']];
  },
  operationTeam: () => {
    const name = personName(); const surgeon = hanName();
    return ['手术记录\n姓名：', [name, 'patient_name'], '  病案号：', [recordNumber('病案号'), 'record_number'], '  手术日期：', [date(), 'date'], '\n',
      '手术名称：胸腔镜下右肺上叶切除术+纵隔淋巴结清扫术\n手术人员：主刀 ', [surgeon, 'staff_name'], ' 一助 ', [personName(), 'staff_name'], ' 二助 ', [personName(), 'staff_name'], '\n',
      '麻醉：', [personName(), 'staff_name'], '/', [personName(), 'staff_name'], '  洗手护士：', [personName(), 'staff_name'], '  巡回护士：', [personName(), 'staff_name'], '、', [personName(), 'staff_name'], '\n',
      '手术经过：全麻双腔插管成功后左侧卧位，', [surnameOf(surgeon), 'staff_name'], '教授上台指导，于右侧第4肋间做3cm操作孔。', pick(CLINICAL), '\n',
      '术中冰冻病理（', [recordNumber('病理号'), 'record_number'], '）回报：浸润性腺癌。\n记录人：', [personName(), 'staff_name'], '（进修医师）'];
  },
  remoteConsult: () => {
    const name = personName(); const expert = hanName(); const farHospital = hospital(); const [age] = ageOf();
    return ['远程会诊邀请函\n邀请方：', [hospital(), 'hospital'], pick(DEPARTMENTS), '\n受邀专家：', [farHospital, 'hospital'], pick(DEPARTMENTS), [expert, 'staff_name'], pick(['主任医师', '教授', '副主任医师']), '\n',
      '患者：', [name, 'patient_name'], '，', sex(), '，', age, '，住院号', [recordNumber('住院号'), 'record_number'], '。', pick(CLINICAL), '现病情复杂，恳请', [surnameOf(expert), 'staff_name'], '主任远程会诊指导。\n',
      '拟会诊时间：', [date(), 'date'], '  会诊方式：视频\n我方联系人：', [personName(), 'staff_name'], '（主治医师）  手机', [mobile(), 'phone'], '  邮箱', [email(), 'email'], '\n',
      '会诊意见（', [farHospital, 'hospital'], [expert, 'staff_name'], '）：同意目前诊断，建议加做PET-CT。\n医务科  ', [date(), 'date']];
  },
  narrativeHistory: () => {
    const name = rand() < 0.15 ? pinyinName() : personName(); const teller = personName(); const spouse = personName(); const doctor = hanName(); const [age] = ageOf();
    return ['首次病程记录\n', [date(), 'date'], '\n患者', [name, 'patient_name'], '，', sex(), '，', age, '，因“意识不清2小时”于', [date(), 'date'], '由120送入我院，急诊由', [surnameOf(doctor), 'staff_name'], '医生接诊后收入我科。\n',
      '病史由其', pick(['子', '女', '孙']), [teller, 'relative_name'], '代诉：患者', [shortDate(), 'date'], '晚饭后突发言语不清，既往曾在', [hospital(), 'hospital'], '诊断“心房颤动”。', pick(CLINICAL), '\n',
      '其', pick(['妻', '夫']), [spouse, 'relative_name'], '诉患者平素独居于', [address(), 'address'], '，近半年记忆力下降。家属', [teller, 'relative_name'], '（电话', [typedPhone(), 'phone'], '）要求积极治疗。\n',
      '已请', [personName(), 'staff_name'], '副主任医师查看患者，同意目前诊疗方案。\n医师：', [doctor, 'staff_name']];
  },
  escortRegistration: () => {
    const name = personName();
    return ['住院患者陪护证登记表\n病区：', pick(DEPARTMENTS), '  床号：', [recordNumber('床号'), 'record_number'], '  患者姓名：', [name, 'patient_name'], '  住院号：', [recordNumber('住院号'), 'record_number'], '\n',
      '陪护人姓名：', [personName(), 'relative_name'], '  与患者关系：', pick(['配偶', '儿子', '女儿', '护工']), '  身份证号：', [anyId(), 'id_card'], '\n',
      '联系电话：', [typedPhone(), 'phone'], '  现住址：', [address(), 'address'], '\n核酸检测日期：', [date(), 'date'], '  车牌号（停车登记）：', [plate(), 'license_plate'], '\n',
      '陪护证编号：', [`PH${digits(6)}`, 'record_number'], '  发证护士：', [personName(), 'staff_name'], '  发证日期：', [date(), 'date']];
  },
};

/** Bars of a 1D code and the modules of a 21×21 QR-like matrix with its three finder squares. */
function codeShapes(barX: number, barY: number, qrX: number, qrY: number): string {
  const parts: string[] = [];
  // Bars and spaces alternate, 1–4 modules of 2 px each, as in Code 128.
  for (let x = barX, bar = true; x < barX + 300; bar = !bar) {
    const w = 2 * int(1, 4);
    if (bar) parts.push(`<rect x="${x}" y="${barY}" width="${w}" height="70" fill="#000"/>`);
    x += w;
  }
  const m = 6;
  for (let r = 0; r < 21; r++) {
    for (let c = 0; c < 21; c++) {
      const finder = (r < 7 && c < 7) || (r < 7 && c > 13) || (r > 13 && c < 7);
      let on = rand() < 0.5;
      if (finder) {
        const fr = r > 13 ? r - 14 : r, fc = c > 13 ? c - 14 : c;
        on = fr === 0 || fr === 6 || fc === 0 || fc === 6 || (fr >= 2 && fr <= 4 && fc >= 2 && fc <= 4);
      }
      if (on) parts.push(`<rect x="${qrX + c * m}" y="${qrY + r * m}" width="${m}" height="${m}" fill="#000"/>`);
    }
  }
  return parts.join('');
}

const escapeXml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export interface DeidSheet {
  png: Buffer;
  jpeg: Buffer;
  width: number;
  height: number;
  /** Identifiers written on the sheet; none may be readable after masking. */
  phi: string[];
  /** Clinical strings that must stay readable. */
  clinical: string[];
  /** The barcode and the QR code, `[x, y, width, height]` in pixels. */
  codes: Array<[number, number, number, number]>;
}

const LAB_ROWS: Array<[string, string, string, string]> = [
  ['白细胞计数', '11.2', '10^9/L', '3.5-9.5'], ['血红蛋白', '128', 'g/L', '130-175'], ['血小板计数', '236', '10^9/L', '125-350'],
  ['谷丙转氨酶', '56', 'U/L', '9-50'], ['肌酐', '88', 'μmol/L', '57-111'], ['葡萄糖', '6.8', 'mmol/L', '3.9-6.1'], ['总胆固醇', '5.9', 'mmol/L', '0-5.2'],
];

/**
 * A lab-sheet image with planted PHI (hospital, name, record number, ID, phone, staff), a barcode and
 * a QR code, as PNG (with EXIF) and JPEG. Seed 0 is the fixed sheet the tests use.
 */
export async function renderDeidSheet(seed = 0): Promise<DeidSheet> {
  state = (seed * 7919 + 3) >>> 0;
  const fixed = seed === 0;
  const name = fixed ? '欧阳娜娜' : personName();
  const id = fixed ? '110105194912310021' : idNumber().replace(/ /g, '');
  const phoneNumber = fixed ? '13800138000' : `1${pick(['3', '5', '8'])}${digits(9)}`;
  const record = fixed ? 'ZY20230456' : recordNumber('住院号');
  const hospitalName = fixed ? '北京协和医院' : hospital();
  const staff = fixed ? ['李明', '王芳'] : [personName(), personName()];
  const rows = fixed ? LAB_ROWS.slice(0, 3) : [...LAB_ROWS].sort(() => rand() - 0.5).slice(0, 3);
  const width = 1240, height = 760;
  const font = 'Noto Sans CJK SC';
  const text = (x: number, y: number, value: string, size = 28, anchor = ''): string => `<text x="${x}" y="${y}" font-family="${font}" font-size="${size}"${anchor}>${escapeXml(value)}</text>`;
  const body = [
    text(620, 110, `${hospitalName}检验报告单`, 40, ' text-anchor="middle"'),
    text(60, 230, `姓名：${name}`), text(420, 230, `性别：${pick(['男', '女'])}`), text(700, 230, `住院号：${record}`),
    text(60, 290, `身份证号：${id}`), text(700, 290, `电话：${phoneNumber}`),
    '<line x1="50" y1="320" x2="1190" y2="320" stroke="#333" stroke-width="2"/>',
    text(60, 370, '项目名称'), text(460, 370, '结果'), text(700, 370, '单位'), text(940, 370, '参考范围'),
    ...rows.flatMap((row, i) => row.map((cell, k) => text([60, 460, 700, 940][k]!, 430 + 60 * i, cell))),
    '<line x1="50" y1="590" x2="1190" y2="590" stroke="#333" stroke-width="2"/>',
    text(60, 660, `检验者：${staff[0]}`), text(460, 660, `审核者：${staff[1]}`),
    codeShapes(860, 620, 60, 40),
  ];
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#fff"/>${body.join('')}</svg>`;
  const base = sharp(Buffer.from(svg));
  const png = await base.clone().png().withExif({ IFD0: { ImageDescription: `${name} ${id}`, Artist: 'lab' } }).toBuffer();
  const jpeg = await base.clone().jpeg({ quality: 92 }).withExif({ IFD0: { ImageDescription: `patient ${name}`, Artist: 'lab' } }).toBuffer();
  const phi = [name, id, phoneNumber, record, hospitalName, ...staff].map((v) => v.replace(/[·•]/g, ''));
  return { png, jpeg, width, height, phi, clinical: rows.map((r) => r[0]), codes: [[860, 620, 300, 70], [60, 40, 126, 126]] };
}

async function main(): Promise<void> {
  const count = Number(argValue('count', '300'));
  const imageCount = Number(argValue('images', '20'));
  const photoCount = Number(argValue('photos', '10'));
  const outDir = argValue('out', 'data/deid');
  state = Number(argValue('seed', '7')) >>> 0;
  mkdirSync(join(outDir, 'images'), { recursive: true });
  for (const [split, templates] of [['tune', TUNE], ['test', HELD_OUT], ['final', FINAL], ['final2', FINAL2], ['final3', FINAL3], ['final4', FINAL4], ['final5', FINAL5]] as const) {
    const names = Object.keys(templates);
    const rows: Row[] = [];
    for (let i = 0; i < count; i++) {
      const template = names[i % names.length]!;
      rows.push(build(`${split}-${i}`, template, templates[template]!()));
    }
    writeFileSync(join(outDir, `${split}.jsonl`), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    console.log(`${split}: ${rows.length} records from ${names.length} templates → ${join(outDir, `${split}.jsonl`)}`);
  }
  const images: string[] = [];
  for (let i = 1; i <= imageCount; i++) {
    const sheet = await renderDeidSheet(i);
    const file = join(outDir, 'images', `sheet-${i}.${i % 2 ? 'png' : 'jpg'}`);
    writeFileSync(file, i % 2 ? sheet.png : sheet.jpeg);
    images.push(JSON.stringify({ file, phi: sheet.phi, clinical: sheet.clinical, codes: sheet.codes }));
  }
  writeFileSync(join(outDir, 'images.jsonl'), images.join('\n') + '\n');
  console.log(`images: ${imageCount} lab sheets → ${join(outDir, 'images.jsonl')}`);
  const photos: string[] = [];
  for (let i = 1; i <= photoCount; i++) {
    const sheet = await renderDeidSheet(100 + i);
    const page = { kind: 'lab' as const, png: sheet.png, width: sheet.width, height: sheet.height, lines: [], items: [] };
    const photo = await photograph(page, { rotation: 0, skew: (rand() - 0.5) * 4, perspective: 0.02 + rand() * 0.02, blur: 0.4 + rand() * 0.5, jpegQuality: 75 + int(0, 15), seed: i });
    const file = join(outDir, 'images', `photo-${i}.jpg`);
    writeFileSync(file, photo);
    photos.push(JSON.stringify({ file, phi: sheet.phi, clinical: sheet.clinical }));
  }
  writeFileSync(join(outDir, 'photos.jsonl'), photos.join('\n') + '\n');
  console.log(`photos: ${photoCount} photographed lab sheets → ${join(outDir, 'photos.jsonl')}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
