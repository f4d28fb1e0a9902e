import { isMedstructError } from '../errors.js';

/** Each command is a module with `run(argv)`; imported lazily so `medstruct ner` does not load the OCR models. */
export interface Command {
  summary: string;
  run(argv: string[]): Promise<number>;
}

const COMMANDS: Record<string, () => Promise<Command>> = {
  classify: async () => (await import('./commands/classify.js')).default,
  ner: async () => (await import('./commands/ner.js')).default,
  deid: async () => (await import('./commands/deid.js')).default,
  structure: async () => (await import('./commands/structure.js')).default,
  ocr: async () => (await import('./commands/ocr.js')).default,
  eval: async () => (await import('./commands/eval.js')).default,
  link: async () => (await import('./commands/link.js')).default,
  serve: async () => (await import('./commands/serve.js')).default,
  keys: async () => (await import('./commands/keys.js')).default,
  packages: async () => (await import('./commands/packages.js')).default,
  usage: async () => (await import('./commands/usage.js')).default,
};

function usage(): string {
  return [
    'Usage: medstruct <command> [options]',
    '',
    'Commands:',
    ...Object.keys(COMMANDS).sort().map((name) => `  ${name}`),
    '',
    'Run `medstruct <command> --help` for a command\'s options.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name === undefined ? 1 : 0;
  }
  if (name === '--version') {
    const { PACKAGE_ROOT } = await import('../resources.js');
    const { readFileSync } = await import('node:fs');
    console.log((JSON.parse(readFileSync(`${PACKAGE_ROOT}/package.json`, 'utf8')) as { version: string }).version);
    return 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    console.error(JSON.stringify({ error: { code: 'UNKNOWN_COMMAND', message: `Unknown command: ${name}` } }));
    console.error(usage());
    return 2;
  }
  const command = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.summary);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (isMedstructError(error)) {
      console.error(JSON.stringify({ error: error.toJSON() }));
      return 2;
    }
    throw error;
  }
}
