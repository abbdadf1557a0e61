package dev.recur.scheduleapi.service;

import com.fasterxml.jackson.annotation.JsonProperty;

/** One invalid field of a request, as listed in the {@code errors} of the API's error body. */
public record FieldError(
        @JsonProperty("field") String field,
        @JsonProperty("message") String message) {}
