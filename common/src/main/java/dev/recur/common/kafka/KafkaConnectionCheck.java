package dev.recur.common.kafka;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;

/**
 * Learns whether each reachable bootstrap address speaks TLS (a handshake, nothing else sent), then asks the cluster
 * for its id once, at start-up, and turns the ways a client's security settings can be wrong into
 * one message naming the setting: Kafka's clients themselves retry a listener that speaks another protocol forever,
 * logging only that the broker disconnected.
 *
 * <p>Only positive evidence stops a service: credentials or a certificate the broker rejects, or a listener that
 * speaks TLS to a client configured without it (or the reverse). A broker that cannot be reached at all is an
 * outage, not a setting: the check then returns and the clients keep retrying, as they always do.
 */
public final class KafkaConnectionCheck {

    private static final System.Logger LOG = System.getLogger(KafkaConnectionCheck.class.getName());
    private static final int CONNECT_TIMEOUT_MS = 3_000;
    /** A busy broker may take a while over a TLS handshake; a silent one makes the probe inconclusive. */
    private static final int HANDSHAKE_TIMEOUT_MS = 10_000;

    private static final String SEE_DOCS = " (docs/operations.md, \"Secured Kafka\")";

    private KafkaConnectionCheck() {}

    /**
     * Returns once the cluster answered, or when it cannot be reached at all.
     *
     * @throws KafkaMisconfiguredException when the security settings do not match the listener
     */
    public static void verify(KafkaClients clients, Duration timeout) {
        String servers = clients.bootstrapServers();
        String protocol = clients.securityProtocol();
        List<InetSocketAddress> reachable = new ArrayList<>();
        for (String server : servers.split(",")) {
            InetSocketAddress address = address(server.trim());
            if (address != null && accepts(address)) {
                reachable.add(address);
            }
        }
        if (reachable.isEmpty()) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "Kafka at {0} cannot be reached yet; the clients keep trying",
                    servers);
            return;
        }
        // Before any Kafka client connects: one without TLS reads a TLS listener's alert as the size of a response
        // and allocates it, about 336 MB (KAFKA-4090), which kills a service with a small heap before it can say why.
        rejectProtocolMismatch(reachable, protocol);
        int ms = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        Admin admin;
        try {
            admin = clients.admin(Map.of(
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                    ms,
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                    ms,
                    AdminClientConfig.CLIENT_ID_CONFIG,
                    "recur-kafka-check"));
        } catch (KafkaException e) {
            throw new KafkaMisconfiguredException("the kafka.* settings are invalid: " + messages(e) + SEE_DOCS, e);
        }
        String answer = "no answer within " + timeout;
        try {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs(ms))
                    .clusterId()
                    .get(ms + 5_000L, TimeUnit.MILLISECONDS);
            return;
        } catch (ExecutionException e) {
            rejectAuthenticationFailure(e.getCause(), protocol, servers);
            answer = messages(e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            // silence: an outage or a listener that wants SASL, said below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } finally {
            admin.close(Duration.ZERO);
        }
        LOG.log(
                System.Logger.Level.WARNING,
                "Kafka at {0} accepts connections but did not describe the cluster over"
                        + " kafka.security.protocol={1} ({2}); if its listener wants SASL, set kafka.sasl.mechanism and"
                        + " kafka.sasl.jaas.config",
                reachable,
                protocol,
                answer);
    }

    private static void rejectAuthenticationFailure(Throwable cause, String protocol, String servers) {
        if (cause instanceof SaslAuthenticationException) {
            throw new KafkaMisconfiguredException(
                    "Kafka at " + servers + " rejected this service's SASL login"
                            + " (kafka.sasl.mechanism, kafka.sasl.jaas.config): " + cause.getMessage() + SEE_DOCS,
                    cause);
        }
        if (cause instanceof SslAuthenticationException) {
            throw new KafkaMisconfiguredException(
                    "the TLS handshake with Kafka at " + servers + " failed"
                            + " (kafka.ssl.truststore.*, kafka.ssl.endpoint.identification.algorithm, and kafka.ssl.keystore.*"
                            + " where the broker wants client certificates): " + messages(cause) + SEE_DOCS,
                    cause);
        }
        if (cause instanceof AuthenticationException) {
            throw new KafkaMisconfiguredException(
                    "Kafka at " + servers + " did not accept this service over" + " kafka.security.protocol=" + protocol
                            + ": " + messages(cause) + SEE_DOCS,
                    cause);
        }
    }

    /**
     * A listener that speaks TLS to a client without it (or the reverse) stops the service; a probe that learns
     * nothing (no answer to a handshake) leaves the question to the clients.
     */
    private static void rejectProtocolMismatch(List<InetSocketAddress> reachable, String protocol) {
        boolean clientUsesTls = protocol.endsWith("SSL");
        for (InetSocketAddress address : reachable) {
            String server = address.getHostString() + ":" + address.getPort();
            Boolean speaksTls = speaksTls(address);
            if (Boolean.TRUE.equals(speaksTls) && !clientUsesTls) {
                throw new KafkaMisconfiguredException("Kafka at " + server + " expects TLS, but this service"
                        + " connects with kafka.security.protocol=" + protocol + ": set kafka.security.protocol to"
                        + " SASL_SSL (or SSL), the CA to trust in kafka.ssl.truststore.*, and for SASL"
                        + " kafka.sasl.mechanism and kafka.sasl.jaas.config" + SEE_DOCS);
            }
            if (Boolean.FALSE.equals(speaksTls) && clientUsesTls) {
                throw new KafkaMisconfiguredException("Kafka at " + server + " does not speak TLS, but this"
                        + " service connects with kafka.security.protocol=" + protocol + ": point"
                        + " kafka.bootstrap.servers at the broker's TLS listener, or set kafka.security.protocol to"
                        + " PLAINTEXT or SASL_PLAINTEXT" + SEE_DOCS);
            }
        }
    }

    private static boolean accepts(InetSocketAddress address) {
        try (Socket socket = new Socket()) {
            socket.connect(address, CONNECT_TIMEOUT_MS);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * true if the server completes a TLS handshake, false if it drops the connection over one, null if it cannot be
     * reached or says nothing.
     */
    static Boolean speaksTls(InetSocketAddress address) {
        try (Socket plain = new Socket()) {
            plain.connect(address, CONNECT_TIMEOUT_MS);
            plain.setSoTimeout(HANDSHAKE_TIMEOUT_MS);
            try (SSLSocket tls = (SSLSocket) probeContext()
                    .getSocketFactory()
                    .createSocket(plain, address.getHostString(), address.getPort(), false)) {
                tls.startHandshake();
                return true;
            } catch (SSLException e) {
                // a TLS alert (e.g. a client certificate is required) is an answer in TLS too
                return e.getMessage() != null && e.getMessage().contains("alert");
            } catch (SocketTimeoutException e) {
                return null;
            } catch (IOException e) {
                return false;
            }
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Accepts any certificate: the probe only learns which protocol the port speaks and sends nothing over the
     * connection; the clients verify the broker with the configured truststore.
     */
    private static SSLContext probeContext() throws IOException {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(
                    null,
                    new TrustManager[] {
                        new X509TrustManager() {
                            @Override
                            public void checkClientTrusted(X509Certificate[] chain, String authType) {}

                            @Override
                            public void checkServerTrusted(X509Certificate[] chain, String authType) {}

                            @Override
                            public X509Certificate[] getAcceptedIssuers() {
                                return new X509Certificate[0];
                            }
                        }
                    },
                    new SecureRandom());
            return context;
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    private static InetSocketAddress address(String server) {
        int colon = server.lastIndexOf(':');
        if (colon <= 0) {
            return null;
        }
        try {
            String host = server.substring(0, colon).replace("[", "").replace("]", "");
            return new InetSocketAddress(host, Integer.parseInt(server.substring(colon + 1)));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String messages(Throwable e) {
        StringBuilder text = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            text.append(": ").append(cause.getMessage());
        }
        return text.toString();
    }
}
