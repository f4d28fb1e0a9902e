import { readFileSync } from 'node:fs';
import { isReportType, REPORT_TYPES, type ReportType } from '../../classify/types.js';
import { MedDocument } from '../../document/document.js';
import { MedstructError } from '../../errors.js';
import { parseCustomFields, type CustomFieldSpec } from '../../fields/index.js';
import { detectMedia } from '../../ingest/media.js';
import { toFhirBundle } from '../../output/fhir/index.js';
import { structureDocument, toTencentResponse } from '../../structure/index.js';
import { assertKnownOptions, choiceOption, parseArgs, stringOption } from '../args.js';
import { decodeText, isFile, readJsonl, readTextArgument, writeLine } from '../io.js';
import type { Command } from '../main.js';

const FORMATS = ['native', 'tencent', 'fhir'] as const;

/** The document a command argument names: TEXT, - (standard input) or a FILE (text, image or PDF). */
async function documentFromArgument(arg: string | undefined): Promise<MedDocument> {
  if (arg !== undefined && arg !== '-' && isFile(arg)) {
    const bytes = readFileSync(arg);
    // Images and PDFs go through OCR / the PDF text layer; loaded lazily so text input stays light.
    if (detectMedia(bytes, { filename: arg }) !== 'text') return (await import('../../ingest/index.js')).ingestFile(bytes, { filename: arg });
  }
  return new MedDocument(await readTextArgument(arg));
}

/** Reads and validates a `--fields FILE` specification. */
export function readFieldSpec(path: string): CustomFieldSpec[] {
  if (!isFile(path)) throw new MedstructError('INVALID_ARGUMENT', `No such fields file: ${path}`);
  let json: unknown;
  try {
    json = JSON.parse(decodeText(readFileSync(path)));
  } catch (error) {
    if (error instanceof MedstructError) throw error;
    throw new MedstructError('INVALID_JSON', `${path} is not valid JSON`);
  }
  return parseCustomFields(json);
}

function typeOption(value: string | undefined): ReportType | 'auto' {
  const type = value ?? 'auto';
  if (type !== 'auto' && !isReportType(type)) throw new MedstructError('UNSUPPORTED_TYPE', `--type must be auto or one of ${REPORT_TYPES.join(', ')} (got ${type})`);
  return type;
}

const command: Command = {
  summary: [
    'medstruct structure [TEXT | - | FILE] [--type auto|KEY] [--format native|tencent|fhir] [--fields FILE]',
    '--format fhir prints a FHIR R4 Bundle (document with a Composition when the report has sections).',
    'medstruct structure --jsonl FILE [--type auto|KEY] [--format …] [--fields FILE]   one result per input line ({"text": …})',
    'FILE may be text, an image (JPEG, PNG, WebP, TIFF) or a PDF; images and scanned pages are OCRed, fields then carry page and polygon.',
    `Types: ${REPORT_TYPES.join(', ')}`,
  ].join('\n'),
  async run(argv) {
    const args = parseArgs(argv);
    assertKnownOptions(args, ['type', 'format', 'fields', 'jsonl']);
    const type = typeOption(stringOption(args, 'type'));
    const specPath = stringOption(args, 'fields');
    const fields = specPath === undefined ? [] : readFieldSpec(specPath);
    const format = choiceOption(args, 'format', FORMATS, 'native');
    const render = (doc: MedDocument): unknown => {
      const result = structureDocument(doc, { type, fields });
      return format === 'tencent' ? toTencentResponse(result, doc) : format === 'fhir' ? toFhirBundle(result, doc) : result;
    };
    const jsonl = stringOption(args, 'jsonl');
    if (jsonl !== undefined) {
      for (const row of readJsonl<{ text?: unknown }>(jsonl)) {
        const text = typeof row.text === 'string' ? row.text : '';
        if (text.trim() === '') { await writeLine({ error: { code: 'EMPTY_INPUT', message: 'The line has no text' } }); continue; }
        await writeLine(render(new MedDocument(text)));
      }
      return 0;
    }
    const doc = await documentFromArgument(args.positionals[0]);
    if (doc.text.trim() === '') throw new MedstructError('EMPTY_INPUT', 'Nothing to structure: the text is empty');
    await writeLine(render(doc));
    return 0;
  },
};

export default command;
