/**
 * The hub's listeners: accept connections within the limits, give each its
 * own session, and sweep for peers that are too slow at the gate or silent
 * for too long.
 *
 * @module
 */

import { DEFAULT_PORT } from "../protocol/messages.ts";
import { GateGuard, type GateGuardOptions } from "./gate_guard.ts";
import { fileLimitWarning, isFileLimitError } from "./file_limit.ts";
import { Hub, type HubOptions } from "./hub.ts";
import { Session, type SessionConnection, type SessionLimits } from "./session.ts";

/** Connections a hub takes at once unless told otherwise (`--max-connections`). */
const DEFAULT_MAX_CONNECTIONS = 20_000;

/** Limits of the listener, each with a flag of `consensus serve`. */
export interface ListenerLimits {
  /**
   * Connections at once, admitted or not; more are told so and closed.
   * @default {20000}
   */
  maxConnections?: number;
  /**
   * Connections from one address that have not passed the gate yet.
   * @default {64}
   */
  maxPendingPerAddress?: number;
  /**
   * Time to pass the gate, in milliseconds.
   * @default {30000}
   */
  gateTimeoutMs?: number;
  /**
   * Silence after which the hub sends a keep-alive ping, in milliseconds.
   * @default {120000}
   */
  pingAfterMs?: number;
  /**
   * Silence after which an admitted node is dropped, in milliseconds: a
   * half-open connection is found this way (TCP alone would take hours).
   * @default {300000}
   */
  idleTimeoutMs?: number;
}

/** TLS for the hub. */
export interface TlsOptions {
  /** Certificate chain, PEM. */
  cert: string;
  /** Private key, PEM. */
  key: string;
  /** A second port for TLS; without it the main port speaks TLS only. */
  port?: number | undefined;
}

/** Options for {@linkcode startHub}. */
export interface StartHubOptions extends HubOptions, SessionLimits, ListenerLimits {
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
  /** Serve TLS (on the main port, or on a second one). */
  tls?: TlsOptions | undefined;
  /** Wrong-answer delays and lockout. */
  guard?: GateGuardOptions;
  /** Told what the operator should know and fix (at most once a minute): the open-file limit reached. */
  onWarning?: (message: string) => void;
}

/** A hub that is listening. */
export interface RunningHub {
  /** The main listener's address (with the real port when 0 was asked). */
  readonly address: Deno.NetAddr;
  /** The TLS listener's address, when TLS is on a second port. */
  readonly tlsAddress: Deno.NetAddr | undefined;
  /** The hub's state and members. */
  readonly hub: Hub;
  /**
   * Serves a connection that came by another transport (a WebSocket), within
   * the same limits and with the same session as a TCP connection.
   *
   * @param conn The connection.
   * @param secure Whether it is encrypted.
   * @returns When the session is over.
   */
  serveConnection(conn: SessionConnection, secure: boolean): Promise<void>;
  /** Stops listening, closes every connection, waits for the sessions to end, and closes the journal. */
  close(): Promise<void>;
  /**
   * Ends the meeting, then closes: stops listening, closes every open ballot
   * with cause `hub-stopped`, gives each node a moment to receive that and a
   * last word, and marks the meeting ended in the journal.
   */
  end(): Promise<void>;
}

/** How long a clean stop waits for each node to read the closing pushes. */
const END_DRAIN_MS = 2000;

export { DEFAULT_PORT };

// The default backlog (511) makes a storm of thousands of connects take seconds.
const BACKLOG = 4096;

/**
 * Starts a hub.
 *
 * @param options See {@linkcode StartHubOptions}.
 * @returns The running hub.
 * @throws {Deno.errors.AddrInUse} When the port is taken.
 */
