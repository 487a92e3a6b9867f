/**
 * The hub's listener: accepts connections and gives each its own session.
 *
 * @module
 */

import { Hub, type HubOptions } from "./hub.ts";
import { Session, type SessionLimits } from "./session.ts";

/** Options for {@linkcode startHub}. */
export interface StartHubOptions extends HubOptions, SessionLimits {
  /**
   * Address to listen on.
   * @default {"0.0.0.0"}
   */
  host?: string;
  /**
   * Port to listen on; 0 picks a free one.
   * @default {7337}
   */
  port?: number;
}

/** A hub that is listening. */
export interface RunningHub {
  /** Where it listens (with the real port when 0 was asked). */
  readonly address: Deno.NetAddr;
  /** The hub's state and members. */
  readonly hub: Hub;
  /** Stops listening, closes every connection, waits for the sessions to end, and closes the journal. */
  close(): Promise<void>;
}

/** Default port: 7000 is taken by AirPlay on recent macOS. */
export const DEFAULT_PORT = 7337;

/**
 * Starts a hub.
 *
 * @param options See {@linkcode StartHubOptions}.
 * @returns The running hub.
 * @throws {Deno.errors.AddrInUse} When the port is taken.
 */
export function startHub(options: StartHubOptions): RunningHub {
  const listener: Deno.TcpListener = Deno.listen({
    hostname: options.host ?? "0.0.0.0",
    port: options.port ?? DEFAULT_PORT,
    // The default backlog (511) makes a storm of thousands of connects take seconds.
    tcpBacklog: 4096,
  });
  const hub = new Hub(options);
  const sessions = new Set<Session>();
  const running = new Set<Promise<void>>();

  const acceptLoop = (async () => {
    for (;;) {
      let conn: Deno.TcpConn;
      try {
        conn = await listener.accept();
      } catch (error) {
        if (error instanceof Deno.errors.BadResource || error instanceof Deno.errors.Interrupted) {
          return;
        }
        // A transient failure (out of file descriptors, say) must not stop the hub.
        await new Promise((resolve) => setTimeout(resolve, 50));
        continue;
      }
      try {
        conn.setNoDelay(true);
      } catch {
        // The peer may already be gone; its session ends on the first read.
      }
      const session = new Session(hub, conn, options);
      sessions.add(session);
      const done = session.run().finally(() => {
        sessions.delete(session);
        running.delete(done);
      });
      running.add(done);
    }
  })();

  return {
    address: listener.addr as Deno.NetAddr,
    hub,
    async close() {
      try {
        listener.close();
      } catch {
        // Already closed.
      }
      await acceptLoop;
      for (const session of sessions) session.close();
      await Promise.all(running);
      hub.stop();
    },
  };
}
