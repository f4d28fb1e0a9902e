/**
 * Classify + sections benchmark: model load time, then per-report latency (p50/p99) of the classify and
 * sections stages on 1,000-character reports of several types, one core. Run with `npm run bench:classify`.
 */
import { cpus } from 'node:os';
import { classifyStage } from '../src/classify/index.js';
import { loadModel } from '../src/classify/model.js';
import { MedDocument } from '../src/document/document.js';
import { sectionsStage } from '../src/sections/index.js';

const REPORTS = [
  `超声检查报告\n姓名:王某 性别:女 年龄:46岁 检查部位:甲状腺、颈部淋巴结\n超声所见:\n甲状腺右侧叶42*19*19mm，左侧叶40*18*14mm，峡部厚2.6mm，形态规则，包膜光整。甲状腺右侧叶中下部见一低回声结节，大小约13*11mm，边界欠清，形态不规则，纵横比>1，内见点状强回声，CDFI示结节内见条状血流信号。左侧叶内见数枚囊性结节，较大者约3.2*2.4mm，边界清，透声可。双侧颈部未见明显肿大淋巴结。\n超声提示:\n甲状腺右侧叶实性结节，TI-RADS 4b类，建议穿刺活检；甲状腺左侧叶囊性结节，TI-RADS 2类。`,
  `入院记录\n主诉：反复咳嗽、咳痰10年，加重伴气促3天。\n现病史：患者10年前受凉后出现咳嗽、咳白色黏痰，冬春季节明显，每年持续3个月以上，多次于当地医院诊断为“慢性支气管炎”，予抗感染、止咳化痰治疗后好转。3天前受凉后咳嗽加重，咳黄脓痰，伴活动后气促，无胸痛、咯血，无发热、盗汗，为求进一步诊治来我院，门诊以“慢性阻塞性肺疾病急性加重”收入我科。病程中精神、饮食、睡眠欠佳，二便正常，体重无明显变化。\n既往史：高血压病史5年，规律服用硝苯地平控释片30mg qd，血压控制可。否认糖尿病、冠心病史，否认肝炎、结核等传染病史，否认手术外伤史，否认输血史，对青霉素过敏。\n个人史：吸烟30年，每日20支，已戒烟2年，少量饮酒。\n婚育史：25岁结婚，育有1子1女，配偶及子女体健。\n家族史：父亲患高血压，否认家族遗传病史。\n体格检查：T 36.8℃，P 96次/分，R 22次/分，BP 145/90mmHg。神志清楚，口唇轻度发绀，桶状胸，双肺叩诊过清音，双肺呼吸音低，可闻及散在干湿性啰音。心率96次/分，律齐。\n初步诊断：1.慢性阻塞性肺疾病急性加重 2.高血压2级（中危）`,
  `左下肺癌术后复查，对比2017-3-3片：左下肺术后部分缺失，吻合线旁、左侧纵隔旁可见不规则软组织影，范围约29×22mm，边界不清，增强呈中度不均匀强化，较前增大，包绕、压迫下腔静脉。左肺门见多个淋巴结，边界不清，较大范围约27×18mm，增强可见不均匀强化，包绕左侧支气管，左上支气管局部受压变窄。右肺纹理清晰，肺内未见实质性病变。气管及余支气管分支未见明确受压、阻塞。两侧锁骨下、左下气管旁、右上气管旁、隆突上见多发淋巴结，部分边界欠清，短径约10mm，均匀强化。左侧胸膜不均匀增厚，左侧胸腔可见少量积液。肝脏形态未见异常，肝S5见结节影，大者约33mm×24mm，可见中度强化，边界不清。左侧第6肋术后改变。左下肺癌术后复查：吻合线旁、左侧纵隔旁软组织影，较前稍增大，考虑复发。纵隔及左肺门肿大淋巴结，部分较前增大。肝S5结节，较前增大，考虑转移，建议进一步检查。`,
];

function padTo(text: string, length: number): string {
  let out = text;
  while ([...out].length < length) out += `\n${text}`;
  return [...out].slice(0, length).join('');
}

const loadStarted = performance.now();
loadModel();
const loadMs = performance.now() - loadStarted;
const docsText = REPORTS.map((r) => padTo(r, 1000));
const run = (text: string): void => {
  const doc = new MedDocument(text);
  classifyStage.process(doc);
  sectionsStage.process(doc);
};
for (let i = 0; i < 200; i++) run(docsText[i % docsText.length]!); // warm-up: JIT
const times: number[] = [];
const started = performance.now();
while (performance.now() - started < 5000) {
  for (const text of docsText) {
    const t0 = performance.now();
    run(text);
    times.push(performance.now() - t0);
  }
}
times.sort((a, b) => a - b);
const at = (q: number): number => Math.round(times[Math.min(times.length - 1, Math.floor(q * times.length))]! * 1000) / 1000;
console.log(JSON.stringify({
  machine: `${cpus()[0]?.model ?? 'unknown'} (${cpus().length} cores), node ${process.version}`,
  modelLoadMs: Math.round(loadMs),
  reports: times.length,
  charsPerReport: 1000,
  includes: 'MedDocument construction + classify + sections',
  p50Ms: at(0.5),
  p99Ms: at(0.99),
}));
