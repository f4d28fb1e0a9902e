/**
 * Template reports for the types no shared corpus covers (lab sheets, prescriptions, certificates,
 * front sheets, operation and progress notes, leaflets…), filled from the shared dictionaries
 * (ICD-10 names, ICD-9-CM-3 procedures, drug lists, lab panels, hospitals). They teach the model the
 * layout and vocabulary of each type; accuracy on them is reported apart from the real reports.
 */
import { readFileSync, readdirSync } from 'node:fs';
import type { ReportType } from '../../src/classify/types.js';
import { sharedDataPath } from '../shared-data.js';
import type { LabelledDoc } from './corpus.js';
import { seededRandom } from '../../src/util/random.js';

export type Rng = () => number;

export const seededRng: (seed: number) => Rng = seededRandom;

interface Vocab {
  diseases: string[];
  procedures: string[];
  drugs: Array<{ generic: string; trade: string; company: string }>;
  labItems: Array<{ short: string; name: string; range: string; unit: string }>;
  hospitals: string[];
  departments: string[];
  symptoms: string[];
  checks: string[];
}

function loadVocab(): Vocab {
  const diseases = readFileSync(sharedDataPath('kg', 'icd10-beijing-v601.tsv'), 'utf8').split('\n')
    .map((l) => l.split('\t')[1] ?? '').filter((n) => n.length >= 3 && n.length <= 12 && !/[,，()（）]/.test(n));
  const procedures = readFileSync(sharedDataPath('kg', 'procedure-icd9cm3-2500.tsv'), 'utf8').split('\n')
    .map((l) => l.split('\t')[2] ?? '').filter((n) => n.length >= 3 && n.length <= 16);
  const drugs: Vocab['drugs'] = [];
  const drugDir = sharedDataPath('kg', 'drugs', '01-data');
  for (const file of readdirSync(drugDir)) {
    const data = JSON.parse(readFileSync(`${drugDir}/${file}`, 'utf8')) as { data?: Array<Record<string, string>> };
    for (const d of data.data ?? []) {
      if (d.drug_generic_name) drugs.push({ generic: d.drug_generic_name, trade: d.trade_name ?? '', company: d.company_name ?? '' });
    }
  }
  const panels = JSON.parse(readFileSync(sharedDataPath('kg', 'lab', 'panels.json'), 'utf8')) as Record<string, { items: Array<{ short_name: string; name: string; reference: string; unit: string }> }>;
  const labItems = Object.values(panels).flatMap((p) => p.items).map((i) => ({ short: i.short_name, name: i.name, range: i.reference, unit: i.unit }));
  const hospitals = (JSON.parse(readFileSync(sharedDataPath('kg', 'hospitals', 'ranking.json'), 'utf8')) as Array<{ name: string }>).map((h) => h.name);
  const lines = (file: string): string[] => readFileSync(sharedDataPath('kg', 'xywy', file), 'utf8').split('\n').map((s) => s.trim()).filter((s) => s.length >= 2 && s.length <= 10);
  return { diseases, procedures, drugs, labItems, hospitals, departments: lines('department.txt'), symptoms: lines('symptom.txt'), checks: lines('check.txt') };
}

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤'.split('');
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华平刚桂兰玉萍红建国志文斌辉宇浩凯鹏飞霞燕琴云莉'.split('');

class Writer {
  constructor(readonly rng: Rng, readonly v: Vocab) {}
  pick<T>(list: readonly T[]): T { return list[Math.floor(this.rng() * list.length)]!; }
  int(lo: number, hi: number): number { return lo + Math.floor(this.rng() * (hi - lo + 1)); }
  chance(p: number): boolean { return this.rng() < p; }
  some<T>(list: readonly T[], lo: number, hi: number): T[] {
    const n = this.int(lo, hi);
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(this.pick(list));
    return [...new Set(out)];
  }
  name(): string { return this.pick(SURNAMES) + this.pick(GIVEN) + (this.chance(0.5) ? this.pick(GIVEN) : ''); }
  sex(): string { return this.pick(['男', '女']); }
  date(): string { return `20${this.int(15, 24)}-${String(this.int(1, 12)).padStart(2, '0')}-${String(this.int(1, 28)).padStart(2, '0')}`; }
  time(): string { return `${this.date()} ${String(this.int(7, 22)).padStart(2, '0')}:${String(this.int(0, 59)).padStart(2, '0')}`; }
  num(digits: number): string { let s = ''; for (let i = 0; i < digits; i++) s += String(this.int(0, 9)); return s; }
  colon(): string { return this.pick(['：', ':', '：', ' ']); }
  sep(): string { return this.pick(['\n', '\n', '  ', ' ']); }
  disease(): string { return this.pick(this.v.diseases); }
  hospital(): string { return this.pick(this.v.hospitals); }
  dept(): string { return this.pick(this.v.departments); }
  symptom(): string { return this.pick(this.v.symptoms); }
  drug(): { generic: string; trade: string; company: string } { return this.pick(this.v.drugs); }
  /** A patient header as letterheads print it: fields in a random order and layout. */
  header(extra: string[] = []): string {
    const c = (): string => this.colon();
    const fields = [
      `姓名${c()}${this.name()}`, `性别${c()}${this.sex()}`, `年龄${c()}${this.int(1, 90)}岁`,
      ...(this.chance(0.6) ? [`科室${c()}${this.dept()}`] : []),
      ...(this.chance(0.4) ? [`床号${c()}${this.int(1, 60)}`] : []),
      ...(this.chance(0.4) ? [`${this.pick(['住院号', '门诊号', 'ID号', '病历号'])}${c()}${this.num(8)}`] : []),
      ...extra,
    ];
    return fields.join(this.pick(['  ', ' ', '\n', '　']));
  }
}

function body(parts: Array<[string, string]>, w: Writer): string {
  return parts.map(([h, t]) => (h ? `${h}${w.pick(['：', ':', '：\n'])}${t}` : t)).join('\n');
}

type Generator = (w: Writer) => { text: string; parts: string[]; subtypeHint?: string };

const STATUS_NEG = ['无发热', '无咳嗽咳痰', '无胸闷气促', '无恶心呕吐', '无腹痛腹泻', '饮食睡眠可', '二便正常', '精神可', '体重无明显变化'];

function history(w: Writer): string {
  const s1 = w.symptom(), s2 = w.symptom();
  return `患者${w.int(1, 12)}${w.pick(['天', '周', '月', '年'])}前${w.pick(['无明显诱因', '受凉后', '劳累后', '进食后'])}出现${s1}，${w.pick(['伴', '无'])}${s2}，${w.pick(['未予重视', '自服药物后症状无缓解', '就诊于当地医院，予对症治疗后好转'])}。${w.int(1, 10)}天前症状加重，为求进一步诊治来我院，门诊以“${w.disease()}”收入院。病程中${w.some(STATUS_NEG, 2, 4).join('，')}。`;
}

