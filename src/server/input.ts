import type { FastifyRequest } from 'fastify';
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

export interface FileInput {
  bytes: Buffer;
  filename?: string;
  mime?: string;
  /** The other fields of the JSON body or multipart form. */
  fields: Record<string, unknown>;
}

/**
 * The file of an upload route: a multipart form with a `file` part, or a JSON body with base64 `file`
 * (also accepted as `image` or `pdf`).
 */
export async function readFileInput(request: FastifyRequest): Promise<FileInput> {
  if (request.isMultipart()) {
    const fields: Record<string, unknown> = {};
    let file: FileInput | null = null;
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        if (file) throw new MedstructError('INVALID_ARGUMENT', 'Upload one file per request');
        file = { bytes: await part.toBuffer(), filename: part.filename || undefined, mime: part.mimetype || undefined, fields };
      } else {
        fields[part.fieldname] = part.value;
      }
    }
    if (!file || file.bytes.length === 0) throw new MedstructError('EMPTY_INPUT', 'The upload has no file');
    return file;
  }
  const body = request.body;
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new MedstructError('INVALID_ARGUMENT', 'Send JSON {"file": "<base64>"} or a multipart upload');
  const fields = body as Record<string, unknown>;
  const name = ['file', 'image', 'pdf'].find((n) => fields[n] !== undefined);
  if (!name) throw new MedstructError('INVALID_ARGUMENT', 'file is required (base64)');
  for (const n of ['filename', 'mime']) {
    if (fields[n] !== undefined && typeof fields[n] !== 'string') throw new MedstructError('INVALID_ARGUMENT', `${n} must be a string`);
  }
  return { bytes: decodeBase64(fields[name], name), filename: fields.filename as string | undefined, mime: fields.mime as string | undefined, fields };
}
