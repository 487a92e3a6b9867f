/**
 * The program's version, in one small module: printing it must not load the hub.
 *
 * @module
 */

/** The program's version, shown by `--version` and in the hub's greeting. */
export const VERSION = "0.1.0";
