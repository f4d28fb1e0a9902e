import { MedstructError } from '../src/errors.js';

/** The stable code a promise rejects with ('no error' when it resolves); other errors propagate. */
export async function errorCodeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof MedstructError) return error.code;
    throw error;
  }
  return 'no error';
}
