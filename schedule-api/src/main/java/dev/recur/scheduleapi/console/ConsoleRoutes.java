package dev.recur.scheduleapi.console;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.common.event.JobStatus;
import dev.recur.common.json.EventJson;
import dev.recur.scheduleapi.console.ConsoleAuth.SignedIn;
import dev.recur.scheduleapi.console.ConsoleViews.CronHelp;
import dev.recur.scheduleapi.console.ConsoleViews.DeadLetterRow;
import dev.recur.scheduleapi.console.ConsoleViews.JobRow;
import dev.recur.scheduleapi.console.ConsoleViews.Paging;
import dev.recur.scheduleapi.console.ConsoleViews.RunRow;
import dev.recur.scheduleapi.console.ConsoleViews.ScheduleForm;
import dev.recur.scheduleapi.console.ConsoleViews.ScheduleRow;
import dev.recur.scheduleapi.console.ConsoleViews.Who;
import dev.recur.scheduleapi.domain.AppUser;
import dev.recur.scheduleapi.domain.JobHistoryEntry;
import dev.recur.scheduleapi.domain.Schedule;
import dev.recur.scheduleapi.repository.ScheduleRepository;
import dev.recur.scheduleapi.service.ApiException;
import dev.recur.scheduleapi.service.DeadLetterService;
import dev.recur.scheduleapi.service.FieldError;
import dev.recur.scheduleapi.service.ReadModelService;
import dev.recur.scheduleapi.service.ScheduleDetail;
import dev.recur.scheduleapi.service.ScheduleRequestValidator;
import dev.recur.scheduleapi.service.ScheduleService;
import dev.recur.scheduleapi.service.UserService;
import dev.recur.scheduleapi.storage.ResultStore;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.vertx.web.Route;
import io.quarkus.vertx.web.Route.HandlerType;
import io.quarkus.vertx.web.Route.HttpMethod;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * The Recur Console at {@code /console}: server-rendered pages (Qute), enhanced with htmx, for the API's users. Routes
 * of their own, outside the REST layer and its Basic filter, so that a browser signs in once with a form and keeps a
 * session cookie; every page then calls the services the REST resources call, with the signed-in user's id as the
 * owner, so a user sees and changes exactly what the API would let them, and nothing of other tenants.
 * <p>
 * State changes are POSTs that carry the session's CSRF token (a form field or htmx's {@code X-CSRF-Token} header)
 * and, when the browser sends one, a same-origin {@code Origin}; the cookie is HttpOnly and SameSite=Strict.
 */
public class ConsoleRoutes {

    static final String COOKIE = "recur_console";
    private static final String STARTED = "recur.console.started";
    static final int PAGE_SIZE = 20;
    static final int RUNS_PER_PAGE = 10;
    /** Jobs shown per run on a schedule's page; a run has as many as the schedule has items (up to 5,000). */
    public static final int JOBS_PER_RUN = 50;

    static final int CHART_RUNS = 30;
    /** A result shown in the page is cut here; the API's results endpoint serves it whole. */
    static final int RESULT_PREVIEW_BYTES = 256 * 1024;

    private static final Logger LOG = Logger.getLogger(ConsoleRoutes.class);
    private static final List<String> ZONES = ZoneId.getAvailableZoneIds().stream()
            .filter(z -> z.contains("/") && !z.startsWith("Etc/") && !z.startsWith("SystemV/"))
            .sorted()
            .toList();
    private static final String CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline';"
            + " frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

    @Inject
    ConsoleAuth auth;

    @Inject
    ConsoleSessions sessions;

    @Inject
    ConsoleQueries queries;

    @Inject
    ScheduleService schedules;

    @Inject
    ScheduleRepository scheduleRows;

    @Inject
    UserService users;

    @Inject
    DeadLetterService deadLetters;

    @Inject
    ReadModelService readModel;

    @Inject
    ScheduleRequestValidator validator;

    @Inject
    ResultStore results;

    @Inject
    Clock clock;

    @Location("console/login.html")
    Template loginPage;

    @Location("console/schedules.html")
    Template schedulesPage;

    @Location("console/schedule.html")
    Template schedulePage;

