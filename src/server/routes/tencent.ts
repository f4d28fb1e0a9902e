import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SUBTYPE_CODES, TYPE_CODES, type ReportType } from '../../classify/types.js';
import { codePoints } from '../../document/document.js';
import { detectMedia } from '../../ingest/media.js';
import { createJob, getJob } from '../../jobs/store.js';
import { authenticate, billable, type ServerContext } from '../context.js';
import { decodeBase64 } from '../input.js';
import { SurfaceError } from '../surfaces.js';
import type { DocumentInput, WorkerTask } from '../tasks.js';

type Params = Record<string, unknown>;

/**
 * One billable MRS action: `prepare` checks the parameters (throwing MRS's code) before anything is
 * reserved, and returns the work, whose units (pages for PDFs) are charged once it succeeds.
 */
interface TencentAction {
  prepare(ctx: ServerContext, params: Params): () => Promise<{ value: Params; units?: number }>;
}

const invalid = (code: string, message: string): SurfaceError => new SurfaceError(code, message, 200);

/** MRS report type codes (TextToObject `Type`) to medstruct's types; group codes mean "classify". */
const TYPE_BY_CODE = new Map<number, ReportType | 'auto'>([[0, 'auto'], [12, 'auto'], [13, 'auto'], [26, 'auto']]);
for (const [type, { code }] of Object.entries(TYPE_CODES)) if (code !== 0) TYPE_BY_CODE.set(code, type as ReportType);
for (const [type, subtypes] of Object.entries(SUBTYPE_CODES)) {
  for (const { code } of Object.values(subtypes ?? {})) if (!TYPE_BY_CODE.has(code)) TYPE_BY_CODE.set(code, type as ReportType);
}

function reportType(params: Params): ReportType | 'auto' {
  if (params.IsUsedClassify === true || params.Type === undefined || params.Type === null) return 'auto';
  if (typeof params.Type !== 'number' || !Number.isInteger(params.Type)) throw invalid('InvalidParameter', 'Type must be an integer report type code');
  const type = TYPE_BY_CODE.get(params.Type);
  if (!type) throw invalid('UnsupportedOperation.UnSupportThisType', `Report type ${params.Type} is not supported`);
  return type;
}

function text(ctx: ServerContext, params: Params): string {
  const value = params.Text;
  if (typeof value !== 'string' || value.trim() === '') throw invalid('InvalidParameter.Text', 'Text is required');
  if (value.length > ctx.config.tencentTextLimit && codePoints(value).length > ctx.config.tencentTextLimit) {
    throw invalid('LimitExceeded.TextSizeLimitExceeded', `Text is longer than ${ctx.config.tencentTextLimit} characters`);
  }
  return value;
}

function imageBytes(value: unknown, name: string): Uint8Array {
  try {
    return new Uint8Array(decodeBase64(value, name));
  } catch {
    throw invalid('InvalidParameterValue.ImageCodeInvalid', `${name} is not a base64 image`);
  }
}

function imageList(params: Params): Uint8Array[] {
  const list = params.ImageInfoList;
  if (!Array.isArray(list) || list.length === 0) throw invalid('InvalidParameter.ImageInfoList', 'ImageInfoList needs at least one image with Base64');
  return list.map((info, i) => {
    const base64 = info && typeof info === 'object' ? (info as Params).Base64 : undefined;
    if (base64 === undefined && info && typeof info === 'object' && (info as Params).Url !== undefined) {
      throw invalid('InvalidParameterValue.ImageURLInvalid', 'Image URLs are not supported; send Base64');
    }
    return imageBytes(base64, `ImageInfoList[${i}].Base64`);
  });
}

function pdfInput(ctx: ServerContext, params: Params): DocumentInput {
  const info = params.PdfInfo;
  const base64 = info && typeof info === 'object' ? (info as Params).Base64 : undefined;
  let bytes: Buffer;
  try {
    bytes = decodeBase64(base64, 'PdfInfo.Base64');
  } catch {
    throw invalid('InvalidParameter', 'PdfInfo.Base64 must be the base64 of a PDF');
  }
  return { bytes: new Uint8Array(bytes), expect: 'pdf', maxPages: ctx.config.maxPdfPages };
}

