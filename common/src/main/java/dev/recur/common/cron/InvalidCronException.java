package dev.recur.common.cron;

/**
 * A cron expression that Recur does not accept. {@link #field()} names the offending part so that
 * the API can report it per field: {@code minute}, {@code hour}, {@code day_of_month}, {@code month},
 * {@code day_of_week}, or {@code expression} when the problem is the expression as a whole.
 */
public final class InvalidCronException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String field;

    InvalidCronException(String field, String problem) {
        super(field + ": " + problem);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
