/**
 * Builds the OCR evaluation set: report pages rendered with real Chinese fonts (lab sheets with one
 * and two item tables, imaging and pathology reports) with ground truth, plus photo-like copies
 * (rotation 0/90/180/270, skew, perspective, lighting gradient, shadow, background, blur, JPEG).
 *
 *   npx tsx scripts/make-ocr-testset.ts [--out data/ocr] [--pages 18]
 *   npx tsx scripts/make-ocr-testset.ts --hard [--out data/ocr-hard] [--pages 18]
 *
 * Writes data/ocr/<name>.png|jpg and data/ocr/truth.jsonl ({file, kind, variant, text, items}). `--hard`
 * writes only harder photos of the same pages, a separate set: strong keystone (8-12 %), a curled page,
 * or dim light (35-50 % exposure, flat contrast, noise, blur), one per page in turn.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { seededRandom } from '../src/util/random.js';

export interface LabItemTruth {
  name: string;
  abbreviation: string;
  result: string;
  unit: string;
  range: string;
  flag: '↑' | '↓' | null;
}

export interface RenderedPage {
  kind: 'lab' | 'lab2' | 'imaging' | 'pathology';
  png: Buffer;
  width: number;
  height: number;
  /** Lines of text in reading order (rows top to bottom, cells left to right). */
  lines: string[];
  items: LabItemTruth[];
}

const FONT = "'Noto Sans CJK SC','WenQuanYi Zen Hei','Noto Serif CJK SC',sans-serif";
const SERIF = "'Noto Serif CJK SC','WenQuanYi Zen Hei',serif";

const ANALYTES: Array<[string, string, string, number, number, number]> = [
  ['白细胞计数', 'WBC', '10^9/L', 3.5, 9.5, 2],
  ['红细胞计数', 'RBC', '10^12/L', 4.3, 5.8, 2],
  ['血红蛋白', 'HGB', 'g/L', 130, 175, 0],
  ['红细胞压积', 'HCT', '%', 40, 50, 1],
  ['平均红细胞体积', 'MCV', 'fL', 82, 100, 1],
  ['平均血红蛋白量', 'MCH', 'pg', 27, 34, 1],
  ['平均血红蛋白浓度', 'MCHC', 'g/L', 316, 354, 0],
  ['血小板计数', 'PLT', '10^9/L', 125, 350, 0],
  ['中性粒细胞百分比', 'NEUT%', '%', 40, 75, 1],
  ['淋巴细胞百分比', 'LYMPH%', '%', 20, 50, 1],
  ['单核细胞百分比', 'MONO%', '%', 3, 10, 1],
  ['丙氨酸氨基转移酶', 'ALT', 'U/L', 9, 50, 0],
  ['天门冬氨酸氨基转移酶', 'AST', 'U/L', 15, 40, 0],
  ['总胆红素', 'TBIL', 'μmol/L', 3.4, 20.5, 1],
  ['直接胆红素', 'DBIL', 'μmol/L', 0, 6.8, 1],
  ['总蛋白', 'TP', 'g/L', 65, 85, 1],
  ['白蛋白', 'ALB', 'g/L', 40, 55, 1],
  ['尿素', 'UREA', 'mmol/L', 3.1, 8.0, 2],
  ['肌酐', 'CREA', 'μmol/L', 57, 111, 0],
  ['尿酸', 'UA', 'μmol/L', 208, 428, 0],
  ['葡萄糖', 'GLU', 'mmol/L', 3.9, 6.1, 2],
  ['总胆固醇', 'TC', 'mmol/L', 2.8, 5.2, 2],
  ['甘油三酯', 'TG', 'mmol/L', 0.56, 1.7, 2],
  ['低密度脂蛋白胆固醇', 'LDL-C', 'mmol/L', 1.5, 3.4, 2],
  ['钾', 'K', 'mmol/L', 3.5, 5.3, 2],
  ['钠', 'Na', 'mmol/L', 137, 147, 1],
  ['钙', 'Ca', 'mmol/L', 2.11, 2.52, 2],
  ['C反应蛋白', 'CRP', 'mg/L', 0, 10, 1],
  ['糖化血红蛋白', 'HbA1c', '%', 4.0, 6.0, 1],
  ['γ-谷氨酰转移酶', 'GGT', 'U/L', 10, 60, 0],
  ['碱性磷酸酶', 'ALP', 'U/L', 45, 125, 0],
];