/** ImageMask flags (all on unless set to false) and the de-identification groups they turn on. */
const MASK_FLAGS: Array<[string, string]> = [['HospitalFlag', 'hospital'], ['DoctorFlag', 'doctor'], ['PatientFlag', 'patient'], ['BarFlag', 'barcode']];

function maskGroups(params: Params): string[] {
  const flags = (params.MaskFlag && typeof params.MaskFlag === 'object' ? params.MaskFlag : {}) as Params;
  const mask = MASK_FLAGS.filter(([flag]) => flags[flag] !== false).map(([, group]) => group);
  if (mask.length === 0) throw invalid('InvalidParameter', 'MaskFlag turns every mask off');
  return mask;
}

function maskImage(params: Params): Uint8Array {
  const image = params.Image && typeof params.Image === 'object' ? (params.Image as Params).Base64 : undefined;
  if (image === undefined && params.Image && typeof params.Image === 'object' && (params.Image as Params).Url !== undefined) {
    throw invalid('InvalidParameterValue.ImageURLInvalid', 'Image URLs are not supported; send Base64');
  }
  return imageBytes(image, 'Image.Base64');
}

const maskedImage = (value: unknown): Params => ({ MaskedImage: (value as { image: string }).image });

const run = (ctx: ServerContext, task: WorkerTask, timeoutMs = ctx.config.requestTimeoutMs) =>
  ctx.pool.run(task, timeoutMs) as Promise<{ value: Params; units?: number }>;

/** A worker task whose reply is the MRS reply, or a part of it (`shape`). */
const work = (ctx: ServerContext, task: WorkerTask, shape?: (value: unknown) => Params) => async () => {
  const outcome = await run(ctx, task);
  return shape ? { value: shape(outcome.value), units: outcome.units } : outcome;
};

const textTypeList = (value: unknown): Params => ({ TextTypeList: value });

/** The MRS actions medstruct serves, by X-TC-Action. */
const ACTIONS: Record<string, TencentAction> = {
  TextToObject: {
    prepare: (ctx, params) => work(ctx, { op: 'structure', input: { text: text(ctx, params), maxPages: 1 }, type: reportType(params), format: 'tencent' }),
  },
  TextToClass: {
    prepare: (ctx, params) => work(ctx, { op: 'textTypes', text: text(ctx, params) }, textTypeList),
  },
  ImageToObject: {
    prepare: (ctx, params) => {
      const type = reportType(params);
      if (Array.isArray(params.OcrInfoList) && params.OcrInfoList.length > 0) {
        return work(ctx, { op: 'structure', input: { ocrInfo: params.OcrInfoList, maxPages: 1 }, type, format: 'tencent' });
      }
      const [image] = imageList(params);
      return work(ctx, { op: 'structure', input: { bytes: image, expect: 'image', maxPages: 1 }, type, format: 'tencent' });
    },
  },
  ImageToClass: {
    prepare: (ctx, params) => work(ctx, { op: 'textTypes', images: imageList(params) }, textTypeList),
  },
  ImageMask: {
    prepare: (ctx, params) => work(ctx, { op: 'deidentifyImage', bytes: maskImage(params), mask: maskGroups(params) }, maskedImage),
  },
  TurnPDFToObject: {
    prepare: (ctx, params) => work(ctx, { op: 'structure', input: pdfInput(ctx, params), type: 'auto', format: 'tencent' }),
  },
};

/**
 * MRS async actions: the submission persists a job (reserved now, charged when it completes, given back
 * if it fails) and answers its TaskID; `…GetResult` reads it. Jobs survive restarts like /v1/jobs.
 */
interface AsyncAction {
  /** The job's worker task, checked before anything is stored; bytes travel as base64 in the job row. */
  task(ctx: ServerContext, params: Params): WorkerTask;
  /** The GetResult reply of the finished job's value. */
  reply(value: unknown): Params;
}

