import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiKey } from '../../accounts/index.js';
import { SUBTYPE_CODES, TYPE_CODES, type ReportType } from '../../classify/types.js';
import { codePoints } from '../../document/document.js';
import { createJob, getJob } from '../../jobs/store.js';
import { authenticate, billable, type ServerContext } from '../context.js';
import { decodeBase64 } from '../input.js';
import { SurfaceError } from '../surfaces.js';
import type { DocumentInput, WorkerTask } from '../tasks.js';

type Params = Record<string, unknown>;

/** One billable MRS action: the units it charges come back from `run` (pages for PDFs). */
interface TencentAction {
  run(ctx: ServerContext, params: Params, key: ApiKey): Promise<{ value: Params; units?: number }>;
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

const run = (ctx: ServerContext, task: WorkerTask, timeoutMs = ctx.config.requestTimeoutMs) =>
  ctx.pool.run(task, timeoutMs) as Promise<{ value: Params; units?: number }>;

/** The MRS actions medstruct serves, by X-TC-Action. */
const ACTIONS: Record<string, TencentAction> = {
  TextToObject: {
    run: (ctx, params) => run(ctx, { op: 'structure', input: { text: text(ctx, params), maxPages: 1 }, type: reportType(params), format: 'tencent' }),
  },
  TextToClass: {
    run: async (ctx, params) => ({ value: { TextTypeList: (await run(ctx, { op: 'textTypes', text: text(ctx, params) })).value } }),
  },
  ImageToObject: {
    run: (ctx, params) => {
      const type = reportType(params);
      if (Array.isArray(params.OcrInfoList) && params.OcrInfoList.length > 0) {
        return run(ctx, { op: 'structure', input: { ocrInfo: params.OcrInfoList, maxPages: 1 }, type, format: 'tencent' });
      }
      const [image] = imageList(params);
      return run(ctx, { op: 'structure', input: { bytes: image, expect: 'image', maxPages: 1 }, type, format: 'tencent' });
    },
  },
  ImageToClass: {
    run: async (ctx, params) => ({ value: { TextTypeList: (await run(ctx, { op: 'textTypes', images: imageList(params) })).value } }),
  },
  ImageMask: {
    run: async (ctx, params) => {
      const image = params.Image && typeof params.Image === 'object' ? (params.Image as Params).Base64 : undefined;
      const bytes = imageBytes(image, 'Image.Base64');
      const flags = (params.MaskFlag && typeof params.MaskFlag === 'object' ? params.MaskFlag : {}) as Params;
      const mask = MASK_FLAGS.filter(([flag]) => flags[flag] !== false).map(([, group]) => group);
      if (mask.length === 0) throw invalid('InvalidParameter', 'MaskFlag turns every mask off');
      const { value } = await run(ctx, { op: 'deidentifyImage', bytes, mask });
      return { value: { MaskedImage: (value as { image: string }).image } };
    },
  },
  TurnPDFToObject: {
    run: (ctx, params) => run(ctx, { op: 'structure', input: pdfInput(ctx, params), type: 'auto', format: 'tencent' }),
  },
};

const ASYNC_PDF = 'TurnPDFToObjectAsync';
const ASYNC_PDF_RESULT = 'TurnPDFToObjectAsyncGetResult';

/** TurnPDFToObjectAsync: persists a job (charged per page when it completes) and answers its TaskID. */
async function submitPdf(ctx: ServerContext, request: FastifyRequest, params: Params): Promise<Params> {
  const input = pdfInput(ctx, params);
  const key = await authenticate(ctx, request, ASYNC_PDF);
  const job = await createJob(ctx.db, {
    id: `job_${randomUUID()}`, keyId: key.id, action: ASYNC_PDF, ttlMs: ctx.config.jobTtlMs,
    // The job row keeps the PDF as base64 (JSON), so the job survives restarts.
    input: { tasks: [{ op: 'structure', input: { expect: 'pdf', maxPages: input.maxPages, base64: Buffer.from(input.bytes!).toString('base64') }, type: 'auto', format: 'tencent' }], batch: false },
  });
  ctx.runner.wake();
  return { TaskID: job.id };
}

async function pdfResult(ctx: ServerContext, request: FastifyRequest, params: Params): Promise<Params> {
  const key = await authenticate(ctx, request, null);
  if (typeof params.TaskID !== 'string' || params.TaskID === '') throw invalid('InvalidParameter', 'TaskID is required');
  const job = await getJob(ctx.db, params.TaskID);
  if (!job || job.keyId !== key.id || job.action !== ASYNC_PDF) throw invalid('FailedOperation.EmptyResult', 'No task with this TaskID');
  if (job.status === 'queued' || job.status === 'running') throw invalid('FailedOperation.AsyncTaskHandling', 'The task is still being processed');
  if (job.status === 'failed') throw invalid('FailedOperation.AsyncTaskError', `The task failed and was not charged: ${job.error?.message ?? ''}`);
  return job.result as Params;
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
  if (actionName === ASYNC_PDF) value = await submitPdf(ctx, request, params);
  else if (actionName === ASYNC_PDF_RESULT) value = await pdfResult(ctx, request, params);
  else {
    const action = Object.hasOwn(ACTIONS, actionName) ? ACTIONS[actionName]! : undefined;
    if (!action) throw invalid('InvalidParameter.InvalidAction', `The action ${actionName} is not supported`);
    const key = await authenticate(ctx, request, actionName);
    value = await billable(ctx, request, key, actionName, () => action.run(ctx, params, key));
  }
  return reply.send({ Response: { ...value, RequestId: String(request.id) } });
}

export const TENCENT_ACTIONS = [...Object.keys(ACTIONS), ASYNC_PDF, ASYNC_PDF_RESULT];
