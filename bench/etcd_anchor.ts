/**
 * etcd's own transaction rate, the anchor of the cluster benchmark: unique
 * put-if-absent transactions (the shape of a log append) through our JSON
 * gateway client, at a fixed number in flight.
 *
 * @module
 */

import { EtcdClient } from "../lib/store/etcd_client.ts";
import { startEtcdCluster } from "../tests/_helpers/etcd_cluster.ts";

/** What one run measured. */
export interface TxnRate {
  /** Transactions kept outstanding. */
  readonly inFlight: number;
  /** Transactions that committed. */
  readonly txns: number;
  /** Calls that failed. */
  readonly errors: number;
  /** Length of the counted window. */
  readonly seconds: number;
  /** Committed transactions per second. */
  readonly perSecond: number;
  /** Median latency of one transaction, ms. */
  readonly p50Ms: number;
  /** 99th percentile latency, ms. */
  readonly p99Ms: number;
}

/** Options for {@linkcode measureTxnRate}. */
export interface TxnRateOptions {
  /** Transactions kept outstanding. */
  inFlight: number;
  /**
   * Length of the counted window.
   * @default {5000}
   */
  durationMs?: number;
  /**
   * Prefix of the keys written (each run should use its own).
   * @default {"bench/txn/"}
   */
  prefix?: string;
}

/**
 * Runs `inFlight` loops of put-if-absent transactions on unique keys for
 * `durationMs` and counts what committed.
 *
 * @param endpoints Client URLs of the members.
 * @param options See {@linkcode TxnRateOptions}.
 * @returns The rate and latencies.
 */
export async function measureTxnRate(
  endpoints: readonly string[],
  options: TxnRateOptions,
): Promise<TxnRate> {
  const client = new EtcdClient({ endpoints });
  const prefix = options.prefix ?? "bench/txn/";
  const durationMs = options.durationMs ?? 5_000;
  const latencies: number[] = [];
  let errors = 0;
  let sequence = 0;
  const started = performance.now();
  const end = started + durationMs;
  const loop = async () => {
    while (performance.now() < end) {
      const key = `${prefix}${sequence++}`;
      const before = performance.now();
      try {
        const result = await client.txn({
          compare: [{ key, target: "CREATE", result: "EQUAL", number: 0 }],
          success: [{ put: { key, value: "x" } }],
        });
        if (result.succeeded) latencies.push(performance.now() - before);
        else errors++;
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: options.inFlight }, loop));
  const seconds = (performance.now() - started) / 1_000;
  latencies.sort((a, b) => a - b);
  const percentile = (p: number) =>
    latencies.length === 0
      ? NaN
      : latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]!;
  return {
    inFlight: options.inFlight,
    txns: latencies.length,
    errors,
    seconds,
    perSecond: latencies.length / seconds,
    p50Ms: percentile(0.5),
    p99Ms: percentile(0.99),
  };
}

/** Options for {@linkcode measureEtcdAnchor}. */
export interface EtcdAnchorOptions {
  /**
   * Members of the cluster started for the run.
   * @default {3}
   */
  members?: 1 | 3;
  /**
   * Window of each measurement.
   * @default {5000}
   */
  durationMs?: number;
  /**
   * Transactions in flight, one measurement each.
   * @default {[1, 64]}
   */
  inFlight?: readonly number[];
}

/**
 * Starts a fresh etcd cluster on loopback (the tests' fixture), measures its
 * transaction rate at each `inFlight`, and stops it.
 *
 * @param options See {@linkcode EtcdAnchorOptions}.
 * @returns One rate per `inFlight`, in order.
 * @throws {Error} When etcd is missing (install etcd-server) or does not start.
 */
export async function measureEtcdAnchor(options: EtcdAnchorOptions = {}): Promise<TxnRate[]> {
  await using cluster = await startEtcdCluster({ members: options.members ?? 3 });
  const rates: TxnRate[] = [];
  for (const inFlight of options.inFlight ?? [1, 64]) {
    rates.push(
      await measureTxnRate(cluster.clientUrls, {
        inFlight,
        ...(options.durationMs === undefined ? {} : { durationMs: options.durationMs }),
        prefix: `bench/txn/${inFlight}/`,
      }),
    );
  }
  return rates;
}
