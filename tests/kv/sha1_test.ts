import { assertEquals } from "./_harness.ts";
import { sha1Hex } from "../../src/kv/sha1.ts";

Deno.test("sha1Hex() matches WebCrypto's SHA-1 across block boundaries", async () => {
  let seed = 7;
  for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000, 4099]) {
    const bytes = new Uint8Array(n);
    for (let i = 0; i < n; i++) bytes[i] = (seed = (seed * 1103515245 + 12345) % 2147483648) & 255;
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-1", bytes));
    const hex = [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
    assertEquals(sha1Hex(bytes), hex);
  }
});
