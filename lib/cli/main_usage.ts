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
  join [HOST[:PORT]] join a hub as a node; with no address, the one on the LAN (see --help)
  hubs               list the hubs on the LAN (see consensus hubs --help)
  certs DIR          make a private CA and a hub certificate for TLS (see consensus certs --help)
  (none)             join the hub on this machine's --port (default ${DEFAULT_PORT}), else the
                     hub on the LAN, else start a hub

Options without a command: those of serve and of join.
  -h, --help         show this help
  -V, --version      show the version`;
