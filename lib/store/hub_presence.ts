/**
 * Which hubs serve an election, kept by etcd leases: each hub holds a lease
 * that it renews, and a key `hubs/<hub id>` with its address under that
 * lease. When a hub dies, its renewals stop, and etcd deletes its key after
 * the lease's TTL: every other hub sees it go.
 *
 * @module
 */

import { abortableSleep } from "./abortable_sleep.ts";
import { ClusterUnavailableError } from "./cluster_unavailable_error.ts";
import { type EtcdClient, WatchCompactedError } from "./etcd_client.ts";
import { type ElectionKeys, electionKeys, hubKey } from "./etcd_keys.ts";
import { EtcdRequestError } from "./etcd_request_error.ts";

/** A hub that is present. */
export interface LiveHub {
  /** Its id. */
  readonly hubId: string;
  /** Where its nodes connect, e.g. `10.0.0.2:7337`. */
  readonly address: string;
}

/** Options for {@linkcode HubPresence.start}. */
export interface HubPresenceOptions {
  /** The cluster. */
  client: EtcdClient;
  /** The election's name. */
  election: string;
  /** This hub's id, unique in the election. */
  hubId: string;
  /** Where this hub's nodes connect. */
  address: string;
  /**
   * Lease time to live: how long after its last renewal a dead hub stays listed.
   * @default {5}
   */
  ttlSeconds?: number;
  /**
   * Stops renewing, without revoking (as a crash would): the key goes after the TTL.
   */
  signal?: AbortSignal;
  /**
   * Hears "lost" when the lease may have ended (etcd says it is gone, or no
   * renewal succeeded for a TTL), and "present" when the key is back.
   */
  onStatus?: (status: "present" | "lost") => void;
}

/**
 * This hub's presence in an election; `await using` (or {@linkcode close})
 * revokes its lease, so the others see it leave at once.
 *
 * @example
 * ```ts ignore
 * import { EtcdClient } from "./etcd_client.ts";
 * import { HubPresence, listHubs } from "./hub_presence.ts";
 *
 * const client = new EtcdClient({ endpoints: ["http://127.0.0.1:2379"] });
 * await using _presence = await HubPresence.start({ client, election: "demo", hubId: "h1", address: "127.0.0.1:7337" });
 * console.log(await listHubs(client, "demo")); // [{ hubId: "h1", address: "127.0.0.1:7337" }]
 * ```
 */
export class HubPresence implements AsyncDisposable {
  readonly #options: HubPresenceOptions;
  readonly #key: string;
  readonly #ttlSeconds: number;
  readonly #stop = new AbortController();
  #lease = 0n;
  #loop: Promise<void> = Promise.resolve();

  private constructor(options: HubPresenceOptions) {
    this.#options = options;
    this.#key = hubKey(electionKeys(options.election), options.hubId);
    this.#ttlSeconds = options.ttlSeconds ?? 5;
  }

  /**
   * Grants a lease, writes this hub's key under it, and keeps renewing it.
   *
   * @param options See {@linkcode HubPresenceOptions}.
   * @returns The presence.
   * @throws {ClusterUnavailableError} When etcd cannot be reached.
   */
  static async start(options: HubPresenceOptions): Promise<HubPresence> {
    const presence = new HubPresence(options);
    await presence.#register();
    presence.#loop = presence.#renew();
    return presence;
  }

  /** The current lease's id. */
  get leaseId(): bigint {
    return this.#lease;
  }

