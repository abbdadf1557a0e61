package dev.recur.testinfra;

import org.testcontainers.containers.GenericContainer;

/**
 * A server of the test infrastructure as a Testcontainers container, where a Docker engine runs: the container's
 * own start waits until its image's readiness check passes, and stop removes it.
 */
abstract class ContainerServer<C extends GenericContainer<?>> implements Server {

    protected final C container;

    ContainerServer(C container) {
        this.container = container;
    }

    @Override
    public void start() {
        container.start();
    }

    @Override
    public void stop() {
        container.stop();
    }
}
