package dev.recur.jobrunner;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** WireMock in the role of the Oxylabs-compatible scraper and of the pages the built-in fetcher reads. */
public class ScraperWireMockResource implements QuarkusTestResourceLifecycleManager {

    static final String USER = "recur-test";
    static final String PASSWORD = "s3cret";

    /** Marks the test field that receives the running server. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    @interface InjectScraper {}

    private WireMockServer server;

    @Override
    public Map<String, String> start() {
        server = new WireMockServer(options().dynamicPort().containerThreads(40));
        server.start();
        return Map.of(
                "recur.job-runner.oxylabs.base-url", server.baseUrl(),
                "recur.job-runner.oxylabs.username", USER,
                "recur.job-runner.oxylabs.password", PASSWORD);
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(
                server, new TestInjector.AnnotatedAndMatchesType(InjectScraper.class, WireMockServer.class));
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop();
        }
    }
}