export function startHub(options: StartHubOptions): RunningHub {
  const hostname = options.host ?? "0.0.0.0";
  const port = options.port ?? DEFAULT_PORT;
  const tls = options.tls;
  const listeners: { listener: Deno.Listener; secure: boolean }[] = [];
  try {
    if (tls && tls.port === undefined) {
      listeners.push({
        listener: Deno.listenTls({ hostname, port, cert: tls.cert, key: tls.key }),
        secure: true,
      });
    } else {
      listeners.push({
        listener: Deno.listen({ hostname, port, tcpBacklog: BACKLOG }),
        secure: false,
      });
      if (tls) {
        listeners.push({
          listener: Deno.listenTls({ hostname, port: tls.port!, cert: tls.cert, key: tls.key }),
          secure: true,
        });
      }
    }
  } catch (error) {
    for (const { listener } of listeners) listener.close();
    throw error;
  }
  const hub = new Hub(options);
  const guard = new GateGuard({
    ...options.guard,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  const maxPending = options.maxPendingPerAddress ?? 64;
  const sessions = new Set<Session>();
  const pendingByAddress = new Map<string, number>();
  const running = new Set<Promise<void>>();
  let fileLimitWarnedAt = -Infinity;

  const releasePending = (address: string) => {
    const count = (pendingByAddress.get(address) ?? 1) - 1;
    if (count <= 0) pendingByAddress.delete(address);
    else pendingByAddress.set(address, count);
  };

  /** Serves one connection; the promise settles when it is over and never rejects. */
  const serve = (conn: SessionConnection, secure: boolean): Promise<void> => {
    const address = (conn.remoteAddr as Deno.NetAddr).hostname;
    const refusal = sessions.size >= maxConnections
      ? "# The hub has too many connections; try again later\n"
      : (pendingByAddress.get(address) ?? 0) >= maxPending
      ? "# Too many connections from your address are waiting at the gate; try again later\n"
      : undefined;
    if (refusal) {
      return conn.write(new TextEncoder().encode(refusal)).then(
        () => closeQuietly(conn),
        () => closeQuietly(conn),
      );
    }
    pendingByAddress.set(address, (pendingByAddress.get(address) ?? 0) + 1);
    let pending = true;
    const session = new Session(hub, conn, options, {
      guard,
      secure,
      onAdmitted: () => {
        if (pending) releasePending(address);
        pending = false;
      },
    });
    sessions.add(session);
    // Plain callbacks, not an async wrapper: an idle node holds one suspended
    // chain fewer (thousands of them add up).
    return session.run().then(() => {
      sessions.delete(session);
      if (pending) releasePending(address);
    });
  };

  /** Serves a connection and keeps its promise until it is over (closing waits for all). */
  const track = (conn: SessionConnection, secure: boolean): Promise<void> => {
    const done: Promise<void> = serve(conn, secure).then(() => void running.delete(done));
    running.add(done);
    return done;
  };

  const acceptLoop = async (listener: Deno.Listener, secure: boolean) => {
    for (;;) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch (error) {
        if (error instanceof Deno.errors.BadResource || error instanceof Deno.errors.Interrupted) {
          return;
        }
        // A transient failure (out of file descriptors, a failed TLS handshake) must not stop the hub.
        if (isFileLimitError(error) && Date.now() - fileLimitWarnedAt > 60_000) {
          fileLimitWarnedAt = Date.now();
          options.onWarning?.(fileLimitWarning(sessions.size, maxConnections));
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
        continue;
      }
      try {
        if (!secure) (conn as Deno.TcpConn).setNoDelay(true);
      } catch {
        // The peer may already be gone; its session ends on the first read.
      }
      track(conn, secure);
    }
  };
  const loops = listeners.map(({ listener, secure }) => acceptLoop(listener, secure));
  let stopping = false;
  const sweeper = startSweeper(sessions, options);

  const find = (secure: boolean) => listeners.find((entry) => entry.secure === secure)?.listener;
  return {
    address: listeners[0]!.listener.addr as Deno.NetAddr,
    tlsAddress: tls?.port !== undefined ? find(true)!.addr as Deno.NetAddr : undefined,
    hub,
    serveConnection(conn, secure) {
      // Once stopping, nothing new comes in, by any transport: the closing waits for every session.
      if (stopping) {
        closeQuietly(conn);
        return Promise.resolve();
      }
      return track(conn, secure);
    },
    async close() {
      await stopListening();
      for (const session of sessions) session.close();
      await Promise.all(running);
      hub.stop();
    },
    async end() {
      await stopListening();
      hub.end();
      await Promise.all(
        [...sessions].map((session) =>
          session.closeAfterDrain(
            hub.clustered
              ? "This hub is stopping; the election goes on at its other hubs: resume there"
              : "The meeting has ended: the hub was stopped",
            END_DRAIN_MS,
          )
        ),
      );
      await Promise.all(running);
      hub.stop();
    },
  };

  async function stopListening(): Promise<void> {
    stopping = true;
    clearInterval(sweeper);
    for (const { listener } of listeners) {
      try {
        listener.close();
      } catch {
        // Already closed.
      }
    }
    await Promise.all(loops);
  }
}

/**
 * Checks every session now and then: too slow at the gate, silent long
 * enough for a ping, or silent too long. One timer for all sessions, rather
 * than one each, keeps thousands of idle nodes cheap.
 */
function startSweeper(
  sessions: Set<Session>,
  limits: ListenerLimits,
): ReturnType<typeof setInterval> {
  const gateTimeout = limits.gateTimeoutMs ?? 30_000;
  const pingAfter = limits.pingAfterMs ?? 120_000;
  const idleTimeout = limits.idleTimeoutMs ?? 300_000;
  const every = Math.max(50, Math.min(1000, gateTimeout / 4, pingAfter / 4, idleTimeout / 4));
  return setInterval(() => {
    const now = Date.now();
    for (const session of sessions) {
      if (!session.admitted) {
        if (now - session.openedAt > gateTimeout) {
          session.close(
            `Too slow: the gate must be passed within ${Math.round(gateTimeout / 1000)} s`,
          );
        }
        continue;
      }
      const silent = now - session.lastActivity;
      if (silent > idleTimeout) {
        session.close(
          `No word from you for ${Math.round(idleTimeout / 1000)} s; the connection is closed`,
        );
      } else if (silent > pingAfter && !session.pinged) {
        session.pinged = true;
        const left = Math.round((idleTimeout - silent) / 1000);
        session.send(
          session.dialect.push({
            event: "ping",
            message: `send any line within ${left} s to stay`,
          }),
        );
      }
    }
  }, every);
}

function closeQuietly(conn: SessionConnection): void {
  try {
    conn.close();
  } catch {
    // Already closed.
  }
}
