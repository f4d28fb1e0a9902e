import { codePoints } from '../document/document.js';
import { MedstructError } from '../errors.js';

/** Checks a text input: not empty, at most `limit` characters (code points). */
export function checkText(text: unknown, limit: number, name = 'text'): string {
  if (typeof text !== 'string') throw new MedstructError('INVALID_ARGUMENT', `${name} must be a string`);
  if (text.trim() === '') throw new MedstructError('EMPTY_INPUT', `${name} is empty`);
  if (text.length > limit && codePoints(text).length > limit) {
    throw new MedstructError('INPUT_TOO_LARGE', `${name} is longer than ${limit} characters`);
  }
  return text;
}

/** Decodes strict base64 (optionally a data: URL); anything else is INVALID_ARGUMENT. */
export function decodeBase64(value: unknown, name: string): Buffer {
  if (typeof value !== 'string' || value.trim() === '') throw new MedstructError('INVALID_ARGUMENT', `${name} must be a base64 string`);
  const payload = value.replace(/^data:[^;,]+;base64,/, '').replace(/\s+/g, '');
  if (payload.length % 4 === 1 || !/^[A-Za-z0-9+/]*={0,2}$/.test(payload)) throw new MedstructError('INVALID_ARGUMENT', `${name} is not valid base64`);
  const bytes = Buffer.from(payload, 'base64');
  if (bytes.length === 0) throw new MedstructError('INVALID_ARGUMENT', `${name} is empty`);
  return bytes;
}
