import { MedDocument } from '../../document/document.js';
import { MedstructError } from '../../errors.js';
import { toAliyunData } from '../../output/aliyun.js';
import { toNativeNer } from '../../output/native.js';
import { toNocode } from '../../output/nocode.js';
import { buildPipeline } from '../../pipeline/default.js';
import { fromNative, isSchemeName, SCHEMES, type SchemeName } from '../../taxonomy/taxonomy.js';
import { assertKnownOptions, choiceOption, flag, parseArgs, stringOption } from '../args.js';
import { readJsonl, readTextArgument, writeLine } from '../io.js';
import type { Command } from '../main.js';
import type { Entity } from '../../document/types.js';

const FORMATS = ['native', 'aliyun', 'nocode'] as const;

/**
 * The entity's label in `scheme`: the unified type for `native`, else the producing model's own label when it was
 * trained on that scheme, else the scheme's label for the unified type.
 */
export function labelIn(scheme: SchemeName, entity: Entity, producedBy: SchemeName): string | null {
  if (scheme === 'native') return entity.type;
  if (entity.label !== undefined && producedBy === scheme) return entity.label;
  return fromNative(scheme, entity.type);
}

function schemeOf(value: string | undefined): SchemeName {
  const scheme = value ?? 'native';
  if (!isSchemeName(scheme)) throw new MedstructError('INVALID_ARGUMENT', `--scheme must be one of ${SCHEMES.join(', ')}`);
  return scheme;
}

const command: Command = {
  summary: [
    'medstruct ner [--format native|aliyun|nocode] [--scheme S] [--drop-negated] [TEXT | - | FILE]',
    'medstruct ner --jsonl FILE [--scheme S]     one {"entities":[{start,end,type,text}]} per input line',
    'medstruct ner --jsonl FILE --format F        one full F document (native: with assertions and relations) per input line',
    `Schemes: ${SCHEMES.join(', ')}`,
  ].join('\n'),
  async run(argv) {
    const args = parseArgs(argv, ['drop-negated']);
    assertKnownOptions(args, ['format', 'scheme', 'jsonl', 'drop-negated']);
    const scheme = schemeOf(stringOption(args, 'scheme'));
    const pipeline = buildPipeline({ scheme });
    const jsonl = stringOption(args, 'jsonl');
    if (jsonl !== undefined) {
      const full = args.options.has('format') ? choiceOption(args, 'format', FORMATS, 'native') : null;
      for (const row of readJsonl<{ text?: unknown }>(jsonl)) {
        const text = typeof row.text === 'string' ? row.text : '';
        const doc = pipeline.run(new MedDocument(text));
        if (full === 'native') { await writeLine(toNativeNer(doc)); continue; }
        if (full === 'aliyun') { await writeLine(toAliyunData(doc)); continue; }
        if (full === 'nocode') { await writeLine(toNocode(doc, { dropNegated: flag(args, 'drop-negated') })); continue; }
        const entities = [];
        for (const e of doc.entities) {
          const type = labelIn(scheme, e, scheme);
          if (type !== null) entities.push({ start: e.start, end: e.end, type, text: e.text });
        }
        await writeLine({ entities });
      }
      return 0;
    }
    const format = choiceOption(args, 'format', FORMATS, 'native');
    const text = await readTextArgument(args.positionals[0]);
    const doc = pipeline.run(new MedDocument(text));
    if (format === 'aliyun') await writeLine(toAliyunData(doc));
    else if (format === 'nocode') await writeLine(toNocode(doc, { dropNegated: flag(args, 'drop-negated') }));
    else {
      const out = toNativeNer(doc);
      if (scheme !== 'native') {
        for (const [i, e] of doc.entities.entries()) out.entities[i]!.type = labelIn(scheme, e, scheme) ?? e.type;
      }
      await writeLine(out);
    }
    return 0;
  },
};

export default command;
