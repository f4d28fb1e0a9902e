import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiKey } from '../../accounts/index.js';
import { MedstructError } from '../../errors.js';
import { createJob, getJob, type Job, type JobInput } from '../../jobs/store.js';
import { authenticate, billable, fingerprint, storedReply, type Idempotency, type ServerContext } from '../context.js';
import { ENTITY_TYPES, type EntityType } from '../../taxonomy/taxonomy.js';
import { REPORT_TYPES } from '../../classify/types.js';
import { checkText, decodeBase64, readFileInput, type FileInput } from '../input.js';
import type { NerFormat, WorkerTask } from '../tasks.js';

const errorSchema = {
  type: 'object',
  properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } }, requestId: { type: 'string' } },
};

const errorResponses = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 413: errorSchema, 429: errorSchema, 503: errorSchema };

const IDEMPOTENCY_HEADER = { type: 'object', properties: { 'idempotency-key': { type: 'string', maxLength: 255, description: 'Replays the stored reply of an earlier identical request' } } };

function idempotencyOf(request: FastifyRequest): Idempotency | undefined {
  const header = request.headers['idempotency-key'];
  if (typeof header !== 'string' || header === '') return undefined;
  return { key: header, fingerprint: fingerprint(request.method, request.url, request.body) };
}

/**
 * A native call: authenticate, honour Idempotency-Key (an identical earlier request gets its stored
 * reply and is not charged again), then run it as a billable call.
 */
async function nativeCall(
  ctx: ServerContext, request: FastifyRequest, reply: FastifyReply, action: string,
  work: (key: ApiKey) => Promise<{ value: unknown; units?: number }>,
): Promise<unknown> {
  request.action = action;
  const key = await authenticate(ctx, request, action);
  const idem = idempotencyOf(request);
  if (!idem) return billable(ctx, request, key, action, () => work(key));
  const stored = await storedReply(ctx, key.id, idem);
  if (stored) return reply.code(stored.status).header('idempotent-replayed', 'true').send(stored.body);
  const lock = `${key.id}\u0000${idem.key}`;
  if (ctx.inFlightIdempotency.has(lock)) throw new MedstructError('IDEMPOTENCY_IN_PROGRESS');
  ctx.inFlightIdempotency.add(lock);
  try {
    return await billable(ctx, request, key, action, () => work(key), idem);
  } finally {
    ctx.inFlightIdempotency.delete(lock);
  }
}

const NER_FORMATS: NerFormat[] = ['native', 'aliyun', 'nocode'];

/** The worker task of a native action's request body (also the unit of a batch job). */
function taskOf(ctx: ServerContext, action: string, body: Record<string, unknown>): WorkerTask {
  switch (action) {
    case 'ner':
      return { op: 'ner', text: checkText(body.text, ctx.config.textLimit), format: (body.format as NerFormat | undefined) ?? 'native', dropNegated: body.dropNegated === true };
    case 'classify':
      return { op: 'classify', text: checkText(body.text, ctx.config.textLimit) };
    case 'structure': {
      const type = body.type ?? 'auto';
      if (typeof type !== 'string' || (type !== 'auto' && !(REPORT_TYPES as readonly string[]).includes(type))) {
        throw new MedstructError('INVALID_ARGUMENT', `type must be auto or one of ${REPORT_TYPES.join(', ')}`);
      }
      const format = body.format ?? 'native';
      if (format !== 'native' && format !== 'tencent' && format !== 'fhir') throw new MedstructError('INVALID_ARGUMENT', 'format must be native, tencent or fhir');
      const input = body.text !== undefined
        ? { text: checkText(body.text, ctx.config.textLimit), maxPages: 1 }
        : { base64: decodeBase64(body.file, 'file').toString('base64'), filename: optionalString(body, 'filename'), mime: optionalString(body, 'mime'), maxPages: ctx.config.maxPdfPages };
      return { op: 'structure', input, type, format };
    }
  }
  throw new MedstructError('INVALID_ARGUMENT', `Action ${action} cannot run as a job`);
}

function optionalString(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value !== undefined && typeof value !== 'string') throw new MedstructError('INVALID_ARGUMENT', `${name} must be a string`);
  return value as string | undefined;
}

/** The fields of an upload as a request body: text fields as given, the file as base64. */
function uploadBody(upload: FileInput): Record<string, unknown> {
  const { file: _file, image: _image, pdf: _pdf, ...fields } = upload.fields;
  return { ...fields, file: upload.bytes.toString('base64'), filename: upload.filename, mime: upload.mime };
}

/** The body of a route that takes text or a base64 file as JSON, or a multipart upload. */
async function textOrFile(request: FastifyRequest): Promise<Record<string, unknown>> {
  if (request.isMultipart()) return uploadBody(await readFileInput(request));
  const body = request.body;
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new MedstructError('INVALID_ARGUMENT', 'Send JSON {"text"} or {"file": "<base64>"}, or a multipart upload');
  return body as Record<string, unknown>;
}

