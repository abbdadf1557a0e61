package dev.recur.common.net;

/**
 * An outbound call the {@link OutboundGuard} refused: retrying cannot help. The message names the host the tenant
 * gave, never the address it resolved to, so that it tells nothing about the deployment's internal names.
 */
public final class RefusedTargetException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    RefusedTargetException(String message) {
        super(message, null, false, false);
    }
}
