import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { PinPool } from "../../lib/hub/pin_pool.ts";

Deno.test("PINs are 3 digits and unique among those handed out", () => {
  const pool = new PinPool();
  const pins = new Set<number>();
  for (let index = 0; index < 449; index++) pins.add(pool.allocate());
  assertEquals(pins.size, 449);
  for (const pin of pins) assert(pin >= 100 && pin <= 999, String(pin));
});

Deno.test("PINs widen to 4 digits once half of the 3-digit ones are taken, and come back when released", () => {
  const pool = new PinPool();
  const three = Array.from({ length: 450 }, () => pool.allocate());
  const next = pool.allocate();
  assert(next >= 1000 && next <= 9999, String(next));
  pool.release(three[0]!);
  const again = pool.allocate();
  assert(again >= 100 && again <= 999, String(again));
});

Deno.test("10,000 PINs can be held at once", () => {
  const pool = new PinPool();
  const pins = new Set(Array.from({ length: 10_000 }, () => pool.allocate()));
  assertEquals(pins.size, 10_000);
});
