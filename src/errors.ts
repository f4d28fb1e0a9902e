/**
 * Stable error codes. Every failure a caller can cause maps to one of these, so the CLI, the library
 * and the HTTP service report the same code for the same problem.
 */
export const ERROR_CODES = {
  INVALID_ARGUMENT: { status: 400, message: 'Invalid argument' },
  UNKNOWN_COMMAND: { status: 400, message: 'Unknown command' },
  UNKNOWN_FIELD: { status: 400, message: 'Unknown field' },
  EMPTY_INPUT: { status: 400, message: 'The input is empty' },
  INVALID_ENCODING: { status: 400, message: 'The input is not valid UTF-8, UTF-16 or GB18030 text' },
  INVALID_JSON: { status: 400, message: 'The input is not valid JSON' },
  INPUT_TOO_LARGE: { status: 413, message: 'The input exceeds the configured size limit' },
  UNSUPPORTED_MEDIA: { status: 415, message: 'Unsupported file type' },
  CORRUPT_IMAGE: { status: 400, message: 'The image cannot be decoded' },
  IMAGE_HAS_NO_TEXT: { status: 422, message: 'No text was found in the image' },
  CORRUPT_PDF: { status: 400, message: 'The PDF cannot be parsed' },
  ENCRYPTED_PDF: { status: 400, message: 'The PDF is encrypted' },
  EMPTY_PDF: { status: 400, message: 'The PDF has no pages' },
  TOO_MANY_PAGES: { status: 413, message: 'The PDF has more pages than the configured limit' },
  PDF_RENDER_FAILED: { status: 422, message: 'A PDF page cannot be rendered for OCR' },
  UNSUPPORTED_TYPE: { status: 400, message: 'Unsupported report type' },
  MODEL_NOT_FOUND: { status: 500, message: 'A model or resource file is missing' },
  NOT_FOUND: { status: 404, message: 'Not found' },
  UNAUTHENTICATED: { status: 401, message: 'Missing or invalid API key' },
  FORBIDDEN: { status: 403, message: 'The API key may not call this action' },
  SERVICE_NOT_OPEN: { status: 403, message: 'The service is not open for this API key' },
  QUOTA_EXHAUSTED: { status: 403, message: 'No call package left and pay-as-you-go is off' },
  RATE_LIMITED: { status: 429, message: 'Too many requests' },
  IDEMPOTENCY_MISMATCH: { status: 422, message: 'The Idempotency-Key was already used for a different request' },
  IDEMPOTENCY_IN_PROGRESS: { status: 409, message: 'A request with this Idempotency-Key is still in progress' },
  OVERLOADED: { status: 503, message: 'The server is busy; retry later' },
  TIMEOUT: { status: 504, message: 'The request took too long' },
  INTERNAL: { status: 500, message: 'Internal error' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class MedstructError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message?: string, details?: Record<string, unknown>) {
    super(message ?? ERROR_CODES[code].message);
    this.name = 'MedstructError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.details = details;
  }

  toJSON(): { code: ErrorCode; message: string; details?: Record<string, unknown> } {
    return this.details ? { code: this.code, message: this.message, details: this.details } : { code: this.code, message: this.message };
  }
}

export function isMedstructError(error: unknown): error is MedstructError {
  return error instanceof MedstructError;
}
