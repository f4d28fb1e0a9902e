import { resolveKey, usageStatement } from '../../accounts/index.js';
import { MedstructError } from '../../errors.js';
import { openStore, storeOptionsFromEnv } from '../../store/index.js';
import { assertKnownOptions, flag, parseArgs, stringOption } from '../args.js';
import { writeLine } from '../io.js';
import type { Command } from '../main.js';

const command: Command = {
  summary: [
    'medstruct usage [--day YYYY-MM-DD|all] [--key KEY] [--json] [--data-dir DIR]',
    'The daily usage statement (UTC day, default today): calls and billable units (PDF pages) per key and action,',
    'split into prepaid-package and pay-as-you-go units. --json prints {day, calls: {keyId: {action: n}}, lines, totals}.',
  ].join('\n'),
  async run(argv) {
    const args = parseArgs(argv, ['json']);
    assertKnownOptions(args, ['day', 'key', 'json', 'data-dir']);
    const day = stringOption(args, 'day', new Date().toISOString().slice(0, 10))!;
    if (day !== 'all' && !/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new MedstructError('INVALID_ARGUMENT', '--day is YYYY-MM-DD or all');
    const db = await openStore(storeOptionsFromEnv(stringOption(args, 'data-dir')));
    try {
      const keyRef = stringOption(args, 'key');
      const keyId = keyRef === undefined ? undefined : (await resolveKey(db, keyRef)).id;
      const statement = await usageStatement(db, day === 'all' ? null : day, keyId);
      if (flag(args, 'json')) {
        await writeLine(statement);
        return 0;
      }
      const rows = [['day', 'key', 'name', 'action', 'calls', 'units', 'package', 'payg']];
      for (const l of statement.lines) rows.push([l.day, l.keyId, l.keyName, l.action, String(l.calls), String(l.units), String(l.packageUnits), String(l.paygUnits)]);
      const t = statement.totals;
      rows.push(['total', '', '', '', String(t.calls), String(t.units), String(t.packageUnits), String(t.paygUnits)]);
      const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
      for (const r of rows) console.log(r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd());
      return 0;
    } finally {
      await db.close();
    }
  },
};

export default command;
