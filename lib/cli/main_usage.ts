/**
 * The program's help text, apart from the commands so that `--help` loads
 * nothing else; its list of commands comes from their declarations.
 *
 * @module
 */

import { DEFAULT_PORT } from "../protocol/messages.ts";
import { commandOverview } from "./commands.ts";

/** Help text of the program as a whole. */
export const MAIN_USAGE = `Usage: consensus [command] [options]

A group of machines or people reach a decision over the network.

Commands:
${commandOverview().join("\n")}
  (none)             join the hub on this machine's --port (default ${DEFAULT_PORT}), else the
                     hub on the LAN, else start a hub

Options without a command: those of serve and of join.
  -h, --help         show this help
  -V, --version      show the version, the Deno version and the target it was built for`;
