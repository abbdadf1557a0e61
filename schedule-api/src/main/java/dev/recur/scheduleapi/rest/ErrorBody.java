package dev.recur.scheduleapi.rest;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.recur.scheduleapi.service.FieldError;

/** The API's one error shape: a human-readable message and one entry per invalid field. */
public record ErrorBody(
        @JsonProperty("message") String message,
        @JsonProperty("errors") List<FieldError> errors) {

    public static ErrorBody of(String message) {
        return new ErrorBody(message, List.of());
    }
}
