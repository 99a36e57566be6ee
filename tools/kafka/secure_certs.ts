/**
 * The secure dev broker's certificates, made on the spot with openssl into its state folder: a CA,
 * the broker's certificate (127.0.0.1 and localhost), a client certificate for mTLS, a broker
 * certificate that expired in 2020 (for the bad-credential tests), and a second CA that signs
 * nothing the broker shows (an untrusted CA, for the same tests). `makeRefusedClientCerts` makes,
 * in a folder of the caller's, the client certificates the mTLS listener refuses.
 *
 * @module
 */
import { exists, run } from "../dev/detached_process.ts";

/** The files `ensureCerts` makes, by role. */
export interface SecureCerts {
  readonly dir: string;
  /** The CA that signs the broker's and the client's certificates. */
  readonly ca: string;
  /** A CA that signs nothing of the broker's. */
  readonly otherCa: string;
  readonly clientCert: string;
  readonly clientKey: string;
}

/** The certificate files in `dir`. */
export function certsIn(dir: string): SecureCerts {
  return {
    dir,
    ca: `${dir}/ca.pem`,
    otherCa: `${dir}/other-ca.pem`,
    clientCert: `${dir}/client.pem`,
    clientKey: `${dir}/client.key`,
  };
}

const CA_CONFIG = `[ ca ]
default_ca = dev
[ dev ]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = any
copy_extensions = copy
[ any ]
commonName = supplied
`;

/** Runs `openssl ARGS` in `dir`; `what` names it when it fails. */
function opensslIn(dir: string): (what: string, ...args: string[]) => Promise<void> {
  return async (what, ...args) => {
    await run("sh", ["-c", `cd '${dir}' && openssl ${args.join(" ")}`], what);
  };
}

/** Prepares `dir` for `openssl ca` (the one openssl 3.0 command that takes start and end dates). */
async function caDatabase(dir: string): Promise<void> {
  await Deno.writeTextFile(`${dir}/ca.cnf`, CA_CONFIG);
  await Deno.writeTextFile(`${dir}/index.txt`, "");
  await Deno.writeTextFile(`${dir}/serial`, "1000\n");
}

/** Client certificates the mTLS listener refuses, by file (PEM certificate and key of each). */
export interface RefusedClientCerts {
  /** `CN=veltrix-rogue-client`, signed by a CA of its own (`CN=Rogue CA`) the broker does not trust. */
  readonly untrusted: { readonly cert: string; readonly key: string };
  /** `CN=veltrix-expired-client`, signed by the broker's CA, valid on 2020-01-01 only. */
  readonly expired: { readonly cert: string; readonly key: string };
}

/** Makes, in `dir` (the caller's, e.g. a temp folder), client certificates the broker of `certs` refuses. */
export async function makeRefusedClientCerts(dir: string, certs: SecureCerts): Promise<RefusedClientCerts> {
  const openssl = opensslIn(dir);
  await openssl(
    "rogue CA",
    "req -x509 -newkey rsa:2048 -nodes -keyout rogue-ca.key -out rogue-ca.pem -days 30",
    "-subj '/CN=Rogue CA'",
  );
  await Deno.writeTextFile(`${dir}/client.ext`, "extendedKeyUsage=clientAuth\n");
  await openssl(
    "rogue key",
    "req -newkey rsa:2048 -nodes -keyout rogue.key -out rogue.csr -subj '/CN=veltrix-rogue-client'",
  );
  await openssl(
    "rogue cert",
    "x509 -req -in rogue.csr -CA rogue-ca.pem -CAkey rogue-ca.key -CAcreateserial -out rogue.pem -days 30",
    "-extfile client.ext",
  );
  await caDatabase(dir);
  await openssl(
    "expired key",
    "req -newkey rsa:2048 -nodes -keyout old.key -out old.csr -subj '/CN=veltrix-expired-client'",
  );
  await openssl(
    "expired client cert",
    `ca -batch -config ca.cnf -cert '${certs.ca}' -keyfile '${certs.dir}/ca.key' -in old.csr -out old.pem -notext`,
    "-startdate 20200101000000Z -enddate 20200102000000Z",
  );
  return {
    untrusted: { cert: `${dir}/rogue.pem`, key: `${dir}/rogue.key` },
    expired: { cert: `${dir}/old.pem`, key: `${dir}/old.key` },
  };
}

/** Makes the certificates in `dir` unless they are there already. */
export async function ensureCerts(dir: string): Promise<SecureCerts> {
  const certs = certsIn(dir);
  if (await exists(`${dir}/.complete`)) return certs;
  await Deno.mkdir(dir, { recursive: true });
  const openssl = opensslIn(dir);
  const days = "-days 3650";
  await openssl(
    "CA",
    "req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem",
    days,
    "-subj '/CN=Veltrix dev CA'",
  );
  await openssl(
    "other CA",
    "req -x509 -newkey rsa:2048 -nodes -keyout other-ca.key -out other-ca.pem",
    days,
    "-subj '/CN=Other CA'",
  );
  await Deno.writeTextFile(
    `${dir}/broker.ext`,
    "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n",
  );
  await Deno.writeTextFile(`${dir}/client.ext`, "extendedKeyUsage=clientAuth\n");
  await openssl("broker key", "req -newkey rsa:2048 -nodes -keyout broker.key -out broker.csr -subj '/CN=127.0.0.1'");
  await openssl(
    "broker cert",
    "x509 -req -in broker.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out broker.crt",
    days,
    "-extfile broker.ext",
  );
  await openssl(
    "client key",
    "req -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj '/CN=veltrix-client'",
  );
  await openssl(
    "client cert",
    "x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client.pem",
    days,
    "-extfile client.ext",
  );
  // An expired broker certificate.
  await caDatabase(dir);
  await openssl(
    "expired key",
    "req -newkey rsa:2048 -nodes -keyout expired.key -out expired.csr -subj '/CN=127.0.0.1' -addext subjectAltName=IP:127.0.0.1",
  );
  await openssl(
    "expired cert",
    "ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key -in expired.csr -out expired.crt -notext",
    "-startdate 20200101000000Z -enddate 20200102000000Z",
  );
  // Kafka's PEM keystores: the private key (PKCS#8) followed by the certificate chain.
  const pem = async (...names: string[]) =>
    (await Promise.all(names.map((n) => Deno.readTextFile(`${dir}/${n}`)))).join("");
  await Deno.writeTextFile(`${dir}/broker.pem`, await pem("broker.key", "broker.crt", "ca.pem"));
  await Deno.writeTextFile(`${dir}/expired.pem`, await pem("expired.key", "expired.crt", "ca.pem"));
  await Deno.writeTextFile(`${dir}/.complete`, new Date().toISOString());
  return certs;
}
