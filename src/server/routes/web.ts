import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { resourcePath } from '../../resources.js';
import { ENTITY_TYPES, typeInfo } from '../../taxonomy/taxonomy.js';

/** The try-it page's files under resources/web/, with their media types. */
const FILES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
};

// Everything the page loads comes from this server; the API key never leaves it either.
const CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'";

/** GET /try: a page to try the native API from a browser (static files, no third-party assets). */
export function registerWebRoutes(app: FastifyInstance): void {
  const config = { surface: 'health' as const };
  const files = new Map(Object.entries(FILES).map(([name, type]) => [name, { type, body: readFileSync(resourcePath('web', name)) }]));
  const typeNames = JSON.stringify(Object.fromEntries(ENTITY_TYPES.map((type) => [type, typeInfo(type).zh])));

  const send = (name: string) => {
    const file = files.get(name)!;
    return async (_request: unknown, reply: FastifyReply) => reply
      .type(file.type)
      .header('content-security-policy', CONTENT_SECURITY_POLICY)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'no-cache')
      .send(file.body);
  };
  app.get('/try', { config, schema: { hide: true } }, send('index.html'));
  for (const name of files.keys()) {
    if (name !== 'index.html') app.get(`/try/${name}`, { config, schema: { hide: true } }, send(name));
  }
  app.get('/try/types.json', { config, schema: { hide: true } }, async (_request, reply) => reply.type('application/json; charset=utf-8').send(typeNames));
}
