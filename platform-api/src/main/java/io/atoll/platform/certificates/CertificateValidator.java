package io.atoll.platform.certificates;

import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import io.atoll.platform.web.ApiException;

/**
 * Checks an uploaded chain and key with the JDK alone, and says what is wrong in words a user
 * can act on. The rules:
 * <ul>
 * <li>the chain is PEM certificates, the leaf first, each one signed by the next;
 * <li>the key is an unencrypted PKCS#8 PEM key ({@code BEGIN PRIVATE KEY}), RSA or EC, and signs
 *     what the leaf's public key verifies;
 * <li>every certificate is valid now (an expired one is refused, not stored for later);
 * <li>the chain is complete: it ends at a self-signed root included in the upload (a private CA,
 *     or a self-signed certificate alone), or at a certificate issued by a root the JDK trusts
 *     ({@code cacerts}); either way PKIX path validation (no revocation check) must pass;
 * <li>the leaf names its hosts in subjectAltName DNS entries (the CN is not read).
 * </ul>
 */
final class CertificateValidator {

    private static final Pattern PEM_BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");

    /** What the JDK's trust store vouches for; read once. */
    private static final Set<TrustAnchor> JDK_ROOTS = jdkRoots();

    private final int maxChainLength;

    CertificateValidator(int maxChainLength) {
        this.maxChainLength = maxChainLength;
    }

    /** A chain and key that passed every check. */
    record Checked(List<X509Certificate> chain, PrivateKey key, List<String> dnsNames, String fingerprint) {

        X509Certificate leaf() {
            return chain.get(0);
        }

        Instant notBefore() {
            return leaf().getNotBefore().toInstant();
        }

        Instant notAfter() {
            return leaf().getNotAfter().toInstant();
        }
    }

    /** @throws ApiException 400 naming the first thing wrong */
    Checked check(String chainPem, String keyPem, Instant now) {
        List<X509Certificate> chain = parseChain(chainPem);
        PrivateKey key = parseKey(keyPem, chain.get(0).getPublicKey().getAlgorithm());
        X509Certificate leaf = chain.get(0);
        if (!signsFor(key, leaf.getPublicKey())) {
            throw invalid("key: does not match the leaf certificate's public key (" + describe(leaf) + ")");
        }
        for (int i = 0; i < chain.size(); i++) {
            X509Certificate cert = chain.get(i);
            try {
                cert.checkValidity(Date.from(now));
            } catch (CertificateExpiredException e) {
                throw invalid("chain: certificate " + (i + 1) + " (" + describe(cert) + ") expired at "
                        + cert.getNotAfter().toInstant());
            } catch (CertificateNotYetValidException e) {
                throw invalid("chain: certificate " + (i + 1) + " (" + describe(cert) + ") is not valid before "
                        + cert.getNotBefore().toInstant());
            }
        }
        for (int i = 0; i + 1 < chain.size(); i++) {
            X509Certificate cert = chain.get(i);
            X509Certificate next = chain.get(i + 1);
            if (!cert.getIssuerX500Principal().equals(next.getSubjectX500Principal()) || !signedBy(cert, next)) {
                throw invalid("chain: certificate " + (i + 1) + " (" + describe(cert) + ") is not issued by certificate "
                        + (i + 2) + " (" + describe(next) + "): the chain is the leaf first, then each issuer in order");
            }
        }
        validatePath(chain, now);
        List<String> names = dnsNames(leaf);
        if (names.isEmpty()) {
            throw invalid("chain: the leaf certificate (" + describe(leaf) + ") names no host in subjectAltName"
                    + " (DNS entries; its CN is not used)");
        }
        return new Checked(List.copyOf(chain), key, names, fingerprint(leaf));
    }

