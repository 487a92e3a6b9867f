/**
 * The QR code of the phone page's URL, drawn as SVG on the hub, so that the
 * board needs nothing from the internet.
 *
 * @module
 */

import QRCode from "qrcode";

/**
 * Draws a QR code.
 *
 * @param text What it encodes (a URL).
 * @returns An SVG document, black modules on white with a quiet zone.
 *
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * assert(qrCodeSvg("http://192.168.1.20:8080/vote").startsWith("<svg"));
 * ```
 */
export function qrCodeSvg(text: string): string {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: "M" }) as {
    modules: { size: number; get(row: number, column: number): number | boolean };
  };
  const quiet = 4;
  const size = modules.size + 2 * quiet;
  let path = "";
  for (let row = 0; row < modules.size; row++) {
    for (let column = 0; column < modules.size; column++) {
      if (modules.get(row, column)) path += `M${column + quiet} ${row + quiet}h1v1h-1z`;
    }
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size} ${size}" ` +
    `shape-rendering="crispEdges"><rect width="${size}" height="${size}" fill="#fff"/>` +
    `<path fill="#000" d="${path}"/></svg>`;
}
