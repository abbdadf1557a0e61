package dev.recur.common.time;

/** A time that is not in the API format {@value ApiTime#PATTERN}, or not a real date and time. */
public final class InvalidTimeException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    InvalidTimeException(String message, Throwable cause) {
        super(message, cause);
    }
}
