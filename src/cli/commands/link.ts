import { MedstructError } from '../../errors.js';
import { getLinker, type LinkCandidate } from '../../linking/index.js';
import { isEntityType, ENTITY_TYPES } from '../../taxonomy/taxonomy.js';
import { assertKnownOptions, parseArgs, stringOption } from '../args.js';
import { readJsonl, readTextArgument, writeLine } from '../io.js';
import type { Command } from '../main.js';

const MAX_TEXT = 10_000;

function output(candidates: LinkCandidate[]): { links: Array<{ name: string; id: string; code: string; score: number; type: string }> } {
  return {
    links: candidates.map((c) => ({ name: c.name, id: c.id, code: c.codes.icd10 ?? c.codes.icd9cm3 ?? c.codes.lab ?? '', score: c.score, type: c.type })),
  };
}

/** Several diagnoses in one string (胃癌术后；高血压3级) are split; a single term is linked as such. */
function linkText(text: string, type: string | undefined): LinkCandidate[] {
  if (text.length > MAX_TEXT) throw new MedstructError('INPUT_TOO_LARGE', `A mention is at most ${MAX_TEXT} characters`);
  const linker = getLinker();
  if (type !== undefined) {
    if (!isEntityType(type)) throw new MedstructError('INVALID_ARGUMENT', `--type must be one of ${ENTITY_TYPES.join(', ')}`);
    return linker.link(text, type).slice(0, 1);
  }
  return linker.linkText(text);
}

const command: Command = {
  summary: [
    'medstruct link [--type T] [TEXT | - | FILE]   links of one mention or diagnosis string: {"links":[{name,id,code,score,type}]}',
    'medstruct link --jsonl FILE [--type T]        one {"text":…} per line in, one {"links":[…]} per line out, in order',
  ].join('\n'),
  async run(argv) {
    const args = parseArgs(argv);
    assertKnownOptions(args, ['jsonl', 'type']);
    const type = stringOption(args, 'type');
    const jsonl = stringOption(args, 'jsonl');
    if (jsonl !== undefined) {
      for (const row of readJsonl<{ text?: unknown; type?: unknown }>(jsonl)) {
        const text = typeof row.text === 'string' ? row.text : '';
        const rowType = typeof row.type === 'string' ? row.type : type;
        await writeLine(output(text.trim() === '' ? [] : linkText(text, rowType)));
      }
      return 0;
    }
    const text = (await readTextArgument(args.positionals[0])).trim();
    if (text === '') throw new MedstructError('EMPTY_INPUT');
    await writeLine(output(linkText(text, type)));
    return 0;
  },
};

export default command;
