/**
 * A real etcd cluster on loopback for one test: 1 or 3 members of Debian's
 * `etcd` (package etcd-server), free ports, temporary data directories under
 * /tmp. A member can be killed, restarted on its data, frozen and thawed;
 * `await using` stops every member by PID and removes the directories.
 *
 * @module
 */

import { hasTool, requireTool } from "./tools.ts";

const LOOPBACK = "127.0.0.1";
/** How long a start (or restart) may take before the fixture gives up. */
const START_MS = 15_000;
/** Lines of a member's output kept for error messages. */
const KEPT_LINES = 40;

/** What to install when etcd is missing. */
export const ETCD_MISSING =
  "etcd not found on PATH: install etcd-server (apt-get install etcd-server)";

/**
 * Options for a test that needs etcd: ignored (with a line saying what to
 * install) when etcd is missing, except on Linux under CI=true, where a
 * failing test says what is missing (see `requireTool`).
 *
 * @returns `{ ignore }` to spread into `Deno.test`'s options.
 */
export function etcdTestOptions(): { ignore: boolean } {
  return { ignore: !requireTool("etcd", "etcd-server") };
}

/** Options for {@linkcode startEtcdCluster}. */
export interface EtcdClusterOptions {
  /**
   * Number of members.
   * @default {3}
   */
  members?: 1 | 3;
}

interface Member {
  readonly name: string;
  readonly clientUrl: string;
  readonly peerUrl: string;
  readonly dataDir: string;
  child: Deno.ChildProcess | null;
  output: string[];
}

/** A running etcd cluster; members are addressed by their index in {@linkcode clientUrls}. */
export class EtcdCluster implements AsyncDisposable {
  /** Client URL of each member, e.g. `http://127.0.0.1:PORT`. */
  readonly clientUrls: readonly string[];
  readonly #members: Member[];
  readonly #root: string;
  readonly #initialCluster: string;

  private constructor(root: string, members: Member[]) {
    this.#root = root;
    this.#members = members;
    this.clientUrls = members.map((member) => member.clientUrl);
    this.#initialCluster = members.map((member) => `${member.name}=${member.peerUrl}`).join(",");
  }

  /**
   * Starts the members and waits until each one answers healthy.
   *
   * @param options See {@linkcode EtcdClusterOptions}.
   * @returns The running cluster.
   * @throws {Error} When etcd is missing or a member is not healthy within 15 s.
   */
  static async start(options: EtcdClusterOptions = {}): Promise<EtcdCluster> {
    if (!hasTool("etcd")) throw new Error(ETCD_MISSING);
    // On a loaded machine a member has been seen to stall at its first start
    // (no output for 15 s): one fresh try, on new ports and directories.
    try {
      return await EtcdCluster.#tryStart(options.members ?? 3);
    } catch (error) {
      console.warn(`etcd did not start, trying once more: ${String(error).split("\n")[0]}`);
      return await EtcdCluster.#tryStart(options.members ?? 3);
    }
  }

