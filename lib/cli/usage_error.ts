/**
 * Wrong arguments: the program prints the message and the command's usage,
 * and exits with code 2.
 *
 * @module
 */

/** A command line that cannot be run as given. */
export class UsageError extends Error {
  /** Help text of the command concerned, printed after the message. */
  readonly usage: string;

  /**
   * Creates the error.
   *
   * @param message What is wrong, e.g. `Unknown option --vot`.
   * @param usage The command's usage text.
   */
  constructor(message: string, usage: string) {
    super(message);
    this.name = "UsageError";
    this.usage = usage;
  }
}
