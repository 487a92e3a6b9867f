/**
 * The machine's name for a hub's instance name, without asking for
 * `--allow-sys=hostname` (the released program does not have it): the
 * environment, then `/etc/hostname`, then a plain default.
 *
 * @module
 */

/**
 * Finds a name for this machine. Call it before the hub gives up file access.
 *
 * @returns For example `lab`, or `consensus` when nothing tells.
 */
export function machineName(): string {
  const fromSystem = (() => {
    try {
      // Only when already granted: querying never prompts, calling could.
      if (Deno.permissions.querySync({ name: "sys", kind: "hostname" }).state === "granted") {
        return Deno.hostname();
      }
    } catch {
      // Not granted.
    }
    return undefined;
  })();
  const candidates = [
    fromSystem,
    readEnv("HOSTNAME"),
    readEnv("COMPUTERNAME"),
    readFile("/etc/hostname"),
  ];
  for (const candidate of candidates) {
    // The first label only: `lab.example.org` is `lab` on the LAN.
    const name = candidate?.trim().split(".")[0];
    if (name) return name;
  }
  return "consensus";
}

function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

function readFile(path: string): string | undefined {
  try {
    return Deno.readTextFileSync(path).slice(0, 256);
  } catch {
    return undefined;
  }
}
