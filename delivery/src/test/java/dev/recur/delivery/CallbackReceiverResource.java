package dev.recur.delivery;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** A real HTTP server on a dynamic port as the callback receiver of every test of this module. */
public class CallbackReceiverResource implements QuarkusTestResourceLifecycleManager {

    private static WireMockServer server;

    static WireMockServer server() {
        return server;
    }

    static String url(String path) {
        return "http://127.0.0.1:" + server.port() + path;
    }

    /** The same receiver over TLS, with WireMock's self-signed certificate, which no trust store holds. */
    static String httpsUrl(String path) {
        return "https://127.0.0.1:" + server.httpsPort() + path;
    }

    @Override
    public Map<String, String> start() {
        // delayed answers must not hold the threads that answer other receivers
        server = new WireMockServer(options()
                .dynamicPort()
                .dynamicHttpsPort()
                .bindAddress("127.0.0.1")
                .containerThreads(64)
                .asynchronousResponseEnabled(true)
                .asynchronousResponseThreads(32));
        server.start();
        return Map.of();
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop();
        }
    }
}
