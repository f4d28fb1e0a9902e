import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiKey } from '../../accounts/index.js';
import { authenticate, billable, type ServerContext } from '../context.js';
import { SurfaceError } from '../surfaces.js';

/** One MRS action: the units it charges come back from `run` (pages for PDFs). */
interface TencentAction {
  /** False for actions that read results (no charge, no scope of their own). */
  billable: boolean;
  run(ctx: ServerContext, request: FastifyRequest, body: Record<string, unknown>, key: ApiKey): Promise<{ value: Record<string, unknown>; units?: number }>;
}

/** The MRS actions medstruct serves, by X-TC-Action. */
const ACTIONS: Record<string, TencentAction> = {};

/**
 * Tencent MRS (API 3.0): `POST /` with `X-TC-Action`, JSON body; `{"Response": {…, "RequestId"}}`.
 * Errors come back with HTTP 200 and `Response.Error`, as Tencent Cloud answers them.
 */
export async function tencentCall(ctx: ServerContext, request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const actionName = String(request.headers['x-tc-action']);
  request.action = actionName;
  const action = Object.hasOwn(ACTIONS, actionName) ? ACTIONS[actionName]! : undefined;
  if (!action) throw new SurfaceError('InvalidParameter.InvalidAction', `The action ${actionName} is not supported`, 200);
  const body = request.body;
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new SurfaceError('InvalidParameter', 'The request body must be a JSON object', 200);
  }
  const params = body as Record<string, unknown>;
  const key = await authenticate(ctx, request, action.billable ? actionName : null);
  const value = action.billable
    ? await billable(ctx, request, key, actionName, () => action.run(ctx, request, params, key))
    : (await action.run(ctx, request, params, key)).value;
  return reply.send({ Response: { ...value, RequestId: String(request.id) } });
}
