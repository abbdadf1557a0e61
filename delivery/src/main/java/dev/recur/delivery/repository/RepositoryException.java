package dev.recur.delivery.repository;

/** A database operation failed; the caller's transaction rolls back. */
public class RepositoryException extends RuntimeException {

    public RepositoryException(String message, Throwable cause) {
        super(message, cause);
    }
}
