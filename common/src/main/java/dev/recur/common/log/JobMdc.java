package dev.recur.common.log;

import org.jboss.logging.MDC;

/**
 * The ids of the job a log line is about, in the logging context (MDC): {@code schedule_id}, {@code run_id},
 * {@code job_id} and {@code owner}. With JSON logs ({@code RECUR_LOG_JSON=true}) every line written inside a scope
 * carries them under {@code mdc}, so a log pipeline finds all lines of one job, run or tenant. The context is the
 * thread's: a scope is opened around the code that logs, on the thread that logs, and closed when it returns.
 */
public final class JobMdc implements AutoCloseable {

    public static final String SCHEDULE_ID = "schedule_id";
    public static final String RUN_ID = "run_id";
    public static final String JOB_ID = "job_id";
    public static final String OWNER = "owner";

    private final Object[] previous = new Object[4];

    private JobMdc(long scheduleId, long runId, long jobId, String owner) {
        previous[0] = MDC.put(SCHEDULE_ID, Long.toString(scheduleId));
        previous[1] = MDC.put(RUN_ID, Long.toString(runId));
        previous[2] = MDC.put(JOB_ID, Long.toString(jobId));
        previous[3] = owner == null ? MDC.get(OWNER) : MDC.put(OWNER, owner);
    }

    /** Puts the job's ids into the logging context until {@link #close()}, which restores what was there. */
    public static JobMdc of(long scheduleId, long runId, long jobId, String owner) {
        return new JobMdc(scheduleId, runId, jobId, owner);
    }

    @Override
    public void close() {
        restore(SCHEDULE_ID, previous[0]);
        restore(RUN_ID, previous[1]);
        restore(JOB_ID, previous[2]);
        restore(OWNER, previous[3]);
    }

    private static void restore(String key, Object value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }
}
