/**
 * Announces a hub on the LAN: answers the queries that concern it, announces
 * itself at start (twice, a second apart, as RFC 6762 §8.3 asks), and says
 * goodbye (its records with TTL 0) when it stops cleanly.
 *
 * @module
 */

import { announcement, answerQuery, type HubAdvert } from "./service_records.ts";
import { MDNS_PORT, type MulticastLink, openMulticastLink } from "./multicast_link.ts";

/** What to announce on one interface. */
export interface AnnouncedLink {
  /** The interface, by IPv4 address. */
  interfaceAddress: string;
  /** The hub as seen from that interface (its A records are that interface's addresses). */
  advert: HubAdvert;
}

/** Options for {@linkcode startAnnouncer}. */
export interface AnnouncerOptions {
  /** One entry per interface. */
  links: AnnouncedLink[];
  /** Called once, at the first failure to send. */
  onWarning?: (message: string) => void;
  /**
   * Time between the two announcements at start, in milliseconds.
   * @default {1000}
   */
  repeatMs?: number;
}

/** A running announcer. */
export interface Announcer {
  /** Says goodbye on every interface and closes the sockets. */
  stop(): Promise<void>;
}

// A legacy unicast reply carries a TTL of at most 10 s (RFC 6762 §6.7).
const LEGACY_UNICAST_TTL = 10;

/**
 * Starts announcing.
 *
 * @param options See {@linkcode AnnouncerOptions}.
 * @returns The announcer; {@linkcode Announcer.stop} says goodbye.
 */
export function startAnnouncer(options: AnnouncerOptions): Announcer {
  let warned = false;
  const onWarning = (message: string) => {
    if (warned) return;
    warned = true;
    options.onWarning?.(message);
  };
  const links: { link: MulticastLink; advert: HubAdvert }[] = options.links.map((
    { interfaceAddress, advert },
  ) => {
    const link: MulticastLink = openMulticastLink({
      interfaceAddress,
      onWarning,
      onQuery: (packet, source) => {
        const reply = answerQuery(advert, Array.isArray(packet.questions) ? packet.questions : []);
        if (!reply) return;
        if (source.port === MDNS_PORT) {
          link.respond(reply).catch(() => {});
          return;
        }
        // A one-shot resolver asking from another port (e.g. `dig -p 5353`) wants the
        // answer sent back to it, with its id and questions, and short TTLs.
        const short = (records: typeof reply.answers) =>
          records.map((record) => ({ ...record, ttl: LEGACY_UNICAST_TTL, flush: false }));
        link.respond({
          id: packet.id ?? 0,
          questions: packet.questions ?? [],
          answers: short(reply.answers),
          additionals: short(reply.additionals),
        }, source).catch(() => {});
      },
    });
    return { link, advert };
  });
  const announce = () =>
    Promise.all(links.map(({ link, advert }) => link.respond(announcement(advert))));
  announce();
  const repeat = setTimeout(announce, options.repeatMs ?? 1000);
  let stopping: Promise<void> | undefined;
  return {
    stop() {
      stopping ??= (async () => {
        clearTimeout(repeat);
        await Promise.all(
          links.map(async ({ link, advert }) => {
            // Bounded: a goodbye that cannot be sent must not hold up the stop.
            let timer: ReturnType<typeof setTimeout> | undefined;
            await Promise.race([
              link.respond(announcement(advert, 0)),
              new Promise((resolve) => timer = setTimeout(resolve, 500)),
            ]);
            clearTimeout(timer);
            await link.close();
          }),
        );
      })();
      return stopping;
    },
  };
}
