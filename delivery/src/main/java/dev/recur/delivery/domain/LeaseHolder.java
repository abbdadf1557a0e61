package dev.recur.delivery.domain;

import java.util.Optional;
import java.util.UUID;

/**
 * The process that holds a delivery's lease while its attempt runs or waits in memory.
 *
 * @param owner the instance's {@code recur.delivery.instance-id}, which a restart keeps; empty when none is set
 * @param token this process, new at every start
 */
public record LeaseHolder(Optional<String> owner, UUID token) {}
