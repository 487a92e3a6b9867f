/**
 * Several hubs answered on the LAN and nobody is at a terminal to pick one:
 * the program lists them and exits with code 2, as for any command line that
 * needs one more argument.
 *
 * @module
 */

/** Several hubs answered; the message lists them with the command to join each. */
export class SeveralHubsError extends Error {
  /**
   * Creates the error.
   *
   * @param message The list of hubs.
   */
  constructor(message: string) {
    super(message);
    this.name = "SeveralHubsError";
  }
}
