package dev.recur.scheduleapi.service;

/** An authenticated user: {@code username} owns what the user creates. */
public record Caller(String username, boolean admin) {
}