const NAMES = ['张伟', '王芳', '李娜', '刘洋', '陈静', '杨磊', '赵敏', '黄强', '周婷', '吴刚'];
const HOSPITALS = ['杭州市第一人民医院', '南京鼓楼医院', '成都市第三人民医院', '广州医科大学附属第二医院', '武汉协和医院'];
const FINDINGS = [
  '肝脏形态大小正常，包膜光滑，实质回声均匀，肝内管道结构清晰。',
  '胆囊大小正常，壁光滑，囊内未见明显异常回声。',
  '右肾中部可见一大小约12×10mm的无回声区，边界清，后方回声增强。',
  '双肺纹理增粗，右肺下叶见斑片状高密度影，边缘模糊。',
  '纵隔内未见明显肿大淋巴结，心影大小形态正常。',
  '甲状腺右叶可见大小约8×6mm低回声结节，边界欠清，形态欠规则。',
  '脾脏大小正常，实质回声均匀，脾门血管未见扩张。',
];
const IMPRESSIONS = ['右肾囊肿', '右肺下叶炎症，建议治疗后复查', '甲状腺右叶结节（TI-RADS 4a类）', '脂肪肝（轻度）', '胆囊未见明显异常'];
const PATHOLOGY = [
  '（胃窦）黏膜慢性炎，伴肠上皮化生，局灶腺体低级别上皮内瘤变。',
  '（右乳肿物）浸润性导管癌，组织学分级Ⅱ级，肿物大小2.5×2.0×1.8cm。',
  '免疫组化：ER（+，约90%），PR（+，约60%），HER-2（1+），Ki-67（约20%+）。',
  '脉管内未见癌栓，神经未见侵犯，送检切缘未见癌累及。',
  '腋窝淋巴结未见转移癌（0/12）。',
  '（结肠）管状腺瘤，局部腺上皮高级别上皮内瘤变。',
];

