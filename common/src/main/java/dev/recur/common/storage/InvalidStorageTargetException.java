package dev.recur.common.storage;

/** A storage target that cannot be used; {@link #field()} is the item key to name in the API's error. */
public final class InvalidStorageTargetException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String field;
    private final String problem;

    public InvalidStorageTargetException(String field, String problem) {
        super(field + " " + problem);
        this.field = field;
        this.problem = problem;
    }

    public String field() {
        return field;
    }

    public String problem() {
        return problem;
    }
}
