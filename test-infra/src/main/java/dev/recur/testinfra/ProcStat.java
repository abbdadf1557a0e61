package dev.recur.testinfra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One {@code stat} file of {@code /proc} (Linux), parsed: a process's ({@code /proc/<pid>/stat}) or a thread's
 * ({@code /proc/<pid>/task/<tid>/stat}; {@code /proc/<tid>/stat} would count its whole process). The one parser of
 * these files for the benchmarks' CPU figures.
 *
 * @param name the command or thread name as the kernel keeps it (cut to 15 characters)
 * @param parentPid field 4, {@code ppid}
 * @param userTicks field 14, {@code utime}
 * @param systemTicks field 15, {@code stime}
 * @param childrenTicks fields 16 and 17, {@code cutime + cstime}: children that have ended and were waited for
 */
public record ProcStat(String name, long parentPid, long userTicks, long systemTicks, long childrenTicks) {

    /** Length of a clock tick, {@code USER_HZ} = 100 on every Linux this runs on. */
    public static final long MILLIS_PER_TICK = 10;

    /** The stat of process {@code pid}; empty once it has ended. */
    public static Optional<ProcStat> ofProcess(long pid) {
        return read(Path.of("/proc", Long.toString(pid), "stat"));
    }

    /** The stat file's content, parsed; empty when it cannot be read (the process or thread ended). */
    public static Optional<ProcStat> read(Path statFile) {
        try {
            return Optional.of(parse(Files.readString(statFile)));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Parses a stat line; the name is in parentheses and may hold spaces and parentheses itself. */
    public static ProcStat parse(String stat) {
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        // the fields after the name: state is field 3
        String[] fields = stat.substring(close + 2).trim().split(" ");
        return new ProcStat(
                stat.substring(open + 1, close),
                Long.parseLong(fields[4 - 3]),
                Long.parseLong(fields[14 - 3]),
                Long.parseLong(fields[15 - 3]),
                Long.parseLong(fields[16 - 3]) + Long.parseLong(fields[17 - 3]));
    }

    /** CPU of this process or thread itself, in milliseconds. */
    public long ownMillis() {
        return (userTicks + systemTicks) * MILLIS_PER_TICK;
    }

    /** CPU of this process with its ended children, in milliseconds. */
    public long withChildrenMillis() {
        return ownMillis() + childrenTicks * MILLIS_PER_TICK;
    }
}
