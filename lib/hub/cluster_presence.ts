/**
 * A cluster hub's presence: it holds an etcd lease while it lives, and
 * follows the list of live hubs, so that its nodes learn where else to
 * resume and the nodes of a hub that died drop (after the lease's TTL).
 *
 * @module
 */

import type { EtcdClient } from "../store/etcd_client.ts";
import { HubPresence, watchHubs } from "../store/hub_presence.ts";
import type { Hub } from "./hub.ts";

/** Options for {@linkcode keepPresence}. */
export interface ClusterPresenceOptions {
  /** The cluster. */
  client: EtcdClient;
  /** The election's name. */
  election: string;
  /** Where this hub's nodes connect, `HOST:PORT`. */
  address: string;
  /**
   * Seconds a dead hub stays listed (its lease's time to live).
   * @default {5}
   */
  ttlSeconds?: number;
}

/**
 * Registers the hub as present and follows the other hubs until closed.
 * The hub appends nothing before it is registered.
 *
 * @param hub The cluster hub.
 * @param options See {@linkcode ClusterPresenceOptions}.
 * @returns Closing it revokes the lease: the others see the hub leave at once.
 */
export function keepPresence(hub: Hub, options: ClusterPresenceOptions): AsyncDisposable & {
  close(): Promise<void>;
} {
  const abort = new AbortController();
  const registered = HubPresence.start({
    client: options.client,
    election: options.election,
    hubId: hub.hubId,
    address: options.address,
    ttlSeconds: options.ttlSeconds ?? 5,
  });
  hub.holdCommandsUntil(registered);
  const watching = registered.then(() =>
    watchHubs(options.client, options.election, (hubs) => hub.setLiveHubs(hubs), abort.signal)
  ).catch(() => {});
  const close = async () => {
    abort.abort();
    await watching;
    await (await registered.catch(() => undefined))?.close();
  };
  return { close, [Symbol.asyncDispose]: close };
}
