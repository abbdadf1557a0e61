package dev.recur.scheduleapi.service;

import java.util.List;

/** A request that fails with a given HTTP status and the API's error body. */
public class ApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final transient List<FieldError> errors;

    public ApiException(int status, String message, List<FieldError> errors) {
        super(message, null, false, false);
        this.status = status;
        this.errors = List.copyOf(errors);
    }

    public static ApiException invalid(List<FieldError> errors) {
        return new ApiException(
                400,
                errors.size() == 1
                        ? errors.get(0).field() + ": " + errors.get(0).message()
                        : "the request has " + errors.size() + " invalid fields",
                errors);
    }

    public static ApiException invalid(String field, String message) {
        return invalid(List.of(new FieldError(field, message)));
    }

    public static ApiException notFound(String what) {
        return new ApiException(404, what + " not found", List.of());
    }

    public int status() {
        return status;
    }

    public List<FieldError> errors() {
        return errors;
    }
}