  /** Stops renewing and revokes the lease: the hub's key is deleted now. */
  async close(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
    await this.#options.client.leaseRevoke(this.#lease).catch(() => {
      // Unreachable etcd: the lease ends by itself after its TTL.
    });
  }

  /** Same as {@linkcode close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #register(signal?: AbortSignal): Promise<void> {
    const { client, address } = this.#options;
    const lease = await client.leaseGrant(this.#ttlSeconds, signal);
    this.#lease = lease.id;
    await client.put(this.#key, address, { lease: lease.id }, signal);
  }

  /** Renews every third of the TTL; each renewal is bounded by that third. */
  async #renew(): Promise<void> {
    const { client, onStatus } = this.#options;
    const signal = this.#options.signal
      ? AbortSignal.any([this.#options.signal, this.#stop.signal])
      : this.#stop.signal;
    const intervalMs = (this.#ttlSeconds * 1_000) / 3;
    let renewed = performance.now();
    let lost = false;
    let unregistered = false;
    while (!signal.aborted) {
      await abortableSleep(intervalMs, signal);
      if (signal.aborted) return;
      const bound = AbortSignal.any([signal, AbortSignal.timeout(intervalMs)]);
      try {
        if (!unregistered && await client.leaseKeepAlive(this.#lease, bound) === null) {
          // The lease ended (etcd unreachable for longer than the TTL): register again.
          if (!lost) onStatus?.("lost");
          lost = true;
          unregistered = true;
        }
        if (unregistered) {
          await this.#register(bound);
          unregistered = false;
        }
        renewed = performance.now();
        if (lost) onStatus?.("present");
        lost = false;
      } catch (error) {
        if (signal.aborted) return;
        // A lease that died between grant and put: grant another. Nothing else
        // is thrown out of this loop, which nobody awaits until close.
        if (error instanceof EtcdRequestError && error.code === 5) unregistered = true;
        if (!lost && performance.now() - renewed > this.#ttlSeconds * 1_000) {
          lost = true;
          onStatus?.("lost");
        }
      }
    }
  }
}

/**
 * The hubs present in an election now.
 *
 * @param client The cluster.
 * @param election The election's name.
 * @param signal Aborts the call.
 * @returns The live hubs, by id.
 */
export async function listHubs(
  client: EtcdClient,
  election: string,
  signal?: AbortSignal,
): Promise<LiveHub[]> {
  return (await readHubs(client, electionKeys(election), signal)).hubs;
}

/**
 * Calls `onChange` with the list of live hubs now, then each time a hub
 * comes or goes, until `signal` aborts; rides out etcd being unreachable.
 *
 * @param client The cluster.
 * @param election The election's name.
 * @param onChange Hears the whole list, by id.
 * @param signal Ends the watch.
 * @returns Resolves when `signal` aborts.
 */
export async function watchHubs(
  client: EtcdClient,
  election: string,
  onChange: (hubs: LiveHub[]) => void,
  signal: AbortSignal,
): Promise<void> {
  const keys = electionKeys(election);
  let backoffMs = 100;
  while (!signal.aborted) {
    try {
      const { hubs, revision } = await readHubs(client, keys, signal);
      const live = new Map(hubs.map((hub) => [hub.hubId, hub.address]));
      onChange(hubs);
      backoffMs = 100;
      await client.watch(
        keys.hubs,
        { prefix: true, startRevision: revision + 1, signal },
        (events) => {
          for (const event of events) {
            const hubId = event.kv.key.slice(keys.hubs.length);
            if (event.type === "PUT") live.set(hubId, event.kv.value);
            else live.delete(hubId);
          }
          onChange(sortedHubs(live));
        },
      );
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof WatchCompactedError) continue;
      if (!isUnavailable(error)) throw error;
      await abortableSleep(backoffMs, signal);
      backoffMs = Math.min(backoffMs * 2, 2_000);
    }
  }
}

async function readHubs(
  client: EtcdClient,
  keys: ElectionKeys,
  signal?: AbortSignal,
): Promise<{ hubs: LiveHub[]; revision: number }> {
  const { kvs, revision } = await client.range(keys.hubs, { prefix: true }, signal);
  const live = new Map(kvs.map((kv) => [kv.key.slice(keys.hubs.length), kv.value]));
  return { hubs: sortedHubs(live), revision };
}

function sortedHubs(live: Map<string, string>): LiveHub[] {
  return [...live].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)
    .map(([hubId, address]) => ({ hubId, address }));
}

function isUnavailable(error: unknown): boolean {
  return error instanceof ClusterUnavailableError ||
    (error instanceof DOMException && error.name === "TimeoutError");
}
