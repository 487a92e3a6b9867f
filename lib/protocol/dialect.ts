/**
 * One interface over both dialects, so a session encodes without caring
 * which one its peer speaks.
 *
 * @module
 */

import type { Ask, ErrorReply, Push, Reply } from "./messages.ts";
import {
  formatJsonAsk,
  formatJsonError,
  formatJsonPush,
  formatJsonReply,
  type MessageId,
} from "./json_dialect.ts";
import { formatTextAsk, formatTextError, formatTextPush, formatTextReply } from "./text_dialect.ts";

/** Encoders of one dialect. */
export interface Dialect {
  /** `text` or `json`. */
  readonly name: "text" | "json";
  /** Encodes a reply to the request with this id. */
  reply(id: MessageId, reply: Reply): string;
  /** Encodes a refusal of the request with this id. */
  error(id: MessageId, error: ErrorReply): string;
  /** Encodes a question whose answer must repeat `id` (JSON only). */
  ask(id: string, ask: Ask): string;
  /** Encodes a pushed event. */
  push(push: Push): string;
}

/** The text dialect's encoders; ids are not shown in text. */
export const TEXT_DIALECT: Dialect = {
  name: "text",
  reply: (_id, reply) => formatTextReply(reply),
  error: (_id, error) => formatTextError(error),
  ask: (_id, ask) => formatTextAsk(ask),
  push: formatTextPush,
};

/** The JSON dialect's encoders. */
export const JSON_DIALECT: Dialect = {
  name: "json",
  reply: formatJsonReply,
  error: formatJsonError,
  ask: formatJsonAsk,
  push: formatJsonPush,
};