function exam(w: Writer): string {
  return `T ${(36 + w.rng() * 2).toFixed(1)}℃，P ${w.int(60, 110)}次/分，R ${w.int(14, 24)}次/分，BP ${w.int(95, 170)}/${w.int(55, 100)}mmHg。神志清楚，${w.pick(['急性病容', '慢性病容', '营养中等'])}，全身皮肤黏膜无黄染，浅表淋巴结未触及肿大。双肺呼吸音${w.pick(['清', '粗', '低'])}，${w.pick(['未闻及干湿性啰音', '可闻及少许湿啰音'])}。心率${w.int(60, 110)}次/分，律齐，各瓣膜听诊区未闻及病理性杂音。腹${w.pick(['平软', '软', '膨隆'])}，${w.pick(['无压痛及反跳痛', '右上腹压痛', '剑突下轻压痛'])}，肝脾肋下未触及，双下肢${w.pick(['无水肿', '轻度凹陷性水肿'])}。`;
}

const GENERATORS: Partial<Record<ReportType, Generator[]>> = {
  lab: [(w) => {
    const items = w.some(w.v.labItems, 5, 18);
    const rows = items.map((i) => {
      const [lo, hi] = i.range.split('-').map(Number);
      const base = Number.isFinite(lo) && Number.isFinite(hi) ? lo! + (hi! - lo!) * (w.rng() * 1.6 - 0.3) : w.rng() * 100;
      const value = base.toFixed(base < 10 ? 2 : 1);
      const flag = Number.isFinite(hi) && Number(value) > hi! ? w.pick(['↑', 'H', '↑']) : Number.isFinite(lo) && Number(value) < lo! ? w.pick(['↓', 'L', '↓']) : '';
      return [w.chance(0.5) ? `${w.int(1, items.length)}` : '', i.name, w.chance(0.6) ? i.short : '', value, flag, i.unit, i.range].filter((x) => x !== '').join(w.pick(['  ', ' ', '\t', '   ']));
    });
    const title = w.pick(['检验报告单', '检验报告', '临床检验报告单', '化验单', '检 验 报 告 单', '血液检验报告']);
    const head = `${w.chance(0.7) ? w.hospital() : ''}${w.sep()}${title}\n${w.header([`标本种类${w.colon()}${w.pick(['血清', '全血', '尿液', '血浆'])}`, `样本号${w.colon()}${w.num(6)}`])}`;
    const columns = w.pick(['项目名称  结果  单位  参考范围', '序号 项目 结果 提示 单位 参考区间', 'No 检验项目 缩写 结果 单位 参考值', '']);
    const foot = `${w.pick(['采样时间', '采集时间', '接收时间'])}${w.colon()}${w.time()}  报告时间${w.colon()}${w.time()}  ${w.pick(['检验者', '检验医师'])}${w.colon()}${w.name()}  审核者${w.colon()}${w.name()}`;
    const table = rows.join('\n');
    return { text: `${head}\n${columns}\n${table}\n${w.chance(0.7) ? foot : ''}`, parts: [table, rows.slice(0, 3).join('\n')] };
  }, (w) => {
    // Qualitative panels (serology, urinalysis, infection screens): results are 阴性/阳性/+ rather than numbers.
    const panel = w.pick([
      ['乙肝五项', ['HBsAg 乙肝表面抗原', '抗-HBs 乙肝表面抗体', 'HBeAg 乙肝e抗原', '抗-HBe 乙肝e抗体', '抗-HBc 乙肝核心抗体']],
      ['尿常规', ['尿蛋白 PRO', '尿糖 GLU', '尿酮体 KET', '尿潜血 BLD', '亚硝酸盐 NIT', '白细胞酯酶 LEU', '尿胆原 URO']],
      ['术前四项', ['乙肝表面抗原', '丙肝抗体', '梅毒螺旋体抗体', 'HIV抗体']],
      ['粪便常规', ['颜色', '性状', '隐血试验 OB', '红细胞', '白细胞', '寄生虫卵']],
      ['呼吸道病原体', ['甲型流感病毒抗原', '乙型流感病毒抗原', '肺炎支原体抗体IgM', '新型冠状病毒核酸']],
    ] as Array<[string, string[]]>);
    const rows = panel[1].map((item) => `${item}${w.pick([' ', '：', '  '])}${w.pick(['阴性(-)', '阴性', '阳性(+)', '+', '++', '-', '弱阳性', '未检出', '0.01 COI'])}${w.pick(['', '  阴性', '  参考值：阴性'])}`);
    const table = rows.join(w.pick(['\n', '，', '；']));
    const text = `${w.chance(0.5) ? `${w.pick(['检验报告单', '检验报告', '化验单'])}\n` : ''}${panel[0]}${w.pick(['：', '\n', ' '])}${table}`;
    return { text, parts: [] };
  }],
  outpatient: [(w) => {
    const d = w.disease();
    const parts: Array<[string, string]> = [
      ['主诉', `${w.symptom()}${w.int(1, 10)}${w.pick(['天', '周', '月'])}`],
      ['现病史', `${w.int(1, 10)}天前出现${w.symptom()}，${w.pick(['伴', '无'])}${w.symptom()}，${w.some(STATUS_NEG, 1, 3).join('，')}。`],
      ['既往史', w.pick(['体健', '否认高血压、糖尿病史', `有${w.disease()}病史`]) + '，否认药物过敏史。'],
      ['体格检查', w.pick(['咽部充血，双侧扁桃体I度肿大。', '双肺呼吸音清，心律齐。', '腹软，无压痛。', exam(w)])],
      [w.pick(['辅助检查', '实验室检查']), `${w.pick(w.v.checks)}：${w.pick(['未见异常', '轻度升高', '阴性'])}`],
      [w.pick(['初步诊断', '诊断', '门诊诊断']), d],
      [w.pick(['处理', '处置', '治疗意见', '医嘱']), `1.${w.drug().generic} ${w.int(1, 2)}片 ${w.pick(['tid', 'bid', 'qd', '每日三次'])} 口服；2.${w.pick(['多饮水，注意休息', '1周后复诊', '不适随诊', '完善相关检查'])}`],
    ];
    const title = w.pick(['门诊病历', '门诊记录', '急诊病历', '门诊病历（初诊）', '门诊病历（复诊）']);
    const text = `${w.chance(0.6) ? w.hospital() : ''}\n${title}\n${w.header([`就诊日期${w.colon()}${w.date()}`])}\n${body(parts, w)}\n医师签名${w.colon()}${w.name()}`;
    return { text, parts: [body(parts.slice(3), w), `${parts[5]![0]}：${d}\n${parts[6]![0]}：${parts[6]![1]}`] };
  }, (w) => {
    // Compact notes as clinics type them: one paragraph, short headers, no letterhead.
    const items = [
      `${w.pick(['主诉', '主述', '因'])}${w.pick(['：', ''])}${w.symptom()}${w.int(1, 14)}${w.pick(['天', '日', '周'])}${w.pick(['。', '来诊。', '就诊。'])}`,
      w.chance(0.6) ? `${w.pick(['查体', 'PE', '体检'])}：${w.pick(['咽红', '双肺呼吸音清', '腹软无压痛', '心律齐', '右膝关节肿胀压痛', '皮肤散在红色丘疹'])}。` : '',
      `${w.pick(['诊断', '初步诊断', '印象', 'Dx'])}：${w.disease()}。`,
      `${w.pick(['处理', '处置', '治疗', '建议', 'Rp'])}：${w.drug().generic} ${w.pick(['1片', '2粒', '10ml', '0.5g'])} ${w.pick(['tid', 'bid', 'qd', 'po'])}${w.pick(['，3天后复诊', '，不适随诊', '，复查血常规', ''])}。`,
    ];
    const text = `${w.chance(0.3) ? `${w.pick(['初诊', '复诊'])} ${w.date()} ${w.dept()}\n` : ''}${items.filter(Boolean).join(w.pick(['', '\n', ' ']))}`;
    return { text, parts: [] };
  }],
  operation: [(w) => {
    const proc = w.pick(w.v.procedures);
    const d = w.disease();
    const steps = `患者取${w.pick(['仰卧位', '左侧卧位', '截石位'])}，${w.pick(['全麻', '腰硬联合麻醉', '局麻'])}成功后，常规消毒铺巾。取${w.pick(['右上腹经腹直肌切口', '腹部正中切口', '脐部切口', '左侧腹股沟斜切口'])}长约${w.int(3, 20)}cm，逐层切开皮肤、皮下组织，进入腹腔。探查见${w.pick(['肿物位于', '病灶位于', '粘连明显，位于'])}${w.pick(['胃窦部', '回盲部', '胆囊', '右半结肠', '子宫前壁'])}，大小约${w.int(1, 8)}×${w.int(1, 6)}cm。遂行${proc}，仔细止血，清点器械纱布无误后逐层关腹。术中出血约${w.int(5, 500)}ml，${w.pick(['未输血', '输红细胞2U'])}，术后患者安返病房。标本送病理检查。`;
    const parts: Array<[string, string]> = [
      ['术前诊断', d], ['术后诊断', d], ['手术名称', proc],
      ['手术医师', `${w.name()}  第一助手：${w.name()}`], ['麻醉方式', w.pick(['全身麻醉', '气管插管全麻', '腰硬联合麻醉', '局部浸润麻醉'])],
      ['手术经过', steps],
    ];
    const text = `${w.chance(0.5) ? w.hospital() : ''}\n${w.pick(['手术记录', '手 术 记 录', '手术记录单'])}\n${w.header([`手术日期${w.colon()}${w.date()}`])}\n${body(parts, w)}`;
    return { text, parts: [steps, body(parts.slice(0, 3), w)] };
  }],
  progress_note: [(w) => {
    const kind = w.pick(['首次病程记录', '日常病程记录', '主任医师查房记录', '上级医师查房记录', '术后首次病程记录', '病程记录']);
    const note = w.pick([
      `${w.time()} ${w.pick(['主任医师', '主治医师', '副主任医师'])}查房记录\n今日查房，患者${w.pick(['一般情况可', '诉仍有' + w.symptom(), '精神好转'])}，${w.some(STATUS_NEG, 1, 3).join('，')}。查体：${w.pick(['生命体征平稳', '双肺呼吸音清', '切口敷料干燥，无渗出'])}。${w.name()}主任医师查房后指示：${w.pick(['继续目前治疗', '复查血常规及肝肾功能', '今日停用抗生素', '明日拟行手术治疗'])}，密切观察病情变化。`,
      `${w.time()}\n患者术后第${w.int(1, 7)}天，${w.pick(['体温正常', '诉切口疼痛', '已排气'])}，${w.some(STATUS_NEG, 1, 2).join('，')}。切口${w.pick(['愈合良好', '无红肿渗出'])}。今日予${w.pick(['换药', '拔除引流管', '流质饮食'])}，继续观察。`,
      `病例特点：\n1.患者${w.sex()}，${w.int(18, 88)}岁，因“${w.symptom()}${w.int(1, 10)}天”入院。\n2.${history(w)}\n拟诊讨论：根据患者症状、体征及辅助检查，初步诊断为${w.disease()}，需与${w.disease()}相鉴别。\n诊疗计划：1.完善血常规、生化等检查；2.予${w.drug().generic}治疗；3.密切观察病情变化。`,
    ]);
    const dated = `${w.chance(0.5) ? w.time() + ' ' : ''}${note}`;
    const text = w.chance(0.7) ? `${kind}\n${dated}\n${w.pick(['医师签名', '记录者'])}${w.colon()}${w.name()}` : dated;
    return { text, parts: [note] };
  }, (w) => {
    const note = `${w.pick(['今日查房', '查房时', '今日'])}${w.pick(['，', ''])}患者${w.pick(['一般情况可', '神志清，精神可', '诉' + w.symptom() + '较前减轻', '诉夜间睡眠差', '仍有' + w.symptom()])}，${w.some(STATUS_NEG, 1, 3).join('，')}。${w.pick(['查体：', '查体示'])}${w.pick(['生命体征平稳', '双肺呼吸音清', '切口干燥无渗出', '腹软，无压痛', '双下肢水肿较前消退'])}。${w.pick(['今日复查' + w.pick(w.v.checks) + '，结果回报正常', '继续目前治疗方案', '予停用' + w.drug().generic, '密切观察病情变化', '嘱患者下床活动', '拟明日出院'])}。`;
    return { text: note, parts: [] };
  }, (w) => {
    const note = `患者${w.pick(['今日', '昨日', '今晨', '入院第' + w.int(2, 9) + '天，'])}${w.pick(['体温' + (36 + w.rng() * 3).toFixed(1) + '℃', '精神好转', '诉' + w.symptom() + '较前' + w.pick(['减轻', '加重', '好转'])])}，${w.some(STATUS_NEG, 1, 2).join('，')}。${w.pick(['复查', '今日回报'])}${w.pick(w.v.checks)}${w.pick(['：', '示'])}${w.pick(['较前好转', '正常', '仍偏高', `${w.int(3, 15)}.${w.int(0, 9)}×10^9/L`])}。${w.pick(['继续', '调整为', '加用'])}${w.drug().generic}${w.pick(['治疗', '抗感染治疗', '对症治疗'])}，${w.pick(['明日复查' + w.pick(['胸片', '血常规', '肝肾功能', '腹部彩超']), '注意观察病情变化', '请示上级医师后执行', '继续观察'])}。`;
    return { text: note, parts: [] };
  }],
  front_sheet: [(w) => {
    const c = (): string => w.colon();
    const text = [
      w.pick(['住院病案首页', '病案首页', '住 院 病 案 首 页']),
      `医疗机构${c()}${w.hospital()}  ${w.pick(['医疗付费方式', '付费方式'])}${c()}${w.pick(['城镇职工基本医疗保险', '新型农村合作医疗', '全自费'])}`,
      `第${w.int(1, 5)}次住院  病案号${c()}${w.num(7)}`,
      w.header([`出生日期${c()}${w.date()}`, `国籍${c()}中国`, `民族${c()}汉族`, `职业${c()}${w.pick(['农民', '退休', '职员', '无'])}`]),
      `入院途径${c()}${w.pick(['门诊', '急诊', '其他医疗机构转入'])}  入院时间${c()}${w.time()}  入院科别${c()}${w.dept()}`,
      `出院时间${c()}${w.time()}  出院科别${c()}${w.dept()}  实际住院${c()}${w.int(2, 40)}天`,
      `门(急)诊诊断${c()}${w.disease()}  疾病编码${c()}${String.fromCharCode(65 + w.int(0, 25))}${w.int(10, 99)}.${w.int(0, 9)}`,
      `出院诊断  主要诊断${c()}${w.disease()}  入院病情${c()}${w.pick(['有', '临床未确定'])}  其他诊断${c()}${w.disease()}`,
      `手术及操作编码  ${w.int(10, 99)}.${w.num(4)}  手术及操作名称${c()}${w.pick(w.v.procedures)}  切口愈合等级${c()}${w.pick(['Ⅰ/甲', 'Ⅱ/甲'])}`,
      `药物过敏${c()}${w.pick(['无', '青霉素'])}  血型${c()}${w.pick(['A', 'B', 'O', 'AB'])}  Rh${c()}阳性`,
      `科主任${c()}${w.name()}  主任医师${c()}${w.name()}  质控医师${c()}${w.name()}  离院方式${c()}${w.pick(['医嘱离院', '医嘱转院', '非医嘱离院'])}`,
      `住院总费用${c()}${w.int(2000, 90000)}.${w.num(2)}元`,
    ].join('\n');
    return { text, parts: [] };
  }],
  prescription: [(w) => {
    const drugs = Array.from({ length: w.int(1, 5) }, () => {
      const d = w.drug();
      return `${d.generic}${w.pick(['', `(${d.trade})`])}  ${w.pick(['10mg', '0.25g', '5mg', '100mg', '20mg'])}×${w.int(6, 48)}${w.pick(['片', '粒', '袋'])}  ${w.int(1, 3)}盒\n${w.pick(['Sig:', '用法：', '  '])} ${w.pick(['口服', '静滴', '外用'])} ${w.pick(['一次1片', '一次2粒', '每次10mg'])} ${w.pick(['一日3次', '一日2次', 'qd', 'bid', 'tid'])}`;
    });
    const rx = drugs.join('\n');
    const text = `${w.chance(0.6) ? w.hospital() : ''}\n${w.pick(['处方笺', '普通处方', '门诊处方', '处 方 笺', '急诊处方'])}\n${w.header([`费别${w.colon()}${w.pick(['医保', '自费'])}`, `临床诊断${w.colon()}${w.disease()}`, `开具日期${w.colon()}${w.date()}`])}\n${w.pick(['Rp:', 'RP', 'R:', 'Rp.'])}\n${rx}\n医师${w.colon()}${w.name()}  ${w.pick(['药品金额', '金额'])}${w.colon()}${w.int(10, 900)}.${w.num(2)}元\n审核药师${w.colon()}${w.name()}  调配${w.colon()}${w.name()}  核对/发药${w.colon()}${w.name()}`;
    return { text, parts: [rx] };
  }],
  diagnosis_certificate: [(w) => {
    const d = w.disease();
    const rest = `${w.pick(['建议休息', '建议全休', '建议病休'])}${w.int(3, 30)}天${w.pick(['', '，门诊随诊', '，避免剧烈运动', '，定期复查'])}。`;
    const text = `${w.chance(0.7) ? w.hospital() : ''}\n${w.pick(['诊断证明书', '诊断证明', '疾病诊断证明书', '医疗诊断证明'])}\n${w.header([`就诊日期${w.colon()}${w.date()}`])}\n${w.pick(['诊断', '临床诊断', '诊断意见'])}${w.colon()}${d}\n${w.pick(['建议', '医嘱', '处理意见'])}${w.colon()}${rest}\n${w.pick(['兹证明', '特此证明', '此证明仅作病假用'])}。\n医师签名${w.colon()}${w.name()}  ${w.date()}  (盖章)`;
    return { text, parts: [`${w.pick(['兹证明', '特此证明'])}患者${w.name()}于${w.date()}在我院就诊，诊断为${d}，${rest}`] };
  }],
  vaccination: [(w) => {
    const vaccines = ['乙肝疫苗', '卡介苗', '脊灰减毒活疫苗', '百白破疫苗', '麻腮风疫苗', '乙脑减毒活疫苗', 'A群流脑多糖疫苗', '甲肝减毒活疫苗', '新冠病毒灭活疫苗', '流感疫苗', 'HPV疫苗', '狂犬病疫苗', '水痘疫苗', '13价肺炎球菌多糖结合疫苗'];
    const rows = Array.from({ length: w.int(1, 6) }, () => `${w.pick(vaccines)}  第${w.pick(['一', '二', '三', '1', '2', '3'])}剂  ${w.date()}  ${w.pick(['上臂三角肌', '左上臂', '右上臂', '口服'])}  批号${w.colon()}${w.num(9)}  ${w.pick(['接种单位', '接种门诊'])}${w.colon()}${w.pick(['社区卫生服务中心', '预防接种门诊', '疾病预防控制中心'])}`);
    const table = rows.join('\n');
    const text = `${w.pick(['预防接种证', '疫苗接种记录', '新冠病毒疫苗接种凭证', '预防接种证明', '免疫接种记录'])}\n${w.header([`出生日期${w.colon()}${w.date()}`])}\n疫苗名称  剂次  接种日期  接种部位  疫苗批号  接种单位\n${table}\n接种医生${w.colon()}${w.name()}`;
    return { text, parts: [table, rows[0]!] };
  }],
  checkup: [(w) => {
    const finds = Array.from({ length: w.int(2, 7) }, (_, i) => `${i + 1}.${w.pick(['脂肪肝（轻度）', '甲状腺结节', '血脂偏高', '尿酸偏高', '窦性心动过缓', '肝囊肿', '乳腺增生', '颈动脉斑块', '幽门螺杆菌阳性', '血压偏高', '体重指数偏高', '空腹血糖偏高', '胆囊息肉', '前列腺增生', '右肾结石', '双眼屈光不正'])}：${w.pick(['建议低脂饮食，适量运动，定期复查肝功能及腹部彩超。', '建议内分泌科随访，半年复查甲状腺彩超。', '建议控制饮食，复查血脂。', '建议专科就诊。', '建议结合临床，定期复查。', '建议进一步检查。'])}`);
    const list = finds.join('\n');
    const text = `${w.pick(['健康体检报告', '体检报告', '体检结论', '总检报告', '入职体检报告'])}\n${w.header([`体检编号${w.colon()}${w.num(10)}`, `体检日期${w.colon()}${w.date()}`])}\n${w.pick(['总检结论', '体检结论', '主要异常结果及建议', '综述'])}${w.colon()}\n${list}\n${w.pick(['主检医生', '总检医师'])}${w.colon()}${w.name()}`;
    return { text, parts: [list, finds[0]!] };
  }, (w) => {
    const organs = ['肝', '胆', '胰', '脾', '左肾', '右肾', '甲状腺', '双乳', '前列腺', '子宫', '附件'];
    const issues = ['脂肪肝（轻度）', '脂肪肝趋势', '肝囊肿', '肝内钙化灶', '胆囊息肉', '胆囊结石', '肾结晶', '肾囊肿', '甲状腺结节', '乳腺增生', '前列腺增生', '子宫肌瘤', '肝血管瘤可能'];
    const found = w.some(issues, 1, 3).map((i) => `${w.pick(['', '考虑', '疑似'])}${i}${w.pick(['', '，建议定期复查', '，建议结合临床', '，建议进一步检查', '，建议专科随诊'])}`);
    const normal = w.some(organs, 1, 4).join('、') + w.pick(['未发现明显异常', '未见明显异常', '未见异常']);
    const line = w.chance(0.5) ? `${found.join(w.pick(['', '，', ' ', '；']))}${w.pick(['', ' ', '，'])}${normal}` : `${w.pick(organs)}:${found[0]}${w.pick(organs)}:${found[found.length - 1]}${normal}`;
    return { text: line, parts: [] };
  }, (w) => {
    const h = w.int(150, 185);
    const kg = w.int(45, 95);
    const lines = [
      `一般检查${w.colon()}身高${h}cm 体重${kg}kg BMI ${(kg / ((h / 100) ** 2)).toFixed(1)} 血压${w.int(100, 160)}/${w.int(60, 100)}mmHg`,
      `内科${w.colon()}${w.pick(['未见异常', '心肺听诊未见异常', '肝脾未触及'])}`,
      `外科${w.colon()}${w.pick(['未见异常', '甲状腺未触及结节', '脊柱四肢未见异常'])}`,
      `${w.pick(['眼科', '耳鼻喉科', '口腔科', '妇科'])}${w.colon()}${w.pick(['未见异常', '双眼屈光不正', '慢性咽炎', '牙结石'])}`,
      `${w.pick(['结论', '体检结论', '总检结论', '综合评估'])}${w.colon()}${w.pick(['超重', '血压偏高', '血脂异常', '未见明显异常'])}，${w.pick(['建议控制体重，定期复查。', '建议低盐低脂饮食，定期监测血压。', '建议每年体检一次。'])}`,
    ];
    const kept = lines.filter((_, i) => i === 0 || i === lines.length - 1 || w.chance(0.7));
    return { text: `${w.chance(0.4) ? `${w.pick(['健康体检报告', '体检报告'])}\n` : ''}${kept.join('\n')}`, parts: [kept.slice(0, 2).join('\n')] };
  }],
  drug_leaflet: [(w) => {
    const d = w.drug();
    const b = (h: string, t: string): string => `${w.pick([`【${h}】`, `${h}：`, `【${h}】\n`])}${t}`;
    const sections = [
      b('药品名称', `通用名称：${d.generic}\n商品名称：${d.trade || d.generic}`),
      b(w.pick(['成份', '成分']), `本品主要成份为${d.generic.replace(/(片|胶囊|颗粒|注射液|缓释片|分散片)$/, '')}。`),
      b('性状', w.pick(['本品为白色片。', '本品为薄膜衣片，除去包衣后显白色。', '本品为胶囊剂，内容物为白色粉末。'])),
      b(w.pick(['适应症', '功能主治']), `用于${w.disease()}、${w.disease()}的治疗。`),
      b('规格', w.pick(['10mg', '0.25g', '50mg×14片'])),
      b('用法用量', `口服。成人一次${w.int(1, 2)}片，一日${w.int(1, 3)}次，或遵医嘱。`),
      b('不良反应', `常见${w.symptom()}、${w.symptom()}，偶见皮疹。`),
      b('禁忌', '对本品任何成份过敏者禁用。'),
      b('注意事项', '肝肾功能不全者慎用。用药期间应定期检查。'),
      b('孕妇及哺乳期妇女用药', '尚不明确，应在医师指导下使用。'),
      b('贮藏', '遮光，密封，在阴凉处保存。'),
      b('有效期', `${w.int(18, 36)}个月`),
      b('批准文号', `国药准字H${w.num(8)}`),
      b('生产企业', d.company || '某制药有限公司'),
    ];
    const kept = sections.filter((_, i) => i < 2 || w.chance(0.8));
    const text = `${w.pick([`${d.generic}说明书`, '请仔细阅读说明书并在医师指导下使用', '药品说明书'])}\n${kept.join('\n')}`;
    return { text, parts: [kept.slice(3, 6).join('\n'), kept[w.int(2, kept.length - 1)]!] };
  }],
  ecg: [(w) => {
    const rate = w.int(45, 130);
    const conclusion = w.some(['窦性心律', rate < 60 ? '窦性心动过缓' : rate > 100 ? '窦性心动过速' : '窦性心律', '电轴左偏', 'ST段改变', 'T波低平', '完全性右束支传导阻滞', '房性早搏', '室性早搏', '左室高电压', '正常心电图', '大致正常心电图', 'I度房室传导阻滞'], 1, 3).join('\n');
    const measures = `心率${w.colon()}${rate}bpm  PR间期${w.colon()}${w.int(120, 220)}ms  QRS${w.colon()}${w.int(70, 130)}ms  QT/QTc${w.colon()}${w.int(340, 440)}/${w.int(380, 470)}ms  电轴${w.colon()}${w.int(-30, 100)}°`;
    const text = `${w.pick(['心电图报告', '常规心电图检查报告', '十二导联心电图报告', '心电图诊断报告'])}\n${w.header()}\n${measures}\n${w.pick(['诊断', '心电图诊断', '结论', '提示'])}${w.colon()}\n${conclusion}\n${w.pick(['报告医师', '诊断医师'])}${w.colon()}${w.name()}`;
    return { text, parts: [measures, conclusion] };
  }, (w) => {
    const items = w.some(['窦性心律', `窦性心动过缓(${w.int(45, 59)}次/分)`, `窦性心动过速(${w.int(101, 130)}次/分)`, '心电轴左偏', '心电轴右偏', 'ST段压低', 'ST-T改变', 'T波低平', 'T波倒置', 'ⅡⅢaVF T波低平', 'V1-V3呈QS型', '完全性右束支传导阻滞', '不完全性右束支传导阻滞', '左前分支阻滞', '房性早搏', '室性早搏', '左室高电压', '心房颤动', '正常心电图', '大致正常心电图', '窦性心律不齐', '逆钟向转位', '顺钟向转位', 'I度房室传导阻滞', '低电压', 'QT间期延长'], 1, 4);
    return { text: items.join(w.pick(['', ' ', '，', '  '])), parts: [] };
  }],
  pathology: [(w) => {
    const organ = w.pick(['胃', '结肠', '直肠', '乳腺', '甲状腺', '肺', '肝', '子宫', '胆囊', '食管']);
    const gross = `${w.pick(['送检', '(', '（'])}${organ}${w.pick(['组织', '肿物', '切除标本'])}${w.pick(['', ')', '）'])}，大小${w.int(1, 12)}×${w.int(1, 8)}×${w.int(1, 5)}cm，切面${w.pick(['灰白', '灰红', '灰黄'])}，质${w.pick(['硬', '中', '软'])}。`;
    const micro = `镜下见${w.pick(['异型腺体浸润性生长', '肿瘤细胞呈巢团状排列，核大深染', '乳头状结构，核呈毛玻璃样', '组织慢性炎细胞浸润'])}，${w.pick(['可见脉管侵犯', '未见明确神经侵犯', '核分裂象易见'])}。`;
    const ihc = w.some(['CK(+)', 'CK7(+)', 'CK20(-)', 'CDX-2(+)', 'Ki-67(约30%+)', 'P53(+)', 'ER(90%+)', 'PR(60%+)', 'HER-2(1+)', 'TTF-1(+)', 'NapsinA(+)', 'Syn(-)', 'CgA(-)'], 3, 8).join('，');
    const diag = `${organ}${w.pick(['中分化腺癌', '浸润性导管癌', '乳头状癌', '鳞状细胞癌', '慢性炎症伴肠化', '管状腺瘤'])}${w.pick(['', `，淋巴结(${w.int(0, 3)}/${w.int(4, 20)})见癌转移`, '，切缘未见癌'])}。`;
    const parts: Array<[string, string]> = [[w.pick(['肉眼所见', '大体所见', '大体检查']), gross], [w.pick(['镜下所见', '光镜所见']), micro], [w.pick(['免疫组化', '免疫组化结果']), ihc], [w.pick(['病理诊断', '诊断意见', '病理学诊断']), diag]];
    const text = `${w.chance(0.6) ? w.hospital() : ''}\n${w.pick(['病理诊断报告', '病理报告单', '病理检查报告', '外科病理报告'])}\n${w.header([`病理号${w.colon()}${w.num(7)}`, `送检日期${w.colon()}${w.date()}`])}\n${body(parts, w)}`;
    return { text, parts: [gross + micro, diag, ihc] };
  }, (w) => {
    // Pathology conclusions as they are quoted alone: (site, procedure) diagnosis.
    const site = w.pick(['宫颈活检', '胃窦', '胃角活检', '结肠', '乙状结肠息肉', '左乳肿物', '右甲状腺', '胆囊', '阑尾', '子宫', '右肺上叶', '前列腺穿刺', '皮肤肿物', '肠镜活检', '左侧腋窝淋巴结']);
    const diagnosis = w.pick(['慢性宫颈炎，局灶CIN Ⅰ级', 'CIN Ⅲ级累及腺体', '慢性萎缩性胃炎伴肠上皮化生', '管状腺瘤伴低级别上皮内瘤变', '高级别上皮内瘤变', '浸润性导管癌，Ⅱ级', '甲状腺乳头状癌（经典型）', '慢性胆囊炎伴胆固醇沉积', '急性化脓性阑尾炎', '子宫平滑肌瘤', '浸润性腺癌，腺泡为主型', '前列腺腺癌，Gleason评分4+3=7分', '脂溢性角化病', '炎性息肉', '淋巴结反应性增生', '转移性腺癌(2/12)']);
    const text = `${w.pick(['(', '（', ''])}${site}${w.pick([')', '）', '：'])}${diagnosis}${w.pick(['。', '', '；建议免疫组化进一步明确。', '，切缘未见病变。'])}`;
    return { text, parts: [] };
  }],
  xray: [(w) => {
    const findings = w.pick([
      `胸廓对称，气管居中。双肺纹理${w.pick(['清晰', '增多、增粗', '紊乱'])}，${w.pick(['未见明显实质性病变', '右下肺野见斑片状模糊影', '左上肺野见条索影'])}。双肺门影不大，心影${w.pick(['大小形态正常', '增大，呈主动脉型'])}，主动脉结${w.pick(['不宽', '迂曲钙化'])}。双侧膈面光整，肋膈角锐利。`,
      `${w.pick(['腰椎', '颈椎', '胸椎'])}生理曲度${w.pick(['存在', '变直', '反弓'])}，椎体序列${w.pick(['整齐', '欠连续'])}，${w.pick(['多个椎体边缘骨质增生', 'L4/5椎间隙变窄', '椎体骨质未见明显破坏'])}，附件结构未见异常，椎旁软组织未见肿胀。`,
      `${w.pick(['左', '右'])}${w.pick(['胫腓骨', '桡骨远端', '股骨颈', '锁骨'])}骨质连续性${w.pick(['中断，断端对位可', '中断，断端移位', '完整'])}，${w.pick(['周围软组织肿胀', '关节间隙正常', '骨折线清晰'])}。`,
      `立位腹平片：${w.pick(['膈下未见游离气体', '中腹部见多个气液平面', '肠管积气扩张'])}，${w.pick(['双侧腰大肌影清晰', '未见异常钙化影'])}。`,
    ]);
    const impression = w.pick(['双肺未见明显异常', '右下肺炎症', '心影增大，请结合临床', '腰椎退行性变', '骨折，请结合临床', '肠梗阻可能', '主动脉硬化', '支气管炎表现']);
    const text = `${w.pick(['DR检查报告', 'X线检查报告单', '胸部正位片', '放射诊断报告', '数字化X线摄影报告'])}\n${w.header([`检查部位${w.colon()}${w.pick(['胸部正位', '腰椎正侧位', '腹部立位', '左膝关节正侧位'])}`])}\n${w.pick(['检查所见', 'X线表现', '影像表现'])}${w.colon()}${findings}\n${w.pick(['诊断意见', '印象', '影像诊断'])}${w.colon()}${impression}`;
    return { text, parts: [findings, impression + '。'] };
  }],
  mammography: [(w) => {
    const birads = w.pick(['1', '2', '3', '4a', '4A', '4B', '4C', '5', '0']);
    const findings = `${w.pick(['双侧乳腺呈', '两侧乳腺腺体呈'])}${w.pick(['多量腺体型', '少量腺体型', '致密型', '脂肪型'])}。${w.pick(['左', '右'])}乳${w.pick(['外上象限', '内上象限', '外下象限', '中央区'])}见${w.pick(['一枚结节影', '簇状细小钙化', '不规则肿块影，边缘毛刺', '局灶性不对称致密'])}，${w.pick(['大小约', '范围约'])}${w.int(3, 30)}mm。${w.pick(['双侧腋下未见肿大淋巴结', '乳头、皮肤未见凹陷增厚', '未见结构扭曲'])}。`;
    const impression = `${w.pick(['左', '右'])}乳${w.pick(['结节', '钙化', '肿块'])}，BI-RADS ${birads}类${w.pick(['', '，建议活检', '，建议短期随访', '，建议结合超声'])}`;
    const text = `${w.pick(['乳腺钼靶报告', '乳腺X线摄影检查报告', '乳腺钼靶检查报告单', '乳腺DR检查报告'])}\n${w.header([`投照体位${w.colon()}双侧CC位+MLO位`])}\n${w.pick(['检查所见', '影像所见'])}${w.colon()}${findings}\n${w.pick(['诊断意见', '影像诊断', '印象'])}${w.colon()}${impression}`;
    return { text, parts: [findings, impression] };
  }],
  endoscopy: [(w) => {
    const gastro = w.chance(0.6);
    const findings = gastro
      ? `食管：${w.pick(['黏膜光滑，血管纹理清晰', '下段见纵行糜烂，长约0.5cm', '齿状线清晰'])}。贲门：${w.pick(['开闭好', '黏膜光滑'])}。胃底：${w.pick(['黏液湖清', '黏膜光滑'])}。胃体：${w.pick(['黏膜充血水肿', '皱襞规则'])}。胃角：${w.pick(['弧度存在，黏膜光滑', '见一溃疡，覆白苔'])}。胃窦：${w.pick(['黏膜红白相间，以红为主', '黏膜粗糙，散在糜烂', '见一0.5cm隆起'])}，${w.pick(['于胃窦取活检1块', '蠕动好'])}。幽门：${w.pick(['圆，开闭好', '变形'])}。十二指肠：${w.pick(['球部及降部未见异常', '球部前壁见溃疡'])}。`
      : `进镜至回盲部，${w.pick(['回肠末端未见异常', '阑尾开口清晰'])}。${w.pick(['升结肠', '横结肠', '降结肠', '乙状结肠'])}见一${w.pick(['0.4cm', '0.8cm', '1.5cm'])}${w.pick(['亚蒂息肉', '广基息肉', '隆起性病变，表面糜烂'])}，${w.pick(['予EMR切除', '予活检钳除', '取活检2块'])}。直肠黏膜${w.pick(['光滑', '充血'])}，${w.pick(['肛门见痔核', '退镜观察未见其他异常'])}。`;
    const diag = gastro ? w.pick(['慢性非萎缩性胃炎伴糜烂', '胃溃疡(A1期)', '反流性食管炎(LA-A级)', '十二指肠球部溃疡', '慢性萎缩性胃炎']) : w.pick(['结肠息肉(已切除)', '乙状结肠癌可能', '内痔', '直肠炎']);
    const text = `${w.pick(gastro ? ['电子胃镜检查报告', '胃镜检查报告单', '内镜检查报告'] : ['电子结肠镜检查报告', '肠镜检查报告单', '内镜检查报告'])}\n${w.header([`检查项目${w.colon()}${gastro ? '电子胃镜' : '电子结肠镜'}`])}\n${w.pick(['内镜所见', '镜检所见', '检查所见'])}${w.colon()}${findings}\n${w.pick(['内镜诊断', '诊断意见', '镜下诊断'])}${w.colon()}${diag}\n${w.pick(['活检部位', '活检'])}${w.colon()}${w.pick(['胃窦', '无', '乙状结肠'])}`;
    return { text, parts: [findings], subtypeHint: gastro ? 'gastroscopy' : 'colonoscopy' };
  }, (w) => {
    const [title, findings, diag, subtype] = w.pick([
      ['电子支气管镜检查报告', `声门${w.pick(['活动好', '闭合可'])}，气管${w.pick(['通畅', '黏膜光滑'])}，隆突锐利。${w.pick(['右', '左'])}${w.pick(['上叶', '下叶', '中叶'])}支气管${w.pick(['开口见新生物阻塞', '黏膜充血水肿', '管腔通畅'])}，${w.pick(['于该处活检3块', '行肺泡灌洗送检', '刷检送细胞学'])}。`, w.pick(['右肺上叶支气管新生物', '支气管炎症', '左下叶支气管狭窄']), 'bronchoscopy'],
      ['电子喉镜检查报告', `会厌${w.pick(['正常', '无充血'])}，${w.pick(['左', '右'])}侧声带${w.pick(['前中1/3见一息肉样新生物', '充血肥厚', '边缘见白斑'])}，声带运动${w.pick(['好', '对称'])}，梨状窝${w.pick(['清', '无积液'])}。`, w.pick(['声带息肉', '慢性喉炎', '声带白斑']), 'laryngoscopy'],
      ['阴道镜检查报告', `宫颈${w.pick(['光滑', '中度糜烂样改变'])}，转化区${w.pick(['Ⅰ型', 'Ⅱ型', 'Ⅲ型'])}，醋酸试验后见${w.pick(['薄醋白上皮', '厚醋白上皮伴镶嵌', '点状血管'])}，碘试验${w.pick(['不着色', '部分着色'])}，于${w.pick(['3、9点', '6、12点', '2、5、8点'])}取活检。`, w.pick(['宫颈低级别病变可能', '宫颈高级别病变可能', '慢性宫颈炎']), 'colposcopy'],
      ['膀胱镜检查报告', `尿道${w.pick(['通畅', '无狭窄'])}，膀胱${w.pick(['三角区', '左侧壁', '顶壁'])}见${w.pick(['一乳头状新生物，约1.5cm', '黏膜充血', '滤泡样改变'])}，双侧输尿管口${w.pick(['清晰，喷尿可', '位置正常'])}。`, w.pick(['膀胱肿瘤', '膀胱炎', '腺性膀胱炎']), 'cystoscopy'],
      ['宫腔镜检查报告', `宫颈管${w.pick(['通畅', '未见异常'])}，宫腔形态${w.pick(['正常', '失常'])}，${w.pick(['宫底', '后壁', '前壁'])}见${w.pick(['一息肉样赘生物，约0.8cm', '黏膜下肌瘤突向宫腔', '内膜增厚不均'])}，双侧输卵管开口${w.pick(['可见', '清晰'])}。`, w.pick(['子宫内膜息肉', '黏膜下子宫肌瘤', '子宫内膜增生']), 'hysteroscopy'],
      ['鼻咽镜检查报告', `鼻咽部${w.pick(['顶后壁见新生物', '黏膜光滑', '腺样体残留'])}，${w.pick(['左', '右'])}侧咽隐窝${w.pick(['变浅', '对称'])}，咽鼓管咽口${w.pick(['清晰', '受压'])}。`, w.pick(['鼻咽部新生物', '慢性鼻咽炎', '腺样体肥大']), 'nasopharyngoscopy'],
    ] as Array<[string, string, string, string]>);
    const text = `${w.chance(0.7) ? `${title}\n${w.header()}\n` : ''}${w.pick(['镜检所见', '检查所见', '内镜所见', ''])}${w.colon()}${findings}\n${w.pick(['诊断', '内镜诊断', '镜下诊断', '印象'])}${w.colon()}${diag}`;
    return { text, parts: [findings], subtypeHint: subtype };
  }],
  admission: [(w) => {
    const hist = history(w);
    const parts: Array<[string, string]> = [
      ['主诉', `${w.symptom()}${w.int(1, 12)}${w.pick(['天', '月', '年'])}，加重${w.int(1, 7)}天`], ['现病史', hist],
      ['既往史', `${w.pick(['既往体健', `有${w.disease()}病史${w.int(2, 20)}年`])}，否认肝炎、结核等传染病史，否认手术外伤史，${w.pick(['否认药物过敏史', '对青霉素过敏'])}。`],
      ['个人史', '生于原籍，无疫区居住史，无烟酒嗜好。'], ['婚育史', `${w.int(20, 30)}岁结婚，育有${w.int(0, 3)}子女。`], ['家族史', '否认家族遗传病史。'],
      ['体格检查', exam(w)], ['辅助检查', `${w.pick(w.v.checks)}示${w.pick(['未见异常', '异常', '升高'])}。`], [w.pick(['初步诊断', '入院诊断']), `1.${w.disease()}\n2.${w.disease()}`],
    ];
    const text = `${w.pick(['入院记录', '入 院 记 录', '住院志', '入院病历'])}\n${w.header([`入院日期${w.colon()}${w.time()}`, `病史陈述者${w.colon()}患者本人`])}\n${body(parts, w)}`;
    return { text, parts: [hist, `主诉：${parts[0]![1]}`] };
  }],
  discharge: [(w) => {
    const course = `入院后完善${w.some(['血常规', '肝肾功能', '凝血功能', '胸部CT', '腹部彩超', '心电图'], 2, 4).join('、')}等检查，予${w.drug().generic}${w.pick(['抗感染', '降压', '护胃', '营养支持'])}等治疗，${w.pick([`于${w.date()}行${w.pick(w.v.procedures)}，术后恢复可`, '症状逐渐好转', '病情稳定'])}。`;
    const outcome = `患者${w.pick(['一般情况可', '无不适主诉', '精神饮食可'])}，${w.some(STATUS_NEG, 1, 3).join('，')}，${w.pick(['切口愈合良好', '生命体征平稳', '复查指标较前好转'])}。`;
    const orders = `1.${w.pick(['注意休息，清淡饮食', '低盐低脂饮食', '避免劳累'])}；2.继续口服${w.drug().generic}；3.${w.pick(['1周后门诊复查', '定期复查血常规', '不适随诊', '2周后拆线'])}。`;
    const cert = w.chance(0.25);
    const parts: Array<[string, string]> = [
      ['入院情况', `患者因“${w.symptom()}${w.int(1, 10)}天”入院。`], ['入院诊断', w.disease()], [w.pick(['诊疗经过', '住院经过']), course],
      [w.pick(['出院诊断', '出院诊断']), `1.${w.disease()}\n2.${w.disease()}`], [w.pick(['出院情况', '出院时情况']), outcome], ['出院医嘱', orders],
    ];
    const title = cert ? w.pick(['出院证明', '出院证明书', '出院证']) : w.pick(['出院记录', '出院小结', '出 院 记 录', '出院摘要']);
    const text = `${w.chance(0.5) ? w.hospital() : ''}\n${title}\n${w.header([`入院日期${w.colon()}${w.date()}`, `出院日期${w.colon()}${w.date()}`, `住院天数${w.colon()}${w.int(2, 30)}天`])}\n${body(cert ? [parts[3]!, parts[5]!] : parts, w)}`;
    return { text, parts: cert ? [] : [course, outcome + orders], subtypeHint: cert ? 'discharge_certificate' : undefined };
  }],
};

