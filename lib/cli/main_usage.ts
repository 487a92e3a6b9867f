/**
 * The program's help text, apart from the commands so that `--help` loads
 * nothing else.
 *
 * @module
 */

import { DEFAULT_PORT } from "../protocol/messages.ts";

/** Help text of the program as a whole. */
export const MAIN_USAGE = `Usage: consensus [command] [options]

A group of machines or people reach a decision over the network.

Commands:
  serve              start a hub (see consensus serve --help)
  join HOST[:PORT]   join a hub as a node (see consensus join --help)
  certs DIR          make a private CA and a hub certificate for TLS (see consensus certs --help)
  conformance HOST:PORT
                     check a hub against PROTOCOL.md (see consensus conformance --help)
  (none)             start a hub on --port (default ${DEFAULT_PORT}) if it is free,
                     otherwise join the hub already there

Options without a command: those of serve and of join.
  -h, --help         show this help
  -V, --version      show the version`;