    @Location("console/form.html")
    Template formPage;

    @Location("console/cron-help.html")
    Template cronHelp;

    @Location("console/job.html")
    Template jobPage;

    @Location("console/failures.html")
    Template failuresPage;

    @Location("console/users.html")
    Template usersPage;

    @Location("console/dead-letter-row.html")
    Template deadLetterRow;

    @Location("console/error.html")
    Template errorPage;

    /** A page's work once the caller is known (and, for a POST, its CSRF token checked). */
    @FunctionalInterface
    interface Page {
        void handle(RoutingContext rc, SignedIn user);
    }

    // ---------------------------------------------------------------- session

    @Route(path = "/console", methods = HttpMethod.GET)
    void home(RoutingContext rc) {
        redirect(rc, "/console/schedules");
    }

    @Route(path = "/console/login", methods = HttpMethod.GET, type = HandlerType.BLOCKING)
    void loginForm(RoutingContext rc) {
        html(
                rc,
                200,
                loginPage
                        .data("who", null)
                        .data("error", null)
                        .data("username", "")
                        .render());
    }

    @Route(path = "/console/login", methods = HttpMethod.POST, type = HandlerType.BLOCKING)
    void login(RoutingContext rc) {
        if (!sameOrigin(rc)) {
            html(
                    rc,
                    403,
                    errorPage
                            .data("who", null)
                            .data("status", 403)
                            .data("message", "cross-origin request refused")
                            .render());
            return;
        }
        String username = form(rc, "username");
        ConsoleAuth.Login login = auth.login(
                username,
                form(rc, "password"),
                rc.request().remoteAddress() == null
                        ? null
                        : rc.request().remoteAddress().hostAddress());
        if (login.cookie() == null) {
            if (login.retryAfter() != null) {
                rc.response()
                        .putHeader(
                                HttpHeaders.RETRY_AFTER,
                                Long.toString(Math.max(1, login.retryAfter().toSeconds())));
            }
            html(
                    rc,
                    login.retryAfter() == null ? 401 : 429,
                    loginPage
                            .data("who", null)
                            .data(
                                    "error",
                                    login.retryAfter() == null
                                            ? "Wrong username or password."
                                            : "Too many failed sign-ins; try again in "
                                                    + Math.max(
                                                            1,
                                                            login.retryAfter().toSeconds()) + " s.")
                            .data("username", username == null ? "" : username)
                            .render());
            return;
        }
        rc.response()
                .addCookie(Cookie.cookie(COOKIE, login.cookie())
                        .setPath("/console")
                        .setHttpOnly(true)
                        .setSecure(secure(rc))
                        .setSameSite(CookieSameSite.STRICT)
                        .setMaxAge(sessions.maxAgeSeconds()));
        redirect(rc, "/console/schedules");
    }

    @Route(path = "/console/logout", methods = HttpMethod.POST, type = HandlerType.BLOCKING)
    void logout(RoutingContext rc) {
        post(rc, (ctx, user) -> {
            ctx.response()
                    .addCookie(Cookie.cookie(COOKIE, "")
                            .setPath("/console")
                            .setHttpOnly(true)
                            .setSecure(secure(ctx))
                            .setSameSite(CookieSameSite.STRICT)
                            .setMaxAge(0));
            redirect(ctx, "/console/login");
        });
    }

    // ---------------------------------------------------------------- schedules

    @Route(path = "/console/schedules", methods = HttpMethod.GET, type = HandlerType.BLOCKING)
    void list(RoutingContext rc) {
        get(rc, (ctx, user) -> {
            String search = param(ctx, "q");
            String state = param(ctx, "state");
            Boolean active = "active".equals(state) ? Boolean.TRUE : "paused".equals(state) ? Boolean.FALSE : null;
            ConsoleQueries.Page<Schedule> page =
                    queries.schedules(user.caller().id(), active, search, intParam(ctx, "page", 1), PAGE_SIZE);
            List<ScheduleRow> rows = page.rows().stream().map(this::row).toList();
            String query =
                    "q=" + urlEncode(search == null ? "" : search) + "&state=" + urlEncode(state == null ? "" : state);
            html(
                    ctx,
                    200,
                    schedulesPage
                            .data("who", who(user))
                            .data("rows", rows)
                            .data("q", search == null ? "" : search)
                            .data("state", state == null ? "" : state)
                            .data("paging", new Paging(page.page(), page.pages(), page.total(), query))
                            .render());
        });
    }

