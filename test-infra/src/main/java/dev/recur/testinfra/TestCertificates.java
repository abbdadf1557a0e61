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

    private static final String VALIDITY_DAYS = "30";

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
            Keytool keytool = new Keytool(dir, password);
            keytool.newKeyPair(caStore, "ca", "CN=Recur test CA", "-ext", "bc:c");
            keytool.run("-exportcert", "-rfc", "-alias", "ca", "-keystore", caStore, "-file", ca);
            keytool.newKeyPair(keyStore, "server", "CN=localhost");
            keytool.run("-certreq", "-alias", "server", "-keystore", keyStore, "-file", request);
            keytool.run(
                    "-gencert",
                    "-rfc",
                    "-alias",
                    "ca",
                    "-keystore",
                    caStore,
                    "-infile",
                    request,
                    "-outfile",
                    signed,
                    "-validity",
                    VALIDITY_DAYS,
                    "-ext",
                    "SAN=ip:127.0.0.1,dns:localhost",
                    "-ext",
                    "KU=digitalSignature,keyEncipherment",
                    "-ext",
                    "EKU=serverAuth");
            keytool.importCertificate(keyStore, "ca", ca);
            keytool.importCertificate(keyStore, "server", signed);
            keytool.importCertificate(trustStore, "ca", ca, "-storetype", STORE_TYPE);
            Files.delete(caStore);
            Files.writeString(passwordFile, password + "\n");
            return new TestCertificates(keyStore, trustStore, ca, password);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The JDK's {@code keytool} run in one folder, on stores that share one password. */
    private record Keytool(Path dir, String password) {

        void newKeyPair(Path store, String alias, String distinguishedName, Object... more) throws IOException {
            List<Object> args = new ArrayList<>(List.of(
                    "-genkeypair",
                    "-alias",
                    alias,
                    "-keyalg",
                    "RSA",
                    "-keysize",
                    "2048",
                    "-validity",
                    VALIDITY_DAYS,
                    "-dname",
                    distinguishedName,
                    "-keystore",
                    store));
            args.addAll(List.of(more));
            run(args.toArray());
        }

        void importCertificate(Path store, String alias, Path certificate, Object... more) throws IOException {
            List<Object> args = new ArrayList<>(
                    List.of("-importcert", "-noprompt", "-alias", alias, "-file", certificate, "-keystore", store));
            args.addAll(List.of(more));
            run(args.toArray());
        }

        /** Runs {@code keytool} with these arguments and the store password. */
        void run(Object... args) throws IOException {
            List<String> command = new ArrayList<>();
            command.add(
                    Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
            for (Object arg : args) {
                command.add(arg.toString());
            }
            command.add("-storepass");
            command.add(password);
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
}