/** A batch item's task; a bad item refuses the whole batch, naming the item. */
function itemTask(ctx: ServerContext, action: string, item: Record<string, unknown>, index: number): WorkerTask {
  try {
    return taskOf(ctx, action, item);
  } catch (error) {
    if (error instanceof MedstructError) throw new MedstructError(error.code, `items[${index}]: ${error.message}`);
    throw error;
  }
}

export const JOB_ACTIONS = ['ner', 'classify', 'structure'] as const;

function jobView(job: Job): Record<string, unknown> {
  return {
    id: job.id, action: job.action, status: job.status, attempts: job.attempts,
    createdAt: new Date(job.createdAt).toISOString(), updatedAt: new Date(job.updatedAt).toISOString(), expiresAt: new Date(job.expiresAt).toISOString(),
    ...(job.status === 'done' ? { result: job.result } : {}),
    ...(job.error ? { error: job.error } : {}),
  };
}

export function registerNativeRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const config = { surface: 'native' as const };
  const pooled = { surface: 'native' as const, pooled: true };

  app.post('/v1/ner', {
    config: pooled,
    schema: {
      tags: ['native'], summary: 'Named entities with nesting, assertions and links', headers: IDEMPOTENCY_HEADER,
      body: {
        type: 'object', required: ['text'], additionalProperties: false,
        properties: {
          text: { type: 'string', description: 'The text (UTF-8), at most the configured number of characters' },
          format: { type: 'string', enum: NER_FORMATS, default: 'native', description: 'native, aliyun (GetNerChMedical Data) or nocode' },
          dropNegated: { type: 'boolean', description: 'nocode format: leave out findings asserted absent' },
        },
      },
      response: errorResponses,
    },
  }, async (request, reply) => {
    const body = request.body as Record<string, unknown>;
    const task = taskOf(ctx, 'ner', body);
    return nativeCall(ctx, request, reply, 'ner', async () => ctx.pool.run(task, ctx.config.requestTimeoutMs));
  });

  app.post('/v1/classify', {
    config: pooled,
    schema: {
      tags: ['native'], summary: 'Report type (with its MRS code and name) and the next likely types', headers: IDEMPOTENCY_HEADER,
      body: { type: 'object', required: ['text'], additionalProperties: false, properties: { text: { type: 'string' } } },
      response: errorResponses,
    },
  }, async (request, reply) => {
    const task = taskOf(ctx, 'classify', request.body as Record<string, unknown>);
    return nativeCall(ctx, request, reply, 'classify', async () => ctx.pool.run(task, ctx.config.requestTimeoutMs));
  });

  app.post('/v1/link', {
    config: pooled,
    schema: {
      tags: ['native'], summary: 'Knowledge-graph concepts (standard name, codes) for a mention, best first', headers: IDEMPOTENCY_HEADER,
      body: {
        type: 'object', required: ['text'], additionalProperties: false,
        properties: {
          text: { type: 'string', description: 'The mention, e.g. 心梗, or a diagnosis line with diagnoses=true' },
          type: { type: 'string', enum: [...ENTITY_TYPES], description: 'Entity type of the mention, when known' },
          diagnoses: { type: 'boolean', description: 'Split a diagnosis line (胃癌术后；高血压3级) and link each diagnosis' },
          limit: { type: 'integer', minimum: 1, maximum: 50, default: 5 },
        },
      },
      response: errorResponses,
    },
  }, async (request, reply) => {
    const body = request.body as { text: unknown; type?: EntityType; diagnoses?: boolean; limit?: number };
    const mention = checkText(body.text, 1000);
    const task: WorkerTask = { op: 'link', mention, type: body.type, diagnoses: body.diagnoses === true, limit: body.limit ?? 5 };
    return nativeCall(ctx, request, reply, 'link', async () => ctx.pool.run(task, ctx.config.requestTimeoutMs));
  });

  app.post('/v1/ocr', {
    config: pooled,
    // JSON bodies and multipart uploads share the route; readFileInput checks both.
    validatorCompiler: () => () => true,
    schema: {
      tags: ['native'], summary: 'Text lines with polygons of an image or PDF (JSON with base64 `file`, or a multipart upload); charged per page',
      consumes: ['application/json', 'multipart/form-data'],
      body: {
        type: 'object', required: ['file'],
        properties: { file: { type: 'string', description: 'Base64 image (PNG, JPEG, WebP, TIFF, BMP) or PDF' }, filename: { type: 'string' }, mime: { type: 'string' } },
      },
      response: errorResponses,
    },
  }, async (request, reply) => {
    const input = await readFileInput(request);
    const bytes = new Uint8Array(input.bytes);
    return nativeCall(ctx, request, reply, 'ocr', async () => ctx.pool.run(
      { op: 'ocr', bytes, filename: input.filename, mime: input.mime, maxPages: ctx.config.maxPdfPages },
      ctx.config.requestTimeoutMs, [bytes.buffer as ArrayBuffer],
    ));
  });

  app.post('/v1/structure', {
    config: pooled,
    validatorCompiler: () => () => true,
    schema: {
      tags: ['native'], summary: 'Report type, sections, entities and the type\'s fields with evidence; text, base64 image/PDF, or multipart upload (charged per page)',
      headers: IDEMPOTENCY_HEADER, consumes: ['application/json', 'multipart/form-data'],
      body: {
        type: 'object',
        properties: {
          text: { type: 'string' }, file: { type: 'string', description: 'Base64 image or PDF (instead of text)' }, filename: { type: 'string' }, mime: { type: 'string' },
          type: { type: 'string', enum: ['auto', ...REPORT_TYPES], default: 'auto' },
          format: { type: 'string', enum: ['native', 'tencent', 'fhir'], default: 'native', description: 'tencent: the MRS {Template, TextTypeList}; fhir: a FHIR R4 Bundle' },
        },
      },
      response: errorResponses,
    },
  }, async (request, reply) => {
    const task = taskOf(ctx, 'structure', await textOrFile(request));
    return nativeCall(ctx, request, reply, 'structure', async () => ctx.pool.run(task, ctx.config.requestTimeoutMs));
  });

  app.post('/v1/deidentify', {
    config: pooled,
    validatorCompiler: () => () => true,
    schema: {
      tags: ['native'], summary: 'Masks, tags or replaces personal information in a text, or boxes it out of an image (base64 or multipart)',
      headers: IDEMPOTENCY_HEADER, consumes: ['application/json', 'multipart/form-data'],
      body: {
        type: 'object',
        properties: {
          text: { type: 'string' }, file: { type: 'string', description: 'Base64 image (instead of text); the reply has the masked image as base64' },
          mode: { type: 'string', enum: ['mask', 'tag', 'surrogate'], default: 'mask' },
          mask: { type: 'array', items: { type: 'string' }, description: 'Mask flags (patient, doctor, hospital, barcode, name, id, phone, …); default: all personal data' },
        },
      },
      response: errorResponses,
    },
  }, async (request, reply) => {
    const body = await textOrFile(request);
    const mask = typeof body.mask === 'string' ? body.mask.split(',') : body.mask;
    if (mask !== undefined && (!Array.isArray(mask) || mask.some((m) => typeof m !== 'string'))) throw new MedstructError('INVALID_ARGUMENT', 'mask must be a list of flags');
    let task: WorkerTask;
    if (body.text !== undefined) {
      const mode = body.mode ?? 'mask';
      if (mode !== 'mask' && mode !== 'tag' && mode !== 'surrogate') throw new MedstructError('INVALID_ARGUMENT', 'mode must be mask, tag or surrogate');
      task = { op: 'deidentifyText', text: checkText(body.text, ctx.config.textLimit), mode, mask: mask as string[] | undefined };
    } else {
      task = { op: 'deidentifyImage', bytes: new Uint8Array(decodeBase64(body.file, 'file')), mask: mask as string[] | undefined };
    }
    return nativeCall(ctx, request, reply, 'deidentify', async () => ctx.pool.run(task, ctx.config.requestTimeoutMs));
  });

  app.post('/v1/jobs', {
    config,
    schema: {
      tags: ['native'], summary: 'Submit an async job (one input or a batch); poll GET /v1/jobs/{id}', headers: IDEMPOTENCY_HEADER,
      body: {
        type: 'object', required: ['action'], additionalProperties: false,
        properties: {
          action: { type: 'string', enum: [...JOB_ACTIONS] },
          input: { type: 'object', description: 'The body the synchronous endpoint of the action takes' },
          items: { type: 'array', minItems: 1, maxItems: 1000, items: { type: 'object' }, description: 'A batch: several such bodies' },
        },
      },
    },
  }, async (request, reply) => {
    const body = request.body as { action: string; input?: Record<string, unknown>; items?: Array<Record<string, unknown>> };
    if ((body.input === undefined) === (body.items === undefined)) throw new MedstructError('INVALID_ARGUMENT', 'Give either input or items');
    const input: JobInput = body.items
      ? { tasks: body.items.map((item, i) => itemTask(ctx, body.action, item, i)), batch: true }
      : { tasks: [taskOf(ctx, body.action, body.input!)], batch: false };
    request.action = `jobs.${body.action}`;
    const key = await authenticate(ctx, request, body.action);
    const idem = idempotencyOf(request);
    if (idem) {
      const stored = await storedReply(ctx, key.id, idem);
      if (stored) return reply.code(stored.status).header('idempotent-replayed', 'true').send(stored.body);
    }
    const job = await createJob(ctx.db, {
      id: `job_${randomUUID()}`, keyId: key.id, action: body.action, input, ttlMs: ctx.config.jobTtlMs,
      idempotency: idem && { ...idem, body: jobView },
    });
    ctx.runner.wake();
    return reply.code(202).send(jobView(job));
  });

  app.get('/v1/jobs/:id', {
    config,
    schema: { tags: ['native'], summary: 'A job\'s status and, once done, its result', params: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] } },
  }, async (request) => {
    const key = await authenticate(ctx, request, null);
    const job = await getJob(ctx.db, (request.params as { id: string }).id);
    if (!job || job.keyId !== key.id) throw new MedstructError('NOT_FOUND', 'No such job');
    return jobView(job);
  });
}
