import { MedstructError } from '../../errors.js';
import { configFromEnv, startServer } from '../../server/index.js';
import { storeOptionsFromEnv } from '../../store/index.js';
import { assertKnownOptions, parseArgs, stringOption } from '../args.js';
import type { Command } from '../main.js';

function intOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new MedstructError('INVALID_ARGUMENT', `--${name} must be a whole number`);
  return n;
}

const command: Command = {
  summary: [
    'medstruct serve [--port N] [--host H] [--data-dir DIR] [--threads N] [--media-threads N] [--max-queue N]',
    'Starts the HTTP service (native API v1, Tencent MRS, Alibaba GetNerChMedical, nocode endpoints).',
    'Data: DATABASE_URL=postgres://… for PostgreSQL, else SQLite in --data-dir (default $MEDSTRUCT_DATA_DIR or ./data).',
    'Port: --port, else $PORT, else 8080. Host: 127.0.0.1 unless --host (e.g. 0.0.0.0). Settings: see docs/SERVER.md.',
  ].join('\n'),
  async run(argv) {
    const args = parseArgs(argv);
    assertKnownOptions(args, ['port', 'host', 'data-dir', 'threads', 'media-threads', 'max-queue']);
    const port = intOption(stringOption(args, 'port', process.env.PORT), 'port') ?? 8080;
    const server = await startServer({
      ...storeOptionsFromEnv(stringOption(args, 'data-dir')),
      port,
      host: stringOption(args, 'host', process.env.MEDSTRUCT_HOST),
      threads: intOption(stringOption(args, 'threads', process.env.MEDSTRUCT_THREADS), 'threads'),
      mediaThreads: intOption(stringOption(args, 'media-threads', process.env.MEDSTRUCT_MEDIA_THREADS), 'media-threads'),
      maxQueue: intOption(stringOption(args, 'max-queue', process.env.MEDSTRUCT_MAX_QUEUE), 'max-queue'),
      config: configFromEnv(),
      logger: { level: process.env.MEDSTRUCT_LOG_LEVEL ?? 'info' },
    });
    // One plain line whatever the log level, for scripts that wait for the port.
    console.error(`medstruct serve: listening at ${server.url}`);
    await new Promise<void>((resolve) => {
      const stop = (signal: string): void => {
        server.app.log.info({ signal }, 'shutting down: draining in-flight calls and jobs');
        void server.close().then(resolve, resolve);
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    return 0;
  },
};

export default command;
