/**
 * Browser code shared by the board and the phone page (plain JavaScript,
 * sent as it is). Text from the hub goes into the page only through
 * `textContent`, with controls and bidirectional overrides shown escaped, as
 * a terminal shows them.
 *
 * @module
 */

import { UNSAFE_CLASS } from "../protocol/text_safety.ts";

/** Helpers every page script starts with. */
export const COMMON_SCRIPT = `"use strict";
var UNSAFE = new RegExp(${JSON.stringify(UNSAFE_CLASS)}, "gu");
function safe(text) {
  return String(text).replace(UNSAFE, function (character) {
    var code = character.codePointAt(0);
    return code <= 0xff
      ? "\\\\x" + code.toString(16).padStart(2, "0")
      : "\\\\u" + code.toString(16).padStart(4, "0");
  });
}
function el(tag, className, text) {
  var node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = safe(text);
  return node;
}
function byId(id) { return document.getElementById(id); }
function setText(id, text) { byId(id).textContent = safe(text); }
function socketUrl(path) {
  return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + path +
    location.search;
}
function percent(part, whole) { return whole > 0 ? Math.round((part / whole) * 100) : 0; }
`;
