package dev.recur.scheduleapi.service;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.common.event.TenantBuckets;
import dev.recur.common.event.Topics;
import dev.recur.common.json.EventJson;
import dev.recur.common.storage.BucketList;
import dev.recur.common.storage.BucketPolicy;
import dev.recur.common.storage.InvalidStorageTargetException;
import dev.recur.common.storage.StorageTarget;
import dev.recur.scheduleapi.domain.AppUser;
import dev.recur.scheduleapi.repository.NativeValues;
import dev.recur.scheduleapi.repository.OutboxRepository;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

/**
 * Tenants' bucket lists (off by default: a tenant may name any bucket the deployment's {@code BucketPolicy} allows).
 * An administrator sets a list; from then on a create or replace whose items name a bucket outside it is refused, and
 * the list goes, in the transaction that stores it, through the outbox to {@link Topics#TENANT_BUCKETS}, from which
 * delivery checks every upload again. Schedules created before a list changed are left as they are: their uploads to
 * a bucket the list no longer allows are refused by delivery (a dead letter at the first attempt), and the answer to
 * the change names them so that the administrator can tell their owner.
 */
@ApplicationScoped
public class TenantBucketService {

    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};

    /** A tenant's list as the API shows it: empty when the tenant has none. */
    public record Listed(List<String> buckets, Instant updatedAt) {}

    @Inject
    EntityManager em;

    @Inject
    DataSource dataSource;

    @Inject
    OutboxRepository outbox;

    @Inject
    UserService users;

    @Inject
    Clock clock;

    @Inject
    BucketPolicy policy;

    /** The user's list; empty when it has none. 404 for an unknown user. */
    @Transactional
    public Optional<Listed> get(long userId) {
        users.get(userId);
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery(
                        "SELECT cast(buckets AS text), updated_at FROM tenant_bucket_list WHERE user_id = ?1")
                .setParameter(1, userId)
                .getResultList();
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Listed(entries((String) rows.get(0)[0]), NativeValues.instant(rows.get(0)[1])));
    }

    /**
     * Sets the user's list (entries checked: a 400 names the bad one); returns it with the ids of the user's schedules
     * whose items name a bucket it does not allow.
     */
    @Transactional
    public Changed set(long userId, List<String> entries) {
        AppUser user = users.get(userId);
        BucketList list;
        try {
            list = BucketList.parse(entries);
        } catch (InvalidStorageTargetException e) {
            throw ApiException.invalid(e.field(), e.problem());
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        byte[] json = EventJson.write(list.entries());
        em.createNativeQuery("""
                INSERT INTO tenant_bucket_list (user_id, buckets, updated_at) VALUES (?1, cast(?2 AS jsonb), ?3)
                ON CONFLICT (user_id) DO UPDATE SET buckets = excluded.buckets, updated_at = excluded.updated_at""")
                .setParameter(1, userId)
                .setParameter(2, new String(json, java.nio.charset.StandardCharsets.UTF_8))
                .setParameter(3, Timestamp.from(now))
                .executeUpdate();
        outbox.write(
                Topics.TENANT_BUCKETS,
                user.username,
                EventJson.write(TenantBuckets.of(user.username, list.entries(), now)));
        return new Changed(new Listed(list.entries(), now), schedulesOutside(userId, list));
    }

    /** What {@link #set} answers. */
    public record Changed(Listed list, List<Long> schedulesOutside) {}

    /** Removes the user's list (any bucket the deployment allows again); false if it had none. */
    @Transactional
    public boolean remove(long userId) {
        AppUser user = users.get(userId);
        int deleted = em.createNativeQuery("DELETE FROM tenant_bucket_list WHERE user_id = ?1")
                .setParameter(1, userId)
                .executeUpdate();
        if (deleted == 0) {
            return false;
        }
        tombstone(user.username);
        return true;
    }

    /**
     * Publishes the end of {@code username}'s list, inside the caller's transaction: for a deleted user (whose row
     * went with it), so that a new user given the name is not bound by, or allowed, the old list.
     */
    void tombstone(String username) {
        outbox.write(Topics.TENANT_BUCKETS, username, null);
    }

    /** Whether an item names a storage target, so that a create must read its owner's list. */
    public static boolean namesStorage(List<ObjectNode> items) {
        return items.stream().anyMatch(item -> item.hasNonNull("storage_url"));
    }

    /**
     * {@link #check} on a worker thread when an item names a storage target (the list is read with JDBC), at once
     * otherwise: for the create, which runs on the event loop.
     */
    public Uni<Void> checkNonBlocking(long ownerId, List<ObjectNode> items) {
        if (!namesStorage(items)) {
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom()
                .<Void>item(() -> {
                    check(ownerId, items);
                    return null;
                })
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    /**
     * Refuses (400, one field error per item, {@code items[i].storage_url}) items that name a bucket outside the
     * owner's list; nothing when the owner has none. The items were validated before (type and URL parse).
     */
    public void check(long ownerId, List<ObjectNode> items) {
        if (!namesStorage(items)) {
            return;
        }
        Optional<BucketList> list = list(ownerId);
        if (list.isEmpty()) {
            return;
        }
        List<FieldError> errors = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            StorageTarget target = target(items.get(i));
            try {
                if (target != null) {
                    policy.check(target, list.get());
                }
            } catch (InvalidStorageTargetException e) {
                errors.add(
                        new FieldError("items[" + i + "]." + e.field(), e.problem() + " (GET /v1/users/me/buckets)"));
            }
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
    }

    private Optional<BucketList> list(long ownerId) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s =
                        c.prepareStatement("SELECT cast(buckets AS text) FROM tenant_bucket_list WHERE user_id = ?")) {
            s.setLong(1, ownerId);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(BucketList.parse(entries(r.getString(1)))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the bucket list of user " + ownerId, e);
        }
    }

    private List<Long> schedulesOutside(long userId, BucketList list) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                SELECT id, cast(items AS text) FROM schedule
                WHERE owner_id = ?1 AND cast(items AS text) LIKE '%storage_url%' ORDER BY id""").setParameter(1, userId).getResultList();
        List<Long> outside = new ArrayList<>();
        for (Object[] row : rows) {
            JsonNode items =
                    EventJson.read(((String) row[1]).getBytes(java.nio.charset.StandardCharsets.UTF_8), JsonNode.class);
            for (JsonNode item : items) {
                StorageTarget target = item.isObject() ? target((ObjectNode) item) : null;
                if (target != null && !list.allows(target)) {
                    outside.add(((Number) row[0]).longValue());
                    break;
                }
            }
        }
        return outside;
    }

    private static StorageTarget target(ObjectNode item) {
        JsonNode type = item.get("storage_type");
        JsonNode url = item.get("storage_url");
        if (type == null || url == null || !type.isTextual() || !url.isTextual()) {
            return null;
        }
        try {
            return StorageTarget.parse(StorageTarget.Type.of(type.textValue()), url.textValue());
        } catch (InvalidStorageTargetException e) {
            return null;
        }
    }

    private static List<String> entries(String json) {
        return EventJson.mapper()
                .convertValue(
                        EventJson.read(json.getBytes(java.nio.charset.StandardCharsets.UTF_8), JsonNode.class),
                        STRINGS);
    }
}
