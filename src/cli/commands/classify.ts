import { classifyText } from '../../classify/index.js';
import { MedstructError } from '../../errors.js';
import { assertKnownOptions, parseArgs, stringOption } from '../args.js';
import { readJsonl, readTextArgument, writeLine } from '../io.js';
import type { Command } from '../main.js';

const command: Command = {
  summary: [
    'medstruct classify [TEXT | - | FILE]     {"type","subtype","code","name","confidence","alternatives":[…]}',
    'medstruct classify --jsonl FILE          one such object per input line ({"text": …} lines)',
  ].join('\n'),
  async run(argv) {
    const args = parseArgs(argv);
    assertKnownOptions(args, ['jsonl']);
    const jsonl = stringOption(args, 'jsonl');
    if (jsonl !== undefined) {
      for (const [index, row] of readJsonl<{ text?: unknown }>(jsonl).entries()) {
        if (typeof row.text !== 'string' || row.text.trim() === '') {
          throw new MedstructError('INVALID_ARGUMENT', `Line ${index + 1} of ${jsonl} has no "text"`);
        }
        await writeLine(classifyText(row.text));
      }
      return 0;
    }
    await writeLine(classifyText(await readTextArgument(args.positionals[0])));
    return 0;
  },
};

export default command;