const ASYNC_ACTIONS: Record<string, AsyncAction> = {
  TurnPDFToObjectAsync: {
    task: (ctx, params) => {
      const input = pdfInput(ctx, params);
      return { op: 'structure', input: { expect: 'pdf', maxPages: input.maxPages, base64: Buffer.from(input.bytes!).toString('base64') }, type: 'auto', format: 'tencent' };
    },
    reply: (value) => value as Params,
  },
  ImageMaskAsync: {
    task: (_ctx, params) => {
      const bytes = maskImage(params);
      // Known at once (magic bytes) rather than as a failed task later.
      let kind: string;
      try {
        kind = detectMedia(bytes);
      } catch {
        kind = 'unsupported';
      }
      if (kind !== 'image') throw invalid('InvalidParameterValue.ImageCodeInvalid', 'Image.Base64 is not a supported image');
      return { op: 'deidentifyImage', base64: Buffer.from(bytes).toString('base64'), mask: maskGroups(params) };
    },
    reply: maskedImage,
  },
};

/** Each GetResult action and the async action whose tasks it reads. */
const RESULT_ACTIONS: Record<string, string> = {
  TurnPDFToObjectAsyncGetResult: 'TurnPDFToObjectAsync',
  ImageMaskAsyncGetResult: 'ImageMaskAsync',
};

async function submitTask(ctx: ServerContext, request: FastifyRequest, actionName: string, params: Params): Promise<Params> {
  const task = ASYNC_ACTIONS[actionName]!.task(ctx, params);
  const key = await authenticate(ctx, request, actionName);
  const job = await createJob(ctx.db, { id: `job_${randomUUID()}`, keyId: key.id, action: actionName, ttlMs: ctx.config.jobTtlMs, input: { tasks: [task], batch: false } });
  ctx.runner.wake();
  return { TaskID: job.id };
}

async function taskResult(ctx: ServerContext, request: FastifyRequest, actionName: string, params: Params): Promise<Params> {
  const submittedAs = RESULT_ACTIONS[actionName]!;
  const key = await authenticate(ctx, request, null);
  if (typeof params.TaskID !== 'string' || params.TaskID === '') throw invalid('InvalidParameter', 'TaskID is required');
  const job = await getJob(ctx.db, params.TaskID);
  if (!job || job.keyId !== key.id || job.action !== submittedAs) throw invalid('FailedOperation.EmptyResult', 'No task with this TaskID');
  if (job.status === 'queued' || job.status === 'running') throw invalid('FailedOperation.AsyncTaskHandling', 'The task is still being processed');
  if (job.status === 'failed') throw invalid('FailedOperation.AsyncTaskError', `The task failed and was not charged: ${job.error?.message ?? ''}`);
  return ASYNC_ACTIONS[submittedAs]!.reply(job.result);
}

/**
 * Tencent MRS (API 3.0): `POST /` with `X-TC-Action`, JSON body; `{"Response": {…, "RequestId"}}`.
 * Errors come back with HTTP 200 and `Response.Error`, as Tencent Cloud answers them.
 */
export async function tencentCall(ctx: ServerContext, request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const actionName = String(request.headers['x-tc-action']);
  request.action = actionName;
  const body = request.body;
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw invalid('InvalidParameter', 'The request body must be a JSON object');
  }
  const params = body as Params;
  let value: Params;
  if (Object.hasOwn(ASYNC_ACTIONS, actionName)) value = await submitTask(ctx, request, actionName, params);
  else if (Object.hasOwn(RESULT_ACTIONS, actionName)) value = await taskResult(ctx, request, actionName, params);
  else {
    const action = Object.hasOwn(ACTIONS, actionName) ? ACTIONS[actionName]! : undefined;
    if (!action) throw invalid('InvalidParameter.InvalidAction', `The action ${actionName} is not supported`);
    const key = await authenticate(ctx, request, actionName);
    value = await billable(ctx, request, key, actionName, action.prepare(ctx, params));
  }
  return reply.send({ Response: { ...value, RequestId: String(request.id) } });
}

export const TENCENT_ACTIONS = [...Object.keys(ACTIONS), ...Object.keys(ASYNC_ACTIONS), ...Object.keys(RESULT_ACTIONS)];

/** MRS actions that only store or read a job: they never wait for a worker, so they are served under overload. */
export const TENCENT_ASYNC_ACTIONS: ReadonlySet<string> = new Set([...Object.keys(ASYNC_ACTIONS), ...Object.keys(RESULT_ACTIONS)]);
