package dev.recur.scheduleapi.service;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;

import io.quarkus.elytron.security.common.BcryptUtil;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The CPU one uncached login costs: one bcrypt check of the password (what {@link UserService#authenticate} spends,
 * for a known username or, against its decoy hash, an unknown one), at the costs 10 and 12. Thread CPU time, median
 * of 9 after 3 warm-ups. Not in the normal build:
 * {@code ./mvnw -B test -pl schedule-api -Drecur.excludedGroups=none -Dgroups=benchmark -Dtest=LoginCpuBenchmarkTest}.
 */
@Tag("benchmark")
class LoginCpuBenchmarkTest {

    @Test
    void shouldPrintTheCpuOfOneLoginAtCosts10And12() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (int cost : new int[] {10, 12}) {
            String hash = BcryptUtil.bcryptHash("correct horse battery", cost);
            long[] samples = new long[9];
            for (int i = -3; i < samples.length; i++) {
                long start = threads.getCurrentThreadCpuTime();
                boolean known = BcryptUtil.matches("wrong horse battery", hash);
                long cpu = threads.getCurrentThreadCpuTime() - start;
                if (known) {
                    throw new AssertionError("a wrong password matched");
                }
                if (i >= 0) {
                    samples[i] = cpu;
                }
            }
            java.util.Arrays.sort(samples);
            System.out.printf(
                    Locale.ROOT,
                    "[login-cpu] bcrypt cost %d: median %.1f ms CPU per login (min %.1f, max %.1f)%n",
                    cost,
                    samples[4] / 1e6,
                    samples[0] / 1e6,
                    samples[8] / 1e6);
        }
    }
}
