import { errorCodeInfo } from '@lstmkit/model';

/** The one mapping from `LstmkitError` codes to HTTP statuses: the error catalog's. */
export function httpStatusFor(code: string): number {
  return errorCodeInfo(code).httpStatus;
}

export interface ErrorBody {
  error: { code: string; message: string };
}

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}