    @Route(path = "/console/schedules/new", methods = HttpMethod.GET, type = HandlerType.BLOCKING)
    void newForm(RoutingContext rc) {
        get(rc, (ctx, user) -> {
            String end = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss")
                    .format(clock.instant()
                            .plusSeconds(30L * 24 * 3600)
                            .atZone(ZoneId.of("UTC"))
                            .withHour(0)
                            .withMinute(0)
                            .withSecond(0));
            form(
                    ctx,
                    user,
                    200,
                    new ScheduleForm(
                            null,
                            "0 * * * *",
                            "UTC",
                            "",
                            end,
                            "[\n  {\"source\": \"universal\", \"url\": \"https://example.com\"}\n]",
                            "fire_once",
                            "allow",
                            "0",
                            List.of(),
                            null));
        });
    }

    @Route(path = "/console/schedules", methods = HttpMethod.POST, type = HandlerType.BLOCKING)
    void create(RoutingContext rc) {
        post(rc, (ctx, user) -> {
            ScheduleForm filled = filled(ctx, null);
            try {
                JsonNode body = body(filled);
                Schedule created = schedules
                        .create(user.caller(), validator.definition(body, clock.instant()))
                        .await()
                        .indefinitely();
                redirect(ctx, "/console/schedules/" + created.id);
            } catch (ApiException e) {
                form(ctx, user, e.status(), withErrors(filled, e));
            }
        });
    }

    @Route(path = "/console/schedules/:id", methods = HttpMethod.GET, type = HandlerType.BLOCKING)
    void schedule(RoutingContext rc) {
        get(rc, (ctx, user) -> {
            long id = id(ctx);
            ScheduleDetail detail =
                    schedules.detail(id, user.caller().id()).await().indefinitely();
            Schedule schedule = owned(id, user);
            int page = intParam(ctx, "page", 1);
            Map<Long, ConsoleQueries.RunJobs> byRun = queries.runs(id, page - 1, RUNS_PER_PAGE, JOBS_PER_RUN);
            List<RunRow> runs = new ArrayList<>();
            byRun.forEach((runId, run) -> {
                List<ConsoleQueries.RunJob> jobs = run.jobs();
                runs.add(new RunRow(
                        Long.toString(runId),
                        jobs.isEmpty() ? "" : ConsoleViews.time(jobs.get(0).scheduledFor()),
                        run.total() == 0 ? "" : Math.round(100.0 * run.done() / run.total()) + " %",
                        jobs.stream().map(ConsoleViews.RunJobRow::of).toList(),
                        run.total()));
            });
            List<ConsoleQueries.RunCounts> recent = queries.recentRuns(id, CHART_RUNS);
            JsonNode stats = ReadModelService.readTree(detail.stats());
            html(
                    ctx,
                    200,
                    schedulePage
                            .data("who", who(user))
                            .data("s", row(schedule, detail.nextRunAt()))
                            .data("items", pretty(schedule.items))
                            .data("stats", stats)
                            .data("total", stats.path("total_job_count").asLong())
                            .data("outcomes", outcomes(stats))
                            .data("successRate", successRate(stats))
                            .data("chart", chartJson(recent, stats))
                            .data("chartRuns", recent.size())
                            .data("runs", runs)
                            .data("page", page)
                            .data("newerPage", page - 1)
                            .data("olderPage", page + 1)
                            .data("morePages", byRun.size() == RUNS_PER_PAGE)
                            .render());
        });
    }