const IMAGING_FRAMES: Partial<Record<ReportType, { titles: string[]; findings: string[]; impression: string[]; extra: string[] }>> = {
  ct: { titles: ['CT检查报告单', 'CT诊断报告', '胸部CT平扫报告', '上腹部CT增强报告', '放射科CT报告'], findings: ['检查所见', '影像所见', '影像表现', 'CT所见'], impression: ['诊断意见', '影像诊断', '印象', '检查结论'], extra: ['检查部位', '检查方法'] },
  mri: { titles: ['MRI检查报告', '磁共振检查报告单', 'MR诊断报告', '核磁共振报告'], findings: ['检查所见', '影像所见', 'MR所见', '影像表现'], impression: ['诊断意见', '影像诊断', '印象'], extra: ['检查部位', '扫描序列'] },
  ultrasound: { titles: ['超声检查报告', '彩色多普勒超声报告', '彩超检查报告单', '超声诊断报告'], findings: ['超声所见', '检查所见', '超声描述'], impression: ['超声提示', '超声诊断', '诊断意见'], extra: ['检查部位', '超声号'] },
  xray: { titles: ['DR检查报告', 'X线检查报告单', '放射科诊断报告', '胸部正位片报告'], findings: ['检查所见', '影像表现', 'X线所见'], impression: ['诊断意见', '印象', '影像诊断'], extra: ['检查部位', '摄片号'] },
  mammography: { titles: ['乳腺钼靶报告', '乳腺X线摄影报告', '乳腺钼靶检查报告单'], findings: ['检查所见', '影像所见'], impression: ['诊断意见', '影像诊断'], extra: ['检查部位'] },
  endoscopy: { titles: ['电子胃镜检查报告', '胃镜检查报告单', '电子结肠镜检查报告', '内镜检查报告'], findings: ['内镜所见', '镜检所见', '检查所见'], impression: ['内镜诊断', '诊断意见', '镜下诊断'], extra: ['检查项目', '活检部位'] },
};

