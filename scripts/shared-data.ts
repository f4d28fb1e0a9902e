import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PACKAGE_ROOT } from '../src/resources.js';

/**
 * The public corpora and dictionaries live beside the repository in ../shared/data (override with
 * MEDSTRUCT_SHARED_DATA). Only training and artifact-building scripts read them; the library, the
 * CLI and the tests never do.
 */
export function sharedDataPath(...parts: string[]): string {
  const root = process.env.MEDSTRUCT_SHARED_DATA ?? resolve(PACKAGE_ROOT, '..', 'shared', 'data');
  if (!existsSync(root)) throw new Error(`Shared data not found at ${root}; set MEDSTRUCT_SHARED_DATA`);
  return join(root, ...parts);
}