    @Route(path = "/console/schedules/:id/edit", methods = HttpMethod.GET, type = HandlerType.BLOCKING)
    void editForm(RoutingContext rc) {
        get(rc, (ctx, user) -> {
            long id = id(ctx);
            Schedule s = owned(id, user);
            form(
                    ctx,
                    user,
                    200,
                    new ScheduleForm(
                            Long.toString(id),
                            s.cron,
                            s.timezone,
                            ConsoleViews.time(s.startTime),
                            ConsoleViews.time(s.endTime),
                            pretty(s.items),
                            s.catchUp.name().toLowerCase(Locale.ROOT),
                            s.overlap.name().toLowerCase(Locale.ROOT),
                            Integer.toString(s.jitterSeconds),
                            List.of(),
                            null));
        });
    }

    @Route(path = "/console/schedules/:id", methods = HttpMethod.POST, type = HandlerType.BLOCKING)
    void replace(RoutingContext rc) {
        post(rc, (ctx, user) -> {
            long id = id(ctx);
            ScheduleForm filled = filled(ctx, Long.toString(id));
            try {
                schedules.replace(id, user.caller().id(), validator.definition(body(filled), clock.instant()));
                redirect(ctx, "/console/schedules/" + id);
            } catch (ApiException e) {
                if (e.status() == 404) {
                    throw e;
                }
                form(ctx, user, e.status(), withErrors(filled, e));
            }
        });
    }

    @Route(path = "/console/schedules/:id/state", methods = HttpMethod.POST, type = HandlerType.BLOCKING)
    void changeState(RoutingContext rc) {
        post(rc, (ctx, user) -> {
            long id = id(ctx);
            schedules.changeState(id, user.caller().id(), "true".equals(form(ctx, "active")));
            redirect(ctx, back(ctx, "/console/schedules/" + id));
        });
    }

    @Route(path = "/console/schedules/:id/delete", methods = HttpMethod.POST, type = HandlerType.BLOCKING)
    void delete(RoutingContext rc) {
        post(rc, (ctx, user) -> {
            schedules.delete(id(ctx), user.caller().id());
            redirect(ctx, "/console/schedules");
        });
    }

    /** The cron helper: the expression in words and its next 5 fire times, as the preview endpoint computes them. */
    @Route(path = "/console/cron", methods = HttpMethod.POST, type = HandlerType.BLOCKING)
    void cron(RoutingContext rc) {
        post(rc, (ctx, user) -> {
            String cron = form(ctx, "cron");
            String timezone = blankToNull(form(ctx, "timezone"));
            ObjectNode body = EventJson.mapper().createObjectNode();
            body.put("cron", cron == null ? "" : cron);
            if (timezone != null) {
                body.put("timezone", timezone);
            }
            body.put("count", 5);
            CronHelp help;
            try {
                List<Instant> next = schedules.preview(validator.preview(body, clock.instant()));
                ZoneId zone = ZoneId.of(timezone == null ? "UTC" : timezone);
                DateTimeFormatter local = DateTimeFormatter.ofPattern("EEE uuuu-MM-dd HH:mm", Locale.UK);
                help = new CronHelp(
                        CronWords.describe(cron).orElse(""),
                        next.stream()
                                .map(t -> local.format(t.atZone(zone)) + " " + zone.getId()
                                        + (zone.getId().equals("UTC") ? "" : " (" + ConsoleViews.time(t) + " UTC)"))
                                .toList(),
                        null,
                        zone.getId());
            } catch (ApiException e) {
                help = new CronHelp(
                        CronWords.describe(cron).orElse(""),
                        List.of(),
                        e.errors().isEmpty()
                                ? e.getMessage()
                                : e.errors().stream()
                                        .map(f -> f.field() + ": " + f.message())
                                        .reduce((a, b) -> a + "; " + b)
                                        .orElse(""),
                        timezone);
            }
            html(ctx, 200, cronHelp.data("help", help).render());
        });
    }

    // ---------------------------------------------------------------- jobs and failures

