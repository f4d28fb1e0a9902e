import { readFileSync } from 'node:fs';
import { MedstructError } from '../../errors.js';
import { DEFAULT_MAX_BYTES, DEFAULT_MAX_PAGES, ingestPages } from '../../ingest/index.js';
import { getOcrEngine } from '../../ocr/index.js';
import { assertKnownOptions, flag, parseArgs, stringOption } from '../args.js';
import { isFile, readStdin, writeLine } from '../io.js';
import type { Command } from '../main.js';

function positiveInteger(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new MedstructError('INVALID_ARGUMENT', `--${name} must be a positive integer`);
  return n;
}

const command: Command = {
  summary: [
    'medstruct ocr [--no-orientation] [--max-pages N] [--max-bytes N] FILE | -',
    'Reads an image (JPEG, PNG, WebP, TIFF) or a PDF and prints',
    '{"pages":[{"number","width","height","rotation","skew","lines":[{"text","confidence","polygon","chars":[{"char","polygon","confidence"}]}]}]}',
    'Lines are in reading order; polygons are in original-image pixels (PDF: page points, y down).',
  ].join('\n'),
  async run(argv) {
    const args = parseArgs(argv, ['no-orientation']);
    assertKnownOptions(args, ['no-orientation', 'max-pages', 'max-bytes']);
    const path = args.positionals[0];
    if (path === undefined) throw new MedstructError('INVALID_ARGUMENT', 'Give an image or PDF file, or - for standard input');
    if (path !== '-' && !isFile(path)) throw new MedstructError('INVALID_ARGUMENT', `No such file: ${path}`);
    const bytes = path === '-' ? Buffer.from(await readStdin()) : readFileSync(path);
    const orientation = !flag(args, 'no-orientation');
    const { pages } = await ingestPages(bytes, {
      filename: path,
      maxPages: positiveInteger(stringOption(args, 'max-pages'), 'max-pages', DEFAULT_MAX_PAGES),
      maxBytes: positiveInteger(stringOption(args, 'max-bytes'), 'max-bytes', DEFAULT_MAX_BYTES),
      read: async (image) => (await getOcrEngine()).read(image, { orientation }),
    });
    await writeLine({ pages: pages.map((page, i) => ({ number: i + 1, ...page })) });
    return 0;
  },
};

export default command;