/** Puts a real exam report's findings/impression into a letterhead frame, as a printed report shows them. */
export function frameImaging(doc: LabelledDoc, w: Writer): LabelledDoc | null {
  const frame = IMAGING_FRAMES[doc.type];
  if (!frame) return null;
  const [impression = '', findings = ''] = doc.fragmentParts?.length === 2
    ? [doc.fragmentParts[1]!.text, doc.fragmentParts[0]!.text]
    : [doc.text.slice(0, Math.min(120, Math.floor(doc.text.length / 3))), doc.text.slice(Math.min(120, Math.floor(doc.text.length / 3)))];
  const head = `${w.chance(0.6) ? w.hospital() : ''}\n${w.pick(frame.titles)}\n${w.header([`${w.pick(frame.extra)}${w.colon()}${w.pick(['胸部', '上腹部', '头颅', '颈部', '乳腺', '腰椎', '盆腔', '甲状腺'])}`, `检查日期${w.colon()}${w.date()}`])}`;
  const text = `${head}\n${w.pick(frame.findings)}${w.colon()}\n${findings.trim()}\n${w.pick(frame.impression)}${w.colon()}\n${impression.trim()}\n${w.pick(['报告医师', '诊断医师', '审核医师'])}${w.colon()}${w.name()}`;
  return { text, type: doc.type, source: `framed:${doc.source}` };
}

export function syntheticDocs(perType: number, seed: number): { docs: Array<LabelledDoc & { subtype?: string }>; writer: Writer } {
  const w = new Writer(seededRng(seed), loadVocab());
  const docs: Array<LabelledDoc & { subtype?: string }> = [];
  for (const [type, generators] of Object.entries(GENERATORS) as Array<[ReportType, Generator[]]>) {
    for (let i = 0; i < perType; i++) {
      const g = generators[i % generators.length]!(w);
      docs.push({
        text: g.text.replace(/^\n+/, ''),
        type,
        source: `synthetic:${type}`,
        fragmentParts: g.parts.filter((p) => p.trim().length >= 6).map((text) => ({ text, type })),
        ...(g.subtypeHint ? { subtype: g.subtypeHint } : {}),
      });
    }
  }
  return { docs, writer: w };
}

export type { Writer };
