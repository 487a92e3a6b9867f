/**
 * Events for tests that build a hub's record by hand.
 *
 * @module
 */

import type { HubEvent } from "../../lib/election/events.ts";

/**
 * A node joining: PIN `100 + node`, name `nN`, a made-up address and token hash.
 *
 * @param node The node id.
 * @returns The `joined` event.
 */
export function joinedEvent(node: number): HubEvent {
  return {
    type: "joined",
    node,
    pin: 100 + node,
    name: `n${node}`,
    address: "127.0.0.1",
    port: node,
    tokenHash: `hash-${node}`,
  };
}
