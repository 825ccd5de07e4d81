/** Raised for bad input to a Dendrite op: the message names the op and the offending shapes or values. */
export class DendriteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DendriteError';
  }
}

/** Throw a {@link DendriteError} prefixed with the op's name unless `condition` holds. */
export function check(condition: unknown, op: string, message: () => string): asserts condition {
  if (!condition) throw new DendriteError(`${op}: ${message()}`);
}
