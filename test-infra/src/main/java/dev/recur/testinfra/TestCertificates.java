package dev.recur.testinfra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A certificate authority and a server certificate signed by it, made at test time with the running JDK's
 * {@code keytool} (no key material is kept in the repository): a PKCS12 key store with the server's key and chain,
 * and a PKCS12 trust store with the CA, both under one password. The server certificate names {@code 127.0.0.1}
 * and {@code localhost}, so clients verify the host name as they would in production.
 */
public record TestCertificates(Path keyStore, Path trustStore, Path caCertificate, String password) {

    public static final String STORE_TYPE = "PKCS12";

    /** The files in {@code dir}, made there the first time (a restarted server keeps its certificate). */
    public static TestCertificates in(Path dir) {
        Path keyStore = dir.resolve("server.p12");
        Path trustStore = dir.resolve("truststore.p12");
        Path ca = dir.resolve("ca.pem");
        Path passwordFile = dir.resolve("store-password");
        try {
            if (Files.exists(keyStore) && Files.exists(trustStore) && Files.exists(passwordFile)) {
                return new TestCertificates(
                        keyStore, trustStore, ca, Files.readString(passwordFile).trim());
            }
            Files.createDirectories(dir);
            byte[] random = new byte[12];
            new SecureRandom().nextBytes(random);
            String password = HexFormat.of().formatHex(random);
            Path caStore = dir.resolve("ca.p12");
            Path request = dir.resolve("server.csr");
            Path signed = dir.resolve("server.pem");
            for (Path file : List.of(caStore, keyStore, trustStore, request, signed, ca)) {
                Files.deleteIfExists(file);
            }
            keytool(
                    dir,
                    "-genkeypair",
                    "-alias",
                    "ca",
                    "-keyalg",
                    "RSA",
                    "-keysize",
                    "2048",
                    "-validity",
                    "30",
                    "-dname",
                    "CN=Recur test CA",
                    "-ext",
                    "bc:c",
                    "-keystore",
                    caStore,
                    "-storepass",
                    password);
            keytool(
                    dir,
                    "-exportcert",
                    "-rfc",
                    "-alias",
                    "ca",
                    "-keystore",
                    caStore,
                    "-storepass",
                    password,
                    "-file",
                    ca);
            keytool(
                    dir,
                    "-genkeypair",
                    "-alias",
                    "server",
                    "-keyalg",
                    "RSA",
                    "-keysize",
                    "2048",
                    "-validity",
                    "30",
                    "-dname",
                    "CN=localhost",
                    "-keystore",
                    keyStore,
                    "-storepass",
                    password);
            keytool(
                    dir,
                    "-certreq",
                    "-alias",
                    "server",
                    "-keystore",
                    keyStore,
                    "-storepass",
                    password,
                    "-file",
                    request);
            keytool(
                    dir,
                    "-gencert",
                    "-rfc",
                    "-alias",
                    "ca",
                    "-keystore",
                    caStore,
                    "-storepass",
                    password,
                    "-infile",
                    request,
                    "-outfile",
                    signed,
                    "-validity",
                    "30",
                    "-ext",
                    "SAN=ip:127.0.0.1,dns:localhost",
                    "-ext",
                    "KU=digitalSignature,keyEncipherment",
                    "-ext",
                    "EKU=serverAuth");
            keytool(
                    dir,
                    "-importcert",
                    "-noprompt",
                    "-alias",
                    "ca",
                    "-file",
                    ca,
                    "-keystore",
                    keyStore,
                    "-storepass",
                    password);
            keytool(
                    dir,
                    "-importcert",
                    "-noprompt",
                    "-alias",
                    "server",
                    "-file",
                    signed,
                    "-keystore",
                    keyStore,
                    "-storepass",
                    password);
            keytool(
                    dir,
                    "-importcert",
                    "-noprompt",
                    "-alias",
                    "ca",
                    "-file",
                    ca,
                    "-keystore",
                    trustStore,
                    "-storetype",
                    STORE_TYPE,
                    "-storepass",
                    password);
            Files.delete(caStore);
            Files.writeString(passwordFile, password + "\n");
            return new TestCertificates(keyStore, trustStore, ca, password);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void keytool(Path dir, Object... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        for (Object arg : args) {
            command.add(arg.toString());
        }
        Path log = dir.resolve("keytool.out");
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()))
                .start();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("keytool " + args[0] + " did not finish");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException("keytool " + args[0] + " failed:\n" + Files.readString(log));
        }
    }
}