    @Route(path = "/console/jobs/:id", methods = HttpMethod.GET, type = HandlerType.BLOCKING)
    void job(RoutingContext rc) {
        get(rc, (ctx, user) -> {
            long id = id(ctx);
            JobHistoryEntry job =
                    readModel.job(id, user.caller().id()).orElseThrow(() -> ApiException.notFound("job " + id));
            ResultStore.Location stored = results.location(job);
            String content = null;
            String contentNote = null;
            if (job.resultStatus != null) {
                try {
                    Optional<byte[]> bytes = results.read(stored);
                    content = bytes.map(ConsoleRoutes::prettyBytes).orElse(null);
                    if (content == null) {
                        contentNote = job.resultStatus == JobStatus.FAULTED
                                ? "The job faulted without a result."
                                : "The result is not in the results store yet.";
                    }
                } catch (RuntimeException e) {
                    LOG.warnf(e, "console: reading the result of job %d", id);
                    contentNote = "The results store could not be read: " + e.getMessage();
                }
            } else {
                contentNote = "The job is pending.";
            }
            JsonNode item =
                    job.item == null ? EventJson.mapper().createObjectNode() : ReadModelService.readTree(job.item);
            String itemStorage = item.hasNonNull("storage_url")
                    ? item.get("storage_url").asText()
                    : item.hasNonNull("storage_type") ? item.get("storage_type").asText() : "";
            html(
                    ctx,
                    200,
                    jobPage.data("who", who(user))
                            .data("job", JobRow.of(job))
                            .data("item", pretty(job.item))
                            .data("itemStorage", itemStorage)
                            .data("callback", item.path("callback_url").asText(""))
                            .data("stored", job.resultStatus == null ? "" : stored.toString())
                            .data("content", content)
                            .data("contentNote", contentNote)
                            .render());
        });
    }

    /**
     * The dead letters (DeadLetterService.list, as GET /v1/dead-letters: the user's own, an administrator's everyone's)
     * and the failed jobs of the user's schedules, each paged on its own.
     */
    @Route(path = "/console/failures", methods = HttpMethod.GET, type = HandlerType.BLOCKING)
    void failures(RoutingContext rc) {
        get(rc, (ctx, user) -> {
            ConsoleQueries.Page<JobHistoryEntry> page =
                    queries.failedJobs(user.caller().id(), intParam(ctx, "page", 1), PAGE_SIZE);
            int dlpage = intParam(ctx, "dlpage", 1);
            DeadLetterService.Page found =
                    deadLetters.list(user.caller(), null, (long) (dlpage - 1) * PAGE_SIZE, PAGE_SIZE);
            ConsoleQueries.Page<DeadLetterService.DeadLetter> letters =
                    new ConsoleQueries.Page<>(found.letters().rows(), found.total(), dlpage, PAGE_SIZE);
            html(
                    ctx,
                    200,
                    failuresPage
                            .data("who", who(user))
                            .data(
                                    "deadLetters",
                                    letters.rows().stream()
                                            .map(DeadLetterRow::of)
                                            .toList())
                            .data(
                                    "dlPaging",
                                    new Paging(letters.page(), letters.pages(), letters.total(), "page=" + page.page()))
                            .data("rows", page.rows().stream().map(JobRow::of).toList())
                            .data(
                                    "paging",
                                    new Paging(page.page(), page.pages(), page.total(), "dlpage=" + letters.page()))
                            .render());
        });
    }

    /**
     * Replays a dead letter through DeadLetterService.replay, as POST /v1/dead-letters/{id}/replay does: another
     * user's is not found. An htmx request gets the dead letter's row back, a plain form the Failures page.
     */
    @Route(path = "/console/dead-letters/:id/replay", methods = HttpMethod.POST, type = HandlerType.BLOCKING)
    void replay(RoutingContext rc) {
        post(rc, (ctx, user) -> {
            DeadLetterService.DeadLetter replayed = deadLetters.replay(user.caller(), id(ctx));
            if (ctx.request().getHeader("HX-Request") != null) {
                html(
                        ctx,
                        200,
                        deadLetterRow
                                .data("d", DeadLetterRow.of(replayed))
                                .data("csrf", user.session().csrf())
                                .data("admin", user.caller().admin())
                                .render());
            } else {
                redirect(ctx, "/console/failures");
            }
        });
    }

    // ---------------------------------------------------------------- administration

