import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MedstructError } from '../../errors.js';
import { authenticate, billable, type ServerContext } from '../context.js';
import { SurfaceError } from '../surfaces.js';
import { TENCENT_ACTIONS, tencentCall } from './tencent.js';

const ACTION = 'GetNerChMedical';

/** Alibaba RPC parameters: the query string, overlaid by a form or JSON body. */
function parameters(request: FastifyRequest): Record<string, unknown> {
  const body = request.body && typeof request.body === 'object' ? request.body as Record<string, unknown> : {};
  return { ...(request.query as Record<string, unknown>), ...body };
}

/** GetNerChMedical: `{"Data": "<JSON of {result:{ner,text},success}>", "RequestId"}`. */
async function getNerChMedical(ctx: ServerContext, request: FastifyRequest): Promise<unknown> {
  const params = parameters(request);
  request.action = ACTION;
  if (params.Action !== ACTION) {
    throw new SurfaceError('InvalidAction.NotFound', `Specified api is not found: ${String(params.Action ?? '')}`, 404);
  }
  if (params.ServiceCode !== 'alinlp') throw new SurfaceError('InvalidParameter', 'ServiceCode must be alinlp', 401);
  const text = params.Text;
  if (typeof text !== 'string' || text.trim() === '') throw new SurfaceError('InvalidParameter', 'Text is required', 401);
  const limit = ctx.config.aliyunTextLimit;
  if (limit !== null && Array.from(text).length > limit) throw new SurfaceError('TextLimitExceeded', `Text is longer than ${limit} characters`, 405);
  if (text.length > ctx.config.textLimit) throw new MedstructError('INPUT_TOO_LARGE');
  const key = await authenticate(ctx, request, ACTION);
  const data = await billable(ctx, request, key, ACTION, () => ctx.pool.run({ op: 'ner', text, format: 'aliyun' }, ctx.config.requestTimeoutMs));
  return { Data: JSON.stringify(data), RequestId: String(request.id) };
}

export function registerAliyunRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const schema = {
    tags: ['aliyun'],
    summary: 'Alibaba GetNerChMedical (Action=GetNerChMedical&ServiceCode=alinlp&Text=…)',
    description: `POST / with an X-TC-Action header is Tencent MRS (API 3.0, JSON body, {"Response": …}); actions: ${TENCENT_ACTIONS.join(', ')}.`,
    querystring: { type: 'object', properties: { Action: { type: 'string' }, ServiceCode: { type: 'string' }, Text: { type: 'string' } } },
  };
  app.get('/', { config: { surface: 'aliyun', pooled: true }, schema }, async (request) => getNerChMedical(ctx, request));
  app.post('/', { config: { surface: 'aliyun', pooled: true }, schema }, async (request, reply: FastifyReply) => {
    if (request.headers['x-tc-action'] !== undefined) return tencentCall(ctx, request, reply);
    return getNerChMedical(ctx, request);
  });
}
