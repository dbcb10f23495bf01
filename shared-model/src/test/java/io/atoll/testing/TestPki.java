package io.atoll.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A private certificate authority for tests, made by the real {@code openssl} CLI (no
 * BouncyCastle on the test classpaths): a self-signed root, optional intermediates, and leaf
 * certificates with SANs and chosen dates, RSA or EC keys in PKCS#8 PEM.
 */
public final class TestPki {

    public enum KeyType { RSA, EC }

    /** A leaf: its certificate, its key, and the chain a server sends (leaf, then each issuer up to the root). */
    public record Issued(String certPem, String keyPem, String chainPem, Path certFile, Path keyFile, Path chainFile) {
    }

    private static final DateTimeFormatter OPENSSL_DATE = DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final AtomicInteger SERIAL = new AtomicInteger();

    private final Path dir;
    private final Path cert;
    private final Path key;
    /** This CA's certificate followed by its issuers'. */
    private final String chainPem;

    private TestPki(Path dir, Path cert, Path key, String chainPem) {
        this.dir = dir;
        this.cert = cert;
        this.key = key;
        this.chainPem = chainPem;
    }

    /** A self-signed root CA in a new directory under {@code parent}. */
    public static TestPki root(Path parent, String name) {
        try {
            Path dir = Files.createTempDirectory(parent, "ca-");
            Path key = dir.resolve("ca.key");
            Path cert = dir.resolve("ca.crt");
            run(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(),
                    "-out", cert.toString(), "-days", "30", "-subj", "/CN=" + name,
                    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
            return new TestPki(dir, cert, key, Files.readString(cert));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An intermediate CA issued by this one. */
    public TestPki intermediate(String name) {
        Path sub = sub("int-");
        Path subKey = sub.resolve("ca.key");
        Path subCert = sub.resolve("ca.crt");
        genKey(KeyType.RSA, subKey);
        sign(subKey, subCert, "/CN=" + name, "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n",
                Instant.now().minus(1, ChronoUnit.HOURS), Instant.now().plus(20, ChronoUnit.DAYS));
        return new TestPki(sub, subCert, subKey, read(subCert) + chainPem);
    }

    /** The CA's own certificate. */
    public Path certFile() {
        return cert;
    }

    public String certPem() {
        return read(cert);
    }

    /** The self-signed root above this CA (itself, for a root): what a client trusts. */
    public String rootPem() {
        return chainPem.substring(chainPem.lastIndexOf("-----BEGIN CERTIFICATE-----"));
    }

    public Issued issue(String commonName, List<String> dnsNames, KeyType type) {
        return issue(commonName, dnsNames, type, Instant.now().minus(1, ChronoUnit.HOURS),
                Instant.now().plus(10, ChronoUnit.DAYS));
    }

    public Issued issue(String commonName, List<String> dnsNames, KeyType type, Instant notBefore, Instant notAfter) {
        Path leafDir = sub("leaf-");
        Path leafKey = leafDir.resolve("leaf.key");
        Path leafCert = leafDir.resolve("leaf.crt");
        genKey(type, leafKey);
        List<String> sans = new ArrayList<>();
        dnsNames.forEach(name -> sans.add("DNS:" + name));
        String ext = "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
                + (sans.isEmpty() ? "" : "subjectAltName=" + String.join(",", sans) + "\n");
        sign(leafKey, leafCert, "/CN=" + commonName, ext, notBefore, notAfter);
        String certPem = read(leafCert);
        Path chain = leafDir.resolve("chain.pem");
        write(chain, certPem + chainPem);
        return new Issued(certPem, read(leafKey), certPem + chainPem, leafCert, leafKey, chain);
    }

    private void sign(Path subjectKey, Path out, String subject, String extensions, Instant notBefore, Instant notAfter) {
        Path work = out.getParent();
        Path csr = work.resolve("req.csr");
        run(work, "openssl", "req", "-new", "-key", subjectKey.toString(), "-subj", subject, "-out", csr.toString());
        Path ext = work.resolve("ext.cnf");
        write(ext, extensions);
        write(work.resolve("index.txt"), "");
        write(work.resolve("serial"), String.format("%04X%n", 0x1000 + SERIAL.incrementAndGet()));
        write(work.resolve("ca.cnf"), """
                [ca]
                default_ca = test
                [test]
                database = index.txt
                new_certs_dir = .
                serial = serial
                default_md = sha256
                policy = any
                unique_subject = no
                [any]
                commonName = supplied
                """);
        run(work, "openssl", "ca", "-batch", "-notext", "-config", "ca.cnf", "-cert", cert.toString(),
                "-keyfile", key.toString(), "-in", csr.toString(), "-out", out.toString(),
                "-startdate", OPENSSL_DATE.format(notBefore), "-enddate", OPENSSL_DATE.format(notAfter),
                "-extfile", ext.toString());
    }

    private static void genKey(KeyType type, Path out) {
        if (type == KeyType.EC) {
            run(out.getParent(), "openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-out", out.toString());
        } else {
            run(out.getParent(), "openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
                    "-out", out.toString());
        }
    }

    private Path sub(String prefix) {
        try {
            return Files.createTempDirectory(dir, prefix);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void run(Path dir, String... command) {
        try {
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
            }
        } catch (IOException e) {
            throw new IllegalStateException(String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
