import { MedstructError, type ErrorCode } from '../errors.js';

/** The API surfaces; each answers errors the way its clients expect. */
export type Surface = 'native' | 'tencent' | 'aliyun' | 'nocode' | 'admin' | 'health';

/** An error with a code of one surface's own (e.g. MRS `LimitExceeded.TextSizeLimitExceeded`). */
export class SurfaceError extends Error {
  constructor(readonly code: string, message: string, readonly status: number, readonly cause_?: MedstructError) {
    super(message);
  }
}

/**
 * Tencent MRS codes for medstruct's. Tencent Cloud API 3.0 answers errors with HTTP 200 and the code
 * in `Response.Error`, so MRS clients look only at the code.
 */
const TENCENT: Partial<Record<ErrorCode, string>> = {
  UNAUTHENTICATED: 'AuthFailure',
  FORBIDDEN: 'UnauthorizedOperation.PermissionDeniedError',
  SERVICE_NOT_OPEN: 'FailedOperation.ServiceNotOpen',
  QUOTA_EXHAUSTED: 'ResourceUnavailable.ResourcePackageRunOut',
  RATE_LIMITED: 'RequestLimitExceeded',
  OVERLOADED: 'RequestLimitExceeded',
  TIMEOUT: 'InternalError.ServerTimeOutError',
  INVALID_JSON: 'InvalidParameter',
  INVALID_ARGUMENT: 'InvalidParameter',
  EMPTY_INPUT: 'InvalidParameter.Text',
  INVALID_ENCODING: 'InvalidParameter.Text',
  INPUT_TOO_LARGE: 'RequestSizeLimitExceeded',
  UNSUPPORTED_MEDIA: 'InvalidParameterValue.ImageCodeInvalid',
  CORRUPT_IMAGE: 'InvalidParameterValue.ImageCodeInvalid',
  IMAGE_HAS_NO_TEXT: 'InvalidParameterValue.ImageIsNoText',
  CORRUPT_PDF: 'InvalidParameter',
  ENCRYPTED_PDF: 'InvalidParameter',
  EMPTY_PDF: 'InvalidParameter',
  TOO_MANY_PAGES: 'LimitExceeded',
  UNSUPPORTED_TYPE: 'UnsupportedOperation.UnSupportThisType',
  NOT_FOUND: 'FailedOperation.EmptyResult',
  UNKNOWN_COMMAND: 'InvalidParameter.InvalidAction',
};

export function tencentError(error: MedstructError | SurfaceError): { Code: string; Message: string } {
  if (error instanceof SurfaceError) return { Code: error.code, Message: error.message };
  return { Code: TENCENT[error.code] ?? 'InternalError', Message: error.message };
}

/** Alibaba codes and HTTP statuses (from the GetNerChMedical error table and Alibaba's common codes). */
const ALIYUN: Partial<Record<ErrorCode, [number, string]>> = {
  UNAUTHENTICATED: [403, 'Forbidden.NoAuth'],
  FORBIDDEN: [403, 'Forbidden.NoAuth'],
  SERVICE_NOT_OPEN: [400, 'UserStatusInvalid'],
  QUOTA_EXHAUSTED: [400, 'UserStatusInvalid'],
  RATE_LIMITED: [429, 'Throttling.User'],
  OVERLOADED: [503, 'ServiceUnavailable'],
  TIMEOUT: [500, 'InternalError'],
  INVALID_ENCODING: [406, 'TextCodingError'],
  INPUT_TOO_LARGE: [405, 'TextLimitExceeded'],
  INVALID_JSON: [401, 'InvalidParameter'],
  INVALID_ARGUMENT: [401, 'InvalidParameter'],
  EMPTY_INPUT: [401, 'InvalidParameter'],
  UNSUPPORTED_MEDIA: [401, 'InvalidParameter'],
  UNKNOWN_COMMAND: [404, 'InvalidAction.NotFound'],
};

export function aliyunError(error: MedstructError | SurfaceError): { status: number; code: string; message: string } {
  if (error instanceof SurfaceError) return { status: error.status, code: error.code, message: error.message };
  const [status, code] = ALIYUN[error.code] ?? [500, 'InternalError'];
  return { status, code, message: error.message };
}
