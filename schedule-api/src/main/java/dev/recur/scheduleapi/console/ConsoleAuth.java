package dev.recur.scheduleapi.console;

import java.time.Duration;
import java.util.Optional;

import dev.recur.scheduleapi.domain.AppUser;
import dev.recur.scheduleapi.repository.AppUserRepository;
import dev.recur.scheduleapi.service.Caller;
import dev.recur.scheduleapi.service.UserService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

/**
 * Who is calling the console: the API's users and password check ({@link UserService#authenticate}) at login, then
 * the session cookie, checked against the user's row on every request.
 */
@ApplicationScoped
public class ConsoleAuth {

    /** A signed-in caller with the session that carries it. */
    public record SignedIn(Caller caller, ConsoleSessions.Session session) {}

    @Inject
    UserService users;

    @Inject
    AppUserRepository userRows;

    @Inject
    ConsoleSessions sessions;

    /** The answer to a sign-in: a session cookie value, or a refusal, or a wait after failed sign-ins. */
    public record Login(String cookie, Duration retryAfter) {}

    /**
     * The API's password check with its throttling of failed logins (per username and client address): a session for
     * credentials the API would accept, nothing otherwise.
     */
    @Transactional
    public Login login(String username, String password, String clientAddress) {
        if (username == null || password == null || username.isBlank()) {
            return new Login(null, null);
        }
        UserService.Login checked = users.authenticate(username, password, clientAddress);
        if (checked.throttled()) {
            return new Login(null, checked.retryAfter());
        }
        return new Login(
                Optional.ofNullable(checked.caller())
                        .map(caller -> userRows.findById(caller.id()))
                        .map(user -> sessions.issue(user.id, user.credentialsVersion))
                        .orElse(null),
                null);
    }

    /** The caller of a valid session whose user still exists, is enabled and has the same credentials. */
    @Transactional
    public Optional<SignedIn> signedIn(String cookie) {
        return sessions.verify(cookie).flatMap(session -> {
            AppUser user = userRows.findById(session.userId());
            if (user == null || !user.enabled || user.credentialsVersion != session.credentialsVersion()) {
                return Optional.empty();
            }
            return Optional.of(new SignedIn(new Caller(user.id, user.username, user.admin), session));
        });
    }
}
