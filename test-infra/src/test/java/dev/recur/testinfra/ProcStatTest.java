package dev.recur.testinfra;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

class ProcStatTest {

    @Test
    void shouldParseANameWithSpacesAndParenthesesAndTheCpuFields() {
        ProcStat stat = ProcStat.parse("4242 (C2 Compiler(Th) x) S 17 4242 17 0 -1 4194624 1000 0 0 0 "
                + "250 30 7 3 20 0 40 0 123 456789 1234 18446744073709551615\n");

        assertThat(stat.name()).isEqualTo("C2 Compiler(Th) x");
        assertThat(stat.parentPid()).isEqualTo(17);
        assertThat(stat.ownMillis()).isEqualTo(2_800);
        assertThat(stat.withChildrenMillis()).isEqualTo(2_900);
    }

    @Test
    void shouldReadThisProcessAndNothingForOneThatEnded() throws Exception {
        assertThat(ProcStat.ofProcess(ProcessHandle.current().pid()))
                .get()
                .satisfies(stat -> assertThat(stat.parentPid()).isPositive());
        Process exited = new ProcessBuilder("true").start();
        exited.waitFor();
        assertThat(ProcStat.read(Path.of("/proc", Long.toString(exited.pid()), "stat")))
                .isEmpty();
    }
}
