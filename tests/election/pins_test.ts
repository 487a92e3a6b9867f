import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import fc from "fast-check";
import { choosePin } from "../../lib/election/pins.ts";

/** A pool of PINs as the election state keeps them. */
function pool() {
  const inUse = new Set<number>();
  const byWidth = new Map<number, number>();
  return {
    inUse,
    take(seed: number) {
      const pin = choosePin(inUse, byWidth, seed);
      inUse.add(pin);
      const width = String(pin).length;
      byWidth.set(width, (byWidth.get(width) ?? 0) + 1);
      return pin;
    },
    release(pin: number) {
      inUse.delete(pin);
      const width = String(pin).length;
      byWidth.set(width, byWidth.get(width)! - 1);
    },
  };
}

Deno.test("PINs are 3 digits and unique among those handed out, whatever the seeds", () => {
  fc.assert(
    fc.property(fc.array(fc.nat(), { minLength: 449, maxLength: 449 }), (seeds) => {
      const pins = pool();
      for (const seed of seeds) pins.take(seed);
      assertEquals(pins.inUse.size, 449);
      for (const pin of pins.inUse) assert(pin >= 100 && pin <= 999, String(pin));
    }),
    { numRuns: 50 },
  );
});

Deno.test("PINs widen to 4 digits once half of the 3-digit ones are taken, and come back when released", () => {
  const pins = pool();
  const three = Array.from({ length: 450 }, (_, index) => pins.take(index * 7919));
  const next = pins.take(12345);
  assert(next >= 1000 && next <= 9999, String(next));
  pins.release(three[0]!);
  const again = pins.take(three[0]! - 100);
  assertEquals(again, three[0]);
});

Deno.test("10,000 PINs can be held at once, and the same seeds give the same PINs", () => {
  const seeds = Array.from(
    { length: 10_000 },
    () => crypto.getRandomValues(new Uint32Array(1))[0]!,
  );
  const first = pool();
  const second = pool();
  const a = seeds.map((seed) => first.take(seed));
  const b = seeds.map((seed) => second.take(seed));
  assertEquals(new Set(a).size, 10_000);
  assertEquals(a, b);
});
