import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { MedstructError } from '../errors.js';
import type { PhiSpan } from './types.js';

const execFileAsync = promisify(execFile);

export interface PdfRenderOptions {
  /** Resolution pages are rendered at (default 150 dpi). */
  dpi?: number;
  /** Refuse PDFs with more pages (default 100). */
  maxPages?: number;
}

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
interface Canvas { getContext(kind: '2d'): unknown; toBuffer(mime: 'image/png'): Buffer }

/**
 * Renders every page to PNG: pdf.js on @napi-rs/canvas (pdf.js's optional renderer; it draws the
 * non-embedded Chinese fonts many hospital systems export with the system's CJK fonts), else
 * Poppler's pdftoppm.
 */
export async function renderPdfPages(bytes: Buffer, options: PdfRenderOptions = {}): Promise<Buffer[]> {
  const dpi = options.dpi ?? 150;
  const maxPages = options.maxPages ?? 100;
  let createCanvas: ((width: number, height: number) => Canvas) | null = null;
  try {
    createCanvas = ((await import('@napi-rs/canvas' as string)) as { createCanvas: (w: number, h: number) => Canvas }).createCanvas;
  } catch {
    return renderWithPoppler(bytes, dpi, maxPages);
  }
  const pdfjs: PdfJs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const root = dirname(dirname(dirname(createRequire(import.meta.url).resolve('pdfjs-dist/legacy/build/pdf.mjs'))));
  let doc: Awaited<ReturnType<PdfJs['getDocument']>['promise']>;
  try {
    doc = await pdfjs.getDocument({
      data: new Uint8Array(bytes),
      cMapUrl: join(root, 'cmaps') + '/',
      cMapPacked: true,
      standardFontDataUrl: join(root, 'standard_fonts') + '/',
      useSystemFonts: true,
      isEvalSupported: false,
      verbosity: 0,
    }).promise;
  } catch (error) {
    if ((error as Error).name === 'PasswordException') throw new MedstructError('ENCRYPTED_PDF');
    throw new MedstructError('CORRUPT_PDF', `The PDF cannot be parsed: ${(error as Error).message}`);
  }
  try {
    if (doc.numPages === 0) throw new MedstructError('EMPTY_PDF');
    if (doc.numPages > maxPages) throw new MedstructError('TOO_MANY_PAGES', `The PDF has ${doc.numPages} pages; the limit is ${maxPages}`, { pages: doc.numPages, maxPages });
    const out: Buffer[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const viewport = page.getViewport({ scale: dpi / 72 });
      const canvas = createCanvas(Math.ceil(viewport.width), Math.ceil(viewport.height));
      await page.render({ canvasContext: canvas.getContext('2d') as never, viewport, canvas: canvas as never }).promise;
      out.push(canvas.toBuffer('image/png'));
      page.cleanup();
    }
    return out;
  } finally {
    await doc.destroy();
  }
}

async function renderWithPoppler(bytes: Buffer, dpi: number, maxPages: number): Promise<Buffer[]> {
  const dir = await mkdtemp(join(tmpdir(), 'medstruct-deid-'));
  try {
    const file = join(dir, 'in.pdf');
    await writeFile(file, bytes);
    try {
      await execFileAsync('pdftoppm', ['-l', String(maxPages + 1), '-r', String(dpi), '-png', file, join(dir, 'page')], { maxBuffer: 16 * 1024 * 1024 });
    } catch (error) {
      const e = error as NodeJS.ErrnoException & { stderr?: string };
      if (e.code === 'ENOENT') throw new MedstructError('UNSUPPORTED_MEDIA', 'De-identifying PDFs needs @napi-rs/canvas or Poppler (pdftoppm)');
      if (/password|encrypt/i.test(e.stderr ?? '')) throw new MedstructError('ENCRYPTED_PDF');
      throw new MedstructError('CORRUPT_PDF', `The PDF cannot be rendered: ${(e.stderr ?? e.message).trim().split('\n')[0]}`);
    }
    const pages = (await readdir(dir)).filter((f) => /^page-\d+\.png$/.test(f)).sort((a, b) => Number(/\d+/.exec(a)![0]) - Number(/\d+/.exec(b)![0]));
    if (pages.length === 0) throw new MedstructError('EMPTY_PDF');
    if (pages.length > maxPages) throw new MedstructError('TOO_MANY_PAGES', `The PDF has more than ${maxPages} pages`, { maxPages });
    return await Promise.all(pages.map((p) => readFile(join(dir, p))));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * A PDF of full-page images: one JPEG per page, page size from the pixels at `dpi`. Nothing of the
 * source PDF survives (no text layer, metadata, annotations or attachments that could hold PHI).
 */
export async function imagesToPdf(pages: Buffer[], dpi: number): Promise<Buffer> {
  const objects: Buffer[] = [];
  const add = (body: Buffer | string): number => {
    objects.push(typeof body === 'string' ? Buffer.from(body, 'latin1') : body);
    return objects.length;
  };
  add('<< /Type /Catalog /Pages 2 0 R >>');
  add('');
  const kids: number[] = [];
  for (const page of pages) {
    const { data, info } = await sharp(page).jpeg({ quality: 90 }).toBuffer({ resolveWithObject: true });
    const colour = info.channels === 1 ? '/DeviceGray' : '/DeviceRGB';
    const image = add(Buffer.concat([
      Buffer.from(`<< /Type /XObject /Subtype /Image /Width ${info.width} /Height ${info.height} /ColorSpace ${colour} /BitsPerComponent 8 /Filter /DCTDecode /Length ${data.length} >>\nstream\n`, 'latin1'),
      data,
      Buffer.from('\nendstream', 'latin1'),
    ]));
    const w = Math.round((info.width * 72 * 100) / dpi) / 100, h = Math.round((info.height * 72 * 100) / dpi) / 100;
    const content = `q ${w} 0 0 ${h} 0 0 cm /Im0 Do Q`;
    const contents = add(`<< /Length ${content.length} >>\nstream\n${content}\nendstream`);
    kids.push(add(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${w} ${h}] /Resources << /XObject << /Im0 ${image} 0 R >> >> /Contents ${contents} 0 R >>`));
  }
  objects[1] = Buffer.from(`<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(' ')}] /Count ${kids.length} >>`, 'latin1');
  const chunks: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let offset = chunks[0]!.length;
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(offset);
    const chunk = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`, 'latin1'), body, Buffer.from('\nendobj\n', 'latin1')]);
    chunks.push(chunk);
    offset += chunk.length;
  });
  const xref = [`xref\n0 ${objects.length + 1}\n`, '0000000000 65535 f \n', ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`)].join('');
  chunks.push(Buffer.from(`${xref}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${offset}\n%%EOF\n`, 'latin1'));
  return Buffer.concat(chunks);
}

/** Page-numbered spans: `page` set on every span of a page, which the image pass numbers 1. */
export function onPage(spans: PhiSpan[], page: number): PhiSpan[] {
  return spans.map((s) => ({ ...s, page }));
}
