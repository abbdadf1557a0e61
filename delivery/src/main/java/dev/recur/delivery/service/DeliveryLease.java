package dev.recur.delivery.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.recur.delivery.config.DeliveryConfig;
import dev.recur.delivery.domain.LeaseHolder;
import dev.recur.delivery.repository.DeliveryRepository;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * This process's leases on delivery rows. An attempt is leased from the moment it is taken (inserted for a consumed
 * job, or claimed by the retrier) until its outcome is recorded; while the process holds it (running, or queued for
 * a worker) the lease is renewed every third of its length, all held rows in one statement. So a live instance keeps
 * its attempts however long they wait, a dead one's become due again one lease after its last renewal, and a
 * restarted instance with an {@code instance-id} takes back at once what its previous run held.
 */
@ApplicationScoped
public class DeliveryLease {

    private static final Logger LOG = Logger.getLogger(DeliveryLease.class);

    private final DeliveryRepository deliveries;
    private final LeaseHolder holder;
    private final Duration length;
    private final Clock clock;
    private final Set<Long> held = ConcurrentHashMap.newKeySet();
    private volatile boolean reclaimed;
    private ScheduledExecutorService timer;

    @Inject
    DeliveryLease(DeliveryRepository deliveries, DeliveryConfig config, Clock clock) {
        this(deliveries, config.instanceId(), config.retry().lease(), clock);
        requireLongerThanCallbacks(config.retry().lease(), config.callback().timeout());
    }

    DeliveryLease(DeliveryRepository deliveries, Optional<String> instanceId, Duration length, Clock clock) {
        this.deliveries = deliveries;
        this.holder = new LeaseHolder(instanceId.filter(id -> !id.isBlank()), UUID.randomUUID());
        this.length = length;
        this.clock = clock;
    }

    /** A callback attempt must end well within its lease, whose renewals are a third of it apart. */
    static void requireLongerThanCallbacks(Duration lease, Duration callbackTimeout) {
        if (callbackTimeout.compareTo(lease) >= 0) {
            throw new IllegalStateException("recur.delivery.retry.lease (" + lease
                    + ") must be longer than recur.delivery.callback.timeout (" + callbackTimeout + ")");
        }
    }

    void start(@Observes StartupEvent event) {
        timer = Executors.newSingleThreadScheduledExecutor(new NamedThreads("delivery-lease"));
        long every = Math.max(1, length.toMillis() / 3);
        timer.scheduleWithFixedDelay(this::beat, 0, every, TimeUnit.MILLISECONDS);
    }

    public LeaseHolder holder() {
        return holder;
    }

    /** The end of a lease taken or renewed now. */
    public Instant until() {
        return clock.instant().plus(length);
    }

    /** Marks attempts as held by this process: their leases are renewed until {@link #release}. */
    public void hold(long id) {
        held.add(id);
    }

    /** The attempts' outcomes are recorded (or cannot be): their leases are no longer renewed. */
    public void release(Collection<Long> ids) {
        held.removeAll(ids);
    }

    /** The attempts this process holds now. */
    public Set<Long> held() {
        return Set.copyOf(held);
    }

    void beat() {
        try {
            if (!reclaimed) {
                reclaim();
            }
            renew();
        } catch (RuntimeException e) {
            LOG.warnf(
                    e,
                    "cannot renew the leases of %d delivery attempts; trying again in %d ms",
                    held.size(),
                    Math.max(1, length.toMillis() / 3));
        }
    }

    /** Takes back at once the attempts that earlier processes of this instance held when they died. */
    int reclaim() {
        int taken = deliveries.reclaim(holder, clock.instant());
        reclaimed = true;
        if (taken > 0) {
            LOG.infof(
                    "took back %d delivery attempts that an earlier run of instance %s held",
                    taken, holder.owner().orElseThrow());
        }
        return taken;
    }

    /** Extends the leases of every attempt this process holds, in one statement. */
    int renew() {
        List<Long> ids = List.copyOf(held);
        return ids.isEmpty() ? 0 : deliveries.renew(ids, holder, until());
    }

    @PreDestroy
    void stop() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
