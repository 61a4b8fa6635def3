import { LstmkitError } from '@lstmkit/model';
import type { InputLimits } from '../schemas.js';

/**
 * The checks `/predict`'s schema makes, for protocols whose bodies carry texts in other shapes:
 * the same limits, codes and statuses, with messages naming the protocol's own field.
 */
export function checkTexts(values: unknown[], limits: InputLimits, field: string): string[] {
  if (values.length === 0) {
    throw new LstmkitError('INVALID_INPUT', `${field} has no texts; send 1 to ${limits.maxItems}`);
  }
  if (values.length > limits.maxItems) {
    throw new LstmkitError(
      'TOO_MANY_ITEMS',
      `${field} has ${values.length} texts; send at most ${limits.maxItems} per request`,
    );
  }
  values.forEach((value, i) => {
    if (typeof value !== 'string' || !/\S/.test(value)) {
      throw new LstmkitError('INVALID_INPUT', `${field}[${i}] must be a non-empty string`);
    }
    // Code points, as JSON schema's maxLength counts them.
    if (value.length > limits.maxTextLength && [...value].length > limits.maxTextLength) {
      throw new LstmkitError(
        'TEXT_TOO_LONG',
        `${field}[${i}] is longer than ${limits.maxTextLength} characters`,
      );
    }
  });
  return values as string[];
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function invalidInput(message: string): LstmkitError {
  return new LstmkitError('INVALID_INPUT', message);
}
