/**
 * A problem the user can fix (a missing folder, a bad flag value, a missing model): the CLI prints its
 * message as one line, without a stack trace.
 */
export class AppError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AppError';
  }
}
