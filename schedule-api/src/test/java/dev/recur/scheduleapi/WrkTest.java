package dev.recur.scheduleapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import org.junit.jupiter.api.Test;

/** The benchmark's reading of wrk's report (wrk 4.1.0 with --latency, then bash's {@code times}). */
class WrkTest {

    private static final String OUTPUT = """
            Running 15s test @ http://127.0.0.1:36053
              1 threads and 64 connections
              Thread Stats   Avg      Stdev     Max   +/- Stdev
                Latency     6.50ms    3.10ms  45.20ms   78.12%
                Req/Sec     9.30k   612.40    10.40k    71.33%
              Latency Distribution
                 50%    6.12ms
                 75%    7.90ms
                 90%   10.04ms
                 99%   20.33ms
              140188 requests in 15.10s, 71.12MB read
              Non-2xx or 3xx responses: 12
              Socket errors: connect 0, read 1, write 0, timeout 2
            Requests/sec:   9284.00
            Transfer/sec:      4.71MB
            0m0.004s 0m0.002s
            0m1.912s 1m0.750s
            """;

    @Test
    void shouldReadRateLatencyErrorsAndCpuWhenWrkReports() {
        Wrk.Result result = Wrk.parse("POST", 64, OUTPUT);

        assertThat(result.result().requests()).isEqualTo(140_188);
        assertThat(result.result().seconds()).isEqualTo(15.10);
        assertThat(result.result().p50Micros()).isEqualTo(6_120);
        assertThat(result.result().p99Micros()).isEqualTo(20_330);
        // the 12 answers that were not 2xx and the 3 socket errors
        assertThat(result.result().errors()).isEqualTo(15);
        // the children's line: 1.912 s user + 60.750 s system
        assertThat(result.generatorMs()).isCloseTo(62_662, offset(0.5));
    }

    @Test
    void shouldRefuseWhenTheReportIsNotWrks() {
        assertThatThrownBy(() -> Wrk.parse("POST", 64, "wrk: unknown option\n"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("unexpected wrk output");
    }
}