    /** The users, for administrators (UserService.list, as GET /v1/admin/users); changes go through that API. */
    @Route(path = "/console/admin/users", methods = HttpMethod.GET, type = HandlerType.BLOCKING)
    void users(RoutingContext rc) {
        get(rc, (ctx, user) -> {
            if (!user.caller().admin()) {
                throw new ApiException(403, "administrators only", List.of());
            }
            long after = Math.max(0, longParam(ctx, "after"));
            List<AppUser> found = users.list(after, PAGE_SIZE);
            List<Map<String, Object>> rows = new ArrayList<>();
            for (AppUser u : found) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("id", Long.toString(u.id));
                row.put("username", u.username);
                row.put("admin", u.admin);
                row.put("enabled", u.enabled);
                row.put("activeSchedules", u.activeSchedules);
                row.put("createdAt", ConsoleViews.time(u.createdAt));
                rows.add(row);
            }
            html(
                    ctx,
                    200,
                    usersPage
                            .data("who", who(user))
                            .data("rows", rows)
                            .data(
                                    "next",
                                    found.size() == PAGE_SIZE ? Long.toString(found.get(found.size() - 1).id) : "")
                            .render());
        });
    }

    // ---------------------------------------------------------------- plumbing

    private void get(RoutingContext rc, Page page) {
        run(rc, false, page);
    }

    private void post(RoutingContext rc, Page page) {
        run(rc, true, page);
    }

    private void run(RoutingContext rc, boolean changes, Page page) {
        rc.put(STARTED, System.nanoTime());
        Cookie cookie = rc.request().getCookie(COOKIE);
        Optional<SignedIn> user = auth.signedIn(cookie == null ? null : cookie.getValue());
        if (user.isEmpty()) {
            if (rc.request().getHeader("HX-Request") != null) {
                rc.response()
                        .putHeader("HX-Redirect", "/console/login")
                        .setStatusCode(401)
                        .end();
            } else {
                redirect(rc, "/console/login");
            }
            return;
        }
        if (changes) {
            String token = rc.request().getHeader("X-CSRF-Token");
            if (token == null) {
                token = form(rc, "_csrf");
            }
            if (!sameOrigin(rc) || !ConsoleSessions.csrfMatches(user.get().session(), token)) {
                error(rc, user.get(), 403, "The form has expired or came from another site; reload the page.");
                return;
            }
        }
        try {
            page.handle(rc, user.get());
        } catch (ApiException e) {
            error(rc, user.get(), e.status(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.errorf(e, "console: %s %s", rc.request().method(), rc.request().path());
            error(rc, user.get(), 500, "Something went wrong; the service log has the details.");
        }
    }

    private void error(RoutingContext rc, SignedIn user, int status, String message) {
        if (rc.response().ended()) {
            return;
        }
        html(
                rc,
                status,
                errorPage
                        .data("who", who(user))
                        .data("status", status)
                        .data("message", message)
                        .render());
    }

    private void form(RoutingContext rc, SignedIn user, int status, ScheduleForm form) {
        html(
                rc,
                status,
                formPage.data("who", who(user))
                        .data("f", form)
                        .data("zones", ZONES)
                        .render());
    }

    /** The signed-in user's schedule, as the API's ownership check finds it; another's is not found. */
    private Schedule owned(long id, SignedIn user) {
        return scheduleRows
                .findOwned(id, user.caller().id())
                .orElseThrow(() -> ApiException.notFound("schedule " + id));
    }

    private ScheduleRow row(Schedule s) {
        return row(s, schedules.nextRunAt(s));
    }

    private ScheduleRow row(Schedule s, Instant nextRunAt) {
        String state = !s.active ? "paused" : !s.endTime.isAfter(clock.instant()) ? "ended" : "active";
        return new ScheduleRow(
                Long.toString(s.id),
                s.cron,
                CronWords.describe(s.cron).orElse(""),
                s.timezone,
                s.itemsCount,
                state,
                ConsoleViews.time(nextRunAt),
                ConsoleViews.time(s.startTime),
                ConsoleViews.time(s.endTime),
                ConsoleViews.time(s.createdAt),
                ConsoleViews.time(s.updatedAt),
                s.catchUp.name().toLowerCase(Locale.ROOT),
                s.overlap.name().toLowerCase(Locale.ROOT),
                s.jitterSeconds);
    }

    private static Who who(SignedIn user) {
        return new Who(
                user.caller().username(), user.caller().admin(), user.session().csrf());
    }

    private static ScheduleForm filled(RoutingContext rc, String id) {
        return new ScheduleForm(
                id,
                nullToEmpty(form(rc, "cron")),
                nullToEmpty(form(rc, "timezone")),
                nullToEmpty(form(rc, "start_time")),
                nullToEmpty(form(rc, "end_time")),
                nullToEmpty(form(rc, "items")),
                nullToEmpty(form(rc, "catch_up")),
                nullToEmpty(form(rc, "overlap")),
                nullToEmpty(form(rc, "jitter_seconds")),
                List.of(),
                null);
    }

    /** The API's request body for a filled-in form: the same JSON a client would send, validated the same way. */
    private static JsonNode body(ScheduleForm f) {
        ObjectNode body = EventJson.mapper().createObjectNode();
        body.put("cron", f.cron());
        putIfSet(body, "timezone", f.timezone());
        putIfSet(body, "start_time", f.startTime());
        body.put("end_time", f.endTime());
        putIfSet(body, "catch_up", f.catchUp());
        putIfSet(body, "overlap", f.overlap());
        if (!f.jitterSeconds().isBlank()) {
            try {
                body.put("jitter_seconds", Long.parseLong(f.jitterSeconds().trim()));
            } catch (NumberFormatException e) {
                body.put("jitter_seconds", f.jitterSeconds());
            }
        }
        try {
            body.set("items", EventJson.mapper().readTree(f.items()));
        } catch (JsonProcessingException e) {
            throw ApiException.invalid("items", "is not JSON: " + e.getOriginalMessage());
        }
        return body;
    }

    private static ScheduleForm withErrors(ScheduleForm f, ApiException e) {
        List<FieldError> errors = e.errors();
        return new ScheduleForm(
                f.id(),
                f.cron(),
                f.timezone(),
                f.startTime(),
                f.endTime(),
                f.items(),
                f.catchUp(),
                f.overlap(),
                f.jitterSeconds(),
                errors,
                errors.isEmpty() ? e.getMessage() : null);
    }

    private static List<Map<String, Object>> outcomes(JsonNode stats) {
        List<Map<String, Object>> outcomes = new ArrayList<>();
        stats.path("job_result_outcomes").forEach(o -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("status", o.path("status").asText());
            row.put("count", o.path("job_count").asLong());
            row.put("percent", Math.round(o.path("ratio").asDouble() * 1000) / 10.0);
            outcomes.add(row);
        });
        return outcomes;
    }

    /** Done jobs of all finished ones, from the statistics delivery keeps; empty before any finished. */
    private static String successRate(JsonNode stats) {
        long done = 0;
        long finished = 0;
        for (JsonNode o : stats.path("job_result_outcomes")) {
            finished += o.path("job_count").asLong();
            if ("done".equals(o.path("status").asText())) {
                done += o.path("job_count").asLong();
            }
        }
        return finished == 0 ? "" : Math.round(1000.0 * done / finished) / 10.0 + " %";
    }

    /** The charts' data: per recent run its jobs by outcome and success rate; all jobs by result status. */
    private static String chartJson(List<ConsoleQueries.RunCounts> recent, JsonNode stats) {
        ObjectNode chart = EventJson.mapper().createObjectNode();
        ArrayNode labels = chart.putArray("labels");
        ArrayNode done = chart.putArray("done");
        ArrayNode faulted = chart.putArray("faulted");
        ArrayNode pending = chart.putArray("pending");
        ArrayNode rate = chart.putArray("successRate");
        DateTimeFormatter label = DateTimeFormatter.ofPattern("MM-dd HH:mm").withZone(ZoneId.of("UTC"));
        for (ConsoleQueries.RunCounts run : recent) {
            labels.add(label.format(run.scheduledFor()));
            done.add(run.done());
            faulted.add(run.faulted());
            pending.add(run.jobs() - run.done() - run.faulted());
            long finished = run.done() + run.faulted();
            if (finished == 0) {
                rate.addNull();
            } else {
                rate.add(Math.round(1000.0 * run.done() / finished) / 10.0);
            }
        }
        ArrayNode statuses = chart.putArray("statuses");
        ArrayNode counts = chart.putArray("statusCounts");
        stats.path("job_result_outcomes").forEach(o -> {
            statuses.add(o.path("status").asText());
            counts.add(o.path("job_count").asLong());
        });
        return chart.toString();
    }

    private static String pretty(String json) {
        if (json == null) {
            return "";
        }
        try {
            return EventJson.mapper()
                    .writerWithDefaultPrettyPrinter()
                    .writeValueAsString(ReadModelService.readTree(json));
        } catch (JsonProcessingException e) {
            return json;
        }
    }

    private static String prettyBytes(byte[] bytes) {
        int length = Math.min(bytes.length, RESULT_PREVIEW_BYTES);
        String text = new String(bytes, 0, length, StandardCharsets.UTF_8);
        if (length == bytes.length) {
            try {
                return EventJson.mapper()
                        .writerWithDefaultPrettyPrinter()
                        .writeValueAsString(EventJson.mapper().readTree(bytes));
            } catch (java.io.IOException e) {
                return text;
            }
        }
        return text + "\n… (" + (bytes.length - length) + " more bytes)";
    }

    private static long id(RoutingContext rc) {
        try {
            return Long.parseLong(rc.pathParam("id"));
        } catch (NumberFormatException e) {
            throw ApiException.notFound(rc.pathParam("id"));
        }
    }

    private static String param(RoutingContext rc, String name) {
        String value = rc.request().getParam(name);
        return value == null || value.isBlank() ? null : value;
    }

    private static int intParam(RoutingContext rc, String name, int fallback) {
        try {
            String value = rc.request().getParam(name);
            return value == null ? fallback : Math.max(1, Integer.parseInt(value.trim()));
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static long longParam(RoutingContext rc, String name) {
        try {
            String value = rc.request().getParam(name);
            return value == null ? 0 : Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String form(RoutingContext rc, String name) {
        String value = rc.request().getFormAttribute(name);
        return value != null ? value : rc.request().getParam(name);
    }

    /** Where a change made from a list returns to: a path of the console, never another site. */
    private static String back(RoutingContext rc, String fallback) {
        String back = form(rc, "back");
        return back != null && back.startsWith("/console/") && !back.startsWith("//") ? back : fallback;
    }

    /** The browser's Origin, when it sends one, names this host (a same-origin request). */
    private static boolean sameOrigin(RoutingContext rc) {
        String origin = rc.request().getHeader(HttpHeaders.ORIGIN);
        if (origin == null || origin.isBlank()) {
            return true;
        }
        try {
            URI uri = URI.create(origin);
            String host = rc.request().getHeader(HttpHeaders.HOST);
            String forwarded = rc.request().getHeader("X-Forwarded-Host");
            String authority = uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
            return authority.equalsIgnoreCase(host) || authority.equalsIgnoreCase(forwarded);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean secure(RoutingContext rc) {
        return "https".equals(rc.request().scheme())
                || "https".equalsIgnoreCase(rc.request().getHeader("X-Forwarded-Proto"));
    }

    private static void html(RoutingContext rc, int status, String body) {
        Long started = rc.get(STARTED);
        if (started != null) {
            // the page's time in this service (session check, queries, rendering), for the browser's and tests' eyes
            rc.response()
                    .putHeader(
                            "Server-Timing",
                            String.format(Locale.ROOT, "console;dur=%.1f", (System.nanoTime() - started) / 1e6));
        }
        rc.response()
                .setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                .putHeader("Content-Security-Policy", CSP)
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("Referrer-Policy", "same-origin")
                .end(body);
    }

    private static void redirect(RoutingContext rc, String location) {
        rc.response()
                .setStatusCode(303)
                .putHeader(HttpHeaders.LOCATION, location)
                .end();
    }

    private static void putIfSet(ObjectNode body, String field, String value) {
        if (value != null && !value.isBlank()) {
            body.put(field, value.trim());
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }

    private static String urlEncode(String value) {
        return java.net.URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