function pick<T>(random: () => number, list: T[]): T {
  return list[Math.floor(random() * list.length)]!;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function labItems(random: () => number, count: number): LabItemTruth[] {
  const pool = ANALYTES.slice();
  const items: LabItemTruth[] = [];
  const start = Math.floor(random() * pool.length);
  for (let i = 0; i < count; i++) {
    const [name, abbreviation, unit, low, high, digits] = pool[(start + i) % pool.length]!;
    const roll = random();
    const span = high - low;
    const value = roll < 0.2 ? high + span * (0.05 + random() * 0.4) : roll < 0.3 ? Math.max(0, low - span * (0.05 + random() * 0.3)) : low + span * (0.05 + random() * 0.9);
    const result = value.toFixed(digits);
    const shown = Number.parseFloat(result);
    const flag = shown > high ? '↑' : shown < low ? '↓' : null;
    const range = low === 0 ? `0-${high.toFixed(digits)}` : `${low.toFixed(digits)}-${high.toFixed(digits)}`;
    items.push({ name, abbreviation, result, unit, range, flag });
  }
  return items;
}

interface TextRun { x: number; y: number; text: string; size: number; weight?: string; family?: string; anchor?: 'middle' }

function svgPage(width: number, height: number, runs: TextRun[], rules: Array<[number, number, number, number]>): string {
  const texts = runs.map((r) => `<text x="${r.x}" y="${r.y}" font-family="${r.family ?? FONT}" font-size="${r.size}"${r.weight ? ` font-weight="${r.weight}"` : ''}${r.anchor ? ` text-anchor="${r.anchor}"` : ''}>${escapeXml(r.text)}</text>`);
  const lines = rules.map(([x1, y1, x2, y2]) => `<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="#333" stroke-width="2"/>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#fff"/>${lines.join('')}${texts.join('')}</svg>`;
}

function headerRuns(random: () => number, title: string, width: number): { runs: TextRun[]; lines: string[]; y: number } {
  const hospital = pick(random, HOSPITALS);
  const name = pick(random, NAMES);
  const age = 20 + Math.floor(random() * 60);
  const sex = random() < 0.5 ? '男' : '女';
  const id = String(100000 + Math.floor(random() * 899999));
  const runs: TextRun[] = [
    { x: width / 2, y: 110, text: hospital, size: 46, weight: 'bold', anchor: 'middle' },
    { x: width / 2, y: 175, text: title, size: 40, anchor: 'middle' },
    { x: 90, y: 250, text: `姓名：${name}`, size: 28 },
    { x: 420, y: 250, text: `性别：${sex}`, size: 28 },
    { x: 680, y: 250, text: `年龄：${age}岁`, size: 28 },
    { x: 940, y: 250, text: `病历号：${id}`, size: 28 },
  ];
  return { runs, lines: [hospital, title, `姓名：${name}`, `性别：${sex}`, `年龄：${age}岁`, `病历号：${id}`], y: 250 };
}

async function toPng(svg: string): Promise<Buffer> {
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** A lab sheet with one item table (序号 项目名称 缩写 结果 提示 单位 参考范围). */
export async function renderLabSheet(seed: number, itemCount?: number): Promise<RenderedPage> {
  const random = seededRandom(seed);
  const width = 1240;
  const head = headerRuns(random, '检验报告单', width);
  const items = labItems(random, itemCount ?? 16 + Math.floor(random() * 6));
  const height = itemCount === undefined ? 1754 : 560 + 56 * items.length;
  const columns = [90, 170, 520, 690, 820, 900, 1060];
  const titles = ['序号', '项目名称', '缩写', '结果', '提示', '单位', '参考范围'];
  const runs = head.runs.slice();
  const lines = head.lines.slice();
  let y = head.y + 80;
  titles.forEach((t, i) => runs.push({ x: columns[i]!, y, text: t, size: 28, weight: 'bold' }));
  lines.push(titles.join(' '));
  const rules: Array<[number, number, number, number]> = [[80, y - 40, width - 80, y - 40], [80, y + 16, width - 80, y + 16]];
  items.forEach((item, i) => {
    y += 56;
    const cells = [String(i + 1), item.name, item.abbreviation, item.result, item.flag ?? '', item.unit, item.range];
    cells.forEach((c, k) => { if (c) runs.push({ x: columns[k]!, y, text: c, size: 28 }); });
    lines.push(cells.filter((c) => c).join(' '));
  });
  rules.push([80, y + 24, width - 80, y + 24]);
  y += 80;
  const footer = ['检验者：李明', '审核者：王丽', '报告日期：2024-03-18'];
  footer.forEach((f, i) => runs.push({ x: 90 + i * 380, y, text: f, size: 26 }));
  lines.push(footer.join(' '));
  return { kind: 'lab', png: await toPng(svgPage(width, height, runs, rules)), width, height, lines, items };
}

/** A lab sheet with two item tables side by side (项目 结果 提示 单位 参考范围 twice). */
export async function renderTwoColumnLabSheet(seed: number): Promise<RenderedPage> {
  const random = seededRandom(seed);
  const width = 1754, height = 1240;
  const head = headerRuns(random, '生化检验报告单', width);
  const count = 10 + Math.floor(random() * 4);
  const items = labItems(random, count * 2);
  const left = items.slice(0, count), right = items.slice(count);
  const columns = [70, 390, 520, 580, 730];
  const offset = 880;
  const titles = ['项目', '结果', '提示', '单位', '参考范围'];
  const runs = head.runs.slice();
  const lines = head.lines.slice();
  let y = head.y + 80;
  for (const base of [0, offset]) titles.forEach((t, i) => runs.push({ x: base + columns[i]!, y, text: t, size: 28, weight: 'bold' }));
  lines.push([...titles, ...titles].join(' '));
  const rules: Array<[number, number, number, number]> = [[60, y - 40, width - 60, y - 40], [60, y + 16, width - 60, y + 16]];
  for (let i = 0; i < count; i++) {
    y += 54;
    const row: string[] = [];
    for (const [base, item] of [[0, left[i]!], [offset, right[i]!]] as Array<[number, LabItemTruth]>) {
      const cells = [item.name, item.result, item.flag ?? '', item.unit, item.range];
      cells.forEach((c, k) => { if (c) runs.push({ x: base + columns[k]!, y, text: c, size: 28 }); });
      row.push(...cells.filter((c) => c));
    }
    lines.push(row.join(' '));
  }
  rules.push([60, y + 24, width - 60, y + 24]);
  y += 80;
  const footer = ['检验者：周洁', '审核者：陈刚', '采样时间：2024-05-06 08:12'];
  footer.forEach((f, i) => runs.push({ x: 70 + i * 520, y, text: f, size: 26 }));
  lines.push(footer.join(' '));
  return { kind: 'lab2', png: await toPng(svgPage(width, height, runs, rules)), width, height, lines, items: [...left, ...right] };
}

function wrap(text: string, perLine: number): string[] {
  const chars = Array.from(text);
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += perLine) out.push(chars.slice(i, i + perLine).join(''));
  return out;
}

/** An imaging (ultrasound/CT) or pathology report: headed paragraphs. */
export async function renderNarrativeReport(seed: number, kind: 'imaging' | 'pathology'): Promise<RenderedPage> {
  const random = seededRandom(seed);
  const width = 1240, height = 1754;
  const head = headerRuns(random, kind === 'imaging' ? '超声检查报告单' : '病理诊断报告书', width);
  const runs = head.runs.slice();
  const lines = head.lines.slice();
  let y = head.y + 40;
  const family = random() < 0.5 ? FONT : SERIF;
  const sections: Array<[string, string[]]> = kind === 'imaging'
    ? [['检查所见：', [pick(random, FINDINGS), pick(random, FINDINGS), pick(random, FINDINGS)]], ['诊断意见：', [`1.${pick(random, IMPRESSIONS)}`, `2.${pick(random, IMPRESSIONS)}`]]]
    : [['肉眼所见：', ['灰白灰褐色组织一堆，大小约1.2×0.8×0.5cm，全埋。']], ['病理诊断：', [pick(random, PATHOLOGY), pick(random, PATHOLOGY), pick(random, PATHOLOGY)]]];
  for (const [title, paragraphs] of sections) {
    y += 80;
    runs.push({ x: 90, y, text: title, size: 32, weight: 'bold', family });
    lines.push(title);
    for (const paragraph of paragraphs) {
      for (const piece of wrap(paragraph, 32)) {
        y += 50;
        runs.push({ x: 130, y, text: piece, size: 30, family });
        lines.push(piece);
      }
    }
  }
  y += 100;
  runs.push({ x: 90, y, text: '报告医师：孙晓东', size: 28 }, { x: 700, y, text: '报告日期：2024-06-21', size: 28 });
  lines.push('报告医师：孙晓东 报告日期：2024-06-21');
  return { kind, png: await toPng(svgPage(width, height, runs, [])), width, height, lines, items: [] };
}

export interface PhotoOptions {
  /** Clockwise page rotation in the photo, degrees (0/90/180/270). */
  rotation: number;
  /** Additional small rotation, degrees. */
  skew: number;
  /** Corner displacement as a fraction of the page size (keystone). */
  perspective: number;
  blur: number;
  jpegQuality: number;
  seed: number;
  /** Page curl: rows bow by this fraction of the page height at the page's middle (0 = flat). */
  curl?: number;
  /** Exposure: 1 = daylight; lower darkens the photo, flattens its contrast and raises sensor noise. */
  exposure?: number;
}

/** Solves the 3×3 homography that maps the 4 `from` points to the 4 `to` points. */
function homography(from: Array<[number, number]>, to: Array<[number, number]>): number[] {
  const a: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const [x, y] = from[i]!, [u, v] = to[i]!;
    a.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    a.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  }
  for (let c = 0; c < 8; c++) {
    let p = c;
    for (let r = c + 1; r < 8; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    [a[c], a[p]] = [a[p]!, a[c]!];
    for (let r = 0; r < 8; r++) {
      if (r === c) continue;
      const f = a[r]![c]! / a[c]![c]!;
      for (let k = c; k < 9; k++) a[r]![k]! -= f * a[c]![k]!;
    }
  }
  return [...a.map((row, i) => row[8]! / row[i]!), 1];
}

/**
 * Photographs a page: the paper lies on a textured background, turned and tilted, with a keystone,
 * a lighting gradient and a soft shadow, then blurred and JPEG-compressed. The photo is 1280×960
 * (landscape for 90/270, portrait 960×1280 for 0/180).
 */
export async function photograph(page: RenderedPage, options: PhotoOptions): Promise<Buffer> {
  const random = seededRandom(options.seed);
  const src = await sharp(page.png).removeAlpha().raw().toBuffer();
  const sw = page.width, sh = page.height;
  const quarter = options.rotation / 90;
  const turned = quarter % 2 === 1;
  const pageW = turned ? sh : sw, pageH = turned ? sw : sh;
  const landscape = pageW > pageH;
  const ow = landscape ? 1280 : 960, oh = landscape ? 960 : 1280;
  const fit = Math.min((ow * 0.9) / pageW, (oh * 0.9) / pageH);
  const cx = ow / 2 + (random() - 0.5) * ow * 0.04, cy = oh / 2 + (random() - 0.5) * oh * 0.04;
  const angle = ((options.rotation + options.skew) * Math.PI) / 180;
  const cos = Math.cos(angle), sin = Math.sin(angle);
  const srcCorners: Array<[number, number]> = [[0, 0], [sw, 0], [sw, sh], [0, sh]];
  const dst = srcCorners.map(([x, y]) => {
    const dx = (x - sw / 2) * fit, dy = (y - sh / 2) * fit;
    const jitter = options.perspective * Math.max(ow, oh);
    return [cx + dx * cos - dy * sin + (random() - 0.5) * jitter, cy + dx * sin + dy * cos + (random() - 0.5) * jitter] as [number, number];
  });
  const h = homography(dst, srcCorners);
  const out = Buffer.alloc(ow * oh * 3);
  const gx = random() - 0.5, gy = random() - 0.5;
  const shadowX = random() * ow, shadowR = ow * (0.3 + random() * 0.3);
  const tint = [0.75 + random() * 0.1, 0.6 + random() * 0.1, 0.45 + random() * 0.1];
  const curl = options.curl ?? 0, exposure = options.exposure ?? 1;
  // Dim light: ink and paper move closer together and the sensor noise grows.
  const contrast = 0.55 + 0.45 * exposure, noise = 10 / Math.sqrt(exposure);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      const w = h[6]! * x + h[7]! * y + h[8]!;
      const u = (h[0]! * x + h[1]! * y + h[2]!) / w;
      let v = (h[3]! * x + h[4]! * y + h[5]!) / w;
      const light = exposure * (0.82 + 0.25 * (gx * (x / ow - 0.5) + gy * (y / oh - 0.5)) - 0.28 * Math.exp(-(((x - shadowX) ** 2) + (y - oh) ** 2) / (2 * shadowR * shadowR)));
      const o = (y * ow + x) * 3;
      // A curled page: each point sinks along the page's columns by a sine of its position across the page.
      if (curl > 0) v += curl * sh * Math.sin((Math.PI * u) / sw);
      if (u >= 0 && v >= 0 && u < sw - 1 && v < sh - 1) {
        const x0 = Math.floor(u), y0 = Math.floor(v), ax = u - x0, ay = v - y0;
        for (let c = 0; c < 3; c++) {
          const p = (xx: number, yy: number): number => src[(yy * sw + xx) * 3 + c]!;
          const value = (p(x0, y0) * (1 - ax) + p(x0 + 1, y0) * ax) * (1 - ay) + (p(x0, y0 + 1) * (1 - ax) + p(x0 + 1, y0 + 1) * ax) * ay;
          out[o + c] = Math.max(0, Math.min(255, (exposure < 1 ? 128 + (value - 128) * contrast : value) * light * (c === 2 ? 0.96 : 1) + (random() - 0.5) * noise));
        }
      } else {
        const grain = 0.85 + 0.15 * Math.sin(x * 0.05 + Math.sin(y * 0.01) * 6);
        for (let c = 0; c < 3; c++) out[o + c] = Math.max(0, Math.min(255, 200 * tint[c]! * grain * light));
      }
    }
  }
  let image = sharp(out, { raw: { width: ow, height: oh, channels: 3 } });
  if (options.blur > 0) image = image.blur(options.blur);
  return image.jpeg({ quality: options.jpegQuality }).toBuffer();
}

