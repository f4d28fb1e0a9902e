import { readFileSync, writeFileSync } from 'node:fs';
import { deidentifyText } from '../../deid/text.js';
import { MedstructError } from '../../errors.js';
import { assertKnownOptions, choiceOption, flag, parseArgs, stringOption } from '../args.js';
import { isFile, readTextArgument, writeLine } from '../io.js';
import type { Command } from '../main.js';

const MODES = ['mask', 'tag', 'surrogate'] as const;

/** True for the signatures of the image and PDF formats `deidentifyImage` reads. */
function isImageOrPdf(bytes: Buffer): boolean {
  const head = bytes.subarray(0, 12);
  return (
    (head[0] === 0x89 && head.toString('latin1', 1, 4) === 'PNG') ||
    (head[0] === 0xff && head[1] === 0xd8) ||
    head.toString('latin1', 0, 4) === 'GIF8' ||
    (head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') ||
    head.toString('latin1', 0, 4) === 'II*\u0000' ||
    head.toString('latin1', 0, 4) === 'MM\u0000*' ||
    head.toString('latin1', 0, 2) === 'BM' ||
    head.toString('latin1', 0, 5) === '%PDF-'
  );
}

/** Person spans from the installed NER model (UTF-16 offsets), for `--ner`. */
async function modelPersonSpans(text: string): Promise<Array<{ start: number; end: number }>> {
  const [{ loadEntityStage }, { MedDocument }] = await Promise.all([import('../../entities/index.js'), import('../../document/document.js')]);
  const doc = new MedDocument(text);
  loadEntityStage('native').process(doc);
  const offsets: number[] = [];
  let unit = 0;
  for (const ch of doc.chars) { offsets.push(unit); unit += ch.length; }
  offsets.push(unit);
  return doc.entities.filter((e) => e.type === 'person').map((e) => ({ start: offsets[e.start]!, end: offsets[e.end]! }));
}

const command: Command = {
  summary: [
    'medstruct deid [--mode mask|tag|surrogate] [--mask patient,doctor,hospital,barcode,…] [--seed N] [--ner] [--kg] [--json] [--out FILE] [TEXT | - | FILE]',
    '  Text: prints the de-identified text (--out writes it to FILE; --json prints {text, spans}).',
    '  Image (PNG/JPEG/WebP/TIFF…) or PDF: --out FILE is required; writes the image with PHI boxed out and metadata',
    '  stripped (a PDF becomes a PDF of masked page images, without its text layer).',
    '  Mask flags: patient, doctor, hospital, barcode, name, relative, staff, id, passport, phone, email, contact, address,',
    '  record_number, insurance, plate, date, age, all (default: all). --ner adds the NER model\'s person entities;',
    '  --kg checks hospitals against the knowledge graph and finds nicknames (协和, 湘雅).',
  ].join('\n'),
  async run(argv) {
    const args = parseArgs(argv, ['json', 'ner', 'kg']);
    assertKnownOptions(args, ['mode', 'mask', 'seed', 'out', 'json', 'ner', 'kg']);
    const knowledgeGraph = flag(args, 'kg');
    const mode = choiceOption(args, 'mode', MODES, 'mask');
    const mask = stringOption(args, 'mask')?.split(',').map((f) => f.trim()).filter(Boolean);
    const seedText = stringOption(args, 'seed');
    const seed = seedText === undefined ? undefined : Number(seedText);
    if (seed !== undefined && !Number.isInteger(seed)) throw new MedstructError('INVALID_ARGUMENT', '--seed must be an integer');
    const out = stringOption(args, 'out');
    const input = args.positionals[0];
    if (input !== undefined && input !== '-' && isFile(input)) {
      const bytes = readFileSync(input);
      if (isImageOrPdf(bytes)) {
        if (!out) throw new MedstructError('INVALID_ARGUMENT', 'De-identifying an image needs --out FILE');
        const { deidentifyImage } = await import('../../deid/image.js');
        const result = await deidentifyImage(bytes, { mode, mask, seed, knowledgeGraph });
        writeFileSync(out, result.image);
        if (flag(args, 'json')) await writeLine({ out, mime: result.mime, spans: result.spans });
        else console.error(`Wrote ${out} (${result.mime}); ${result.spans.length} PHI regions covered`);
        return 0;
      }
    }
    const text = await readTextArgument(input);
    const personSpans = flag(args, 'ner') ? await modelPersonSpans(text) : undefined;
    const result = deidentifyText(text, { mode, mask, seed, personSpans, knowledgeGraph });
    if (out) writeFileSync(out, result.text);
    if (flag(args, 'json')) await writeLine(result);
    else if (!out) process.stdout.write(result.text.endsWith('\n') ? result.text : `${result.text}\n`);
    return 0;
  },
};

export default command;
