/**
 * A third-party check of our DNS-SD: inside a network namespace of its own
 * (a veth pair, nothing reaches the machine's network), Avahi, the mDNS
 * daemon of Linux desktops, resolves a hub started by `consensus serve`,
 * sees its goodbye, and publishes a service that `consensus hubs` lists.
 * It also shows that a hub whose network goes down warns once and keeps
 * serving.
 *
 * Needs root, `ip` (iproute2), `unshare` (util-linux), `dbus-daemon` (dbus),
 * `avahi-daemon` and `avahi-browse`/`avahi-publish` (avahi-utils): skipped
 * when they are missing, failed when CI=true.
 */

import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { MAIN, PERMISSIONS } from "../_helpers/cli.ts";

const TOOLS = ["ip", "unshare", "dbus-daemon", "avahi-daemon", "avahi-browse", "avahi-publish"];
const INSTALL = "apt-get install iproute2 dbus avahi-daemon avahi-utils, and run as root";

async function sh(script: string): Promise<{ code: number; stdout: string }> {
  try {
    const result = await new Deno.Command("sh", {
      args: ["-c", script],
      stdout: "piped",
      stderr: "null",
      signal: AbortSignal.timeout(10_000),
    }).output();
    return { code: result.code, stdout: new TextDecoder().decode(result.stdout) };
  } catch {
    return { code: 127, stdout: "" };
  }
}

const missing = [
  ...(await Promise.all(
    TOOLS.map(async (tool) => (await sh(`command -v ${tool}`)).code === 0 ? [] : [tool]),
  )).flat(),
  ...((await sh("id -u")).stdout.trim() === "0" ? [] : ["root"]),
];
const CI = Deno.env.get("CI") === "true";
if (missing.length > 0 && !CI) {
  console.log(`avahi_test: skipped, missing ${missing.join(", ")}: ${INSTALL}`);
}

/** What runs inside the namespace, with a private /run for its own D-Bus and Avahi. */
const SCRIPT = String.raw`
set -u
mount -t tmpfs tmpfs /run && mkdir -p /run/dbus /run/avahi-daemon || { echo "setup: mount"; exit 1; }
dbus-daemon --system --fork || { echo "setup: dbus"; exit 1; }
avahi-daemon --no-chroot --no-drop-root --no-rlimits -D || { echo "setup: avahi"; exit 1; }
# Run in a subshell, "( consensus ... )", or in the background: exec makes its pid the program's.
consensus() { exec "$DENO" run --quiet $PERMISSIONS "$MAIN" "$@"; }
wait_for() { for i in $(seq 100); do grep -q "$1" "$2" && return 0; sleep 0.1; done; echo "timeout: $1"; return 1; }

# 1. Avahi resolves our hub, then sees its goodbye.
avahi-browse -p _consensus._tcp > "$LOG/watch" 2>/dev/null & WATCH=$!
consensus serve --port 0 --data :memory: --answer kb --name avahi-check < /dev/null > "$LOG/serve" 2>&1 & SERVE=$!
wait_for "announced:" "$LOG/serve"
timeout 10 avahi-browse -r -t -p _consensus._tcp 2>/dev/null | sed 's/^/browse: /'
wait_for "^+;va;IPv4;avahi-check" "$LOG/watch"
kill -TERM $SERVE; wait $SERVE; echo "serve-exit: $?"
wait_for "^-;va;IPv4;avahi-check" "$LOG/watch"
kill $WATCH
sed 's/^/watch: /' "$LOG/watch"
sed 's/^/serve: /' "$LOG/serve"

# 2. consensus hubs lists a service Avahi publishes.
avahi-publish -s avahi-published _consensus._tcp 7999 v=1 id=0a0a0a tls=no "q=Published by Avahi" > "$LOG/publish" 2>&1 & PUBLISH=$!
wait_for "Established" "$LOG/publish"
(consensus hubs --json --timeout 1.5) | sed 's/^/hubs: /'
kill $PUBLISH

# 3. The interface goes down under a running hub: its sends fail (the second announcement,
# then the goodbye), it warns once, and it keeps serving.
consensus serve --port 0 --data :memory: --answer kb < /dev/null > "$LOG/lonely" 2> "$LOG/lonely-errors" & LONELY=$!
wait_for "announced:" "$LOG/lonely"
ip link set va down
sleep 1.5
PORT=$(sed -n 's/.*listening on 0.0.0.0:\([0-9]*\).*/\1/p' "$LOG/lonely")
(consensus join "127.0.0.1:$PORT" --answer kb --discover --json) > /dev/null 2>&1; echo "lonely-join: $?"
kill -TERM $LONELY; wait $LONELY; echo "lonely-exit: $?"
sed 's/^/lonely-errors: /' "$LOG/lonely-errors"

avahi-daemon -k
kill $(cat /run/dbus/pid)
echo "done"
`;

