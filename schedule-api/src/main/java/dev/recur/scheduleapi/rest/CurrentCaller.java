package dev.recur.scheduleapi.rest;

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

    public String username() {
        return get().username();
    }

    /** The caller's user id: the owner of what the caller creates. */
    public long id() {
        return get().id();
    }
}
