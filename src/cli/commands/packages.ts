import { addPackage, describePackage, listPackages } from '../../accounts/index.js';
import { MedstructError } from '../../errors.js';
import { openStore, storeOptionsFromEnv } from '../../store/index.js';
import { assertKnownOptions, parseArgs, stringOption } from '../args.js';
import { writeLine } from '../io.js';
import type { Command } from '../main.js';

const command: Command = {
  summary: [
    'medstruct packages add --key KEY --calls N --months 1|3|6|12 [--action ACTION]   a prepaid call package, valid from now to the second',
    'medstruct packages list [--key KEY]',
    'Packages are used before pay-as-you-go, the one expiring first first. Takes --data-dir DIR (or DATABASE_URL).',
  ].join('\n'),
  async run(argv) {
    const args = parseArgs(argv);
    assertKnownOptions(args, ['key', 'calls', 'months', 'action', 'data-dir']);
    const sub = args.positionals[0];
    const db = await openStore(storeOptionsFromEnv(stringOption(args, 'data-dir')));
    try {
      if (sub === 'add') {
        const key = stringOption(args, 'key');
        if (!key) throw new MedstructError('INVALID_ARGUMENT', 'packages add needs --key');
        const pkg = await addPackage(db, {
          key, calls: Number(stringOption(args, 'calls')), months: Number(stringOption(args, 'months')), action: stringOption(args, 'action'),
        });
        await writeLine(describePackage(pkg));
        return 0;
      }
      if (sub === 'list') {
        await writeLine({ packages: (await listPackages(db, stringOption(args, 'key'))).map((p) => describePackage(p)) });
        return 0;
      }
      throw new MedstructError('INVALID_ARGUMENT', `Unknown packages subcommand ${sub ?? ''}; see medstruct packages --help`);
    } finally {
      await db.close();
    }
  },
};

export default command;
