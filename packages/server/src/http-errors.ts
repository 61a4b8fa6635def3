/** Error codes the server answers with, beyond the `INVALID_*` family (always 400). */
const statusByCode: Record<string, number> = {
  NOT_FOUND: 404,
  PAYLOAD_TOO_LARGE: 413,
  TOO_MANY_ITEMS: 413,
  TEXT_TOO_LONG: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  SHUTTING_DOWN: 503,
};

/** The one mapping from `LstmkitError` codes to HTTP statuses. */
export function httpStatusFor(code: string): number {
  return statusByCode[code] ?? (code.startsWith('INVALID_') ? 400 : 500);
}

export interface ErrorBody {
  error: { code: string; message: string };
}

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}
