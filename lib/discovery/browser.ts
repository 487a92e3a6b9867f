/**
 * Looks for hubs on the LAN: asks for `_consensus._tcp` on each interface,
 * collects the answers (and announcements and goodbyes) in a
 * {@linkcode HubSightings} table, and asks again for what an answer left out.
 *
 * @module
 */

import { type DiscoveredHub, HubSightings } from "./hub_sightings.ts";
import { type MulticastLink, openMulticastLink } from "./multicast_link.ts";
import { SERVICE_TYPE } from "./service_records.ts";

/** Options for {@linkcode HubBrowser}. */
export interface HubBrowserOptions {
  /** The interfaces to ask on, by IPv4 address. */
  interfaces: string[];
  /** Called once, at the first failure to send. */
  onWarning?: (message: string) => void;
  /**
   * Time between queries while the browser runs, in milliseconds.
   * @default {1000}
   */
  requeryMs?: number;
  /** Called whenever a response changed what is known. */
  onChange?: () => void;
}

/** A browser that keeps asking and listening until it is closed. */
export class HubBrowser implements AsyncDisposable {
  #links: MulticastLink[];
  #table = new HubSightings();
  #timer: ReturnType<typeof setInterval>;
  #followUp: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  /**
   * Opens a socket per interface and sends the first query.
   *
   * @param options See {@linkcode HubBrowserOptions}.
   */
  constructor(options: HubBrowserOptions) {
    let warned = false;
    const onWarning = (message: string) => {
      if (warned) return;
      warned = true;
      options.onWarning?.(message);
    };
    this.#links = options.interfaces.map((interfaceAddress) =>
      openMulticastLink({
        interfaceAddress,
        onWarning,
        onResponse: (packet) => {
          const records = [
            ...(Array.isArray(packet.answers) ? packet.answers : []),
            ...(Array.isArray(packet.additionals) ? packet.additionals : []),
          ];
          this.#table.record(records, Date.now());
          this.#askForMissing();
          options.onChange?.();
        },
      })
    );
    this.#ask();
    this.#timer = setInterval(() => this.#ask(), options.requeryMs ?? 1000);
  }

  /**
   * The hubs known now.
   *
   * @returns The hubs, sorted by instance name.
   */
  hubs(): DiscoveredHub[] {
    return this.#table.hubs(Date.now());
  }

  /** Stops asking and closes the sockets. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    clearTimeout(this.#followUp);
    await Promise.all(this.#links.map((link) => link.close()));
  }

  /** Closes the browser. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #ask() {
    for (const link of this.#links) link.query([{ name: SERVICE_TYPE, type: "PTR" }]);
  }

  /** Asks, shortly after a burst of responses, for the records they left out. */
  #askForMissing() {
    if (this.#followUp !== undefined || this.#closed) return;
    this.#followUp = setTimeout(() => {
      this.#followUp = undefined;
      const questions = this.#table.unresolved(Date.now());
      if (questions.length === 0 || this.#closed) return;
      for (const link of this.#links) link.query(questions);
    }, 50);
  }
}

/** Options for {@linkcode browseHubs}. */
export interface BrowseOptions {
  /** The interfaces to ask on, by IPv4 address. */
  interfaces: string[];
  /** How long to listen, in milliseconds. */
  timeoutMs: number;
  /** Called once, at the first failure to send. */
  onWarning?: (message: string) => void;
}

/**
 * Asks the LAN for hubs and collects the answers for a while.
 *
 * @param options See {@linkcode BrowseOptions}.
 * @returns The hubs that answered, sorted by instance name.
 */
export async function browseHubs(options: BrowseOptions): Promise<DiscoveredHub[]> {
  if (options.interfaces.length === 0) return [];
  await using browser = new HubBrowser(options);
  await new Promise((resolve) => setTimeout(resolve, options.timeoutMs));
  return browser.hubs();
}
