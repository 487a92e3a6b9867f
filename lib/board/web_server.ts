/**
 * The hub's web pages: the board for the projector, the phone page
 * (`/vote`), and their two WebSockets. A phone is a node like any other: its
 * socket runs the same session as a TCP connection, within the same limits.
 *
 * @module
 */

import type { RunningHub } from "../hub/server.ts";
import { stats } from "../hub/services.ts";
import { WebSocketConnection } from "../hub/websocket_transport.ts";
import type { Push } from "../protocol/messages.ts";
import { hasAccess, isSameOrigin } from "./access.ts";
import { BoardFeed } from "./board_feed.ts";
import { boardSnapshot } from "./board_view.ts";
import { BOARD_SCRIPT } from "./board_script.ts";
import { BOARD_PAGE, STYLE, VOTE_PAGE } from "./pages.ts";
import { VOTE_SCRIPT } from "./vote_script.ts";
import { qrCodeSvg } from "./qr.ts";

/** Options for {@linkcode startWebServer}. */
export interface WebServerOptions {
  /** The hub whose pages these are. */
  running: RunningHub;
  /**
   * Address to listen on.
   * @default {"0.0.0.0"}
   */
  host?: string;
  /** Port to listen on; 0 picks a free one. */
  port: number;
  /** The access token every page and socket must carry; `undefined` for a public board. */
  token: string | undefined;
  /**
   * Host names or addresses the pages are reached at, best first (the first
   * goes in the QR code); IPv6 addresses with or without brackets.
   */
  publicHosts: readonly string[];
  /** `HOST:PORT` to show for `consensus join`. */
  joinAddress: string;
  /** Serve https (and wss) with this certificate and key, PEM: the hub's own TLS files. */
  tls?: { cert: string; key: string } | undefined;
  /**
   * Shortest time between two board updates, in milliseconds.
   * @default {250}
   */
  updateIntervalMs?: number;
  /**
   * Board tabs open at once.
   * @default {256}
   */
  maxBoards?: number;
}

/** The web server, listening. */
export interface RunningWebServer {
  /** Where it listens. */
  readonly address: Deno.NetAddr;
  /** The board's URL at each public host (with the token). */
  readonly boardUrls: string[];
  /** The phone page's URL at each public host (with the token). */
  readonly phoneUrls: string[];
  /** Feeds the board: call with every event the hub records. */
  notify(push: Push | undefined): void;
  /** Closes the board tabs and stops serving (phones are closed with the hub). */
  close(): Promise<void>;
}

/**
 * The security headers of every page: no script but our own files, nothing
 * from elsewhere, no framing, and no token leaking in a Referer.
 */
const SECURITY_HEADERS = {
  "content-security-policy": "default-src 'none'; script-src 'self'; style-src 'self'; " +
    "img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; " +
    "frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
};

/**
 * Starts the web server beside a running hub.
 *
 * @param options See {@linkcode WebServerOptions}.
 * @returns The server.
 * @throws {Deno.errors.AddrInUse} When the port is taken.
 */
export function startWebServer(options: WebServerOptions): RunningWebServer {
  const { running, token } = options;
  const hub = running.hub;
  let phoneUrl = "";
  const feed = new BoardFeed({
    snapshot: (ticker) =>
      boardSnapshot(stats(hub), hub.memberCount, {
        address: options.joinAddress,
        question: hub.gate.question,
        phoneUrl,
      }, ticker),
    ...(options.updateIntervalMs === undefined ? {} : { intervalMs: options.updateIntervalMs }),
    ...(options.maxBoards === undefined ? {} : { maxBoards: options.maxBoards }),
  });
  let qrSvg = "";
  const page = (body: string, type: string) =>
    new Response(body, { headers: { ...SECURITY_HEADERS, "content-type": type } });
  const refuse = (status: number, text: string) =>
    new Response(`${text}\n`, {
      status,
      headers: { ...SECURITY_HEADERS, "content-type": "text/plain; charset=utf-8" },
    });

  const handle = (request: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>): Response => {
    const url = new URL(request.url);
    if (request.method !== "GET" && request.method !== "HEAD") {
      return refuse(405, "Only GET: the board is read-only");
    }
    // The scripts and the style hold no secret: they load without the token.
    switch (url.pathname) {
      case "/board.js":
        return page(BOARD_SCRIPT, "text/javascript; charset=utf-8");
      case "/vote.js":
        return page(VOTE_SCRIPT, "text/javascript; charset=utf-8");
      case "/style.css":
        return page(STYLE, "text/css; charset=utf-8");
    }
    if (!hasAccess(url, token)) {
      return refuse(403, "Forbidden: this page needs the access token printed by the hub");
    }
    switch (url.pathname) {
      case "/":
        return page(BOARD_PAGE, "text/html; charset=utf-8");
      case "/vote":
        return page(VOTE_PAGE, "text/html; charset=utf-8");
      case "/qr.svg":
        return page(qrSvg, "image/svg+xml");
      case "/ws/board":
      case "/ws/node":
        return upgrade(request, info, url.pathname === "/ws/board");
      default:
        return refuse(404, "Not found");
    }
  };

  const upgrade = (
    request: Request,
    info: Deno.ServeHandlerInfo<Deno.NetAddr>,
    board: boolean,
  ): Response => {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return refuse(426, "This address takes a WebSocket");
    }
    if (!isSameOrigin(request.headers)) {
      return refuse(403, "Forbidden: a WebSocket from another site's page");
    }
    if (board && feed.full) return refuse(503, "Too many board tabs are open");
    // Read before the upgrade: afterwards the request is gone, and its address with it.
    const remote = info.remoteAddr;
    // A node's silence is the session's business, as over TCP (section 2.6 of PROTOCOL.md); a
    // board tab only reads, so WebSocket pings find the tabs that went away.
    const { socket, response } = Deno.upgradeWebSocket(request, { idleTimeout: board ? 60 : 0 });
    if (board) {
      feed.add(socket);
    } else {
      const secure = options.tls !== undefined;
      running.serveConnection(new WebSocketConnection(socket, remote), secure);
    }
    return response;
  };

  const server = Deno.serve({
    hostname: options.host ?? "0.0.0.0",
    port: options.port,
    onListen: () => {},
    ...(options.tls ? { cert: options.tls.cert, key: options.tls.key } : {}),
  }, handle);
  const scheme = options.tls ? "https" : "http";
  const port = server.addr.port;
  const urlOf = (host: string, path: string) => {
    const where = host.includes(":") && !host.startsWith("[")
      ? `[${host}]:${port}`
      : `${host}:${port}`;
    return `${scheme}://${where}${path}${token === undefined ? "" : `?token=${token}`}`;
  };
  const boardUrls = options.publicHosts.map((host) => urlOf(host, "/"));
  const phoneUrls = options.publicHosts.map((host) => urlOf(host, "/vote"));
  phoneUrl = phoneUrls[0] ?? "";
  qrSvg = qrCodeSvg(phoneUrl);
  return {
    address: server.addr,
    boardUrls,
    phoneUrls,
    notify: (push) => feed.notify(push),
    async close() {
      feed.close();
      await server.shutdown();
    },
  };
}
