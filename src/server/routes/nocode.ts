import type { FastifyInstance } from 'fastify';
import { authenticate, billable, type ServerContext } from '../context.js';
import { checkText } from '../input.js';

const ACTION = 'nc.ms.smart.entity.recognition';

export function registerNocodeRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post(`/v2/${ACTION}`, {
    config: { surface: 'nocode', pooled: true },
    schema: {
      tags: ['nocode'], summary: 'nocode medical entity recognition: {"data":{"entity_extraction":[…]}}',
      body: { type: 'object', required: ['text'], properties: { text: { type: 'string' } } },
    },
  }, async (request) => {
    request.action = ACTION;
    const text = checkText((request.body as { text: unknown }).text, ctx.config.textLimit);
    const key = await authenticate(ctx, request, ACTION);
    return billable(ctx, request, key, ACTION, () => ctx.pool.run({ op: 'ner', text, format: 'nocode' }, ctx.config.requestTimeoutMs));
  });
}
