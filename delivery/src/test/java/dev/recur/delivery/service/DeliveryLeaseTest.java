package dev.recur.delivery.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import dev.recur.common.event.DeliveryKind;
import dev.recur.delivery.domain.PendingDelivery;
import dev.recur.delivery.repository.DeliveryRepository;
import dev.recur.delivery.repository.DeliveryRepository.NewDelivery;
import dev.recur.testinfra.Infra;
import dev.recur.testinfra.PostgresServer;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The leases of delivery attempts on the real delivery table (its Flyway migrations, in a database of its own), with
 * each process's clock in the test's hands: which process may take an attempt when, whether its holder is alive,
 * dead, or restarted under the same instance id.
 */
class DeliveryLeaseTest {

    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final Instant T0 = Instant.parse("2026-12-07T03:00:00Z");
    private static final AtomicLong JOB_IDS = new AtomicLong(1);

    private static PGSimpleDataSource dataSource;
    private static DeliveryRepository deliveries;

    private final TestClock clock = new TestClock(T0);

    @BeforeAll
    static void migrate() {
        PostgresServer postgres = Infra.postgres();
        postgres.createDatabase("recur_delivery_lease");
        dataSource = new PGSimpleDataSource();
        dataSource.setUrl(postgres.jdbcUrl("recur_delivery_lease"));
        dataSource.setUser(postgres.username());
        dataSource.setPassword(postgres.password());
        Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .load()
                .migrate();
        deliveries = new DeliveryRepository(dataSource);
    }

    @BeforeEach
    void empty() throws SQLException {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement()) {
            s.execute("TRUNCATE delivery");
        }
    }

    @Test
    void shouldTakeBackAtOnceTheAttemptsADeadRunHeldWhenTheInstanceRestartsWithTheSameId() {
        DeliveryLease dead = lease("delivery-0");
        List<Long> held = take(dead, 2);
        DeliveryLease other = lease("delivery-1");
        List<Long> othersHeld = take(other, 1);

        clock.advance(Duration.ofSeconds(5));
        DeliveryLease restarted = lease("delivery-0");
        assertThat(claim(restarted)).as("due before the restart took them back").isEmpty();
        assertThat(restarted.reclaim()).isEqualTo(2);

        assertThat(claim(restarted)).isEqualTo(held);
        assertThat(claim(lease("delivery-2")))
                .as("the live instance's attempt %s stays with it", othersHeld)
                .isEmpty();
    }

    @Test
    void shouldLetAnotherInstanceTakeADeadInstancesAttemptsOneLeaseAfterTheirLastRenewal() {
        DeliveryLease dead = lease(null);
        List<Long> held = take(dead, 1);
        clock.advance(Duration.ofSeconds(10));
        assertThat(dead.renew()).isEqualTo(1);

        DeliveryLease restarted = lease(null);
        assertThat(restarted.reclaim())
                .as("nothing to recognise without an instance id")
                .isZero();
        clock.advance(LEASE.minusSeconds(1));
        assertThat(claim(restarted)).isEmpty();
        clock.advance(Duration.ofSeconds(1));
        assertThat(claim(restarted)).isEqualTo(held);
    }

    @Test
    void shouldKeepAnAttemptFromOtherInstancesForAsLongAsItsHolderRenewsIt() {
        DeliveryLease holder = lease("delivery-0");
        List<Long> held = take(holder, 1);
        DeliveryLease other = lease("delivery-1");
        for (int beat = 0; beat < 30; beat++) {
            clock.advance(LEASE.dividedBy(3));
            assertThat(holder.renew()).isEqualTo(1);
            assertThat(claim(other)).isEmpty();
        }

        holder.release(held);
        assertThat(holder.renew())
                .as("an attempt whose outcome is recorded is not renewed")
                .isZero();
        clock.advance(LEASE);
        assertThat(claim(other)).isEqualTo(held);
    }

    @Test
    void shouldNotTakeBackAnAttemptAnotherInstanceClaimedAfterTheLeaseRanOut() {
        DeliveryLease stalled = lease("delivery-0");
        List<Long> held = take(stalled, 1);
        clock.advance(LEASE);
        DeliveryLease other = lease("delivery-1");
        assertThat(claim(other)).isEqualTo(held);

        assertThat(stalled.renew()).isZero();
        assertThat(lease("delivery-0").reclaim())
                .as("the row is no longer the stalled instance's")
                .isZero();
        clock.advance(LEASE.minusSeconds(1));
        assertThat(claim(lease("delivery-2"))).isEmpty();
    }

    @Test
    void shouldRefuseALeaseNoLongerThanTheCallbackTimeout() {
        assertThatThrownBy(
                        () -> DeliveryLease.requireLongerThanCallbacks(Duration.ofSeconds(10), Duration.ofSeconds(10)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("recur.delivery.retry.lease");
        DeliveryLease.requireLongerThanCallbacks(Duration.ofSeconds(30), Duration.ofSeconds(10));
    }

    private DeliveryLease lease(String instanceId) {
        return new DeliveryLease(deliveries, Optional.ofNullable(instanceId), LEASE, clock);
    }

    /** Inserts {@code count} deliveries whose first attempts {@code lease}'s process holds, as a consumed batch's. */
    private List<Long> take(DeliveryLease lease, int count) {
        List<NewDelivery> batch = java.util.stream.IntStream.range(0, count)
                .mapToObj(i -> new NewDelivery(JOB_IDS.getAndIncrement(), DeliveryKind.CALLBACK, "https://r.example/h"))
                .toList();
        List<Long> ids = deliveries.insert(batch, lease.until(), lease.holder()).stream()
                .map(PendingDelivery::id)
                .sorted()
                .toList();
        ids.forEach(lease::hold);
        return ids;
    }

    private List<Long> claim(DeliveryLease lease) {
        List<Long> ids = deliveries.claimDue(clock.instant(), lease.until(), 100, lease.holder()).stream()
                .map(PendingDelivery::id)
                .sorted()
                .toList();
        ids.forEach(lease::hold);
        return ids;
    }

    /** The processes' shared wall clock, moved by the test. */
    private static final class TestClock extends Clock {

        private volatile Instant now;

        TestClock(Instant now) {
            this.now = now;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }
}
