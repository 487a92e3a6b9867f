/**
 * `consensus certs DIR`: a small private CA and a hub certificate for a LAN,
 * in one step, so TLS is easy to turn on.
 *
 * @module
 */

import { createLanCertificates, DEFAULT_DAYS, MAX_DAYS } from "../tls/certificates.ts";
import { type OptionSpec, parseCommandArgs } from "./args.ts";
import { type Output, STANDARD_OUTPUT } from "./runtime.ts";
import { UsageError } from "./usage_error.ts";

/** Names of the files `consensus certs` writes in its directory. */
export const CERT_FILES = {
  /** The private CA's certificate, for the nodes. */
  ca: "ca.pem",
  /** The hub's certificate. */
  hub: "hub.pem",
  /** The hub's private key. */
  hubKey: "hub-key.pem",
} as const;

/** Help text of `consensus certs`. */
export const CERTS_USAGE = `Usage: consensus certs DIR [--host NAME]... [--days N] [--force]

Makes a private CA and a hub certificate signed by it, for TLS on a LAN, and writes them to DIR
(created if needed):
  ca.pem        the CA's certificate: copy it to every node (not secret)
  hub.pem       the hub's certificate, for localhost, 127.0.0.1, ::1 and every --host
  hub-key.pem   the hub's private key (mode 600): keep it on the hub
The CA's own key is not kept, so this CA can sign nothing else: run certs again for a new hub
certificate, and hand out the new ca.pem.

Options:
  --host NAME   a name or IP address nodes use to reach the hub (repeat for several)
  --days N      validity in days, 1 to ${MAX_DAYS} (default ${DEFAULT_DAYS})
  --force       replace files already in DIR
  -h, --help    show this help

Then:
  consensus serve --tls-cert DIR/hub.pem --tls-key DIR/hub-key.pem
  consensus join tls://HOST:PORT --tls-ca DIR/ca.pem

Exits 0 when written, 1 when DIR already holds one of the files (nothing is changed; give
--force), 2 for wrong arguments.`;

/** Options of `consensus certs`. */
export const CERTS_OPTIONS = {
  host: { type: "string", multiple: true },
  days: { type: "string" },
  force: { type: "boolean" },
} as const satisfies OptionSpec;

/**
 * Runs `consensus certs`.
 *
 * @param args Arguments after `certs`.
 * @param output Where to print.
 * @returns When the three files are written.
 * @throws {UsageError} On wrong arguments, a bad host or a bad number of days.
 * @throws {Error} When DIR already holds one of the files and `--force` is not given, or a file
 * cannot be written.
 */
export async function certs(args: string[], output: Output = STANDARD_OUTPUT): Promise<void> {
  const { values, positionals } = parseCommandArgs(args, CERTS_OPTIONS, CERTS_USAGE);
  if (values.help) {
    output.out(CERTS_USAGE);
    return;
  }
  if (positionals.length !== 1) throw new UsageError("Give one directory", CERTS_USAGE);
  // parseCommandArgs types every value as a string; with `multiple` it is an array.
  const hosts = (values.host as unknown as string[] | undefined) ?? [];
  const days = values.days === undefined ? DEFAULT_DAYS : _parseDays(String(values.days));
  const directory = positionals[0]!.replace(/(?<=.)\/+$/u, "");
  const paths = {
    ca: `${directory}/${CERT_FILES.ca}`,
    hub: `${directory}/${CERT_FILES.hub}`,
    hubKey: `${directory}/${CERT_FILES.hubKey}`,
  };
  const force = values.force === true;

  let made;
  try {
    made = await createLanCertificates({ hosts, days });
  } catch (error) {
    // The library checks its options before making any key, so these two
    // kinds can only mean a bad --host or --days: the command line's fault.
    if (error instanceof TypeError || error instanceof RangeError) {
      throw new UsageError(error.message, CERTS_USAGE);
    }
    throw error;
  }

  // All three are checked before any is written, so a refusal changes nothing.
  if (!force) {
    const present = Object.values(paths).filter(_exists);
    if (present.length > 0) {
      throw new Error(
        `Cannot write certificates: ${present.join(", ")} already exist${
          present.length === 1 ? "s" : ""
        } (give --force to replace)`,
      );
    }
  }
  await Deno.mkdir(directory, { recursive: true });
  await _writeNew(paths.ca, made.caCertificate, 0o644, force);
  await _writeNew(paths.hub, made.hubCertificate, 0o644, force);
  await _writeNew(paths.hubKey, made.hubKey, 0o600, force);

  const until = made.notAfter.toISOString().slice(0, 10);
  output.out(`wrote ${paths.ca}: the private CA, copy it to every node (not secret)`);
  output.out(`wrote ${paths.hub}: the hub, for ${made.names.join(", ")}; valid until ${until}`);
  output.out(`wrote ${paths.hubKey}: the hub's private key, keep it on the hub`);
  output.out("the CA's own key was not kept: it can sign nothing else");
  if (hosts.length === 0) {
    output.out(
      "note: without --host only nodes on this machine can check the hub; add --host NAME for the name or address nodes use",
    );
  }
  output.out("");
  output.out(
    `start the hub:  consensus serve --tls-cert ${_quote(paths.hub)} --tls-key ${
      _quote(paths.hubKey)
    }`,
  );
  output.out(`join it:        consensus join tls://HOST:PORT --tls-ca ${_quote(paths.ca)}`);
}

function _parseDays(text: string): number {
  const days = Number(text);
  if (!/^\d+$/u.test(text) || days < 1 || days > MAX_DAYS) {
    throw new UsageError(
      `Invalid --days "${text}": give a whole number from 1 to ${MAX_DAYS}`,
      CERTS_USAGE,
    );
  }
  return days;
}

function _exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

// The file is always created afresh: `mode` applies only to a new file, so
// replacing the key in place would keep an old, looser mode, and writing into
// it first would expose the new key. `createNew` also catches a file that
// appeared after the check above. (Windows ignores the mode.)
async function _writeNew(path: string, text: string, mode: number, force: boolean): Promise<void> {
  if (force) {
    await Deno.remove(path).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
  }
  await Deno.writeTextFile(path, text, { createNew: true, mode });
}

// Paths are printed inside commands to copy: quote those a shell would split.
function _quote(path: string): string {
  return /^[\w@%+=:,./-]+$/u.test(path) ? path : `'${path.replaceAll("'", `'\\''`)}'`;
}
