import { createKey, describeKey, listKeys, revokeKey, setKeyStatus, setPayg, setRateLimits } from '../../accounts/index.js';
import { MedstructError } from '../../errors.js';
import { parseRateLimits } from '../../server/config.js';
import { openStore, storeOptionsFromEnv } from '../../store/index.js';
import { assertKnownOptions, parseArgs, stringOption } from '../args.js';
import { writeLine } from '../io.js';
import type { Command } from '../main.js';

function rateLimits(spec: string | undefined): Record<string, number> | undefined {
  if (spec === undefined) return undefined;
  try {
    return parseRateLimits(spec);
  } catch (error) {
    throw new MedstructError('INVALID_ARGUMENT', (error as Error).message);
  }
}

const command: Command = {
  summary: [
    'medstruct keys create --name N [--scopes A,B] [--payg on|off] [--rate-limit ACTION=QPS,…]   prints the key once (JSON, field `key`)',
    'medstruct keys list',
    'medstruct keys revoke|open|close KEY',
    'medstruct keys payg KEY on|off',
    'medstruct keys rate-limit KEY ACTION=QPS,…',
    'KEY is the key id, its name or the key itself. Every subcommand takes --data-dir DIR (or DATABASE_URL).',
  ].join('\n'),
  async run(argv) {
    const args = parseArgs(argv);
    assertKnownOptions(args, ['name', 'scopes', 'payg', 'rate-limit', 'data-dir']);
    const [sub, ref, value] = args.positionals;
    const db = await openStore(storeOptionsFromEnv(stringOption(args, 'data-dir')));
    try {
      const needRef = (): string => {
        if (!ref) throw new MedstructError('INVALID_ARGUMENT', `keys ${sub} needs the key id or name`);
        return ref;
      };
      switch (sub) {
        case 'create': {
          const name = stringOption(args, 'name');
          if (!name) throw new MedstructError('INVALID_ARGUMENT', 'keys create needs --name');
          const payg = stringOption(args, 'payg', 'on');
          if (payg !== 'on' && payg !== 'off') throw new MedstructError('INVALID_ARGUMENT', '--payg is on or off');
          const created = await createKey(db, {
            name, scopes: stringOption(args, 'scopes')?.split(',').map((s) => s.trim()).filter(Boolean), payg: payg === 'on',
            rateLimits: rateLimits(stringOption(args, 'rate-limit')),
          });
          await writeLine({ ...describeKey(created), key: created.key });
          return 0;
        }
        case 'list':
          await writeLine({ keys: (await listKeys(db)).map(describeKey) });
          return 0;
        case 'revoke':
          await writeLine(describeKey(await revokeKey(db, needRef())));
          return 0;
        case 'open':
        case 'close':
          await writeLine(describeKey(await setKeyStatus(db, needRef(), sub === 'open' ? 'open' : 'closed')));
          return 0;
        case 'payg':
          if (value !== 'on' && value !== 'off') throw new MedstructError('INVALID_ARGUMENT', 'keys payg KEY on|off');
          await writeLine(describeKey(await setPayg(db, needRef(), value === 'on')));
          return 0;
        case 'rate-limit':
          if (!value) throw new MedstructError('INVALID_ARGUMENT', 'keys rate-limit KEY ACTION=QPS,…');
          await writeLine(describeKey(await setRateLimits(db, needRef(), rateLimits(value)!)));
          return 0;
        default:
          throw new MedstructError('INVALID_ARGUMENT', `Unknown keys subcommand ${sub ?? ''}; see medstruct keys --help`);
      }
    } finally {
      await db.close();
    }
  },
};

export default command;
