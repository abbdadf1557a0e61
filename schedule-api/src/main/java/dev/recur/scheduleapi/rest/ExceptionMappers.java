package dev.recur.scheduleapi.rest;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Locale;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.recur.scheduleapi.service.ApiException;
import jakarta.persistence.PersistenceException;
import jakarta.transaction.RollbackException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.hibernate.exception.JDBCConnectionException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every failure leaves as the API's error body, with a status that says whose fault it is; never a stack trace. */
public class ExceptionMappers {

    private static final Logger LOG = Logger.getLogger(ExceptionMappers.class);

    @ServerExceptionMapper
    public Response api(ApiException e) {
        return error(e.status(), new ErrorBody(e.getMessage(), e.errors()));
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e) {
        return error(400, ErrorBody.of("the request body is not valid JSON: " + e.getOriginalMessage()));
    }

    @ServerExceptionMapper
    public Response notSupported(NotSupportedException e) {
        return error(415, ErrorBody.of("the request body must be JSON (Content-Type: application/json)"));
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e) {
        return error(404, ErrorBody.of("no such resource"));
    }

    @ServerExceptionMapper
    public Response notAllowed(NotAllowedException e) {
        return error(405, ErrorBody.of("method not allowed on this resource"));
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        if (e.getCause() instanceof JsonProcessingException json) {
            return json(json);
        }
        String reason = e.getResponse().getStatusInfo().getReasonPhrase();
        return error(status, ErrorBody.of(reason == null ? "request failed" : reason.toLowerCase(Locale.ROOT)));
    }

    @ServerExceptionMapper
    public Response persistence(PersistenceException e) {
        return databaseFailure(e);
    }

    @ServerExceptionMapper
    public Response sql(SQLException e) {
        return databaseFailure(e);
    }

    @ServerExceptionMapper
    public Response rollback(RollbackException e) {
        return databaseFailure(e);
    }

    /** The last line of defence: a bug, logged here with its trace, leaves as a generic 500. */
    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        if (isDatabaseUnreachable(e)) {
            return databaseFailure(e);
        }
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            // a body Jackson could not read, wrapped by the REST layer on its way here
            if (t instanceof JsonProcessingException json) {
                return json(json);
            }
        }
        LOG.error("unexpected failure", e);
        return error(500, ErrorBody.of("internal error"));
    }

    private static Response databaseFailure(Throwable e) {
        if (isDatabaseUnreachable(e)) {
            LOG.warnf("database unavailable: %s", e.getMessage());
            return error(503, ErrorBody.of("the database is unavailable; retry later"));
        }
        LOG.error("database failure", e);
        return error(500, ErrorBody.of("internal error"));
    }

    private static boolean isDatabaseUnreachable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof JDBCConnectionException
                    || t instanceof SQLTransientConnectionException
                    // 08: connection exceptions; 57P01-57P03: the server is shutting down, crashed or still starting
                    // up (PostgreSQL stopped and started: BrokerAndDatabaseOutageIT): unavailable, not a bug
                    || (t instanceof SQLException sql
                            && sql.getSQLState() != null
                            && (sql.getSQLState().startsWith("08")
                                    || sql.getSQLState().startsWith("57P")))
                    || (t instanceof SQLException
                            && String.valueOf(t.getMessage()).contains("Acquisition timeout"))) {
                return true;
            }
        }
        return false;
    }

    static Response error(int status, ErrorBody body) {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(body)
                .build();
    }
}