async function ip(...args: string[]): Promise<void> {
  const result = await new Deno.Command("ip", { args, stdout: "null", stderr: "piped" }).output();
  if (!result.success) {
    throw new Error(`ip ${args.join(" ")}: ${new TextDecoder().decode(result.stderr)}`);
  }
}

Deno.test({
  name:
    "Avahi resolves a hub and sees its goodbye; consensus hubs lists what Avahi publishes; a lost network warns once",
  ignore: missing.length > 0 && !CI,
  async fn() {
    assert(missing.length === 0, `missing ${missing.join(", ")}: ${INSTALL}`);
    const namespace = `consensus-test-${crypto.randomUUID().slice(0, 8)}`;
    const log = await Deno.makeTempDir({ prefix: "consensus-avahi-" });
    await ip("netns", "add", namespace);
    let output = "";
    try {
      // A veth pair: an interface with an IPv4 address and multicast, as on a LAN, yet
      // closed inside the namespace.
      await ip("-n", namespace, "link", "set", "lo", "up");
      await ip("-n", namespace, "link", "add", "va", "type", "veth", "peer", "name", "vb");
      await ip("-n", namespace, "addr", "add", "10.213.0.1/24", "dev", "va");
      await ip("-n", namespace, "link", "set", "va", "up");
      await ip("-n", namespace, "link", "set", "vb", "up");
      const result = await new Deno.Command("ip", {
        args: ["netns", "exec", namespace, "unshare", "-m", "--propagation", "private"]
          .concat(["sh", "-c", SCRIPT]),
        env: {
          DENO: Deno.execPath(),
          MAIN,
          PERMISSIONS: PERMISSIONS.join(" "),
          LOG: log,
          // Deno looks for updates at start; there is no network in there.
          DENO_NO_UPDATE_CHECK: "1",
          NO_COLOR: "1",
        },
        stdout: "piped",
        stderr: "piped",
        signal: AbortSignal.timeout(60_000),
      }).output();
      output = new TextDecoder().decode(result.stdout);
      assert(output.includes("done"), `the script did not finish:\n${output}`);
    } finally {
      // Whatever the script left running in the namespace (it was ours) ends with it.
      const pids = await new Deno.Command("ip", {
        args: ["netns", "pids", namespace],
        stdout: "piped",
      })
        .output();
      for (const pid of new TextDecoder().decode(pids.stdout).split(/\s+/u).filter(Boolean)) {
        try {
          Deno.kill(Number(pid), "SIGKILL");
        } catch {
          // Already gone.
        }
      }
      await ip("netns", "delete", namespace);
      await Deno.remove(log, { recursive: true });
    }
    const lines = (prefix: string) =>
      output.split("\n").filter((line) => line.startsWith(`${prefix}: `))
        .map((line) => line.slice(prefix.length + 2));
    const banner = lines("serve").find((line) => line.includes("announced:")) ?? "";
    const id = /hub id ([0-9a-f]{6})/u.exec(banner)?.[1];
    const port = /listening on 0\.0\.0\.0:(\d+)/u.exec(lines("serve").join("\n"))?.[1];
    assert(id && port, `the hub did not start announced:\n${output}`);
    // Avahi writes spaces and brackets in a name as \032, \091 and \093.
    const name = `avahi-check\\032\\091${id}\\093`;
    const resolved = lines("browse").find((line) => line.startsWith(`=;va;IPv4;${name};`));
    assert(resolved, `Avahi did not resolve the hub:\n${output}`);
    const fields = resolved.split(";");
    assertEquals(fields.slice(4, 9), [
      "_consensus._tcp",
      "local",
      `avahi-check-${id}.local`,
      "10.213.0.1",
      port,
    ]);
    for (const text of ['"v=1"', `"id=${id}"`, '"tls=no"', '"q=What is the join code?"']) {
      assert(fields[9]!.includes(text), `TXT without ${text}: ${fields[9]}`);
    }
    assertEquals(lines("serve-exit"), ["0"]);
    assert(
      lines("watch").some((line) => line.startsWith(`-;va;IPv4;${name};`)),
      `Avahi did not see the goodbye:\n${output}`,
    );
    const hubs = JSON.parse(lines("hubs")[0] ?? "{}").hubs ?? [];
    const published = hubs.find((hub: { id: string }) => hub.id === "0a0a0a");
    assert(published, `consensus hubs did not list Avahi's service:\n${output}`);
    assertEquals(
      [published.name, published.port, published.tls, published.question],
      ["avahi-published", 7999, false, "Published by Avahi"],
    );
    assert(published.addresses.includes("10.213.0.1"), JSON.stringify(published));
    assertEquals(lines("lonely-join"), ["0"]);
    assertEquals(lines("lonely-exit"), ["0"]);
    const warnings = lines("lonely-errors").filter((line) => line.startsWith("warning: "));
    assertEquals(warnings.length, 1, output);
    assert(warnings[0]!.startsWith("warning: mDNS on 10.213.0.1 failed"), warnings[0]);
  },
});
