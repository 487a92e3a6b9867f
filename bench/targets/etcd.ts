/**
 * The etcd anchor: Debian's `etcd` (package etcd-server), one member, a
 * temporary data directory, client and peer URLs on loopback.
 *
 * @module
 */

import { findProgram, freePort, startProcess } from "../processes.ts";
import { LOOPBACK, type Target } from "./target.ts";

/**
 * Starts etcd, or says why not.
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
  if (!program) {
    return "etcd not found (apt-get install etcd-server): the etcd column is skipped";
  }
  const clientPort = freePort();
  const peerPort = freePort();
  const client = `http://${LOOPBACK}:${clientPort}`;
  const peer = `http://${LOOPBACK}:${peerPort}`;
  const process = startProcess({
    name: "etcd",
    command: program,
    args: [
      "--name",
      "bench",
      "--data-dir",
      dataDir,
      "--listen-client-urls",
      client,
      "--advertise-client-urls",
      client,
      "--listen-peer-urls",
      peer,
      "--initial-advertise-peer-urls",
      peer,
      "--initial-cluster",
      `bench=${peer}`,
      "--initial-cluster-state",
      "new",
    ],
    logPath,
  });
  try {
    await process.waitForLog(/ready to serve client requests/, 20_000);
  } catch (error) {
    await process.stop();
    throw error;
  }
  return { name: "etcd", host: LOOPBACK, port: clientPort, process, stop: () => process.stop() };
}
