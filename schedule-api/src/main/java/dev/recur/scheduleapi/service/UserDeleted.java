package dev.recur.scheduleapi.service;

/**
 * CDI event: a user was deleted, fired inside the deleting transaction after the user's schedules were deleted.
 * Whatever else is kept per user (per tenant) observes it to go with the user: the id is never given to another
 * user, but the username may be.
 */
public record UserDeleted(long id, String username) {}
