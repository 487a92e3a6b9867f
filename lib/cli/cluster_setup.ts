/**
 * Joins a hub to an election that lives in etcd: the first hub stores the
 * election's terms, every later hub must agree with them; the hub then reads
 * the log so far and gets a name of its own.
 *
 * @module
 */

import type { MeetingTerms } from "../hub/meeting_terms.ts";
import { EtcdClient } from "../store/etcd_client.ts";
import { EtcdLog } from "../store/etcd_log.ts";
import { claimTerms } from "../store/etcd_terms.ts";
import { decodeSnapshot, type LogSnapshot } from "../store/log_record.ts";
import type { LogEntry } from "../store/replicated_log.ts";
import { freshTerms, type HeldTerms, holdToTerms, type MeetingRequest } from "./meeting_setup.ts";
import { UsageError } from "./usage_error.ts";

/** Where an election lives. */
export interface ClusterSettings {
  /** etcd's client URLs, tried in order. */
  endpoints: string[];
  /** The election's name: its keys' prefix in etcd. */
  election: string;
  /** Entries between snapshots (`--snapshot-every`), when given. */
  snapshotEvery?: number;
}

/** What the flags ask of the election. */
export interface ClusterRequest extends Omit<MeetingRequest, "data" | "choice"> {
  cluster: ClusterSettings;
}

/** An election a hub is about to serve. */
export interface PreparedCluster extends HeldTerms {
  /** The election's log. */
  log: EtcdLog;
  /** The etcd client (for presence). */
  client: EtcdClient;
  /** This hub's name in the election, unique. */
  hubId: string;
  /** The log after the snapshot (the whole log without one). */
  backlog: LogEntry[];
  /** The latest snapshot, where the hub starts from. */
  snapshot: LogSnapshot | undefined;
  /** Whether this hub started the election (stored its terms). */
  created: boolean;
}

/** Short help after a refused start: the whole usage would bury the message. */
const CLUSTER_HELP = "Run consensus serve --help for every option.";

/**
 * Reads `--cluster` and `--election`.
 *
 * @param urls The comma-separated etcd URLs.
 * @param election The election's name.
 * @param usage For errors.
 * @returns The settings.
 * @throws {UsageError} On a malformed URL or name.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(parseClusterSettings("http://a:2379,http://b:2379", "board", ""), {
 *   endpoints: ["http://a:2379", "http://b:2379"], election: "board",
 * });
 * ```
 */
export function parseClusterSettings(
  urls: string,
  election: string,
  usage: string,
): ClusterSettings {
  const endpoints = urls.split(",").map((url) => url.trim()).filter((url) => url !== "");
  for (const endpoint of endpoints) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(endpoint);
    } catch {
      parsed = undefined;
    }
    if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) {
      throw new UsageError(
        `Invalid --cluster URL "${endpoint}": give etcd's client URLs, e.g. http://127.0.0.1:2379`,
        usage,
      );
    }
  }
  if (endpoints.length === 0) {
    throw new UsageError("--cluster needs at least one etcd URL", usage);
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/u.test(election)) {
    throw new UsageError(
      `Invalid --election "${election}": use letters, digits, dot, dash and underscore (64 at most)`,
      usage,
    );
  }
  return { endpoints: endpoints.map((url) => url.replace(/\/+$/u, "")), election };
}

/**
 * Claims or checks the election's terms, reads its log, and names this hub.
 *
 * @param request The flags.
 * @returns The election, ready to serve.
 * @throws {UsageError} When the flags contradict the election's terms.
 * @throws {ClusterUnavailableError} When etcd cannot be reached.
 */
export async function prepareCluster(request: ClusterRequest): Promise<PreparedCluster> {
  const { endpoints, election } = request.cluster;
  const client = new EtcdClient({ endpoints });
  const fresh = await freshTerms(request);
  const claimed = await claimTerms(client, election, JSON.stringify(fresh.terms));
  const held: HeldTerms = claimed.created
    ? {
      gateQuestion: request.gateQuestion,
      answer: fresh.answer,
      joinCode: fresh.joinCode,
      standing: request.standing,
    }
    : await holdToTerms(
      request,
      JSON.parse(claimed.terms) as MeetingTerms,
      (differences) =>
        new UsageError(
          `Cannot serve election "${election}": other hubs serve it with other terms, and these flags differ:\n` +
            differences.map((line) => `  ${line}`).join("\n") +
            `\nDrop these flags to serve it as it is, or choose another --election name.`,
          CLUSTER_HELP,
        ),
    );
  const log = new EtcdLog({ client, election });
  // A long election starts from its latest snapshot and the entries after it.
  const stored = await log.latestSnapshot();
  const snapshot = stored ? decodeSnapshot(stored.position, stored.payload) : undefined;
  const backlog = await log.read(snapshot?.position ?? 0);
  const hubId = `hub-${crypto.randomUUID().slice(0, 8)}`;
  return { ...held, log, client, hubId, backlog, snapshot, created: claimed.created };
}
