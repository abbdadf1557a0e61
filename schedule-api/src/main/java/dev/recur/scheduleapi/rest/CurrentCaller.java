package dev.recur.scheduleapi.rest;

import jakarta.enterprise.context.RequestScoped;

import dev.recur.scheduleapi.service.Caller;

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