  static async #tryStart(count: number): Promise<EtcdCluster> {
    const root = await Deno.makeTempDir({ dir: "/tmp", prefix: "consensus-etcd-" });
    const members: Member[] = [];
    for (let index = 0; index < count; index++) {
      members.push({
        name: `m${index}`,
        clientUrl: `http://${LOOPBACK}:${freePort()}`,
        peerUrl: `http://${LOOPBACK}:${freePort()}`,
        dataDir: `${root}/m${index}`,
        child: null,
        output: [],
      });
    }
    const cluster = new EtcdCluster(root, members);
    try {
      for (let index = 0; index < count; index++) cluster.#spawn(index);
      await Promise.all(members.map((_, index) => cluster.#waitHealthy(index)));
    } catch (error) {
      await cluster[Symbol.asyncDispose]();
      throw error;
    }
    return cluster;
  }

  /**
   * Process id of a running member.
   *
   * @param index The member.
   * @returns Its PID.
   */
  pid(index: number): number {
    const child = this.#member(index).child;
    if (child === null) throw new Error(`Cannot find member ${index}: it is not running`);
    return child.pid;
  }

  /**
   * SIGKILLs a member and waits until it is gone.
   *
   * @param index The member.
   */
  async kill(index: number): Promise<void> {
    const member = this.#member(index);
    const child = member.child;
    if (child === null) return;
    signal(child, "SIGCONT");
    signal(child, "SIGKILL");
    await child.status;
    member.child = null;
  }

  /**
   * Starts a killed member again on its data directory and waits until it is healthy.
   *
   * @param index The member.
   */
  async restart(index: number): Promise<void> {
    if (this.#member(index).child !== null) {
      throw new Error(`Cannot restart member ${index}: it runs`);
    }
    this.#spawn(index);
    await this.#waitHealthy(index);
  }

  /**
   * Freezes a member (SIGSTOP): its sockets stay open but it answers nothing.
   *
   * @param index The member.
   */
  freeze(index: number): void {
    signal(this.#running(index), "SIGSTOP");
  }

  /**
   * Thaws a frozen member (SIGCONT).
   *
   * @param index The member.
   */
  thaw(index: number): void {
    signal(this.#running(index), "SIGCONT");
  }

  /**
   * Which member leads now, as the first member that answers says.
   *
   * @returns The leader's index.
   * @throws {Error} When no member names a leader among them.
   */
  async leader(): Promise<number> {
    const ids: (string | undefined)[] = [];
    let leader: string | undefined;
    for (const member of this.#members) {
      try {
        const response = await fetch(`${member.clientUrl}/v3/maintenance/status`, {
          method: "POST",
          body: "{}",
          signal: AbortSignal.timeout(1_000),
        });
        const status = await response.json();
        ids.push(status.header?.member_id);
        leader ??= status.leader;
      } catch {
        ids.push(undefined);
      }
    }
    const index = ids.indexOf(leader);
    if (leader === undefined || index < 0) throw new Error("Cannot find the etcd leader");
    return index;
  }

  /**
   * How many watch streams a member has started since it started (its
   * `grpc_server_started_total` metric for etcd's Watch method).
   *
   * @param index The member.
   * @returns The count.
   */
  async watchStreamsStarted(index: number): Promise<number> {
    const response = await fetch(`${this.#member(index).clientUrl}/metrics`, {
      signal: AbortSignal.timeout(2_000),
    });
    const text = await response.text();
    const line = text.split("\n").find((line) =>
      line.startsWith("grpc_server_started_total{") &&
      line.includes('grpc_service="etcdserverpb.Watch"')
    );
    return Number(line?.split(" ").at(-1) ?? 0);
  }

  /**
   * The last lines a member printed, for failure messages.
   *
   * @param index The member.
   * @returns Its recent output.
   */
  output(index: number): string {
    return this.#member(index).output.join("\n");
  }

  /** Stops every member by PID (SIGKILL: the data is thrown away) and removes the directories. */
  async [Symbol.asyncDispose](): Promise<void> {
    await Promise.all(this.#members.map((_, index) => this.kill(index)));
    await Deno.remove(this.#root, { recursive: true }).catch(() => {});
  }

  #member(index: number): Member {
    const member = this.#members[index];
    if (member === undefined) throw new RangeError(`Cannot find member ${index}`);
    return member;
  }

  #running(index: number): Deno.ChildProcess {
    const child = this.#member(index).child;
    if (child === null) throw new Error(`Cannot signal member ${index}: it is not running`);
    return child;
  }

  #spawn(index: number): void {
    const member = this.#member(index);
    member.output = [];
    // On a restart the data directory wins and the --initial-* flags are ignored.
    const child = new Deno.Command("etcd", {
      args: [
        ...etcdMemberArgs(member, this.#initialCluster, this.#root),
        "--logger",
        "zap",
        "--log-outputs",
        "stderr",
      ],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    member.child = child;
    // Drained continuously: a full pipe would block etcd.
    void drain(child.stderr, member.output);
  }

  async #waitHealthy(index: number): Promise<void> {
    const member = this.#member(index);
    const deadline = performance.now() + START_MS;
    while (performance.now() < deadline) {
      const child = member.child;
      if (child === null) break;
      try {
        const response = await fetch(`${member.clientUrl}/health`, {
          signal: AbortSignal.timeout(1_000),
        });
        const body = await response.json();
        if (body?.health === "true") return;
      } catch {
        // Not listening yet, or no leader yet.
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const state = member.child === null ? "exited" : processState(member.child.pid);
    throw new Error(
      `Cannot start etcd member ${index}: not healthy within ${START_MS} ms (${state})\n${
        this.output(index)
      }`,
    );
  }
}

/** Where one member lives and listens. */
export interface EtcdMemberPlace {
  /** Its name in the cluster. */
  readonly name: string;
  /** Its data directory. */
  readonly dataDir: string;
  /** Its client URL, e.g. `http://127.0.0.1:PORT`. */
  readonly clientUrl: string;
  /** Its peer URL. */
  readonly peerUrl: string;
}

/**
 * The arguments of `etcd` for one member of a new cluster on loopback.
 *
 * @param member Its name, data directory and URLs.
 * @param initialCluster Every member as `NAME=PEER_URL`, comma-separated.
 * @param token The cluster's token, unique to it (members of another cluster never join).
 * @returns The arguments.
 */
export function etcdMemberArgs(
  member: EtcdMemberPlace,
  initialCluster: string,
  token: string,
): string[] {
  return [
    "--name",
    member.name,
    "--data-dir",
    member.dataDir,
    "--listen-client-urls",
    member.clientUrl,
    "--advertise-client-urls",
    member.clientUrl,
    "--listen-peer-urls",
    member.peerUrl,
    "--initial-advertise-peer-urls",
    member.peerUrl,
    "--initial-cluster",
    initialCluster,
    "--initial-cluster-state",
    "new",
    "--initial-cluster-token",
    token,
  ];
}

/**
 * Starts a cluster for one test; `await using` stops it.
 *
 * @param options See {@linkcode EtcdClusterOptions}.
 * @returns The running cluster.
 */
export function startEtcdCluster(options: EtcdClusterOptions = {}): Promise<EtcdCluster> {
  return EtcdCluster.start(options);
}

function signal(child: Deno.ChildProcess, name: Deno.Signal): void {
  try {
    child.kill(name);
  } catch {
    // Already gone.
  }
}

async function drain(stream: ReadableStream<Uint8Array>, lines: string[]): Promise<void> {
  const decoder = new TextDecoder();
  let rest = "";
  try {
    for await (const chunk of stream) {
      const parts = (rest + decoder.decode(chunk, { stream: true })).split("\n");
      rest = parts.pop() ?? "";
      lines.push(...parts);
      if (lines.length > KEPT_LINES) lines.splice(0, lines.length - KEPT_LINES);
    }
  } catch {
    // The member was killed.
  }
}

/** State and wait channel of a process, from /proc, for a stalled start's message. */
function processState(pid: number): string {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const state = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
    const wchan = Deno.readTextFileSync(`/proc/${pid}/wchan`);
    return `process state ${state}, waiting in ${wchan || "nothing"}`;
  } catch {
    return "process state unknown";
  }
}

function freePort(): number {
  const listener = Deno.listen({ hostname: LOOPBACK, port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}
