import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MedDocument } from '../src/document/document.js';
import type { FieldValue } from '../src/document/types.js';
import type { VaccinationRecord } from '../src/fields/index.js';
import { normalizeVaccine } from '../src/fields/vaccination.js';
import { Pipeline } from '../src/pipeline/stage.js';
import { structureDocument, toTencentTemplate } from '../src/structure/index.js';

const fixture = (name: string): string => readFileSync(join(import.meta.dirname, 'fixtures', 'vaccination', `${name}.txt`), 'utf8');

interface Run {
  doc: MedDocument;
  holder: Record<string, FieldValue | null>;
  records: VaccinationRecord[];
  patient: Record<string, unknown>;
  template: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

function structure(text: string): Run {
  const doc = new MedDocument(text);
  const result = structureDocument(doc, { type: 'vaccination', pipeline: new Pipeline([]) });
  const fields = result.fields as { holder: Run['holder']; records: VaccinationRecord[] };
  return { doc, holder: fields.holder, records: fields.records, patient: result.patient, template: toTencentTemplate(result, doc) };
}

/** Every value is what the original text holds at its span. */
function spansHold(run: Run): void {
  for (const r of run.records) {
    for (const v of [r.vaccine, r.dose, r.date, r.lot, r.manufacturer, r.site, r.route, r.clinic, r.provider, r.text]) {
      if (v) expect(run.doc.slice(v.start, v.end)).toBe(v.value);
    }
  }
}

const row = (r: VaccinationRecord): unknown[] =>
  [r.vaccine?.normalized, r.code, r.dose?.normalized, r.date?.normalized, r.lot?.value, r.manufacturer?.value, r.site?.value, r.clinic?.value, r.provider?.value];

describe('vaccination certificate fields', () => {
  it('reads a child certificate table row by row, vaccine names normalized, doses not given yet left out', () => {
    const run = structure(fixture('child'));
    spansHold(run);
    expect(run.holder.name?.value).toBe('王小明');
    expect(run.holder.sex?.normalized).toBe('male');
    expect(run.holder.birthDate?.normalized).toBe('2021-03-15');
    expect(run.holder.certificateNumber?.value).toBe('330106202103150027');
    expect(run.holder.guardian?.value).toBe('王建军');
    expect(run.records.map(row)).toEqual([
      ['乙型肝炎疫苗', 'HepB', 1, '2021-03-15', '202012A05', '深圳康泰', '右上臂三角肌', '杭州市西湖区妇幼保健院', '李芳'],
      ['卡介苗', 'BCG', 1, '2021-03-15', '202011012', '上海生物', '左上臂三角肌', '杭州市西湖区妇幼保健院', '李芳'],
      ['乙型肝炎疫苗', 'HepB', 2, '2021-04-16', '202101B12', '深圳康泰', '右上臂三角肌', '西溪街道社区卫生服务中心', '张敏'],
      ['脊髓灰质炎灭活疫苗', 'IPV', 1, '2021-05-17', 'J202103011', '北京生物', '右大腿前外侧', '西溪街道社区卫生服务中心', '张敏'],
      ['吸附无细胞百白破联合疫苗', 'DTaP', 1, '2021-06-18', '202104008', '武汉生物', '左大腿前外侧', '西溪街道社区卫生服务中心', '张敏'],
    ]);
    expect(run.records[0]!.vaccine!.value).toBe('乙肝疫苗');
    expect(run.records[0]!.text.value.startsWith('乙肝疫苗\t第1剂\t2021-03-15')).toBe(true);
  });

  it('reads labelled COVID-19 blocks, one record per dose heading, the booster included', () => {
    const run = structure(fixture('covid'));
    spansHold(run);
    expect(run.holder.idNumber?.value).toBe('110105198801011234');
    expect(run.records.map(row)).toEqual([
      ['新型冠状病毒灭活疫苗(Vero细胞)', 'COVID-19-I', 1, '2021-04-12', '202104A123', '北京科兴中维生物技术有限公司', undefined, '北京市朝阳区社区卫生服务中心', undefined],
      ['新型冠状病毒灭活疫苗(Vero细胞)', 'COVID-19-I', 2, '2021-05-10', '202105B017', '北京科兴中维生物技术有限公司', undefined, '北京市朝阳区社区卫生服务中心', undefined],
      ['重组新型冠状病毒蛋白疫苗(CHO细胞)', 'COVID-19-P', 'booster', '2021-11-20', 'Z202111045', '安徽智飞龙科马生物制药有限公司', undefined, '北京市朝阳区疾病预防控制中心', undefined],
    ]);
    expect(run.records[2]!.dose!.value).toBe('加强针');
  });

  it('reads a rabies post-exposure card: immune globulin, then five doses sharing the vaccine, maker and unit named above the table', () => {
    const run = structure(fixture('rabies'));
    spansHold(run);
    expect(run.records).toHaveLength(6);
    const [globulin, ...doses] = run.records;
    expect([globulin!.vaccine?.normalized, globulin!.code, globulin!.date?.normalized, globulin!.lot?.value, globulin!.manufacturer?.value, globulin!.site?.value, globulin!.route?.normalized, globulin!.dose])
      .toEqual(['狂犬病人免疫球蛋白', 'HRIG', '2023-07-02', '20230211', '华兰生物', '伤口周围', '局部浸润注射', null]);
    expect(doses.map((r) => [r.dose?.normalized, r.date?.normalized, r.lot?.value, r.site?.value, r.provider?.value])).toEqual([
      [1, '2023-07-02', '202303015', '左上臂三角肌', '王丽'],
      [2, '2023-07-05', '202303015', '右上臂三角肌', '王丽'],
      [3, '2023-07-09', '202303015', '左上臂三角肌', '陈静'],
      [4, '2023-07-16', '202305021', '右上臂三角肌', '陈静'],
      [5, '2023-07-30', '202305021', '左上臂三角肌', '王丽'],
    ]);
    for (const r of doses) {
      expect(r.vaccine?.normalized).toBe('人用狂犬病疫苗(Vero细胞)');
      expect(r.manufacturer?.value).toBe('辽宁成大生物股份有限公司');
      expect(r.clinic?.value).toBe('南京市鼓楼区犬伤门诊');
    }
    // The exposure date is not a vaccination date.
    expect(doses.some((r) => r.date && r.date.start < run.doc.text.indexOf('针次'))).toBe(false);
  });

  it('reads one-line HPV records with route and vaccinator; the next-appointment date is no record', () => {
    const run = structure(fixture('hpv'));
    spansHold(run);
    expect(run.holder.name?.value).toBe('李娜');
    expect(run.holder.idNumber?.value).toBe('320102199608214526');
    expect(run.records.map((r) => [...row(r), r.route?.normalized])).toEqual([
      ['九价人乳头瘤病毒疫苗', 'HPV9', 1, '2022-05-10', 'Y012345', '默沙东', '上臂三角肌', '南京市玄武区预防接种门诊', '赵雪', '肌内注射'],
      ['九价人乳头瘤病毒疫苗', 'HPV9', 2, '2022-07-12', 'Y015678', '默沙东', '上臂三角肌', '南京市玄武区预防接种门诊', '赵雪', '肌内注射'],
    ]);
  });

  it('reads a space-separated OCR table and falls back to reading each value by its form when a cell is missing', () => {
    const run = structure([
      '预防接种记录',
      '姓名：陈可 性别：女 出生日期：2019.06.02',
      '序号 疫苗名称 剂次 接种日期 批号 生产企业 接种单位',
      '1 Hib疫苗 1 2019-08-02 201905H33 兰州生物 城东社区卫生服务中心',
      '2 13价肺炎疫苗 加强 2020-09-15 J20200417 沃森 城东社区卫生服务中心',
      '3 甲肝灭活疫苗 2021-06-03 202103A12 城东社区卫生服务中心',
    ].join('\n'));
    spansHold(run);
    expect(run.holder.birthDate?.normalized).toBe('2019-06-02');
    expect(run.records.map((r) => [r.vaccine?.normalized, r.code, r.dose?.normalized ?? null, r.date?.normalized, r.lot?.value, r.manufacturer?.value ?? null, r.clinic?.value])).toEqual([
      ['b型流感嗜血杆菌结合疫苗', 'Hib', 1, '2019-08-02', '201905H33', '兰州生物', '城东社区卫生服务中心'],
      ['13价肺炎球菌多糖结合疫苗', 'PCV13', 'booster', '2020-09-15', 'J20200417', '沃森', '城东社区卫生服务中心'],
      ['甲型肝炎灭活疫苗', 'HepA-I', null, '2021-06-03', '202103A12', null, '城东社区卫生服务中心'],
    ]);
  });

  it('reads a certificate with one table per vaccine, each headed by the vaccine name', () => {
    const run = structure([
      '儿童预防接种证',
      '儿童姓名：孙悦  性别：女  出生日期：2020-11-02',
      '乙肝疫苗',
      '剂次 接种日期 接种部位 疫苗批号 生产企业 接种单位 接种者',
      '第1剂 2020-11-02 右上臂三角肌 202009A21 深圳康泰 市妇幼保健院 周琳',
      '第2剂 2020-12-03 右上臂三角肌 202010B07 深圳康泰 城南社区卫生服务中心 吴静',
      '卡介苗',
      '剂次 接种日期 接种部位 疫苗批号 生产企业 接种单位 接种者',
      '第1剂 2020-11-02 左上臂三角肌 202008C15 上海生物 市妇幼保健院 周琳',
    ].join('\n'));
    spansHold(run);
    expect(run.records.map((r) => [r.vaccine?.value, r.code, r.dose?.normalized, r.date?.normalized, r.provider?.value])).toEqual([
      ['乙肝疫苗', 'HepB', 1, '2020-11-02', '周琳'],
      ['乙肝疫苗', 'HepB', 2, '2020-12-03', '吴静'],
      ['卡介苗', 'BCG', 1, '2020-11-02', '周琳'],
    ]);
  });

  it('reads pipe-separated app records without a header; the holder is the 受种者, not the guardian printed first', () => {
    const run = structure([
      '新冠病毒疫苗接种记录',
      '监护人姓名：周海  受种者姓名：周子涵  性别：女  证件号码：330102201205063321',
      '第1针 | 2021-08-02 | 新冠病毒灭活疫苗(Vero细胞) | 北京生物制品研究所有限责任公司 | 202107A056 | 杭州市上城区湖滨街道社区卫生服务中心',
      '第2针 | 2021-08-30 | 新冠病毒灭活疫苗(Vero细胞) | 北京生物制品研究所有限责任公司 | 202108B112 | 杭州市上城区湖滨街道社区卫生服务中心',
    ].join('\n'));
    spansHold(run);
    expect(run.holder.name?.value).toBe('周子涵');
    expect(run.holder.guardian?.value).toBe('周海');
    expect((run.patient.name as FieldValue).value).toBe('周子涵');
    expect(run.template.PatientInfo).toMatchObject({ Name: '周子涵', Sex: '女', IdCard: '330102201205063321' });
    expect(run.records.map(row)).toEqual([
      ['新型冠状病毒灭活疫苗(Vero细胞)', 'COVID-19-I', 1, '2021-08-02', '202107A056', '北京生物制品研究所有限责任公司', undefined, '杭州市上城区湖滨街道社区卫生服务中心', undefined],
      ['新型冠状病毒灭活疫苗(Vero细胞)', 'COVID-19-I', 2, '2021-08-30', '202108B112', '北京生物制品研究所有限责任公司', undefined, '杭州市上城区湖滨街道社区卫生服务中心', undefined],
    ]);
  });

  it('reads an app listing with maker and unit on lines of their own; the title names the vaccine; a dose not given and the footer are no records', () => {
    const run = structure([
      '新冠疫苗接种信息',
      '第3剂 2022-01-10',
      '北京科兴中维生物技术有限公司',
      '北京市海淀区学院路社区卫生服务中心',
      '第2剂 2021-06-01',
      '北京生物制品研究所有限责任公司',
      '北京市海淀区学院路社区卫生服务中心',
      '第1剂 未接种',
      '北京市海淀区疾病预防控制中心 监制',
    ].join('\n'));
    spansHold(run);
    expect(run.records.map((r) => [r.vaccine?.normalized, r.code, r.dose?.normalized, r.date?.normalized, r.manufacturer?.value, r.clinic?.value])).toEqual([
      ['新型冠状病毒疫苗', 'COVID-19', 3, '2022-01-10', '北京科兴中维生物技术有限公司', '北京市海淀区学院路社区卫生服务中心'],
      ['新型冠状病毒疫苗', 'COVID-19', 2, '2021-06-01', '北京生物制品研究所有限责任公司', '北京市海淀区学院路社区卫生服务中心'],
    ]);
  });

  it('normalizes vaccine names to the standard name, keeping the product qualifier', () => {
    expect(normalizeVaccine('乙肝疫苗')).toEqual({ name: '乙型肝炎疫苗', code: 'HepB' });
    expect(normalizeVaccine('重组乙型肝炎疫苗（酿酒酵母）')).toEqual({ name: '乙型肝炎疫苗(酿酒酵母)', code: 'HepB' });
    expect(normalizeVaccine('四价HPV疫苗')).toEqual({ name: '四价人乳头瘤病毒疫苗', code: 'HPV4' });
    expect(normalizeVaccine('麻腮风疫苗(加强)')).toEqual({ name: '麻疹腮腺炎风疹联合减毒活疫苗', code: 'MMR' });
    expect(normalizeVaccine('森林脑炎灭活疫苗')).toEqual({ name: '森林脑炎灭活疫苗', code: null });
  });
});

describe('MRS VaccineCertificate', () => {
  it('lists one Vaccination per record with the documented keys', () => {
    const { template } = structure(fixture('rabies'));
    expect(template.ReportType).toBe('疫苗接种证明');
    const list = template.VaccineCertificate.VaccineList;
    expect(list).toHaveLength(6);
    expect(Object.keys(list[0])).toEqual(['Id', 'Vaccine', 'Dose', 'Date', 'LotNumber', 'Manufacturer', 'Clinic', 'Site', 'Provider', 'Lot']);
    expect(list[0]).toMatchObject({ Id: '1', Vaccine: '狂犬病人免疫球蛋白', Dose: '', Date: '2023-07-02', Lot: '20230211' });
    expect(list[1]).toEqual({
      Id: '2', Vaccine: '冻干人用狂犬病疫苗(Vero细胞)', Dose: '第1针', Date: '2023-07-02', LotNumber: '202303015',
      Manufacturer: '辽宁成大生物股份有限公司', Clinic: '南京市鼓楼区犬伤门诊', Site: '左上臂三角肌', Provider: '王丽', Lot: '202303015',
    });
    expect(template.VaccineCertificate.Page).toBeUndefined();
    expect(template.PatientInfo.Name).toBe('刘强');
  });
});
