/**
 * An election's terms in etcd: the first hub stores them, every later hub
 * reads them and must agree (a hub with other terms refuses to start).
 *
 * @module
 */

import type { EtcdClient } from "./etcd_client.ts";
import { electionKeys } from "./etcd_keys.ts";

/** What {@linkcode claimTerms} found. */
export interface ClaimedTerms {
  /** Whether this call stored them (no terms were there). */
  readonly created: boolean;
  /** The election's terms now: ours when created, else those stored before. */
  readonly terms: string;
}

/**
 * Stores `terms` unless the election already has terms, atomically.
 *
 * Retrying after a {@linkcode ClusterUnavailableError} is safe: when the
 * first attempt was applied, the retry finds our own terms.
 *
 * @param client The cluster.
 * @param election The election's name.
 * @param terms The terms (JSON text).
 * @param signal Aborts the call.
 * @returns Whether they were stored, and the election's terms.
 */
export async function claimTerms(
  client: EtcdClient,
  election: string,
  terms: string,
  signal?: AbortSignal,
): Promise<ClaimedTerms> {
  const key = electionKeys(election).terms;
  const result = await client.txn({
    compare: [{ key, target: "CREATE", result: "EQUAL", number: 0 }],
    success: [{ put: { key, value: terms } }],
    failure: [{ range: { key } }],
  }, signal);
  if (result.succeeded) return { created: true, terms };
  const found = result.responses[0];
  const stored = found?.type === "range" ? found.kvs[0]?.value : undefined;
  if (stored === undefined) throw new Error("Cannot read the election's terms from etcd");
  return { created: false, terms: stored };
}

/**
 * The election's terms.
 *
 * @param client The cluster.
 * @param election The election's name.
 * @param signal Aborts the call.
 * @returns The terms, or null when no hub stored any yet.
 */
export async function readTerms(
  client: EtcdClient,
  election: string,
  signal?: AbortSignal,
): Promise<string | null> {
  const { kvs } = await client.range(electionKeys(election).terms, {}, signal);
  return kvs[0]?.value ?? null;
}
