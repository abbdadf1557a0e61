package dev.recur.testinfra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * PostgreSQL from zonky's embedded binaries (a real {@code postgres} process), in this JVM's care. Works as
 * root: zonky runs initdb and postgres through {@code unshare} then.
 */
public final class EmbeddedPostgresServer implements PostgresServer {

    private final Path dataDir;
    private final int port;
    private final boolean durable;
    private EmbeddedPostgres postgres;

    /**
     * @param durable false for tests (fsync off: a crash of the machine may lose the last commits, a crash of
     *                a process never does); true for the local run
     */
    public EmbeddedPostgresServer(Path dataDir, int port, boolean durable) {
        this.dataDir = dataDir.toAbsolutePath();
        this.port = port == 0 ? Ports.free() : port;
        this.durable = durable;
    }

    @Override
    public String host() {
        return "127.0.0.1";
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public String username() {
        return "postgres";
    }

    @Override
    public String password() {
        return "postgres";
    }

    @Override
    public synchronized void start() {
        if (postgres != null) {
            return;
        }
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setPort(port)
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("max_connections", "300");
            if (durable) {
                // zonky starts PostgreSQL with -F and synchronous_commit=off; a local run keeps its data safe
                builder.setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on");
            } else {
                builder.setServerConfig("fsync", "off")
                        .setServerConfig("synchronous_commit", "off")
                        .setServerConfig("full_page_writes", "off");
            }
            // diagnostics of a benchmark run, e.g. -Drecur.postgres.preload=pg_stat_statements (off by default:
            // the statistics cost CPU on every statement)
            String preload = System.getProperty("recur.postgres.preload", "");
            if (!preload.isBlank()) {
                builder.setServerConfig("shared_preload_libraries", preload);
                if (preload.contains("pg_stat_statements")) {
                    builder.setServerConfig("pg_stat_statements.track_planning", "on");
                }
            }
            postgres = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start PostgreSQL on port " + port, e);
        }
    }

    @Override
    public synchronized void stop() {
        if (postgres != null) {
            try {
                postgres.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                postgres = null;
            }
        }
    }
}
