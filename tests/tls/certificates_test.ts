/**
 * `consensus certs` and the certificates behind it: what they contain, and
 * that rustls (Deno's TLS) accepts them from the hub's side and the node's.
 */

import {
  deepStrictEqual as assertEquals,
  ok as assert,
  rejects as assertRejects,
} from "node:assert/strict";
import { runCli } from "../_helpers/cli.ts";
import { LineSource } from "../../lib/protocol/line_source.ts";
import { createLanCertificates, subjectAltNames } from "../../lib/tls/certificates.ts";
import {
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  SubjectAlternativeNameExtension,
  X509Certificate,
} from "../../lib/tls/x509.ts";

const DAY_MS = 24 * 60 * 60 * 1000;
const encoder = new TextEncoder();

async function withTempDir(run: (directory: string) => Promise<void>): Promise<void> {
  const directory = await Deno.makeTempDir({ prefix: "consensus-certs-" });
  try {
    await run(directory);
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
}

/** The three files of one `certs` run. */
interface CertFiles {
  ca: string;
  cert: string;
  key: string;
}

async function readCertFiles(directory: string): Promise<CertFiles> {
  return {
    ca: await Deno.readTextFile(`${directory}/ca.pem`),
    cert: await Deno.readTextFile(`${directory}/hub.pem`),
    key: await Deno.readTextFile(`${directory}/hub-key.pem`),
  };
}

async function writeLine(conn: Deno.Conn, text: string): Promise<void> {
  const bytes = encoder.encode(`${text}\n`);
  let offset = 0;
  while (offset < bytes.length) offset += await conn.write(bytes.subarray(offset));
}

async function readLine(conn: Deno.Conn): Promise<string | undefined> {
  const item = await new LineSource(conn).next();
  return item?.kind === "line" ? item.text : undefined;
}

/**
 * Accepts one connection, completes the handshake and swaps a line each way.
 *
 * @returns The line the hub received and the line the node received.
 */
async function exchangeLines(
  listener: Deno.TlsListener,
  connect: () => Promise<Deno.TlsConn>,
): Promise<{ atHub: string | undefined; atNode: string | undefined }> {
  const hubSide = (async () => {
    using conn = await listener.accept();
    await conn.handshake();
    const line = await readLine(conn);
    await writeLine(conn, "hello node");
    return line;
  })();
  using client = await connect();
  await client.handshake();
  await writeLine(client, "hello hub");
  const atNode = await readLine(client);
  return { atHub: await hubSide, atNode };
}

/**
 * Runs a handshake that should fail, and returns the node's error and the hub's.
 */
async function failedHandshake(
  listener: Deno.TlsListener,
  connect: () => Promise<Deno.TlsConn>,
): Promise<{ atNode: Error; atHub: unknown }> {
  const hubSide = (async () => {
    using conn = await listener.accept();
    try {
      await conn.handshake();
      return undefined;
    } catch (error) {
      return error;
    }
  })();
  let atNode: Error | undefined;
  {
    using client = await connect();
    await assertRejects(client.handshake(), (error: Error) => {
      atNode = error;
      return true;
    });
  }
  return { atNode: atNode!, atHub: await hubSide };
}

Deno.test("certs makes a CA and a hub certificate that Deno's TLS accepts", async (t) => {
  await withTempDir(async (directory) => {
    const made = await runCli(["certs", directory, "--host", "hub.lan"]);
    assertEquals(made.code, 0, made.stderr);
    const files = await readCertFiles(directory);

    await t.step("it prints the files and the commands that use them", () => {
      assert(made.stdout.includes(`wrote ${directory}/ca.pem`), made.stdout);
      assert(made.stdout.includes(`wrote ${directory}/hub-key.pem`), made.stdout);
      assert(
        made.stdout.includes(
          `consensus serve --tls-cert ${directory}/hub.pem --tls-key ${directory}/hub-key.pem`,
        ),
        made.stdout,
      );
      assert(
        made.stdout.includes(`consensus join tls://HOST:PORT --tls-ca ${directory}/ca.pem`),
        made.stdout,
      );
      assert(made.stdout.includes("DNS:localhost, IP:127.0.0.1, IP:::1, DNS:hub.lan"));
    });

    await t.step("the key is PKCS#8 and only its owner may read it", async () => {
      assert(files.key.startsWith("-----BEGIN PRIVATE KEY-----\n"), files.key);
      assertEquals(files.key.match(/BEGIN/gu)?.length, 1);
      if (Deno.build.os !== "windows") {
        assertEquals((await Deno.stat(`${directory}/hub-key.pem`)).mode! & 0o777, 0o600);
      }
    });

    using listener = Deno.listenTls({
      hostname: "127.0.0.1",
      port: 0,
      cert: files.cert,
      key: files.key,
    });
    const { port } = listener.addr;

    await t.step("a node that trusts ca.pem connects to 127.0.0.1 and swaps lines", async () => {
      const swapped = await exchangeLines(
        listener,
        () => Deno.connectTls({ hostname: "127.0.0.1", port, caCerts: [files.ca] }),
      );
      assertEquals(swapped, { atHub: "hello hub", atNode: "hello node" });
    });

    // The name checked is the one given to startTls; the TCP connection goes to
    // 127.0.0.1 whatever the name, so "localhost" resolving to ::1 first, or
    // "hub.lan" resolving nowhere, does not matter here.
    for (const name of ["localhost", "hub.lan", "::1"]) {
      await t.step(`the certificate is valid for ${name}`, async () => {
        const swapped = await exchangeLines(
          listener,
          async () =>
            Deno.startTls(await Deno.connect({ hostname: "127.0.0.1", port }), {
              hostname: name,
              caCerts: [files.ca],
            }),
        );
        assertEquals(swapped, { atHub: "hello hub", atNode: "hello node" });
      });
    }

    await t.step("a name the certificate does not list is refused", async () => {
      const failed = await failedHandshake(
        listener,
        async () =>
          Deno.startTls(await Deno.connect({ hostname: "127.0.0.1", port }), {
            hostname: "elsewhere.lan",
            caCerts: [files.ca],
          }),
      );
      assert(
        failed.atNode.message.startsWith(
          'invalid peer certificate: certificate not valid for name "elsewhere.lan"',
        ),
        failed.atNode.message,
      );
    });

    await t.step("a node that trusts another CA refuses the hub", async () => {
      await withTempDir(async (other) => {
        const second = await runCli(["certs", other, "--host", "hub.lan"]);
        assertEquals(second.code, 0, second.stderr);
        const otherCa = await Deno.readTextFile(`${other}/ca.pem`);
        assert(otherCa !== files.ca);
        const failed = await failedHandshake(
          listener,
          () => Deno.connectTls({ hostname: "127.0.0.1", port, caCerts: [otherCa] }),
        );
        // rustls's words, on both sides: the node does not know the issuer,
        // and tells the hub so with a fatal alert.
        assert(failed.atNode instanceof Deno.errors.InvalidData, String(failed.atNode));
        assertEquals(failed.atNode.message, "invalid peer certificate: UnknownIssuer");
        assert(failed.atHub instanceof Deno.errors.InvalidData, String(failed.atHub));
        assertEquals(failed.atHub.message, "received fatal alert: UnknownCA");
      });
    });
  });
});

Deno.test("certs refuses to overwrite without --force and replaces with it", async () => {
  await withTempDir(async (directory) => {
    assertEquals((await runCli(["certs", directory])).code, 0);
    const before = await readCertFiles(directory);

    const again = await runCli(["certs", directory]);
    assertEquals(again.code, 1, again.stderr);
    assert(again.stderr.includes("already exist (give --force to replace)"), again.stderr);
    assert(again.stderr.includes(`${directory}/hub-key.pem`), again.stderr);
    assertEquals(await readCertFiles(directory), before);

    // A key file left readable by others must not keep that mode when replaced.
    await Deno.chmod(`${directory}/hub-key.pem`, 0o644);
    const forced = await runCli(["certs", directory, "--force"]);
    assertEquals(forced.code, 0, forced.stderr);
    const after = await readCertFiles(directory);
    assert(after.ca !== before.ca && after.key !== before.key);
    assertEquals((await Deno.stat(`${directory}/hub-key.pem`)).mode! & 0o777, 0o600);
  });
});

Deno.test("certs --help exits 0 and wrong arguments exit 2", async () => {
  const help = await runCli(["certs", "--help"]);
  assertEquals(help.code, 0, help.stderr);
  assert(help.stdout.startsWith("Usage: consensus certs DIR"), help.stdout);

  for (
    const [args, message] of [
      [["certs"], "Give one directory"],
      [["certs", "/tmp/x", "--days", "0"], 'Invalid --days "0"'],
      [["certs", "/tmp/x", "--host", "hub.lan:7337"], 'host "hub.lan:7337" is not an IP address'],
      [["certs", "/tmp/x", "--host", "a b"], 'host "a b" contains spaces'],
    ] as const
  ) {
    const result = await runCli([...args]);
    assertEquals(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
    assert(result.stderr.includes(message), result.stderr);
  }
});

Deno.test("the CA may only sign, the hub certificate is a server leaf for its hosts", async () => {
  const now = new Date("2030-01-01T00:00:00Z");
  const made = await createLanCertificates({ hosts: ["hub.lan", "192.168.1.20"], days: 30, now });
  assertEquals(Object.keys(made).sort(), [
    "caCertificate",
    "hubCertificate",
    "hubKey",
    "names",
    "notAfter",
  ]);
  const ca = new X509Certificate(made.caCertificate);
  const hub = new X509Certificate(made.hubCertificate);

  assert(/^CN=consensus private CA [0-9a-f]{8}$/u.test(ca.subject), ca.subject);
  const caBasic = ca.getExtension(BasicConstraintsExtension)!;
  assertEquals([caBasic.ca, caBasic.critical], [true, true]);
  assertEquals(
    ca.getExtension(KeyUsagesExtension)!.usages,
    KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign,
  );

  assertEquals(hub.issuer, ca.subject);
  assert(await hub.verify({ publicKey: ca.publicKey, signatureOnly: true }));
  assert(ca.serialNumber !== hub.serialNumber);
  const hubBasic = hub.getExtension(BasicConstraintsExtension)!;
  assertEquals([hubBasic.ca, hubBasic.critical], [false, true]);
  assertEquals(hub.getExtension(KeyUsagesExtension)!.usages, KeyUsageFlags.digitalSignature);
  assertEquals([...hub.getExtension(ExtendedKeyUsageExtension)!.usages], [
    ExtendedKeyUsage.serverAuth,
  ]);
  assertEquals(hub.getExtension(SubjectAlternativeNameExtension)!.names.toJSON(), [
    { type: "dns", value: "localhost" },
    { type: "ip", value: "127.0.0.1" },
    { type: "ip", value: "::1" },
    { type: "dns", value: "hub.lan" },
    { type: "ip", value: "192.168.1.20" },
  ]);
  assertEquals(made.names.at(-1), "IP:192.168.1.20");

  // Validity starts an hour early for clock skew and lasts `days` from now.
  assertEquals(hub.notAfter.getTime(), now.getTime() + 30 * DAY_MS);
  assertEquals(hub.notBefore.getTime(), now.getTime() - 60 * 60 * 1000);
  assertEquals(made.notAfter, hub.notAfter);

  // The key is the one the hub certificate names.
  const key = await crypto.subtle.importKey(
    "pkcs8",
    Uint8Array.from(atob(made.hubKey.replace(/-----[^-]+-----|\s/gu, "")), (c) => c.charCodeAt(0)),
    { name: "ECDSA", namedCurve: "P-256" },
    false,
    ["sign"],
  );
  const data = encoder.encode("proof");
  const signature = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key, data);
  const publicKey = await hub.publicKey.export({ name: "ECDSA", namedCurve: "P-256" }, ["verify"]);
  assert(
    await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, publicKey, signature, data),
  );
});

