import { MedstructError } from '../errors.js';

export interface ParsedArgs {
  /** Positional arguments in order. */
  positionals: string[];
  /** `--name value` and `--name=value` options; bare `--flag` is `true`. */
  options: Map<string, string | true>;
}

/**
 * Parses `--name value`, `--name=value` and bare flags. `booleanFlags` never take a value, so
 * `--json TEXT` keeps TEXT positional. A lone `-` is a positional (standard input).
 */
export function parseArgs(argv: readonly string[], booleanFlags: readonly string[] = []): ParsedArgs {
  const positionals: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') { positionals.push(...argv.slice(i + 1)); break; }
    if (arg.startsWith('--') && arg.length > 2) {
      const eq = arg.indexOf('=');
      if (eq > 0) { options.set(arg.slice(2, eq), arg.slice(eq + 1)); continue; }
      const name = arg.slice(2);
      const next = argv[i + 1];
      if (booleanFlags.includes(name) || next === undefined || (next.startsWith('--') && next.length > 2)) {
        options.set(name, true);
      } else {
        options.set(name, next);
        i++;
      }
      continue;
    }
    positionals.push(arg);
  }
  return { positionals, options };
}

export function stringOption(args: ParsedArgs, name: string, fallback?: string): string | undefined {
  const v = args.options.get(name);
  if (v === undefined) return fallback;
  if (v === true) throw new MedstructError('INVALID_ARGUMENT', `--${name} needs a value`);
  return v;
}

export function flag(args: ParsedArgs, name: string): boolean {
  return args.options.has(name) && args.options.get(name) !== 'false';
}

export function choiceOption<T extends string>(args: ParsedArgs, name: string, choices: readonly T[], fallback: T): T {
  const v = stringOption(args, name, fallback)!;
  if (!(choices as readonly string[]).includes(v)) {
    throw new MedstructError('INVALID_ARGUMENT', `--${name} must be one of ${choices.join(', ')} (got ${v})`);
  }
  return v as T;
}

/** Rejects options the command does not know, so a typo is an error rather than silently ignored. */
export function assertKnownOptions(args: ParsedArgs, known: readonly string[]): void {
  for (const name of args.options.keys()) {
    if (!known.includes(name)) throw new MedstructError('INVALID_ARGUMENT', `Unknown option --${name}`);
  }
}
