/**
 * etcd for the benchmark: Debian's `etcd` (package etcd-server), one member
 * (the put anchor) or a 3-member cluster (what cluster hubs run on), each
 * member with a temporary data directory and client and peer URLs on
 * loopback, started through the process registry so that Ctrl-C stops it.
 *
 * @module
 */

import { findProgram, freePort, type ManagedProcess, startProcess } from "../processes.ts";
import { etcdMemberArgs, type EtcdMemberPlace } from "../../tests/_helpers/etcd_cluster.ts";
import { LOOPBACK, type Target } from "./target.ts";

/** What to install when etcd is missing. */
const ETCD_MISSING = "etcd not found (apt-get install etcd-server)";

/** Bound on a member (or every member of a cluster) becoming ready. */
const READY_MS = 20_000;

/** Starts the members of one cluster and waits until each is ready; stops them all on failure. */
async function startMembers(
  program: string,
  members: readonly EtcdMemberPlace[],
  logPath: (member: EtcdMemberPlace) => string,
): Promise<ManagedProcess[]> {
  const initialCluster = members.map((member) => `${member.name}=${member.peerUrl}`).join(",");
  const processes = members.map((member) =>
    startProcess({
      name: `etcd ${member.name}`,
      command: program,
      // The first data directory is unique to this cluster: its token.
      args: etcdMemberArgs(member, initialCluster, members[0]!.dataDir),
      logPath: logPath(member),
    })
  );
  try {
    await Promise.all(
      processes.map((process) => process.waitForLog(/ready to serve client requests/, READY_MS)),
    );
  } catch (error) {
    await Promise.all(processes.map((process) => process.stop()));
    throw error;
  }
  return processes;
}

/** A member on free loopback ports. */
function member(name: string, dataDir: string): EtcdMemberPlace {
  return {
    name,
    dataDir,
    clientUrl: `http://${LOOPBACK}:${freePort()}`,
    peerUrl: `http://${LOOPBACK}:${freePort()}`,
  };
}

/**
 * Starts a one-member etcd, or says why not.
 *
 * @param logPath Where its output goes.
 * @param dataDir Its data directory (removed by the caller).
 * @returns The running server, or a message when `etcd` is absent.
 */
export async function startEtcdTarget(
  logPath: string,
  dataDir: string,
): Promise<Target | string> {
  const program = await findProgram("etcd");
  if (!program) return `${ETCD_MISSING}: the etcd column is skipped`;
  const only = member("bench", dataDir);
  const [process] = await startMembers(program, [only], () => logPath);
  return {
    name: "etcd",
    host: LOOPBACK,
    port: Number(new URL(only.clientUrl).port),
    process: process!,
    stop: () => process!.stop(),
  };
}

/** A running etcd cluster. */
export interface EtcdClusterTarget {
  /** Client URL of each member. */
  readonly clientUrls: readonly string[];
  /** Every member's process (for CPU time). */
  readonly processes: readonly ManagedProcess[];
  /** Stops every member. */
  stop(): Promise<void>;
}

/**
 * Starts a 3-member etcd cluster on loopback, or says why not.
 *
 * @param dir Scratch folder: the members' data directories and logs go there.
 * @returns The running cluster, or a message when `etcd` is absent.
 */
export async function startEtcdClusterTarget(dir: string): Promise<EtcdClusterTarget | string> {
  const program = await findProgram("etcd");
  if (!program) return `${ETCD_MISSING}: the cluster workloads are skipped`;
  const members = ["m0", "m1", "m2"].map((name) => member(name, `${dir}/etcd-cluster-${name}`));
  const processes = await startMembers(
    program,
    members,
    (member) => `${dir}/etcd-cluster-${member.name}.log`,
  );
  return {
    clientUrls: members.map((member) => member.clientUrl),
    processes,
    stop: async () => {
      await Promise.all(processes.map((process) => process.stop()));
    },
  };
}