    private List<X509Certificate> parseChain(String pem) {
        if (pem == null || pem.isBlank()) {
            throw invalid("chain: required, the PEM certificates (leaf first)");
        }
        List<byte[]> blocks = pemBlocks(pem, "chain");
        if (blocks.isEmpty()) {
            throw invalid("chain: no PEM certificate (-----BEGIN CERTIFICATE-----) found");
        }
        if (blocks.size() > maxChainLength) {
            throw invalid("chain: " + blocks.size() + " certificates; at most " + maxChainLength);
        }
        List<X509Certificate> chain = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (int i = 0; i < blocks.size(); i++) {
                try {
                    chain.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(blocks.get(i))));
                } catch (CertificateException | ClassCastException e) {
                    throw invalid("chain: certificate " + (i + 1) + " is not an X.509 certificate");
                }
            }
        } catch (CertificateException e) {
            throw new IllegalStateException("X.509 is not available in this JDK", e);
        }
        return chain;
    }

    /** PEM blocks of type CERTIFICATE; anything else between them besides whitespace is refused. */
    private static List<byte[]> pemBlocks(String pem, String field) {
        List<byte[]> blocks = new ArrayList<>();
        Matcher matcher = PEM_BLOCK.matcher(pem);
        int end = 0;
        while (matcher.find()) {
            if (!pem.substring(end, matcher.start()).isBlank()) {
                throw invalid(field + ": text outside the PEM blocks");
            }
            if (!matcher.group(1).equals("CERTIFICATE")) {
                throw invalid(field + ": a " + matcher.group(1) + " block; only CERTIFICATE blocks belong in the chain");
            }
            blocks.add(base64(matcher.group(2), field));
            end = matcher.end();
        }
        if (!pem.substring(end).isBlank()) {
            throw invalid(field + ": not PEM certificates (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----)");
        }
        return blocks;
    }

    private static PrivateKey parseKey(String pem, String algorithm) {
        if (pem == null || pem.isBlank()) {
            throw invalid("key: required, the PEM private key");
        }
        Matcher matcher = PEM_BLOCK.matcher(pem.strip());
        if (!matcher.matches()) {
            throw invalid("key: not one PEM private key (-----BEGIN PRIVATE KEY----- ... -----END PRIVATE KEY-----)");
        }
        String type = matcher.group(1);
        switch (type) {
            case "PRIVATE KEY" -> {
            }
            case "ENCRYPTED PRIVATE KEY" -> throw invalid("key: encrypted with a passphrase; upload it unencrypted"
                    + " (openssl pkcs8 -topk8 -nocrypt), Atoll encrypts it at rest itself");
            case "RSA PRIVATE KEY", "EC PRIVATE KEY" -> throw invalid("key: " + type + " (PKCS#1/SEC1) form; convert it"
                    + " to PKCS#8 with openssl pkcs8 -topk8 -nocrypt");
            default -> throw invalid("key: a " + type + " block, not a PRIVATE KEY");
        }
        byte[] der = base64(matcher.group(2), "key");
        if (!algorithm.equals("RSA") && !algorithm.equals("EC")) {
            throw invalid("key: the leaf's key is " + algorithm + "; RSA and EC keys are supported");
        }
        try {
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (InvalidKeySpecException e) {
            throw invalid("key: not an " + algorithm + " private key, as the leaf certificate's is");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm + " is not available in this JDK", e);
        }
    }

    private static byte[] base64(String body, String field) {
        try {
            return Base64.getMimeDecoder().decode(body.replaceAll("\\s", ""));
        } catch (IllegalArgumentException e) {
            throw invalid(field + ": a PEM block that is not base64");
        }
    }

    /** By signing: works for RSA and EC alike, and proves the key, not just equal numbers. */
    private static boolean signsFor(PrivateKey key, PublicKey publicKey) {
        String algorithm = publicKey.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static boolean signedBy(X509Certificate cert, X509Certificate issuer) {
        try {
            cert.verify(issuer.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static boolean selfSigned(X509Certificate cert) {
        return cert.getSubjectX500Principal().equals(cert.getIssuerX500Principal()) && signedBy(cert, cert);
    }

    private static void validatePath(List<X509Certificate> chain, Instant now) {
        X509Certificate last = chain.get(chain.size() - 1);
        Set<TrustAnchor> anchors;
        List<X509Certificate> path;
        if (selfSigned(last)) {
            anchors = Set.of(new TrustAnchor(last, null));
            path = chain.size() == 1 ? chain : chain.subList(0, chain.size() - 1);
        } else {
            anchors = JDK_ROOTS;
            path = chain;
        }
        try {
            PKIXParameters parameters = new PKIXParameters(anchors);
            parameters.setRevocationEnabled(false);
            parameters.setDate(Date.from(now));
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            CertPathValidator.getInstance("PKIX").validate(factory.generateCertPath(path), parameters);
        } catch (CertPathValidatorException e) {
            if (anchors == JDK_ROOTS && (e.getReason() == CertPathValidatorException.BasicReason.UNSPECIFIED
                    || e.getReason() == java.security.cert.PKIXReason.NO_TRUST_ANCHOR)) {
                throw invalid("chain: incomplete: the last certificate (" + describe(last) + ") is issued by "
                        + last.getIssuerX500Principal().getName() + ", which is neither in the chain nor a root"
                        + " the JDK trusts; add the intermediate certificates (and a private CA's root)");
            }
            throw invalid("chain: does not validate: " + e.getMessage());
        } catch (GeneralSecurityException e) {
            throw invalid("chain: does not validate: " + e.getMessage());
        }
    }

    private static List<String> dnsNames(X509Certificate leaf) {
        List<String> names = new ArrayList<>();
        try {
            var alternatives = leaf.getSubjectAlternativeNames();
            if (alternatives != null) {
                Set<String> seen = new HashSet<>();
                for (List<?> entry : alternatives) {
                    if (entry.size() >= 2 && Integer.valueOf(2).equals(entry.get(0)) && entry.get(1) instanceof String name) {
                        String lower = name.toLowerCase(Locale.ROOT);
                        if (seen.add(lower)) {
                            names.add(lower);
                        }
                    }
                }
            }
        } catch (CertificateException e) {
            throw invalid("chain: the leaf's subjectAltName cannot be read");
        }
        return names;
    }

    /** Whether a SAN entry ({@code a.example.com} or {@code *.example.com}) covers {@code host}, as TLS clients match. */
    static boolean covers(String san, String host) {
        if (san.equals(host)) {
            return true;
        }
        if (san.startsWith("*.") && !host.startsWith("*.")) {
            int dot = host.indexOf('.');
            return dot > 0 && host.substring(dot + 1).equals(san.substring(2));
        }
        return false;
    }

    static String fingerprint(X509Certificate cert) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static String describe(X509Certificate cert) {
        return ApiException.quote(cert.getSubjectX500Principal().getName());
    }

    private static ApiException invalid(String error) {
        return ApiException.invalid(List.of(error));
    }

    private static Set<TrustAnchor> jdkRoots() {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init((KeyStore) null);
            Set<TrustAnchor> anchors = new HashSet<>();
            for (var manager : factory.getTrustManagers()) {
                if (manager instanceof X509TrustManager x509) {
                    for (X509Certificate root : x509.getAcceptedIssuers()) {
                        anchors.add(new TrustAnchor(root, null));
                    }
                }
            }
            return Set.copyOf(anchors);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("The JDK's trust store cannot be read", e);
        }
    }
}