Deno.test("hosts are told apart as DNS names and IP addresses, once each", () => {
  assertEquals(subjectAltNames(["HUB.lan.", "localhost", "10.0.0.2", "[fe80::0:1]", "0:0::1"]), [
    { type: "dns", value: "localhost" },
    { type: "ip", value: "127.0.0.1" },
    { type: "ip", value: "::1" },
    { type: "dns", value: "hub.lan" },
    { type: "ip", value: "10.0.0.2" },
    { type: "ip", value: "fe80::1" },
  ]);
});

Deno.test("wrong options are refused before any key is made", async () => {
  const cases: [Parameters<typeof createLanCertificates>[0], ErrorConstructor, RegExp][] = [
    [{ hosts: [""] }, TypeError, /a host must be a non-empty string/u],
    [{ hosts: ["hub lan"] }, TypeError, /host "hub lan" contains spaces/u],
    [{ hosts: ["hub_lan"] }, TypeError, /neither a DNS name nor an IP address/u],
    [{ hosts: ["10.0.0.256"] }, TypeError, /neither a DNS name nor an IP address/u],
    [{ hosts: ["10.0.0.1:7337"] }, TypeError, /is not an IP address/u],
    [{ hosts: [] as string[], days: 0 }, RangeError, /from 1 to 3650, got 0/u],
    [{ hosts: [] as string[], days: 3651 }, RangeError, /from 1 to 3650, got 3651/u],
    [{ hosts: [] as string[], days: 1.5 }, RangeError, /whole number/u],
  ];
  for (const [options, type, message] of cases) {
    await assertRejects(createLanCertificates(options), (error: Error) => {
      assert(error instanceof type, `${JSON.stringify(options)}: ${error}`);
      assert(message.test(error.message), error.message);
      assert(error.message.startsWith("Cannot create certificates: "), error.message);
      return true;
    });
  }
});
