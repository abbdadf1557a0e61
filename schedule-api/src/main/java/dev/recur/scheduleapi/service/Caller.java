package dev.recur.scheduleapi.service;

/**
 * An authenticated user: {@code id} owns what the user creates ({@code username} is the label the events carry).
 */
public record Caller(long id, String username, boolean admin) {}
