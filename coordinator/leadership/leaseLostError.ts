import { ChorusError } from '../../core/errors.ts';

/**
 * A state write refused by the coordinator itself because it does not hold the leadership lease (it
 * lost it, or it was paused past its end): another coordinator may be writing now.
 */
export class LeaseLostError extends ChorusError {
  constructor(what: string, options?: { cause?: unknown }) {
    super(`not written (${what}): this coordinator does not hold the leadership lease`, options);
  }
}