export interface TestCase {
  file: string;
  kind: RenderedPage['kind'];
  variant: string;
  text: string;
  items: LabItemTruth[];
}

/** Harder photos than the published set's, one kind per page in turn. */
const HARD_KINDS = ['perspective', 'curl', 'dim'] as const;

function hardPhoto(kind: (typeof HARD_KINDS)[number], rotation: number, random: () => number, seed: number): PhotoOptions {
  const base: PhotoOptions = { rotation, skew: (random() - 0.5) * 8, perspective: 0.03, blur: 0, jpegQuality: 70, seed };
  if (kind === 'perspective') return { ...base, skew: (random() - 0.5) * 12, perspective: 0.08 + random() * 0.04 };
  if (kind === 'curl') return { ...base, curl: 0.012 + random() * 0.01 };
  return { ...base, exposure: 0.35 + random() * 0.15, blur: 0.8, jpegQuality: 60 };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const outIndex = args.indexOf('--out');
  const pagesIndex = args.indexOf('--pages');
  const hard = args.includes('--hard');
  const out = outIndex >= 0 ? args[outIndex + 1]! : hard ? 'data/ocr-hard' : 'data/ocr';
  const pageCount = pagesIndex >= 0 ? Number(args[pagesIndex + 1]) : 18;
  mkdirSync(out, { recursive: true });
  const cases: TestCase[] = [];
  const random = seededRandom(hard ? 20240901 : 20240601);
  for (let n = 0; n < pageCount; n++) {
    const seed = 1000 + n;
    const kind = (['lab', 'lab2', 'lab', 'lab2', 'imaging', 'pathology'] as const)[n % 6]!;
    const page = kind === 'lab' ? await renderLabSheet(seed) : kind === 'lab2' ? await renderTwoColumnLabSheet(seed) : await renderNarrativeReport(seed, kind);
    const base = `${String(n).padStart(3, '0')}-${kind}`;
    const text = page.lines.join('\n');
    const rotation = [0, 90, 180, 270][n % 4]!;
    if (hard) {
      const hardness = HARD_KINDS[n % HARD_KINDS.length]!;
      const file = `${base}-${hardness}${rotation}.jpg`;
      writeFileSync(join(out, file), await photograph(page, hardPhoto(hardness, rotation, random, seed)));
      cases.push({ file, kind, variant: `${hardness}${rotation}`, text, items: page.items });
      continue;
    }
    writeFileSync(join(out, `${base}-clean.png`), page.png);
    cases.push({ file: `${base}-clean.png`, kind, variant: 'clean', text, items: page.items });
    const photo = await photograph(page, {
      rotation,
      skew: (random() - 0.5) * 8,
      perspective: 0.02 + random() * 0.03,
      blur: random() < 0.5 ? 0.6 + random() * 0.6 : 0,
      jpegQuality: 55 + Math.floor(random() * 30),
      seed,
    });
    writeFileSync(join(out, `${base}-photo${rotation}.jpg`), photo);
    cases.push({ file: `${base}-photo${rotation}.jpg`, kind, variant: `photo${rotation}`, text, items: page.items });
  }
  writeFileSync(join(out, 'truth.jsonl'), cases.map((c) => JSON.stringify(c)).join('\n') + '\n');
  console.log(`Wrote ${cases.length} images and truth.jsonl to ${out}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
