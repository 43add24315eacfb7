/** The InputError that parsing bad input throws; fails the test when the input is accepted. */
import { expect } from 'vitest';
import { InputError } from '../../src/config/validate.js';

export function inputError(parse: () => unknown): InputError {
  try {
    parse();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('expected an InputError, but the input was accepted');
}
