package dev.recur.scheduleapi.rest;

import java.util.List;

import dev.recur.scheduleapi.service.ApiException;
import dev.recur.scheduleapi.service.Caller;
import jakarta.enterprise.context.RequestScoped;

/** The authenticated caller of the current request, set by {@link BasicAuthFilter}. */
@RequestScoped
public class CurrentCaller {

    private Caller caller;

    void set(Caller caller) {
        this.caller = caller;
    }

    public Caller get() {
        if (caller == null) {
            throw new IllegalStateException("no authenticated caller in this request");
        }
        return caller;
    }

    /** The caller, who must be an administrator: anyone else is refused with a 403. */
    public Caller admin() {
        Caller current = get();
        if (!current.admin()) {
            throw new ApiException(403, "only administrators may manage users", List.of());
        }
        return current;
    }

    public String username() {
        return get().username();
    }

    /** The caller's user id: the owner of what the caller creates. */
    public long id() {
        return get().id();
    }
}
