import { OcrEngine } from './engine.js';
import type { OcrEngineOptions, OcrResult, ReadOptions } from './types.js';

export { OcrEngine, assertHasText } from './engine.js';
export { OcrPool } from './pool.js';
export type { OcrChar, OcrEngineOptions, OcrLine, OcrPage, OcrResult, ReadOptions } from './types.js';

let shared: Promise<OcrEngine> | null = null;

/** The process-wide engine, loaded on first use (about 16 MB of models, ~1 s). */
export function getOcrEngine(options?: OcrEngineOptions): Promise<OcrEngine> {
  shared ??= OcrEngine.create(options).catch((error: unknown) => {
    shared = null;
    throw error;
  });
  return shared;
}

/** Reads one image in this thread. Servers use `OcrPool` so inference runs off the event loop. */
export async function ocrImage(bytes: Buffer, options: ReadOptions = {}): Promise<OcrResult> {
  const engine = await getOcrEngine();
  return { pages: [await engine.read(bytes, options)] };
}
