package dev.recur.common.json;

/** An event that could not be written as JSON, or bytes that are not a valid event. */
public final class EventSerializationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    EventSerializationException(String message, Throwable cause) {
        super(message, cause);
    }
}
