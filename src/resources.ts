import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (the folder holding `resources/` and `models/`), from either src/ or dist/. */
export const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export function resourcePath(...parts: string[]): string {
  return join(PACKAGE_ROOT, 'resources', ...parts);
}

export function modelPath(...parts: string[]): string {
  return join(PACKAGE_ROOT, 'models', ...parts);
}

export function readJsonResource<T>(...parts: string[]): T {
  return JSON.parse(readFileSync(resourcePath(...parts), 'utf8')) as T;
}
