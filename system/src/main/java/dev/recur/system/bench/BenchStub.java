package dev.recur.system.bench;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Set;

import dev.recur.common.time.ApiTime;
import dev.recur.testinfra.StubHttpServer;

/**
 * The world outside Recur for {@link RecurBench}, in a JVM of its own so that its CPU is counted apart: an instant
 * page server for the built-in fetcher and a callback receiver ({@link StubHttpServer}). Every request gets a
 * prepared answer at once (a small HTML page for a GET, an empty 200 for anything else) on a kept-alive connection.
 * Each request carrying {@code X-Recur-Job-Id} (a callback) appends one {@link CallbackRecord} to the record file,
 * which the harness reads as it grows; the file is flushed at most {@value #FLUSH_MILLIS} ms after a write.
 *
 * <p>Usage: {@code BenchStub <bind address> <port> <record file>}.
 */
public final class BenchStub implements StubHttpServer.Handler {

    static final long FLUSH_MILLIS = 100;
    private static final String JOB_ID = "x-recur-job-id";
    private static final String SCHEDULE_ID = "x-recur-schedule-id";
    private static final String SCHEDULED_FOR = "x-recur-scheduled-for";
    private static final byte[] PAGE_RESPONSE = StubHttpServer.response(
            "200 OK",
            "text/html; charset=utf-8",
            "<html><body>benchmark page</body></html>".getBytes(StandardCharsets.UTF_8));
    private static final byte[] CALLBACK_RESPONSE = StubHttpServer.response("200 OK", "text/plain", new byte[0]);

    private final DataOutputStream records;
    private long lastFlush = System.nanoTime();
    private boolean unflushed;

    private BenchStub(DataOutputStream records) {
        this.records = records;
    }

    public static void main(String[] args) throws IOException {
        try (DataOutputStream records =
                new DataOutputStream(new BufferedOutputStream(new FileOutputStream(args[2], true), 64 * 1024))) {
            new StubHttpServer(Set.of(JOB_ID, SCHEDULE_ID, SCHEDULED_FOR), FLUSH_MILLIS, new BenchStub(records))
                    .serve(new InetSocketAddress(args[0], Integer.parseInt(args[1])), "bench stub");
        }
    }

    @Override
    public byte[] answer(StubHttpServer.Request request) throws IOException {
        String jobId = request.header(JOB_ID);
        if (jobId == null) {
            return request.method().equals("GET") ? PAGE_RESPONSE : CALLBACK_RESPONSE;
        }
        String scheduleId = request.header(SCHEDULE_ID);
        String scheduledFor = request.header(SCHEDULED_FOR);
        Instant now = Instant.now();
        records.writeLong(Long.parseLong(jobId));
        records.writeLong(scheduleId == null ? 0 : Long.parseLong(scheduleId));
        records.writeLong(scheduledFor == null ? 0 : ApiTime.parse(scheduledFor).getEpochSecond());
        records.writeLong(now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000);
        unflushed = true;
        return CALLBACK_RESPONSE;
    }

    @Override
    public void afterRound() throws IOException {
        if (unflushed && System.nanoTime() - lastFlush >= FLUSH_MILLIS * 1_000_000) {
            records.flush();
            unflushed = false;
            lastFlush = System.nanoTime();
        }
    }

    /** One callback as the stub recorded it: 4 longs, big-endian. */
    record CallbackRecord(long jobId, long scheduleId, long scheduledForSecond, long receivedMicros) {
        static final int BYTES = 32;
    }
}
