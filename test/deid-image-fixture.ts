import sharp from 'sharp';

/** PHI written on the fixture sheet, and clinical text that must stay readable after masking. */
export const SHEET_PHI = ['欧阳娜娜', '110105194912310021', '13800138000', 'ZY20230456', '北京协和医院', '李明', '王芳'];
export const SHEET_CLINICAL = ['白细胞计数', '血红蛋白', '血小板计数'];

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Bars of a 1D code (random widths 2–8 px) and the modules of a 21×21 QR-like matrix with its three finder squares. */
function codes(random: () => number): string {
  const parts: string[] = [];
  let x = 860;
  while (x < 1160) {
    const w = 2 + Math.floor(random() * 4) * 2;
    if (random() < 0.55) parts.push(`<rect x="${x}" y="60" width="${w}" height="70" fill="#000"/>`);
    x += w;
  }
  const m = 6, ox = 60, oy = 40;
  for (let r = 0; r < 21; r++) {
    for (let c = 0; c < 21; c++) {
      const finder = (r < 7 && c < 7) || (r < 7 && c > 13) || (r > 13 && c < 7);
      let on = random() < 0.5;
      if (finder) {
        const fr = r > 13 ? r - 14 : r, fc = c > 13 ? c - 14 : c;
        on = fr === 0 || fr === 6 || fc === 0 || fc === 6 || (fr >= 2 && fr <= 4 && fc >= 2 && fc <= 4);
      }
      if (on) parts.push(`<rect x="${ox + c * m}" y="${oy + r * m}" width="${m}" height="${m}" fill="#000"/>`);
    }
  }
  return parts.join('');
}

/** A lab-sheet header and table with planted PHI, a barcode and a QR code, as PNG (with an EXIF comment) and JPEG. */
export async function renderDeidSheet(): Promise<{ png: Buffer; jpeg: Buffer; width: number; height: number }> {
  const width = 1240, height = 760;
  const font = 'Noto Sans CJK SC';
  const text = (x: number, y: number, s: string, size = 28, anchor = ''): string => `<text x="${x}" y="${y}" font-family="${font}" font-size="${size}"${anchor}>${s}</text>`;
  const body = [
    text(620, 110, '北京协和医院检验报告单', 40, ' text-anchor="middle"'),
    text(60, 230, '姓名：欧阳娜娜'), text(420, 230, '性别：女'), text(700, 230, '住院号：ZY20230456'),
    text(60, 290, '身份证号：110105194912310021'), text(700, 290, '电话：13800138000'),
    '<line x1="50" y1="320" x2="1190" y2="320" stroke="#333" stroke-width="2"/>',
    text(60, 370, '项目名称'), text(460, 370, '结果'), text(700, 370, '单位'), text(940, 370, '参考范围'),
    text(60, 430, '白细胞计数'), text(460, 430, '11.2'), text(700, 430, '10^9/L'), text(940, 430, '3.5-9.5'),
    text(60, 490, '血红蛋白'), text(460, 490, '128'), text(700, 490, 'g/L'), text(940, 490, '130-175'),
    text(60, 550, '血小板计数'), text(460, 550, '236'), text(700, 550, '10^9/L'), text(940, 550, '125-350'),
    '<line x1="50" y1="590" x2="1190" y2="590" stroke="#333" stroke-width="2"/>',
    text(60, 660, '检验者：李明'), text(460, 660, '审核者：王芳'),
    codes(rng(3)),
  ];
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#fff"/>${body.join('')}</svg>`;
  const base = sharp(Buffer.from(svg));
  const png = await base.clone().png().withExif({ IFD0: { ImageDescription: '欧阳娜娜 110105194912310021', Artist: 'Dr Li Ming' } }).toBuffer();
  const jpeg = await base.clone().jpeg({ quality: 92 }).withExif({ IFD0: { ImageDescription: 'patient 欧阳娜娜', Artist: 'Dr Li Ming' } }).toBuffer();
  return { png, jpeg, width, height };
}
