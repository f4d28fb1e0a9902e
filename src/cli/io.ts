import { existsSync, readFileSync, statSync } from 'node:fs';
import { MedstructError } from '../errors.js';

/**
 * Decodes text bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (the encoding of
 * most Chinese hospital exports). Bytes that decode in none of them are an INVALID_ENCODING error.
 */
export function decodeText(bytes: Uint8Array): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    try {
      return new TextDecoder('gb18030', { fatal: true }).decode(bytes);
    } catch {
      throw new MedstructError('INVALID_ENCODING');
    }
  }
}

export async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function isFile(path: string): boolean {
  try {
    return existsSync(path) && statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The text a command works on: `-` is standard input, an existing file path is read, anything else is the text itself. */
export async function readTextArgument(arg: string | undefined): Promise<string> {
  if (arg === undefined) {
    if (process.stdin.isTTY) throw new MedstructError('EMPTY_INPUT', 'Give the text, a file, or - for standard input');
    return decodeText(await readStdin());
  }
  if (arg === '-') return decodeText(await readStdin());
  if (isFile(arg)) return decodeText(readFileSync(arg));
  return arg;
}

/** Reads a JSON-lines file: one object per non-empty line; a bad line is an INVALID_JSON error naming the line. */
export function readJsonl<T = Record<string, unknown>>(path: string): T[] {
  if (!isFile(path)) throw new MedstructError('INVALID_ARGUMENT', `No such file: ${path}`);
  const lines = decodeText(readFileSync(path)).split(/\r?\n/);
  const out: T[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      throw new MedstructError('INVALID_JSON', `Line ${index + 1} of ${path} is not valid JSON`);
    }
  });
  return out;
}

/** Writes one JSON value per line to standard output, respecting back-pressure. */
export async function writeLine(value: unknown): Promise<void> {
  const line = JSON.stringify(value) + '\n';
  if (!process.stdout.write(line)) await new Promise<void>((resolve) => process.stdout.once('drain', () => resolve()));
}
